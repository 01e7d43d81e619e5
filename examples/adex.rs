//! The firing patterns of the AdEx neuron (Naud et al. 2008): tonic, adapting, initial burst,
//! regular bursting and irregular, each with its paper's current, 500 ms at dt = 0.1 ms; one
//! figure per pattern in `figures/adex_<pattern>.png` (V and w, spikes marked).
//! Example: `cargo run --release --example adex`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::neuron::example(
        "adex",
        &[
            ("tonic", Some("tonic"), None, 500.0),
            ("adapting", Some("adapting"), None, 500.0),
            ("initial_burst", Some("initial_burst"), None, 500.0),
            ("bursting", Some("bursting"), None, 500.0),
            ("irregular", Some("irregular"), None, 500.0),
        ],
    )
}
