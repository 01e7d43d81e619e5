//! Short-term plasticity: the Tsodyks–Markram synapse.

use neurode_macros::synapse;

/// Tsodyks–Markram synapse: short-term depression and facilitation of an exponential current.
///
/// Between presynaptic spikes the utilisation relaxes to 0 and the resources recover to 1,
/// du/dt = −u/τ_f and dx/dt = (1 − x)/τ_d, advanced exactly at each spike (event-driven); the
/// current decays, ds/dt = −s/τ_s, and I_post += s. At a presynaptic spike, in order:
///
/// - `u += U·(1 − u)` (facilitation),
/// - `release = A·u·x` (the current released, with the new u and the old x; kept per synapse
///   until the next spike, for recording),
/// - `s += release`,
/// - `x −= u·x` (depletion).
///
/// Starting from u = 0, x = 1, the k-th amplitude of a regular train follows the closed form of
/// Tsodyks & Markram (1997) in the formulation of Markram, Wang & Tsodyks (1998).
///
/// Defaults: U 0.5, τ_d 200 ms, τ_f 20 ms (depressing), A 1 nA, τ_s 3 ms; facilitating:
/// U 0.1, τ_d 50 ms, τ_f 750 ms.
///
/// Reference: Tsodyks & Markram, PNAS 94:719 (1997); Markram, Wang & Tsodyks, PNAS 95:5323
/// (1998); Tsodyks, Pawelzik & Markram, Neural Comput. 10:821 (1998).
#[synapse(crate = ::neurode_runtime)]
#[on_pre(u += U * (1.0 - u); release = A * u * x; s += release; x -= u * x)]
#[output(current = s)]
pub struct TsodyksMarkram {
    /// Utilisation increment.
    #[param(default = 0.5, unit = "1", domain = range(0.0, 1.0))]
    pub U: f64,
    /// Recovery time constant of the resources.
    #[param(default = 200.0, unit = "ms", domain = positive)]
    pub tau_d: f64,
    /// Facilitation time constant.
    #[param(default = 20.0, unit = "ms", domain = positive)]
    pub tau_f: f64,
    /// Absolute efficacy: the current released by all resources at u = 1.
    #[param(default = 1.0, unit = "nA", domain = non_negative)]
    pub A: f64,
    /// Decay time constant of the current.
    #[param(default = 3.0, unit = "ms", domain = positive)]
    pub tau_s: f64,
    /// Utilisation of the resources.
    #[state(init = 0.0, unit = "1", ode = -u / tau_f)]
    pub u: f64,
    /// Fraction of resources available.
    #[state(init = 1.0, unit = "1", ode = (1.0 - x) / tau_d)]
    pub x: f64,
    /// The current released at the synapse's last spike.
    #[state(init = 0.0, unit = "nA")]
    pub release: f64,
    /// Synaptic current.
    #[state(init = 0.0, unit = "nA", ode = -s / tau_s)]
    pub s: f64,
}
