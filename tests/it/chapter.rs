//! The chapter's protocols against MODELS.md and closed forms.

use neurode::tutorial::{Overrides, Protocol, Recording};

fn spike_steps(v: &[f64]) -> Vec<usize> {
    // A LIF spike resets V to V_reset (−5 mV) from below threshold: the step where V lands on −5
    // after being above it.
    (1..v.len()).filter(|&i| v[i] == -5.0 && v[i - 1] != -5.0).collect()
}

fn run(p: Protocol) -> Recording {
    p.run(&Overrides::default()).expect("chapter protocol runs")
}

#[test]
fn exponential_run_syn_matches_closed_form() {
    let rec = run(Protocol::Exponential);
    assert_eq!(rec.t.len(), 300);
    for j in 0..2 {
        assert_eq!(spike_steps(rec.column(&format!("pre.V[{j}]")).unwrap()), vec![84, 192]);
    }
    let s = rec.series("syn.s[");
    assert_eq!(s.len(), 6);
    for c in &s {
        assert_eq!(c.values, s[0].values, "all six synapses are equal");
    }
    let s = &s[0].values;
    assert!(s[..84].iter().all(|&x| x == 0.0));
    assert!((s[84] - 1.0).abs() < 1e-12);
    assert!((s[85] - (-0.1f64 / 8.0).exp()).abs() < 1e-12);
    // Between spikes s decays as e^{-(t - 8.4)/8}; the second spike adds 1.
    for i in 84..192 {
        let expected = (-(i as f64 - 84.0) * 0.1 / 8.0).exp();
        assert!((s[i] - expected).abs() < 1e-12, "step {i}");
    }
    let expected = (-(108.0f64) * 0.1 / 8.0).exp() + 1.0;
    assert!((s[192] - expected).abs() < 1e-12);
}
