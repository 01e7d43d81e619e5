//! Neuron models against closed forms: the PSP of NEST's `iaf_psc_exp` (exact integration),
//! the refractory hold of marked states only, and the PSC-to-PSP factor of the microcircuit.

use neurode::microcircuit::psc_over_psp;
use neurode::prelude::*;

/// One `IafPscExp` receiving one spike of weight `w` (nA) at 1 ms through a `StaticSynapse`;
/// V after every step.
fn psp(w: f64, ms: f64) -> Vec<f64> {
    let mut net = Network::new(0.1).unwrap();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, IafPscExp::default()).unwrap();
    let syn = net
        .add_projection("syn", StaticSynapse { w }, pre, post, &Connect::AllToAll)
        .unwrap();
    net.set_delays(syn, [0.1]).unwrap();
    let v = net.record(post, IafPscExp::V).unwrap();
    net.run(ms).unwrap();
    net.trace(v).unwrap().column(0)
}

#[test]
fn iaf_psc_exp_gives_the_exact_psp() {
    let n = IafPscExp::default();
    assert_eq!(<IafPscExp as Model>::INFO.method, Method::Exact);
    let w = 0.5;
    let v = psp(w, 30.0);
    // The spike at step 10 arrives at step 11 (one step of delay) and is added after the
    // neuron's update: V moves from step 12 on, with I(t) = w·e^{−t/τs} from t = 1.2 ms (row k
    // holds V at k·0.1 ms).
    let (tm, ts, c) = (n.tau_m, n.tau_ex, n.C_m);
    for (k, &vk) in v.iter().enumerate() {
        let t = k as f64 * 0.1 - 1.2;
        let expected = if t <= 0.0 {
            n.E_L
        } else {
            n.E_L + w / c * tm * ts / (tm - ts) * ((-t / tm).exp() - (-t / ts).exp())
        };
        assert!(
            (vk - expected).abs() < 1e-12,
            "step {k}: {vk} vs {expected}"
        );
    }
    // The PSP of the microcircuit's PSC-to-PSP factor peaks at 1 mV per 1 pA·factor.
    let peak = psp(psc_over_psp() / 1000.0 * 0.15, 30.0)
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    assert!((peak - n.E_L - 0.15).abs() < 2e-4, "peak {}", peak - n.E_L);
}

#[test]
fn only_marked_states_are_held_while_refractory() {
    // A strong input makes the neuron spike; during t_ref (2 ms) V stays at V_reset while
    // I_ex keeps decaying by e^{−dt/τ_ex} per step.
    let n = IafPscExp::default();
    let mut net = Network::new(0.1).unwrap();
    let pre = net
        .add_population("pre", 1, SpikeTrain::single(&[1.0]).unwrap())
        .unwrap();
    let post = net.add_population("post", 1, IafPscExp::default()).unwrap();
    net.add_projection(
        "syn",
        StaticSynapse { w: 50.0 },
        pre,
        post,
        &Connect::AllToAll,
    )
    .unwrap();
    let v = net.record(post, IafPscExp::V).unwrap();
    let i = net.record(post, IafPscExp::I_ex).unwrap();
    let spikes = net.record_spikes(post).unwrap();
    net.run(10.0).unwrap();
    let s = net.spikes(spikes).unwrap().steps.clone();
    assert_eq!(s.len(), 1, "{s:?}");
    let k = s[0] as usize;
    // Row j + 1 holds the state after step j (row 0 is the initial state).
    let (v, i) = (
        net.trace(v).unwrap().column(0)[1..].to_vec(),
        net.trace(i).unwrap().column(0)[1..].to_vec(),
    );
    for (j, &vj) in v.iter().enumerate().skip(k).take(21) {
        assert_eq!(vj, n.V_reset, "V held at step {j}");
    }
    assert!(v[k + 21] > n.V_reset, "V integrates again after t_ref");
    let decay = (-0.1 / n.tau_ex).exp();
    for j in k + 1..=k + 20 {
        assert!(
            (i[j] - i[j - 1] * decay).abs() < 1e-12 * i[j - 1],
            "I_ex decays at step {j}"
        );
    }
}

/// Without units: `y' = exprel(a) + expm1(b) + log1p(c)` (constant), and `V' = 1/exprel(−V)`, whose
/// derivative at V = 0 goes through exprel's (0/0 if written out).
#[neuron(method = euler)]
#[threshold(false)]
pub struct Rates {
    #[param(default = 0.0)]
    pub a: f64,
    #[param(default = 0.0)]
    pub b: f64,
    #[param(default = 0.0)]
    pub c: f64,
    #[param(default = 1.0)]
    pub tau: f64,
    #[state(init = 0.0, ode = (exprel(a) + expm1(b) + log1p(c)) / tau)]
    pub y: f64,
    #[state(init = 0.0, ode = 1.0 / exprel(-V) / tau, membrane)]
    pub V: f64,
    #[input]
    pub I: f64,
}

#[test]
fn exprel_expm1_and_log1p_are_exact_at_zero_and_accurate_near_it() {
    let y_after_1ms = |a: f64, b: f64, c: f64, method: Method| {
        let mut net = Network::new(0.1).unwrap();
        let g = net
            .add_population(
                "g",
                1,
                Rates {
                    a,
                    b,
                    c,
                    ..Rates::default()
                },
            )
            .unwrap();
        net.set_method(g, method).unwrap();
        net.run(1.0).unwrap();
        let p = net.population(g).unwrap();
        (p.column(Rates::y)[0], p.column(Rates::V)[0])
    };
    // exprel(0) = 1, expm1(0) = log1p(0) = 0: y grows by 1 per ms.
    let (y, z) = y_after_1ms(0.0, 0.0, 0.0, Method::Euler);
    assert!((y - 1.0).abs() < 1e-12, "{y}");
    assert!(z.is_finite() && z > 1.0, "{z}");
    // Near 0 the written forms lose their digits; these keep them: 1e-12 relative.
    let x = 1e-10;
    let (y, _) = y_after_1ms(x, x, x, Method::Euler);
    let exact = (1.0 + x / 2.0) + x + (x - x * x / 2.0);
    assert!((y - exact).abs() <= 1e-12 * exact, "{y} vs {exact}");
    let (y, _) = y_after_1ms(2.0, -0.5, 3.0, Method::Euler);
    let exact = (2f64.exp() - 1.0) / 2.0 + (-0.5f64).exp_m1() + 4f64.ln();
    assert!((y - exact).abs() <= 1e-12 * exact, "{y} vs {exact}");
    // exp_euler takes ∂f/∂V through exprel's derivative, which is 1/2 at 0, not 0/0: the
    // same z as rk4 to the method's accuracy (V' = V/(1 − e^−V) ≥ 1).
    let (_, z_exp) = y_after_1ms(0.0, 0.0, 0.0, Method::ExpEuler);
    let (_, z_rk4) = y_after_1ms(0.0, 0.0, 0.0, Method::Rk4);
    assert!(
        z_exp.is_finite() && (z_exp - z_rk4).abs() < 1e-2,
        "{z_exp} vs {z_rk4}"
    );
}
