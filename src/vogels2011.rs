//! Vogels, Sprekeler, Zenke, Clopath & Gerstner (2011): 8,000 excitatory and 2,000 inhibitory
//! conductance-based LIF neurons ([`VogelsLif`]) whose inhibitory synapses onto the excitatory
//! neurons learn ([`VogelsIstdp`]) until the excitatory rate falls to the target ρ₀ = 3 Hz and
//! the network turns asynchronous, built as Brian2's `examples/frompapers/Vogels_et_al_2011.py`
//! and `bench/published/vogels2011.py` build it.
//!
//! Every pair connected with probability ε = 0.02: E → all kicks `g_ampa` by 0.3 nS, I → I
//! kicks `g_gaba` by 3 nS, I → E is plastic (w starts at 1e−10 nS); the learning rate η is 0
//! until 1 s, then 0.01 (an action at 1 s, so the protocol is one run). V starts uniform in
//! [E_L, V_th).

use neurode_models::{ConductanceKick, VogelsIstdp, VogelsLif};
use neurode_runtime::{Action, Connect, Error, Network, Population, Projection, Values};

/// Connection probability ε.
pub const EPSILON: f64 = 0.02;
/// Time the plasticity is switched on (ms).
pub const PLASTICITY_ON: f64 = 1000.0;
/// The learning rate from then on (nS).
pub const ETA: f64 = 0.01;

/// The built network.
pub struct Vogels2011 {
    /// The network (dt 0.1 ms).
    pub net: Network,
    /// All neurons, the 8,000 excitatory first (at scale 1).
    pub neurons: Population<VogelsLif>,
    /// Number of excitatory neurons.
    pub n_exc: usize,
    /// The plastic inhibitory-to-excitatory synapses.
    pub plastic: Projection<VogelsIstdp>,
}

/// Builds the network at `scale` (neuron numbers; ε stays 0.02), every random draw keyed by
/// `seed`.
///
/// Errors: [`Error::InvalidInput`] for a scale giving no neuron, and those of building.
pub fn build(scale: f64, seed: u64) -> Result<Vogels2011, Error> {
    let n_exc = (8000.0 * scale).round() as usize;
    let n_inh = (2000.0 * scale).round() as usize;
    if n_exc == 0 || n_inh == 0 || !scale.is_finite() {
        return Err(Error::InvalidInput {
            object: "vogels2011".into(),
            reason: format!("scale {scale} gives no neuron in a population"),
        });
    }
    let mut net = Network::new(0.1)?;
    net.set_seed(seed);
    let model = VogelsLif::default();
    let (e_l, v_th) = (model.E_L, model.V_th);
    let neurons = net.add_population("neurons", n_exc + n_inh, model)?;
    net.set(
        neurons,
        VogelsLif::V,
        Values::Uniform {
            low: e_l,
            high: v_th,
        },
    )?;
    let exc = neurons.slice(..n_exc)?;
    let inh = neurons.slice(n_exc..)?;
    let p = |k: u64| Connect::FixedProb {
        p: EPSILON,
        seed: seed ^ (k << 32),
    };
    let e = net.add_projection(
        "exc",
        ConductanceKick { w: 0.3 },
        exc.clone(),
        neurons,
        &p(1),
    )?;
    net.set_post_variable(e, "g", "g_ampa")?;
    let ii = net.add_projection(
        "inh_inh",
        ConductanceKick { w: 3.0 },
        inh.clone(),
        inh.clone(),
        &p(2),
    )?;
    net.set_post_variable(ii, "g", "g_gaba")?;
    let rule = VogelsIstdp {
        eta: 0.0,
        ..VogelsIstdp::default()
    };
    let plastic = net.add_projection("inh_exc", rule, inh, exc, &p(3))?;
    net.set(plastic, VogelsIstdp::w, Values::Constant(1e-10))?;
    net.at(
        PLASTICITY_ON,
        Action::set_param(plastic, VogelsIstdp::eta, ETA),
    )?;
    Ok(Vogels2011 {
        net,
        neurons,
        n_exc,
        plastic,
    })
}
