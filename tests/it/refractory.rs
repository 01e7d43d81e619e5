//! Refractoriness counted in whole steps, as Brian2 counts it, and what it holds.
//!
//! A spike at step k makes the steps k .. k + n − 1 refractory, n = round(t_ref/dt) (a half
//! rounded up): the held states are integrated again from step k + n, the first step that may
//! spike; with `count = after_spike` (NEST's count) the steps k .. k + n. By default only the
//! states `#[reset]` assigns with `=` are held; the others (conductances) keep integrating and
//! receiving synaptic spikes.

use neurode::prelude::*;
use neurode::runtime::whole_steps;

/// V rises by `rate` per ms (Euler is exact for a constant slope), spikes at V ≥ 1 and restarts
/// from 0: at dt 0.1 and rate 6, two free steps to the threshold (0.6, 1.2).
#[neuron(method = euler)]
#[threshold(V >= 1.0)]
#[reset(V = 0.0)]
#[refractory(t_ref)]
pub struct Ramp {
    #[param(default = 6.0)]
    pub rate: f64,
    #[param(default = 1.0)]
    pub t_ref: f64,
    #[state(init = 0.0, ode = rate, membrane)]
    pub V: f64,
    #[input]
    pub I: f64,
}

/// [`Ramp`] counted as NEST counts: n held steps after the spike's.
#[neuron(method = euler)]
#[threshold(V >= 1.0)]
#[reset(V = 0.0)]
#[refractory(t_ref, count = after_spike)]
pub struct RampAfter {
    #[param(default = 6.0)]
    pub rate: f64,
    #[param(default = 1.0)]
    pub t_ref: f64,
    #[state(init = 0.0, ode = rate, membrane)]
    pub V: f64,
    #[input]
    pub I: f64,
}

/// [`Ramp`] with `hold = none`: the period blocks spikes only, V keeps rising.
#[neuron(method = euler)]
#[threshold(V >= 1.0)]
#[reset(V = 0.0)]
#[refractory(t_ref, hold = none)]
pub struct RampFree {
    #[param(default = 6.0)]
    pub rate: f64,
    #[param(default = 1.0)]
    pub t_ref: f64,
    #[state(init = 0.0, ode = rate, membrane)]
    pub V: f64,
    #[input]
    pub I: f64,
}

/// V rises for ever and never resets: the threshold holds at every step from the second on, and
/// only `dead_time` spaces the spikes.
#[neuron(method = euler)]
#[threshold(V >= 1.0, dead_time = t_dead)]
pub struct Climb {
    #[param(default = 6.0)]
    pub rate: f64,
    #[param(default = 1.0)]
    pub t_dead: f64,
    #[state(init = 0.0, ode = rate, membrane)]
    pub V: f64,
    #[input]
    pub I: f64,
}

/// A trace's column after every step: index `k` is the value after step `k`, i.e. row `k + 1`
/// (row 0 is the state at t = 0).
fn after_steps(trace: &neurode::runtime::Trace, j: usize) -> Vec<f64> {
    assert_eq!(trace.times[0], 0.0);
    trace.column(j)[1..].to_vec()
}

/// Spike steps and V after every step of one [`Ramp`] with period `t_ref` at step `dt`.
fn ramp(t_ref: f64, dt: f64, ms: f64) -> (Vec<u64>, Vec<f64>) {
    let mut net = Network::new(dt).unwrap();
    let rate = 0.6 / dt;
    let g = net.add_population("ramp", 1, Ramp { rate, t_ref }).unwrap();
    let spikes = net.record_spikes(g).unwrap();
    let v = net.record(g, Ramp::V).unwrap();
    net.run(ms).unwrap();
    let steps = net.spikes(spikes).unwrap().steps.clone();
    (steps, after_steps(net.trace(v).unwrap(), 0))
}

