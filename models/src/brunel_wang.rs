//! The network of Brunel & Wang (2001): conductance-based LIF neurons with AMPA, NMDA and GABA_A
//! gating variables, an NMDA gating summed over the presynaptic neurons, and the two synapses
//! that drive them.

use neurode_macros::{neuron, synapse};

/// Leaky integrate-and-fire neuron of Brunel & Wang (2001) (pyramidal cell or interneuron, by
/// its parameters):
///
/// C_m·dV/dt = −g_L·(V − V_L) − g_ext·s_ext·(V − V_E) − g_ampa·s_ampa·(V − V_E)
///             − g_nmda·s_nmda·(V − V_E) / (1 + [Mg²⁺]·exp(−0.062 V/mV)/3.57)
///             − g_gaba·s_gaba·(V − V_I),
/// ds_ext/dt = −s_ext/τ_AMPA, ds_ampa/dt = −s_ampa/τ_AMPA, ds_gaba/dt = −s_gaba/τ_GABA;
///
/// a spike where V > V_thr, then V ← V_reset, held for round(τ_rp/dt) steps from the spike's
/// (Brian2's `refractory` with `(unless refractory)` on V only: the gating variables decay and
/// take spikes through the period). `s_nmda` is a summed variable: the synapses
/// ([`BwNmda`]) assign it the weighted sum of their NMDA gating every step. External
/// Poisson inputs go onto `s_ext` (weight 1), recurrent AMPA onto `s_ampa` ([`BwAmpa`]),
/// GABA onto `s_gaba` ([`BwGaba`]). Integrated with Euler, as Brian2's example does.
///
/// Defaults: the pyramidal cell of the paper for 800 excitatory and 200 inhibitory neurons
/// (C_m 0.5 nF, g_L 25 nS, τ_rp 2 ms, g_ext 2.08 nS, g_ampa 0.104 nS, g_nmda 0.327 nS, g_gaba
/// 1.25 nS); V_L −70, V_thr −50, V_reset −55, V_E 0, V_I −70 mV; τ_AMPA 2 ms, τ_GABA 10 ms,
/// [Mg²⁺] 1 mM. The interneuron: C_m 0.2 nF, g_L 20 nS, τ_rp 1 ms, g_ext 1.62, g_ampa 0.081,
/// g_nmda 0.258, g_gaba 0.973 nS. V starts at V_L, the gating variables at 0.
///
/// Reference: Brunel & Wang (2001), *Effects of neuromodulation in a cortical network model of
/// object working memory dominated by recurrent inhibition*, J. Comput. Neurosci. 11:63–85;
/// Brian2's `examples/frompapers/Brunel_Wang_2001.py`.
#[neuron(crate = ::neurode_runtime, method = euler)]
#[threshold(V > V_thr)]
#[reset(V = V_reset)]
#[refractory(tau_rp)]
#[require(V_thr > V_reset)]
pub struct BwLif {
    /// Membrane capacitance.
    #[param(default = 0.5, unit = "nF", domain = positive)]
    pub C_m: f64,
    /// Leak conductance.
    #[param(default = 25.0, unit = "nS", domain = positive)]
    pub g_L: f64,
    /// Resting (leak reversal) potential.
    #[param(default = -70.0, unit = "mV")]
    pub V_L: f64,
    /// Spike threshold.
    #[param(default = -50.0, unit = "mV")]
    pub V_thr: f64,
    /// Reset potential.
    #[param(default = -55.0, unit = "mV")]
    pub V_reset: f64,
    /// Excitatory reversal potential.
    #[param(default = 0.0, unit = "mV")]
    pub V_E: f64,
    /// Inhibitory reversal potential.
    #[param(default = -70.0, unit = "mV")]
    pub V_I: f64,
    /// Refractory period.
    #[param(default = 2.0, unit = "ms", domain = non_negative)]
    pub tau_rp: f64,
    /// Peak conductance of the external AMPA input.
    #[param(default = 2.08, unit = "nS", domain = non_negative)]
    pub g_ext: f64,
    /// Peak conductance of the recurrent AMPA input.
    #[param(default = 0.104, unit = "nS", domain = non_negative)]
    pub g_ampa: f64,
    /// Peak conductance of the recurrent NMDA input.
    #[param(default = 0.327, unit = "nS", domain = non_negative)]
    pub g_nmda: f64,
    /// Peak conductance of the recurrent GABA_A input.
    #[param(default = 1.25, unit = "nS", domain = non_negative)]
    pub g_gaba: f64,
    /// Decay time of the AMPA gating.
    #[param(default = 2.0, unit = "ms", domain = positive)]
    pub tau_ampa: f64,
    /// Decay time of the GABA_A gating.
    #[param(default = 10.0, unit = "ms", domain = positive)]
    pub tau_gaba: f64,
    /// Extracellular magnesium concentration.
    #[param(default = 1.0, unit = "mM", domain = non_negative)]
    pub Mg: f64,
    /// Membrane potential.
    #[state(
        init = V_L,
        unit = "mV",
        ode = (-g_L * (V - V_L) - (g_ext * s_ext + g_ampa * s_ampa + g_nmda * s_nmda * b_Mg) * (V - V_E)
            - g_gaba * s_gaba * (V - V_I)) / C_m,
        membrane
    )]
    pub V: f64,
    /// External AMPA gating (Poisson inputs add 1 per event).
    #[state(init = 0.0, unit = "1", ode = -s_ext / tau_ampa)]
    pub s_ext: f64,
    /// Recurrent AMPA gating.
    #[state(init = 0.0, unit = "1", ode = -s_ampa / tau_ampa)]
    pub s_ampa: f64,
    /// Recurrent GABA_A gating.
    #[state(init = 0.0, unit = "1", ode = -s_gaba / tau_gaba)]
    pub s_gaba: f64,
    /// Recurrent NMDA gating, summed over the presynaptic neurons by [`BwNmda`].
    #[state(summed, unit = "1")]
    pub s_nmda: f64,
    /// Magnesium block of the NMDA current (Jahr & Stevens 1990).
    #[expr(1.0 / (1.0 + Mg * (-V / V_Mg).exp() / Mg_0), unit = "1")]
    pub b_Mg: f64,
    /// Voltage scale of the block (1/0.062 mV).
    #[param(default = 16.129032258064516, unit = "mV", domain = positive)]
    pub V_Mg: f64,
    /// Concentration scale of the block.
    #[param(default = 3.57, unit = "mM", domain = positive)]
    pub Mg_0: f64,
}

