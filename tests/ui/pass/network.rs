// The generated code runs: two neuron groups of a model defined here, connected by synapses of
// models defined here (a conductance with a delay, a voltage jump, a symmetric current), run
// for 1 ms under every method each model supports, a parameter set through its typed
// accessor. The generated code must be warning-free.
#![deny(warnings)]

use neurode::prelude::*;

#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_reset)]
#[refractory(t_ref)]
pub struct Cell {
    #[param(default = -65.0, unit = "mV")]
    pub V_rest: f64,
    #[param(default = -70.0, unit = "mV")]
    pub V_reset: f64,
    #[param(default = -64.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 10.0, unit = "MOhm")]
    pub R: f64,
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 0.5, unit = "ms")]
    pub t_ref: f64,
    #[state(init = V_rest, unit = "mV", ode = (-(V - V_rest) + R * I) / tau)]
    pub V: f64,
    #[input(unit = "nA")]
    pub I: f64,
}

#[synapse]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct Syn {
    #[param(default = 0.01, unit = "uS")]
    pub g_max: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    #[param(default = 0.2, unit = "ms")]
    pub delay: f64,
    #[param(default = 0.5, unit = "ms")]
    pub tau_rise: f64,
    #[param(default = 3.0, unit = "ms")]
    pub tau_decay: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau_decay + x / tau_rise)]
    pub s: f64,
    #[state(init = 0.0, unit = "1", ode = -x / tau_rise, on_pre += 1.0)]
    pub x: f64,
}

#[synapse]
#[output(voltage = w * spike_pre)]
pub struct Jump {
    #[param(default = 0.5, unit = "mV")]
    pub w: f64,
}

#[synapse]
#[output(current = g * (v_pre - v_post))]
#[output(current = g * (v_post - v_pre), target = pre)]
pub struct Gap {
    #[param(default = 0.001, unit = "uS")]
    pub g: f64,
}

fn run(syn_method: Method) -> neurode::runtime::Result<(Vec<f64>, usize)> {
    let mut net = Network::new(0.1)?;
    let pre = net.add_population("pre", 2, Cell::default())?;
    let post = net.add_population("post", 3, Cell::default())?;
    let syn = net.add_projection("syn", Syn::default(), pre, post, &Connect::AllToAll)?;
    net.add_projection("jump", Jump::default(), pre, post, &Connect::AllToAll)?;
    net.add_projection("gap", Gap::default(), post, post, &Connect::AllToAllNoSelf)?;
    net.set_method(syn, syn_method)?;
    net.set_param(syn, Syn::g_max, 0.02)?;
    assert_eq!(net.param(syn, Syn::g_max)?, 0.02);
    net.add_input(pre, Input::Constant(20.0))?;
    let s = net.record(syn, Syn::s)?;
    let v = net.record(post, Cell::V)?;
    net.run(1.0)?;
    let rows = net.trace(v)?.n_rows();
    Ok((net.trace(s)?.column(0), rows))
}

fn main() {
    for &method in Syn::INFO.methods {
        let (s, rows) = run(method).unwrap_or_else(|e| panic!("{method}: {e}"));
        // The initial state and the end of each of the 10 steps.
        assert_eq!(rows, 11, "{method}");
        assert_eq!(s.len(), 11, "{method}");
        assert!(s.iter().all(|x| x.is_finite()), "{method}");
        assert!(s.iter().any(|&x| x > 0.0), "{method}: the presynaptic spike reaches the synapse");
    }
}
