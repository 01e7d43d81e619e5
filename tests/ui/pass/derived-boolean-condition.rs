// A boolean `#[expr]` is a condition where one is needed (an `if`) and 1/0 in arithmetic.
use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct Syn {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 10.0, unit = "mV")]
    pub V_half: f64,
    #[param(default = 0.1, unit = "nA")]
    pub I_0: f64,
    #[param(default = 1.0, unit = "mM")]
    pub c: f64,
    #[param(default = 500.0, unit = "uM")]
    pub K: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau * gate, on_pre += 1.0)]
    pub s: f64,
    #[expr(v_post > V_half)]
    pub depolarised: f64,
    #[expr(if depolarised { 1.0 } else { 0.5 }, unit = "1")]
    pub gate: f64,
}

fn main() {
    // Presynaptic spike at step 0, postsynaptic side at `v` mV: `gate` is 1 above V_half (10 mV),
    // 0.5 below, and `s` decays at rate gate/tau.
    let run = |v: f64| -> (f64, f64) {
        let syn = Syn::default();
        let consts = syn.prepare(Method::Euler, 0.1);
        let mut cols = vec![vec![0.0]; <Syn as Model>::INFO.states.len()];
        syn.init(&mut cols);
        let conn = Csr { row_ptr: vec![0, 1], post: vec![0].into() };
        let mut outputs = vec![vec![0.0]];
        for k in 0..1 {
            let spike = [k == 0];
            let spiking: &[u32] = if k == 0 { &[0] } else { &[] };
            let pre = neurode::runtime::NeuronView { v: &[0.0], spike: &spike, spiking, refractory: &[false] };
            let post = neurode::runtime::NeuronView { v: &[v], spike: &[false], spiking: &[], refractory: &[false] };
            let step = neurode::runtime::SynapseStep {
                clock: neurode::runtime::Clock::at(k, 0.1),
                storage: Storage::PerSynapse,
                columns: neurode::runtime::ColumnsMut::of(&mut cols),
                conn: &conn,
                pre,
                post,
                outputs: &mut outputs,
                rules: neurode::runtime::RuleData::none(),
            };
            assert!(syn.step(&consts, step));
        }
        (cols[Syn::depolarised.index()][0], cols[Syn::s.index()][0])
    };
    let (flag, s) = run(20.0);
    assert_eq!(flag, 1.0);
    assert!((s - (1.0 - 0.1 * 1.0 / 5.0)).abs() < 1e-12, "{s}");
    let (flag, s) = run(0.0);
    assert_eq!(flag, 0.0);
    assert!((s - (1.0 - 0.1 * 0.5 / 5.0)).abs() < 1e-12, "{s}");
}
