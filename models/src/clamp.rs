//! Voltage-clamped neuron: a postsynaptic target whose potential does not move.

use neurode_macros::neuron;

/// Voltage-clamped neuron: the membrane potential stays at `V_clamp`, the neuron never spikes and
/// its input is discarded.
///
/// dV/dt = 0, V(0) = V_clamp; no threshold, no reset. Whatever synapses and external inputs write
/// into `I` (nA) is consumed and ignored every step.
///
/// Use it as the postsynaptic group when studying a synapse on its own (`neurode run`): the
/// synapse sees a fixed V_post, so a conductance output gives I = −g·(V_clamp − E) without the
/// feedback of a moving membrane, a Mg²⁺ block is evaluated at a chosen potential, and the
/// synapse's traces depend only on the presynaptic spike train (as in a voltage-clamp experiment).
///
/// Voltage outputs (voltage jumps, spikelets) write into `V` directly, and nothing pulls it back:
/// with such a synapse `V` is V_clamp plus the sum of the jumps received so far, a record of the
/// jumps rather than a clamp.
///
/// Defaults: V_clamp −65 mV.
#[neuron]
#[threshold(false)]
pub struct Clamp {
    /// Holding potential.
    #[param(default = -65.0, unit = "mV")]
    pub V_clamp: f64,
    /// Membrane potential, held at `V_clamp`.
    #[state(init = V_clamp, unit = "mV", ode = 0.0, membrane)]
    pub V: f64,
    /// Input current (ignored).
    #[input(unit = "nA")]
    pub I: f64,
}