#[test]
fn a_refractory_period_lasts_round_t_ref_over_dt_steps() {
    // (t_ref, dt, n): n = round(t_ref/dt), a half rounded up (0.25/0.1 = 2.5 → 3; the
    // quotient 0.35/0.1 = 3.4999999999999996 stands for 3.5 → 4).
    let cases = [
        (0.0, 0.1, 0),
        (0.1, 0.1, 1),
        (1.0, 0.1, 10),
        (2.0, 0.1, 20),
        (0.25, 0.1, 3),
        (0.24, 0.1, 2),
        (0.26, 0.1, 3),
        (0.35, 0.1, 4),
        (1.0, 0.05, 20),
        (5.0, 0.1, 50),
    ];
    for (t_ref, dt, n) in cases {
        assert_eq!(whole_steps(t_ref, dt), n as f64, "t_ref {t_ref}, dt {dt}");
        let (steps, v) = ramp(t_ref, dt, 200.0);
        // The first spike after two free steps (0.6, 1.2), then n − 1 held steps (none for
        // n ≤ 1: the spike's step is the whole period) and two free steps again.
        let isi = n.max(1) - 1 + 2;
        assert_eq!(steps[0], 1, "t_ref {t_ref}, dt {dt}");
        assert!(steps.len() > 20, "t_ref {t_ref}: {} spikes", steps.len());
        for pair in steps.windows(2) {
            assert_eq!(
                pair[1] - pair[0],
                isi as u64,
                "t_ref {t_ref}, dt {dt}: spikes at steps {pair:?}"
            );
        }
        // V is the reset value at the spike's step and through the held steps, then rises.
        for &k in &steps[..steps.len() - 1] {
            let k = k as usize;
            for (j, &vj) in v.iter().enumerate().skip(k).take(n.max(1)) {
                assert_eq!(vj, 0.0, "t_ref {t_ref}: V at step {j} (spike at {k})");
            }
            let free = k + n.max(1);
            assert!(
                (v[free] - 0.6).abs() < 1e-12,
                "t_ref {t_ref}: V at step {free} (spike at {k}) is {}",
                v[free]
            );
        }
    }
}

#[test]
fn count_after_spike_holds_round_t_ref_over_dt_steps_after_the_spikes() {
    for (t_ref, n) in [
        (0.0, 0),
        (0.1, 1),
        (1.0, 10),
        (2.0, 20),
        (0.25, 3),
        (0.24, 2),
    ] {
        let mut net = Network::new(0.1).unwrap();
        let g = net
            .add_population("ramp", 1, RampAfter { rate: 6.0, t_ref })
            .unwrap();
        let spikes = net.record_spikes(g).unwrap();
        let v = net.record(g, RampAfter::V).unwrap();
        net.run(200.0).unwrap();
        let steps = net.spikes(spikes).unwrap().steps.clone();
        let v = after_steps(net.trace(v).unwrap(), 0);
        // n held steps after the spike's, then two free steps.
        assert_eq!(steps[0], 1, "t_ref {t_ref}");
        assert!(steps.len() > 20, "t_ref {t_ref}");
        for pair in steps.windows(2) {
            assert_eq!(pair[1] - pair[0], n + 2, "t_ref {t_ref}: {pair:?}");
            let k = pair[0] as usize;
            for (j, &vj) in v.iter().enumerate().skip(k).take(n as usize + 1) {
                assert_eq!(vj, 0.0, "t_ref {t_ref}: V at step {j} (spike at {k})");
            }
            assert!((v[k + n as usize + 1] - 0.6).abs() < 1e-12, "t_ref {t_ref}");
        }
    }
}

