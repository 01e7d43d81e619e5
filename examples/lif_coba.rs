//! The conductance-based leaky integrate-and-fire neuron (`LifCoba`; Song, Miller & Abbott,
//! Nat. Neurosci. 3:919 (2000), and the COBA benchmark of Brette et al., J. Comput. Neurosci.
//! 23:349 (2007)):
//!
//! τ_m·dV/dt = (E_L − V) + g_e·(E_e − V) + g_i·(E_i − V) + R·I; dg_e/dt = −g_e/τ_e,
//! dg_i/dt = −g_i/τ_i; a spike where V > V_th, then V ← V_reset (defaults: τ_m 10 ms,
//! E_L −74 mV, V_th −54 mV, V_reset −60 mV, E_e 0 mV, τ_e 5 ms, E_i −80 mV, τ_i 10 ms).
//!
//! The conductances (relative to the leak) jump by w at each presynaptic spike, through
//! synapses of [`Stdp`](neurode::models::Stdp) with plasticity off (ΔA_pre = ΔA_post = 0): an
//! excitatory spike every 4 ms from 50 to 250 ms (w 0.4, a mean g_e of 0.5: V tends to
//! −49 mV, above threshold) and an inhibitory one every 10 ms from 150 to 200 ms (w 0.5, a mean
//! g_i of 0.5 on top: V tends to −57 mV, below it, once g_i has built up), 300 ms at
//! dt = 0.1 ms; figure
//! `figures/lif_coba.png` (V, g_e and g_i, spikes marked).
//! Example: `cargo run --release --example lif_coba`

use std::path::Path;

use neurode::models::{LifCoba, Stdp};
use neurode::runtime::{Connect, Network, SpikeTrain};
use neurode_cli::neuron;

/// Spike times every `every` ms from `from` up to (not including) `to`.
fn train(from: f64, to: f64, every: f64) -> Vec<f64> {
    (0..)
        .map(|k| from + f64::from(k) * every)
        .take_while(|&t| t < to)
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ms = 300.0;
    let mut net = Network::new(0.1)?;
    let exc = net.add_population("exc", 1, SpikeTrain::single(&train(50.0, 250.0, 4.0))?)?;
    let inh = net.add_population("inh", 1, SpikeTrain::single(&train(150.0, 200.0, 10.0))?)?;
    let cell = net.add_population("neuron", 1, LifCoba::default())?;
    let fixed = Stdp {
        dA_pre: 0.0,
        dA_post: 0.0,
        w_max: 1.0,
        ..Stdp::default()
    };
    let e = net.add_projection("exc_syn", fixed.clone(), exc, cell, &Connect::AllToAll)?;
    let i = net.add_projection("inh_syn", fixed, inh, cell, &Connect::AllToAll)?;
    net.set(e, Stdp::w, 0.4)?;
    net.set(i, Stdp::w, 0.5)?;
    net.set_post_variable(i, "g_e", "g_i")?;
    let spikes = net.record_spikes(cell)?;
    let mut columns = Vec::new();
    for (name, var) in [
        ("V", LifCoba::V),
        ("g_e", LifCoba::g_e),
        ("g_i", LifCoba::g_i),
    ] {
        columns.push((name, net.record(cell, var)?));
    }
    net.run(ms)?;
    let drive = "excitatory spikes every 4 ms (w 0.4), inhibitory every 10 ms (w 0.5)";
    let out = neuron::outcome::<LifCoba>(&net, &columns, spikes, drive)?;
    std::fs::create_dir_all("figures")?;
    neuron::show("lif_coba", &out, Path::new("figures/lif_coba.png"))?;
    Ok(())
}
