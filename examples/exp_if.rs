//! The exponential integrate-and-fire neuron (Fourcaud-Trocmé et al. 2003) at 300 and 500 pA,
//! 200 ms at dt = 0.1 ms; figures `figures/exp_if_<current>pA.png` (V, spikes marked).
//! Example: `cargo run --release --example exp_if`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::neuron::example(
        "exp_if",
        &[
            ("300pA", None, Some(300.0), 200.0),
            ("500pA", None, Some(500.0), 200.0),
        ],
    )
}
