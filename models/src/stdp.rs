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
/// Two options, 0 (off, the default) or 1:
///
/// - `nearest`: nearest-neighbour pairing (Morrison, Diesmann & Gerstner 2008, "symmetric"
///   nearest spike): a spike sets its trace to its increment instead of adding it, so only the
///   latest spike of the other side counts: `A_pre = ΔA_pre`, `A_post = ΔA_post`;
/// - `soft`: soft bounds (multiplicative weight dependence, Gütig et al. 2003 with μ = 1):
///   potentiation scaled by (w_max − w)/w_max, depression by w/w_max, so w stays in
///   [0, w_max] without clipping.
///
/// `g_e` is the postsynaptic neuron's variable the spike adds to (`g_e_post`; bind it to another
/// with `Network::set_post_variable`, drop it with `Network::ignore_post_variable`), here
/// dimensionless as in Song et al. (a conductance relative to the leak).
///
/// Defaults (Song et al. 2000, Brian2's example): τ_pre = τ_post = 20 ms, w_max 0.01,
/// ΔA_pre = 0.01·w_max, ΔA_post = −1.05·ΔA_pre·τ_pre/τ_post; w starts at 0 (set it per synapse).
///
/// Reference: Song, Miller & Abbott, *Competitive Hebbian learning through spike-timing-dependent
/// synaptic plasticity*, Nat. Neurosci. 3:919 (2000); Bi & Poo, J. Neurosci. 18:10464 (1998);
/// Morrison, Diesmann & Gerstner, Biol. Cybern. 98:459 (2008); Gütig, Aharonov, Rotter &
/// Sompolinsky, J. Neurosci. 23:3697 (2003).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(g_e_post += w;
         A_pre = if nearest > 0.5 { dA_pre } else { A_pre + dA_pre };
         w = clip(w + A_post * (if soft > 0.5 { w / w_max } else { 1.0 }), 0.0, w_max))]
#[on_post(A_post = if nearest > 0.5 { dA_post } else { A_post + dA_post };
          w = clip(w + A_pre * (if soft > 0.5 { (w_max - w) / w_max } else { 1.0 }), 0.0, w_max))]
#[require(w >= 0.0 && w <= w_max)]
pub struct Stdp {
    /// Presynaptic trace time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_pre: f64,
    /// Postsynaptic trace time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_post: f64,
    /// Upper bound of the weight.
    #[param(default = 0.01, unit = "1", domain = positive)]
    pub w_max: f64,
    /// Increment of the presynaptic trace (potentiation per pair at Δt = 0).
    #[param(default = 0.0001, unit = "1")]
    pub dA_pre: f64,
    /// Increment of the postsynaptic trace (depression per pair at Δt = 0).
    #[param(default = -0.000105, unit = "1")]
    pub dA_post: f64,
    /// Nearest-neighbour pairing: 1 on, 0 off.
    #[param(default = 0.0, unit = "1", domain = flag)]
    pub nearest: f64,
    /// Soft bounds: 1 on, 0 off.
    #[param(default = 0.0, unit = "1", domain = flag)]
    pub soft: f64,
    /// Synaptic weight, added to the postsynaptic `g_e` at each presynaptic spike.
    #[state(init = 0.0, unit = "1")]
    pub w: f64,
    /// Presynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_pre / tau_pre)]
    pub A_pre: f64,
    /// Postsynaptic trace.
    #[state(init = 0.0, unit = "1", ode = -A_post / tau_post)]
    pub A_post: f64,
}