#[test]
fn hold_none_blocks_spikes_but_holds_nothing() {
    let dt = 0.1;
    let mut net = Network::new(dt).unwrap();
    let g = net
        .add_population(
            "ramp",
            1,
            RampFree {
                rate: 6.0,
                t_ref: 1.0,
            },
        )
        .unwrap();
    let spikes = net.record_spikes(g).unwrap();
    let v = net.record(g, RampFree::V).unwrap();
    net.run(50.0).unwrap();
    let steps = net.spikes(spikes).unwrap().steps.clone();
    let v = after_steps(net.trace(v).unwrap(), 0);
    // V rises through the period (above the threshold from its second step) and the neuron
    // spikes at the first step after it: every 10 steps.
    assert_eq!(steps[0], 1);
    for pair in steps.windows(2) {
        assert_eq!(pair[1] - pair[0], 10, "{pair:?}");
    }
    let k = steps[0] as usize;
    for (j, &vj) in v.iter().enumerate().take(k + 10).skip(k + 1) {
        assert!(
            (vj - 0.6 * (j - k) as f64).abs() < 1e-9,
            "V at step {j}: {vj}"
        );
    }
}

#[test]
fn dead_time_lasts_round_d_over_dt_steps() {
    for (t_dead, n) in [
        (0.0, 0),
        (0.1, 1),
        (1.0, 10),
        (2.0, 20),
        (0.25, 3),
        (0.24, 2),
    ] {
        let mut net = Network::new(0.1).unwrap();
        let g = net
            .add_population("climb", 1, Climb { rate: 6.0, t_dead })
            .unwrap();
        let spikes = net.record_spikes(g).unwrap();
        net.run(100.0).unwrap();
        let steps = net.spikes(spikes).unwrap().steps.clone();
        assert_eq!(steps[0], 1, "t_dead {t_dead}");
        assert!(steps.len() > 20, "t_dead {t_dead}");
        for pair in steps.windows(2) {
            assert_eq!(pair[1] - pair[0], n.max(1), "t_dead {t_dead}: {pair:?}");
        }
    }
}

/// A leaky integrate-and-fire neuron with an excitatory conductance of its own (as
/// `LifCoba`), a refractory period, and `g_e` fed by [`Kick`].
#[neuron]
#[threshold(V > V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref)]
pub struct CobaRefr {
    #[param(default = 10.0)]
    pub tau_m: f64,
    #[param(default = -74.0)]
    pub E_L: f64,
    #[param(default = -54.0)]
    pub V_th: f64,
    #[param(default = -60.0)]
    pub V_reset: f64,
    #[param(default = 0.0)]
    pub E_e: f64,
    #[param(default = 5.0)]
    pub tau_e: f64,
    #[param(default = 5.0)]
    pub t_ref: f64,
    #[state(init = E_L, membrane, ode = ((E_L - V) + g_e * (E_e - V) + I) / tau_m)]
    pub V: f64,
    #[state(init = 0.0, ode = -g_e / tau_e)]
    pub g_e: f64,
    #[input]
    pub I: f64,
}

/// [`CobaRefr`] with `hold = all`: the conductance frozen too, and the synaptic kicks that
/// reach it during the period dropped.
#[neuron]
#[threshold(V > V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref, hold = all)]
pub struct CobaFrozen {
    #[param(default = 10.0)]
    pub tau_m: f64,
    #[param(default = -74.0)]
    pub E_L: f64,
    #[param(default = -54.0)]
    pub V_th: f64,
    #[param(default = -60.0)]
    pub V_reset: f64,
    #[param(default = 0.0)]
    pub E_e: f64,
    #[param(default = 5.0)]
    pub tau_e: f64,
    #[param(default = 5.0)]
    pub t_ref: f64,
    #[state(init = E_L, membrane, ode = ((E_L - V) + g_e * (E_e - V) + I) / tau_m)]
    pub V: f64,
    #[state(init = 0.0, ode = -g_e / tau_e)]
    pub g_e: f64,
    #[input]
    pub I: f64,
}

/// Adds `w` to the postsynaptic `g_e` at each presynaptic spike.
#[synapse]
#[on_pre(g_e_post += w)]
pub struct Kick {
    #[param(default = 0.05)]
    pub w: f64,
}

