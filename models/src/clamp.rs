//! Voltage-clamped neuron: a postsynaptic target whose potential does not move.

use neurode_macros::neuron;

/// Voltage-clamped neuron: V stays at `V_clamp`, it never spikes, its input does not move V.
///
/// dV/dt = 0, V(0) = V_clamp; no threshold, no reset. Whatever synapses and external inputs write
/// into `I` (nA) is consumed every step without moving `V`; `I_syn` records it (positive
/// depolarising), the current a voltage-clamp amplifier would have to cancel.
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
#[neuron(crate = ::neurode_runtime)]
#[threshold(false)]
pub struct Clamp {
    /// Holding potential.
    #[param(default = -65.0, unit = "mV")]
    pub V_clamp: f64,
    /// Membrane potential, held at `V_clamp`.
    #[state(init = V_clamp, unit = "mV", ode = 0.0, membrane)]
    pub V: f64,
    /// Input current accumulated this step (does not act on `V`).
    #[input(unit = "nA")]
    pub I: f64,
    /// Input received this step, recorded (synaptic current when synapses are the only input).
    #[expr(I, unit = "nA")]
    pub I_syn: f64,
}
