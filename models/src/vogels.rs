//! The network of Vogels, Sprekeler, Zenke, Clopath & Gerstner (2011): conductance-based LIF
//! neurons, conductance kicks and the inhibitory plasticity rule that balances excitation.

use neurode_macros::{neuron, synapse};

/// Conductance-based LIF neuron of Vogels et al. (2011):
///
/// C·dV/dt = −g_L·(V − E_L) − g_ampa·(V − E_E) − g_gaba·(V − E_I) + I_bg,
/// dg_ampa/dt = −g_ampa/τ_ampa, dg_gaba/dt = −g_gaba/τ_gaba;
///
/// a spike where V > V_th, then V ← E_L, held for round(t_ref/dt) steps from the spike's
/// (Brian2's `refractory` with `(unless refractory)` on V only: the conductances decay and
/// receive spikes through the period, a jump onto V is dropped). Synapses add to `g_ampa` and
/// `g_gaba` with spike rules ([`ConductanceKick`], [`VogelsIstdp`]).
///
/// Defaults (the paper's, Brian2's `Vogels_et_al_2011.py`): g_L 10 nS, C 200 pF, E_L −60 mV,
/// E_E 0 mV, E_I −80 mV, V_th −50 mV, I_bg 200 pA, τ_ampa 5 ms, τ_gaba 10 ms, t_ref 5 ms.
/// Forward Euler, as the example.
///
/// Reference: Vogels et al., *Inhibitory plasticity balances excitation and inhibition in sensory
/// pathways and memory networks*, Science 334:1569 (2011).
#[neuron(crate = ::neurode_runtime, method = euler)]
#[threshold(V > V_th)]
#[reset(V = E_L)]
#[refractory(t_ref)]
#[require(V_th > E_L)]
pub struct VogelsLif {
    /// Leak conductance.
    #[param(default = 10.0, unit = "nS", domain = positive)]
    pub g_L: f64,
    /// Membrane capacitance.
    #[param(default = 200.0, unit = "pF", domain = positive)]
    pub C: f64,
    /// Leak reversal potential, also the reset.
    #[param(default = -60.0, unit = "mV")]
    pub E_L: f64,
    /// Excitatory reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub E_E: f64,
    /// Inhibitory reversal potential.
    #[param(default = -80.0, unit = "mV")]
    pub E_I: f64,
    /// Spike threshold.
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    /// Background current.
    #[param(default = 200.0, unit = "pA")]
    pub I_bg: f64,
    /// Decay time constant of the excitatory conductance.
    #[param(default = 5.0, unit = "ms", domain = positive)]
    pub tau_ampa: f64,
    /// Decay time constant of the inhibitory conductance.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau_gaba: f64,
    /// Refractory period.
    #[param(default = 5.0, unit = "ms", domain = non_negative)]
    pub t_ref: f64,
    /// Membrane potential.
    #[state(
        init = E_L,
        unit = "mV",
        ode = (-g_L * (V - E_L) - g_ampa * (V - E_E) - g_gaba * (V - E_I) + I_bg) / C,
        membrane
    )]
    pub V: f64,
    /// Excitatory conductance.
    #[state(init = 0.0, unit = "nS", ode = -g_ampa / tau_ampa)]
    pub g_ampa: f64,
    /// Inhibitory conductance.
    #[state(init = 0.0, unit = "nS", ode = -g_gaba / tau_gaba)]
    pub g_gaba: f64,
}

/// A fixed conductance kick: on a presynaptic spike g_post += w (Brian2's `on_pre = 'g += w'`).
///
/// `g` is bound to the postsynaptic variable `g` unless
/// [`Network::set_post_variable`](neurode_runtime::Network::set_post_variable) binds it to
/// another (`g_ampa`, `g_gaba` of [`VogelsLif`]). Defaults: w 1 nS.
///
/// Reference: Vogels et al. (2011); Brette et al., J. Comput. Neurosci. 23:349 (2007).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(g_post += w)]
pub struct ConductanceKick {
    /// Conductance added per spike.
    #[param(default = 1.0, unit = "nS")]
    pub w: f64,
}

/// Inhibitory spike-timing-dependent plasticity of Vogels et al. (2011), onto `g_gaba_post`.
///
/// Traces decay between events, dA_pre/dt = −A_pre/τ_stdp, dA_post/dt = −A_post/τ_stdp
/// (event-driven: advanced exactly at each synapse's events).
///
/// - presynaptic spike, in order: `A_pre += 1`; `w = clip(w + η·(A_post − α), 0, w_max)`;
///   `g_gaba_post += w`;
/// - postsynaptic spike, in order: `A_post += 1`; `w = clip(w + η·A_pre, 0, w_max)`.
///
/// Near and coincident pre/post pairs potentiate, every presynaptic spike depresses by η·α:
/// the postsynaptic rate is driven to the target ρ₀ = α/(2 τ_stdp).
///
/// Defaults (Brian2's example): τ_stdp 20 ms, η 0.01 nS (the learning rate; the example turns
/// it on after 1 s: `Network::at(1000.0, Action::set_param(..))`), α = 2·ρ₀·τ_stdp = 0.12
/// (ρ₀ = 3 Hz), w_max 100 nS; w starts at 0 (the example sets 1e−10).
///
/// Reference: Vogels et al., Science 334:1569 (2011).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(A_pre += 1.0;
         w = clip(w + eta * (A_post - alpha), 0.0, w_max);
         g_gaba_post += w)]
#[on_post(A_post += 1.0;
          w = clip(w + eta * A_pre, 0.0, w_max))]
#[require(w >= 0.0 && w <= w_max)]
pub struct VogelsIstdp {
    /// Time constant of both traces.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_stdp: f64,
    /// Learning rate.
    #[param(default = 0.01, unit = "nS", domain = non_negative)]
    pub eta: f64,
    /// Depression per presynaptic spike, 2·ρ₀·τ_stdp (ρ₀ the target rate).
    #[param(default = 0.12, unit = "1", domain = non_negative)]
    pub alpha: f64,
    /// Upper bound of the weight.
    #[param(default = 100.0, unit = "nS", domain = positive)]
    pub w_max: f64,
    /// Synaptic weight: the conductance added at each presynaptic spike.
    #[state(init = 0.0, unit = "nS")]
    pub w: f64,
    /// Presynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_pre / tau_stdp)]
    pub A_pre: f64,
    /// Postsynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_post / tau_stdp)]
    pub A_post: f64,
}
