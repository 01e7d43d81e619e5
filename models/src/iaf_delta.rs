//! Leaky integrate-and-fire neuron driven by voltage jumps only (Brunel 2000).

use neurode_macros::neuron;

/// Leaky integrate-and-fire neuron of Brunel (2000), driven by delta synapses: τ·dV/dt = −V
/// (V relative to rest), a spike where V > θ, then V ← V_r, held for round(τ_rp/dt) steps
/// counted from the spike's step (Brian2's `refractory = tau_rp` with `(unless refractory)` on
/// V: after a spike at step k the neuron integrates again from step k + round(τ_rp/dt)).
///
/// Inputs are jumps of V: synapses `#[on_pre(V_post += J)]` ([`Delta`](crate::Delta)) and
/// Poisson inputs onto `V`. What reaches a refractory neuron is dropped (V is held at V_r, as
/// Brian2 does for `(unless refractory)` and NEST's `iaf_psc_delta`). No input current.
///
/// Defaults: τ 20 ms, θ 20 mV, V_r 10 mV, τ_rp 2 ms (the paper's); V starts at 0 (rest).
/// Integrated exactly.
///
/// Reference: Brunel (2000), *Dynamics of sparsely connected networks of excitatory and
/// inhibitory spiking neurons*, J. Comput. Neurosci. 8:183–208.
#[neuron(crate = ::neurode_runtime)]
#[threshold(V > theta)]
#[reset(V = V_r)]
#[refractory(tau_rp)]
#[require(theta > V_r)]
pub struct IafDelta {
    /// Membrane time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau: f64,
    /// Spike threshold (relative to rest).
    #[param(default = 20.0, unit = "mV")]
    pub theta: f64,
    /// Reset potential (relative to rest).
    #[param(default = 10.0, unit = "mV")]
    pub V_r: f64,
    /// Refractory period.
    #[param(default = 2.0, unit = "ms", domain = non_negative)]
    pub tau_rp: f64,
    /// Membrane potential, relative to rest.
    #[state(init = 0.0, unit = "mV", ode = -V / tau, membrane)]
    pub V: f64,
}