/// AMPA synapse of Brunel & Wang (2001): on a presynaptic spike s_ampa_post += w.
///
/// Defaults: w 1 (per synapse).
///
/// Reference: Brunel & Wang (2001), J. Comput. Neurosci. 11:63.
#[synapse(crate = ::neurode_runtime)]
#[on_pre(s_ampa_post += w)]
pub struct BwAmpa {
    /// Weight of the synapse (structured by the selective populations).
    #[param(default = 1.0, unit = "1", per_synapse)]
    pub w: f64,
}

/// NMDA synapse of Brunel & Wang (2001): a gating variable
///
/// ds/dt = −s/τ_decay + α·x·(1 − s), dx/dt = −x/τ_rise, x += 1 after the step's update on a
/// presynaptic spike (Brian2's `on_pre`, which runs after the state update),
///
/// summed onto the postsynaptic neuron: s_nmda_post = Σ w·s (Brian2's `(summed)`). Both gating
/// variables depend on the presynaptic spikes alone, so they are kept once per presynaptic
/// neuron ([`Storage::PerPre`](neurode_runtime::Storage::PerPre)); the sum takes one weight
/// per synapse. Integrated with Euler, as Brian2's example does.
///
/// Defaults: w 1 (per synapse), τ_decay 100 ms, α 0.5/ms, τ_rise 2 ms.
///
/// Reference: Brunel & Wang (2001), J. Comput. Neurosci. 11:63.
#[synapse(crate = ::neurode_runtime, method = euler)]
#[summed(s_nmda_post = w * s)]
pub struct BwNmda {
    /// Weight of the synapse (structured by the selective populations).
    #[param(default = 1.0, unit = "1", per_synapse)]
    pub w: f64,
    /// NMDA decay time.
    #[param(default = 100.0, unit = "ms", domain = positive)]
    pub tau_decay: f64,
    /// NMDA rise rate.
    #[param(default = 0.5, unit = "1/ms", domain = positive)]
    pub alpha: f64,
    /// NMDA rise time.
    #[param(default = 2.0, unit = "ms", domain = positive)]
    pub tau_rise: f64,
    /// NMDA gating.
    #[state(init = 0.0, unit = "1", ode = -s / tau_decay + alpha * x * (1.0 - s))]
    pub s: f64,
    /// NMDA rise variable.
    #[state(init = 0.0, unit = "1", ode = -x / tau_rise, on_pre_after += 1.0)]
    pub x: f64,
}

/// GABAergic synapse of Brunel & Wang (2001): on a presynaptic spike s_gaba_post += w.
///
/// Defaults: w 1.
///
/// Reference: Brunel & Wang (2001), J. Comput. Neurosci. 11:63.
#[synapse(crate = ::neurode_runtime)]
#[on_pre(s_gaba_post += w)]
pub struct BwGaba {
    /// Increment of the postsynaptic GABA_A gating per spike.
    #[param(default = 1.0, unit = "1")]
    pub w: f64,
}