/// One neuron of `model` under a constant input of 40 (V_∞ = −34 mV, above the threshold),
/// kicked by a presynaptic spike every 0.7 ms: spike steps, V and g_e after every step, and the
/// steps at which a kick lands (`g_e` jumps by `w`).
fn kicked<M: NeuronModel>(model: M, v: Var<M>, g: Var<M>) -> (Vec<u64>, Vec<f64>, Vec<f64>) {
    let mut net = Network::new(0.1).unwrap();
    let times: Vec<f64> = (1..60)
        .map(|k| (f64::from(k) * 7.0).round() / 10.0)
        .collect();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&times).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, model).unwrap();
    net.add_projection("kick", Kick { w: 0.05 }, pre, post, &Connect::AllToAll)
        .unwrap();
    net.add_input(post, Input::Constant(40.0)).unwrap();
    let spikes = net.record_spikes(post).unwrap();
    let (v, g) = (net.record(post, v).unwrap(), net.record(post, g).unwrap());
    net.run(45.0).unwrap();
    let steps = net.spikes(spikes).unwrap().steps.clone();
    (
        steps,
        after_steps(net.trace(v).unwrap(), 0),
        after_steps(net.trace(g).unwrap(), 0),
    )
}

#[test]
fn a_conductance_keeps_integrating_and_receiving_spikes_while_refractory() {
    let m = CobaRefr::default();
    let (steps, v, g) = kicked(m.clone(), CobaRefr::V, CobaRefr::g_e);
    let n = whole_steps(m.t_ref, 0.1) as usize;
    assert_eq!(n, 50);
    assert!(steps.len() >= 3, "{steps:?}");
    let decay = (-0.1 / m.tau_e).exp();
    let mut kicks_while_refractory = 0;
    for &k in &steps {
        let k = k as usize;
        if k + n >= v.len() {
            break;
        }
        // V is clamped at V_reset from the spike's step through the held steps.
        for (j, &vj) in v.iter().enumerate().skip(k).take(n) {
            assert_eq!(vj, m.V_reset, "V at step {j} (spike at {k})");
        }
        assert!(v[k + n] > m.V_reset, "V integrates again at step {}", k + n);
        // g_e decays by e^{−dt/τ_e} at every held step (rk4: to 1e-10 relative); a kick is
        // added after the step it lands in is recorded, so it shows up decayed by one step in
        // the next row: g[j] = (g[j − 1] + w)·e^{−dt/τ_e}.
        for j in k + 1..k + n {
            let free = g[j - 1] * decay;
            let kick = g[j] - free;
            if (kick - 0.05 * decay).abs() < 1e-9 {
                kicks_while_refractory += 1;
            } else {
                assert!(
                    kick.abs() < 1e-10 * g[j - 1],
                    "g_e at step {j} (spike at {k}): {} after {}, expected {free}",
                    g[j],
                    g[j - 1]
                );
            }
        }
    }
    // A kick every 7 steps: 7 in each run of 49 held steps.
    assert!(
        kicks_while_refractory >= 14,
        "{kicks_while_refractory} kicks"
    );
}

#[test]
fn hold_all_freezes_the_conductance_too() {
    let m = CobaFrozen::default();
    let (steps, v, g) = kicked(m.clone(), CobaFrozen::V, CobaFrozen::g_e);
    let k = steps[0] as usize;
    // Held, g_e neither decays nor takes the kicks that reach it while the neuron is
    // refractory (dropped, as Brian2 drops writes to `(unless refractory)` variables): it
    // keeps its value of the spike's step through the period, and the first kick after it
    // counts again.
    for j in k + 1..k + 50 {
        assert_eq!(v[j], m.V_reset, "V at step {j}");
        assert_eq!(g[j], g[k], "g_e held at step {j}");
    }
    assert!(
        (k + 50..k + 60).any(|j| g[j] > g[j - 1]),
        "a kick after the period acts"
    );
}
