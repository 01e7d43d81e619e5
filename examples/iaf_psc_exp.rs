//! The leaky integrate-and-fire neuron with exponential postsynaptic currents (`IafPscExp`,
//! NEST's `iaf_psc_exp`, the neuron of the Potjans & Diesmann (2014) microcircuit; Rotter &
//! Diesmann, Biol. Cybern. 81:381 (1999), for its exact integration):
//!
//! C_m·dV/dt = −C_m·(V − E_L)/τ_m + I_ex + I_in + I_e + I; dI_ex/dt = −I_ex/τ_ex,
//! dI_in/dt = −I_in/τ_in; a spike where V ≥ V_th, then V ← V_reset and V is held for t_ref
//! while the currents decay (defaults: C_m 250 pF, τ_m 10 ms, E_L = V_reset −65 mV,
//! V_th −50 mV, t_ref 2 ms, τ_ex = τ_in 0.5 ms).
//!
//! A bias I_e of 0.3 nA holds V at −53 mV, below threshold; each spike of a
//! [`StaticSynapse`](neurode::models::StaticSynapse) adds its weight to I_ex (or, rebound, to
//! I_in): an excitatory spike every 5 ms from 50 to 200 ms (w 2 nA, a mean current of 0.2 nA:
//! V tends to −45 mV, above threshold) and an inhibitory one every 5 ms from 100 to 150 ms
//! (w −4 nA, a mean of −0.4 nA: V tends to −61 mV), 250 ms at dt = 0.1 ms; figure
//! `figures/iaf_psc_exp.png` (V, I_ex and I_in, spikes marked).
//! Example: `cargo run --release --example iaf_psc_exp`

use std::path::Path;

use neurode::models::{IafPscExp, StaticSynapse};
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
    let ms = 250.0;
    let mut net = Network::new(0.1)?;
    let exc = net.add_population("exc", 1, SpikeTrain::single(&train(50.0, 200.0, 5.0))?)?;
    let inh = net.add_population("inh", 1, SpikeTrain::single(&train(100.0, 150.0, 5.0))?)?;
    let cell = IafPscExp {
        I_e: 0.3,
        ..IafPscExp::default()
    };
    let cell = net.add_population("neuron", 1, cell)?;
    let (exc_syn, inh_syn) = (StaticSynapse { w: 2.0 }, StaticSynapse { w: -4.0 });
    net.add_projection("exc_syn", exc_syn, exc, cell, &Connect::AllToAll)?;
    let i = net.add_projection("inh_syn", inh_syn, inh, cell, &Connect::AllToAll)?;
    net.set_post_variable(i, "I_ex", "I_in")?;
    let spikes = net.record_spikes(cell)?;
    let mut columns = Vec::new();
    for (name, var) in [
        ("V", IafPscExp::V),
        ("I_ex", IafPscExp::I_ex),
        ("I_in", IafPscExp::I_in),
    ] {
        columns.push((name, net.record(cell, var)?));
    }
    net.run(ms)?;
    let drive = "I_e = 0.3 nA, excitatory spikes every 5 ms (w 2 nA), inhibitory (w −4 nA)";
    let out = neuron::outcome::<IafPscExp>(&net, &columns, spikes, drive)?;
    std::fs::create_dir_all("figures")?;
    neuron::show("iaf_psc_exp", &out, Path::new("figures/iaf_psc_exp.png"))?;
    Ok(())
}
