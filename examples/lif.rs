//! The leaky integrate-and-fire neuron (`Lif`, the chapter's `LIF`; Lapicque 1907, Gerstner,
//! Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1):
//!
//! τ·dV/dt = −(V − V_rest) + R·I; a spike where V ≥ V_th, then V ← V_reset and V is held for
//! t_refractory (defaults: V_rest 0 mV, V_reset −5 mV, V_th 20 mV, R 1 MΩ, τ 10 ms,
//! t_refractory 1 ms), integrated exactly with I held over the step.
//!
//! Under a constant input above the rheobase (V_th − V_rest)/R = 20 nA it fires with the period
//! t_refractory + τ·ln((R·I − V_reset)/(R·I − V_th)): at 25 nA and 40 nA, 100 ms at
//! dt = 0.1 ms; figures `figures/lif_<current>nA.png` (V, spikes marked).
//! Example: `cargo run --release --example lif`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::neuron::example(
        "lif",
        &[
            ("25nA", None, Some(25.0), 100.0),
            ("40nA", None, Some(40.0), 100.0),
        ],
    )
}
