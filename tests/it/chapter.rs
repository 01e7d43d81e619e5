//! The chapter's protocols (`docs/chapter.md` §3–4) against closed forms and the chapter's numbers.

use neurode::runtime::Method;
use neurode::tutorial::{Overrides, Protocol, Recording};

const DT: f64 = 0.1;

/// Steps at which a LIF neuron spiked: V lands on V_reset (−5 mV) from elsewhere.
fn spike_steps(v: &[f64]) -> Vec<usize> {
    (1..v.len())
        .filter(|&i| v[i] == -5.0 && v[i - 1] != -5.0)
        .collect()
}

/// The recording indexed by step: row 0 of a trace is the initial state at t = 0 and row
/// `k + 1` the state at t = (k + 1)·dt, after step `k`; the tests below read "after step `k`"
/// as index `k`, so this checks the labels and the initial row (every chapter state starts at
/// 0, except the gap-junction protocol's voltages at −10 mV) and drops row 0.
fn by_step(mut rec: Recording, v0: f64) -> Recording {
    for (k, &t) in rec.t.iter().enumerate() {
        assert_eq!(t, k as f64 * DT, "row {k} is labelled with its time");
    }
    for c in &rec.columns {
        let v0 = if c.name.contains(".V[") { v0 } else { 0.0 };
        assert_eq!(c.values[0], v0, "{} starts at {v0}", c.name);
    }
    rec.t.remove(0);
    for c in &mut rec.columns {
        c.values.remove(0);
    }
    rec
}

fn run(p: Protocol) -> Recording {
    run_over(p, &Overrides::default())
}

fn run_over(p: Protocol, o: &Overrides) -> Recording {
    let v0 = if matches!(p, Protocol::GapJunction) {
        -10.0
    } else {
        0.0
    };
    by_step(p.run(o).expect("chapter protocol runs"), v0)
}

fn run_with(p: Protocol, method: Method) -> Recording {
    run_over(
        p,
        &Overrides {
            method: Some(method),
            ..Overrides::default()
        },
    )
}

/// The synapse's `s` after checking that all six synapses of `run_syn` recorded the same values.
fn synapse_s(rec: &Recording) -> Vec<f64> {
    let s = rec.series("syn.s[");
    assert_eq!(s.len(), 6, "all-to-all 2×3");
    for c in &s {
        assert_eq!(c.values, s[0].values, "{} differs from syn.s[0]", c.name);
    }
    s[0].values.clone()
}

fn run_syn_presynaptic_spikes(rec: &Recording) {
    assert_eq!(rec.t.len(), 300);
    for j in 0..2 {
        assert_eq!(
            spike_steps(rec.column(&format!("pre.V[{j}]")).unwrap()),
            vec![84, 192]
        );
    }
}

#[test]
fn exponential_run_syn_matches_closed_form() {
    let rec = run(Protocol::Exponential);
    run_syn_presynaptic_spikes(&rec);
    let s = synapse_s(&rec);
    assert!(s[..84].iter().all(|&x| x == 0.0));
    assert!((s[84] - 1.0).abs() < 1e-12);
    assert!((s[85] - (-0.1f64 / 8.0).exp()).abs() < 1e-12);
    for (i, &x) in s.iter().enumerate().take(192).skip(84) {
        let want = (-(i as f64 - 84.0) * DT / 8.0).exp();
        assert!((x - want).abs() < 1e-12, "step {i}: {x} vs {want}");
    }
    let want = (-108.0 * DT / 8.0).exp() + 1.0;
    assert!((s[192] - want).abs() < 1e-12);
}

#[test]
fn exact_and_exp_euler_agree_on_the_exponential() {
    let a = synapse_s(&run(Protocol::Exponential));
    let b = synapse_s(&run_with(Protocol::Exponential, Method::Exact));
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-12);
    }
}

