//! Spike-timing-dependent plasticity: pair-based additive STDP with event-driven traces.

use neurode_macros::synapse;

/// Pair-based additive STDP (all-to-all pairing) onto a conductance held by the postsynaptic
/// neuron, as in Song, Miller & Abbott (2000) and Brian2's `STDP.py` example.
///
/// Between events the traces decay, dA_pre/dt = −A_pre/τ_pre and dA_post/dt = −A_post/τ_post;
/// neurode advances them exactly from each synapse's last event (event-driven: no work per step).
///
/// - presynaptic spike, in order: `g_e_post += w`; `A_pre += ΔA_pre`;
///   `w = clip(w + A_post, 0, w_max)`;
/// - postsynaptic spike, in order: `A_post += ΔA_post`; `w = clip(w + A_pre, 0, w_max)`.
///
/// A pair with t_post − t_pre = Δt > 0 changes w by ΔA_pre·e^{−Δt/τ_pre}, one with Δt < 0 by
/// ΔA_post·e^{Δt/τ_post} (before clipping); Δt = 0 gives ΔA_pre, as the presynaptic rules of a
/// step run before the postsynaptic ones.
///
/// `g_e` is the postsynaptic neuron's variable the spike adds to (`g_e_post`; bind it to another
/// with `Network::set_post_variable`), here dimensionless as in Song et al. (a conductance
/// relative to the leak).
///
/// Defaults (Song et al. 2000, Brian2's example): τ_pre = τ_post = 20 ms, w_max 0.01,
/// ΔA_pre = 0.01·w_max, ΔA_post = −1.05·ΔA_pre·τ_pre/τ_post; w starts at 0 (set it per synapse).
///
/// Reference: Song, Miller & Abbott, *Competitive Hebbian learning through spike-timing-dependent
/// synaptic plasticity*, Nat. Neurosci. 3:919 (2000); Bi & Poo, J. Neurosci. 18:10464 (1998).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(g_e_post += w; A_pre += dA_pre; w = clip(w + A_post, 0.0, w_max))]
#[on_post(A_post += dA_post; w = clip(w + A_pre, 0.0, w_max))]
pub struct Stdp {
    /// Presynaptic trace time constant.
    #[param(default = 20.0, unit = "ms")]
    pub tau_pre: f64,
    /// Postsynaptic trace time constant.
    #[param(default = 20.0, unit = "ms")]
    pub tau_post: f64,
    /// Upper bound of the weight.
    #[param(default = 0.01, unit = "1")]
    pub w_max: f64,
    /// Increment of the presynaptic trace (potentiation per pair at Δt = 0).
    #[param(default = 0.0001, unit = "1")]
    pub dA_pre: f64,
    /// Increment of the postsynaptic trace (depression per pair at Δt = 0).
    #[param(default = -0.000105, unit = "1")]
    pub dA_post: f64,
    /// Synaptic weight, added to the postsynaptic `g` at each presynaptic spike.
    #[state(init = 0.0, unit = "1")]
    pub w: f64,
    /// Presynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_pre / tau_pre)]
    pub A_pre: f64,
    /// Postsynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_post / tau_post)]
    pub A_post: f64,
}
