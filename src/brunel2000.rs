//! Brunel (2000): a sparse network of excitatory and inhibitory LIF neurons coupled by delta
//! synapses, in the four states of the paper's Fig. 8, built as Brian2's example
//! (`examples/frompapers/Brunel_2000.py`) and `bench/published/brunel2000.py` build it.
//!
//! N_E = 10,000 and N_I = 2,500 neurons ([`IafDelta`]: τ 20 ms, θ 20 mV, V_r 10 mV, τ_rp 2 ms)
//! at scale 1, one population with the excitatory neurons first; every pair connected with
//! probability ε = 0.1; a spike adds J = 0.1 mV (excitatory) or −g·J (inhibitory) to the
//! target's V after D = 1.5 ms ([`Delta`], a spike rule: work per spike); each neuron receives
//! C_E = ε·N_E external Poisson sources at ν_ext = η·ν_thr, ν_thr = θ/(J·C_E·τ), each adding J
//! (a binomial number of events per step). V starts uniform in [0, θ).

use neurode_models::{Delta, IafDelta};
use neurode_runtime::{Connect, Error, Network, PoissonInput, Population, Values};

/// The four states of Fig. 8: relative inhibition `g` and external drive `eta` (ν_ext/ν_thr).
pub const STATES: [(char, f64, f64, &str); 4] = [
    ('A', 3.0, 2.0, "synchronous regular"),
    ('B', 6.0, 4.0, "synchronous irregular, fast"),
    ('C', 5.0, 2.0, "asynchronous irregular"),
    ('D', 4.5, 0.9, "synchronous irregular, slow"),
];

/// Connection probability ε.
pub const EPSILON: f64 = 0.1;
/// Jump of an excitatory spike (mV).
pub const J: f64 = 0.1;
/// Transmission delay (ms).
pub const DELAY: f64 = 1.5;

/// The built network and its population.
pub struct Brunel2000 {
    /// The network (dt 0.1 ms).
    pub net: Network,
    /// All N_E + N_I neurons, excitatory first.
    pub neurons: Population<IafDelta>,
    /// N_E.
    pub n_exc: usize,
    /// External rate per source (Hz).
    pub nu_ext: f64,
}

/// `g` and `eta` of state `state` (`'A'`..=`'D'`).
pub fn state(state: char) -> Option<(f64, f64)> {
    STATES
        .iter()
        .find(|s| s.0 == state.to_ascii_uppercase())
        .map(|s| (s.1, s.2))
}

/// Builds the network of relative inhibition `g` and drive `eta` at `scale` (neuron numbers
/// and C_E scale together, ε stays 0.1), every random draw keyed by `seed`.
///
/// Errors: [`Error::InvalidInput`] for a scale giving no neuron, and those of building.
pub fn build(g: f64, eta: f64, scale: f64, seed: u64) -> Result<Brunel2000, Error> {
    let n_exc = (10_000.0 * scale).round() as usize;
    let n_inh = (2_500.0 * scale).round() as usize;
    if n_exc == 0 || n_inh == 0 || !scale.is_finite() {
        return Err(Error::InvalidInput {
            object: "brunel2000".into(),
            reason: format!("scale {scale} gives no neuron in a population"),
        });
    }
    let mut net = Network::new(0.1)?;
    net.set_seed(seed);
    let model = IafDelta::default();
    let (tau, theta) = (model.tau, model.theta);
    let neurons = net.add_population("neurons", n_exc + n_inh, model)?;
    net.set(
        neurons,
        IafDelta::V,
        Values::Uniform {
            low: 0.0,
            high: theta,
        },
    )?;
    let exc = neurons.slice(..n_exc)?;
    let inh = neurons.slice(n_exc..)?;
    let c_e = EPSILON * n_exc as f64;
    let jump = |w| Delta {
        w,
        ..Delta::default()
    };
    let e = net.add_projection(
        "exc",
        jump(J),
        exc,
        neurons,
        &Connect::FixedProb { p: EPSILON, seed },
    )?;
    let i = net.add_projection(
        "inh",
        jump(-g * J),
        inh,
        neurons,
        &Connect::FixedProb {
            p: EPSILON,
            seed: seed ^ 0x5eed,
        },
    )?;
    net.set_delays(e, Values::Constant(DELAY))?;
    net.set_delays(i, Values::Constant(DELAY))?;
    // ν_thr = θ / (J C_E τ), in Hz (τ in ms).
    let nu_thr = theta / (J * c_e * tau) * 1e3;
    let nu_ext = eta * nu_thr;
    net.add_poisson_input(
        neurons,
        IafDelta::V,
        &PoissonInput::binomial(c_e.round() as u64, nu_ext, J, seed ^ 0xe87),
    )?;
    Ok(Brunel2000 {
        net,
        neurons,
        n_exc,
        nu_ext,
    })
}