#[test]
fn ampa_during_and_after_the_pulse() {
    // T_duration 3 ms: s relaxes to s∞ = αT/(αT+β) at rate αT+β while the pulse lasts, then
    // decays at rate β. Exponential Euler is exact for each phase.
    let (alpha, beta, t_max) = (0.98, 0.18, 0.5);
    let rec = run(Protocol::Ampa);
    run_syn_presynaptic_spikes(&rec);
    let s = synapse_s(&rec);
    let rate = alpha * t_max + beta;
    let s_inf = alpha * t_max / rate;
    assert!(
        (s[84] - s_inf * (1.0 - (-rate * DT).exp())).abs() < 1e-12,
        "first spike step"
    );
    assert!(s[..84].iter().all(|&x| x == 0.0));
    let t_last = 84.0 * DT;
    let mut want = 0.0;
    for (i, &got) in s.iter().enumerate().take(192).skip(84) {
        let t = i as f64 * DT;
        want = if t - t_last < 3.0 {
            s_inf + (want - s_inf) * (-rate * DT).exp()
        } else {
            want * (-beta * DT).exp()
        };
        assert!((got - want).abs() < 1e-12, "step {i}: {got} vs {want}");
    }
    // The pulse covers exactly the steps with t − t_last < 3 ms: 30 steps.
    let pulse = (84..192).filter(|&i| i as f64 * DT - t_last < 3.0).count();
    assert_eq!(pulse, 30);
    // Conductance output with E = V_post = 0: no current, the postsynaptic neurons stay at rest.
    assert!(rec
        .series("post.V[")
        .iter()
        .all(|c| c.values.iter().all(|&v| v == 0.0)));
}

#[test]
fn gaba_a_run_syn() {
    // Exponential GABA_A: s = e^{−(t − t_s)/6} after the spike, kicked after the decay step;
    // conductance output g_max·s with E = −80 mV hyperpolarises the postsynaptic neurons.
    let rec = run(Protocol::GabaA);
    run_syn_presynaptic_spikes(&rec);
    let s = synapse_s(&rec);
    for (i, &got) in s.iter().enumerate().take(192).skip(84) {
        let want = (-(i as f64 - 84.0) * DT / 6.0).exp();
        assert!((got - want).abs() < 1e-12, "step {i}: {got} vs {want}");
    }
    let post = rec.column("post.V[0]").unwrap();
    assert!(post[..84].iter().all(|&v| v == 0.0));
    // Step 84: I = −2·g_max·s·(V − E) = −2·0.4·1·(0 + 80) nA, then one Euler step of τ = 10 ms.
    assert!(
        (post[84] - (-2.0 * 0.4 * 80.0) * DT / 10.0).abs() < 1e-12,
        "{}",
        post[84]
    );
    assert!(post.iter().all(|&v| v <= 0.0), "inhibition only");
}

#[test]
fn nmda_run_syn() {
    let rec = run(Protocol::Nmda);
    run_syn_presynaptic_spikes(&rec);
    let s = synapse_s(&rec);
    assert!(s[..84].iter().all(|&x| x == 0.0));
    // x is kicked before integrating, so s moves on the spike step itself.
    assert!(s[84] > 0.04 && s[84] < 0.05, "{}", s[84]);
    // V_post = E = 0: the current is exactly zero.
    assert!(rec
        .series("post.V[")
        .iter()
        .all(|c| c.values.iter().all(|&v| v == 0.0)));
}