/// STDP with multiplicative depression (van Rossum, Bi & Turrigiano 2000): potentiation adds a
/// fixed amount, depression removes a fraction of the weight, which gives a unimodal weight
/// distribution instead of the additive rule's bimodal one.
///
/// Traces as in [`Stdp`] (event-driven). Presynaptic spike: `g_e_post += w`;
/// `A_pre += c_p`; `w = max(w + w·A_post, 0)`. Postsynaptic spike: `A_post −= c_d`;
/// `w += A_pre`. A pair with Δt = t_post − t_pre > 0 adds c_p·e^{−Δt/τ_pre}; one with Δt < 0
/// multiplies w by 1 − c_d·e^{Δt/τ_post}.
///
/// Defaults: τ_pre = τ_post = 20 ms, c_p 1e−4 (in units of w, 1 % of the 0.01 of [`Stdp`]),
/// c_d 0.003 (van Rossum et al.'s depression factor).
///
/// Reference: van Rossum, Bi & Turrigiano, *Stable Hebbian learning from spike timing-dependent
/// plasticity*, J. Neurosci. 20:8812 (2000).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(g_e_post += w; A_pre += c_p; w = max(w + w * A_post, 0.0))]
#[on_post(A_post -= c_d; w += A_pre)]
#[require(w >= 0.0)]
pub struct StdpMultiplicative {
    /// Presynaptic trace time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_pre: f64,
    /// Postsynaptic trace time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_post: f64,
    /// Potentiation per pair at Δt = 0 (units of w).
    #[param(default = 0.0001, unit = "1", domain = non_negative)]
    pub c_p: f64,
    /// Depression per pair at Δt = 0, as a fraction of w.
    #[param(default = 0.003, unit = "1", domain = non_negative)]
    pub c_d: f64,
    /// Synaptic weight.
    #[state(init = 0.0, unit = "1")]
    pub w: f64,
    /// Presynaptic trace (units of w).
    #[state(init = 0.0, unit = "1", ode = -A_pre / tau_pre)]
    pub A_pre: f64,
    /// Postsynaptic trace (a fraction, negative).
    #[state(init = 0.0, unit = "1", ode = -A_post / tau_post)]
    pub A_post: f64,
}

/// The minimal all-to-all triplet rule of Pfister & Gerstner (2006): pair depression, and
/// potentiation by pairs and by triplets post–pre–post.
///
/// Traces (event-driven): r₁ of the presynaptic spikes (τ₊), o₁ and o₂ of the postsynaptic ones
/// (τ₋, τ_y), each increased by 1 at its spike. Presynaptic spike: `g_e_post += w`;
/// `w = clip(w − o₁·A₂₋, 0, w_max)`; `r₁ += 1`. Postsynaptic spike:
/// `w = clip(w + r₁·(A₂₊ + A₃₊·o₂), 0, w_max)` with o₂ taken before this spike's increment;
/// `o₁ += 1`; `o₂ += 1`.
///
/// Defaults: Pfister & Gerstner's visual-cortex fit of the all-to-all model (their table 4, the
/// values NEST's `stdp_triplet_synapse` also takes): τ₊ 16.8 ms, τ₋ 33.7 ms, τ_y 125 ms,
/// A₂₊ 5·10⁻¹⁰, A₃₊ 6.2·10⁻³, A₂₋ 7·10⁻³; the minimal model has no triplet depression
/// (A₃₋ = 0) and no slow presynaptic trace. w_max 1.
///
/// Reference: Pfister & Gerstner, *Triplets of spikes in a model of spike timing-dependent
/// plasticity*, J. Neurosci. 26:9673 (2006).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(g_e_post += w; w = clip(w - o1 * A2_minus, 0.0, w_max); r1 += 1.0)]
#[on_post(w = clip(w + r1 * (A2_plus + A3_plus * o2), 0.0, w_max); o1 += 1.0; o2 += 1.0)]
#[require(w >= 0.0 && w <= w_max)]
pub struct StdpTriplet {
    /// Presynaptic trace time constant (τ₊).
    #[param(default = 16.8, unit = "ms", domain = positive)]
    pub tau_plus: f64,
    /// Fast postsynaptic trace time constant (τ₋).
    #[param(default = 33.7, unit = "ms", domain = positive)]
    pub tau_minus: f64,
    /// Slow postsynaptic trace time constant (τ_y).
    #[param(default = 125.0, unit = "ms", domain = positive)]
    pub tau_y: f64,
    /// Pair potentiation.
    #[param(default = 5e-10, unit = "1", domain = non_negative)]
    pub A2_plus: f64,
    /// Triplet potentiation.
    #[param(default = 0.0062, unit = "1", domain = non_negative)]
    pub A3_plus: f64,
    /// Pair depression.
    #[param(default = 0.007, unit = "1", domain = non_negative)]
    pub A2_minus: f64,
    /// Upper bound of the weight.
    #[param(default = 1.0, unit = "1", domain = positive)]
    pub w_max: f64,
    /// Synaptic weight.
    #[state(init = 0.5, unit = "1")]
    pub w: f64,
    /// Presynaptic trace r₁.
    #[state(init = 0.0, unit = "1", ode = -r1 / tau_plus)]
    pub r1: f64,
    /// Fast postsynaptic trace o₁.
    #[state(init = 0.0, unit = "1", ode = -o1 / tau_minus)]
    pub o1: f64,
    /// Slow postsynaptic trace o₂.
    #[state(init = 0.0, unit = "1", ode = -o2 / tau_y)]
    pub o2: f64,
}