#[test]
fn gaba_b_peak() {
    let rec = run(Protocol::GabaB);
    assert_eq!(rec.t.len(), 10200);
    assert_eq!(
        spike_steps(rec.column("pre.V[0]").unwrap()),
        vec![160],
        "one spike at 16.0 ms"
    );
    let s = synapse_s(&rec);
    let (i_max, s_max) = s
        .iter()
        .enumerate()
        .fold((0, f64::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
    assert!((s_max - 1.56e-7).abs() < 0.005 * 1.56e-7, "peak {s_max:e}");
    assert!(
        (i_max as f64 * DT - 118.0).abs() <= 1.0,
        "peak at {} ms",
        i_max as f64 * DT
    );
}

#[test]
fn gap_junction_protocol() {
    let rec = run(Protocol::GapJunction);
    assert_eq!(rec.t.len(), 1000);
    let pre = rec.column("pre.V[0]").unwrap();
    let post = rec.column("post.V[0]").unwrap();
    // t_refractory 0: the reset value is visible for one step only.
    let spikes = spike_steps(pre);
    assert_eq!(spikes, (0..7).map(|k| 137 + 125 * k).collect::<Vec<_>>());
    assert!(
        spike_steps(post).is_empty(),
        "the postsynaptic neuron never fires"
    );
    let peak = post.iter().copied().fold(f64::MIN, f64::max);
    assert!((peak - 7.3).abs() < 0.05, "post peak {peak}");
}

/// s of the two-exponential synapse after one spike at step k0 (kicked after integrating).
fn dual_exp(tau1: f64, tau2: f64, steps: f64) -> f64 {
    let d = steps * DT;
    tau1 * tau2 / (tau1 - tau2) * ((-d / tau1).exp() - (-d / tau2).exp())
}

#[test]
fn two_exponentials_closed_form() {
    for (method, tol) in [(Method::Exact, 1e-12), (Method::Rk4, 1e-7)] {
        let rec = run_with(Protocol::TwoExponentials, method);
        run_syn_presynaptic_spikes(&rec);
        let s = synapse_s(&rec);
        for (i, &got) in s.iter().enumerate().take(193).skip(84) {
            let want = dual_exp(2.0, 3.0, i as f64 - 84.0);
            assert!(
                (got - want).abs() < tol,
                "{method}: step {i}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn alpha_closed_form() {
    for (method, tol) in [(Method::Exact, 1e-12), (Method::Rk4, 1e-7)] {
        let rec = run_with(Protocol::Alpha, method);
        let s = synapse_s(&rec);
        for (i, &got) in s.iter().enumerate().take(193).skip(84) {
            let d = (i as f64 - 84.0) * DT;
            let want = d * (-d / 3.0).exp();
            assert!(
                (got - want).abs() < tol,
                "{method}: step {i}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn equal_time_constants_give_the_alpha_function() {
    let o = Overrides {
        params: vec![("tau1".into(), 3.0), ("tau2".into(), 3.0)],
        method: Some(Method::Exact),
    };
    let rec = run_over(Protocol::TwoExponentials, &o);
    let s = synapse_s(&rec);
    for (i, &got) in s.iter().enumerate().take(193).skip(84) {
        let d = (i as f64 - 84.0) * DT;
        let want = d * (-d / 3.0).exp();
        assert!(
            got.is_finite() && (got - want).abs() < 1e-12,
            "step {i}: {got} vs {want}"
        );
    }
}

#[test]
fn voltage_jump_run_syn() {
    let rec = run(Protocol::VoltageJump);
    let s = synapse_s(&rec);
    for (i, &x) in s.iter().enumerate() {
        assert_eq!(x, if i == 84 || i == 192 { 1.0 } else { 0.0 }, "step {i}");
    }
    // Two presynaptic neurons jump each postsynaptic V by w = 1 mV, then one Euler step decays it.
    let post = rec.column("post.V[0]").unwrap();
    assert!(post[..84].iter().all(|&v| v == 0.0));
    assert!((post[84] - 2.0 * (1.0 - DT / 10.0)).abs() < 1e-12);
}

#[test]
fn output_delay_shifts_delivery_by_whole_steps() {
    // delay 1 ms = 10 steps: the current pushed at step 84 reaches the neurons at step 94.
    let o = Overrides {
        params: vec![("delay".into(), 1.0)],
        method: None,
    };
    let rec = run_over(Protocol::Exponential, &o);
    let post = rec.column("post.V[0]").unwrap();
    assert!(
        post[..94].iter().all(|&v| v == 0.0),
        "nothing before step 94"
    );
    assert!(
        (post[94] - 0.2 * 1.0 * DT / 10.0).abs() < 1e-15,
        "{}",
        post[94]
    );
    // The synapse itself is not delayed.
    assert_eq!(synapse_s(&rec), synapse_s(&run(Protocol::Exponential)));
}

#[test]
fn current_output_drives_the_postsynaptic_neuron() {
    // Exponential, w = 0.1 nA, two synapses per postsynaptic neuron: I = 0.2·s, one Euler step.
    let rec = run(Protocol::Exponential);
    let post = rec.column("post.V[0]").unwrap();
    assert!(post[..84].iter().all(|&v| v == 0.0));
    assert!((post[84] - 0.2 * 1.0 * DT / 10.0).abs() < 1e-15);
    let s = synapse_s(&rec);
    let want = post[84] + DT / 10.0 * (-post[84] + 0.2 * s[85]);
    assert!((post[85] - want).abs() < 1e-15);
}
