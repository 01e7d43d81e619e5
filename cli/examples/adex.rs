//! The firing patterns of the AdEx neuron (Naud et al. 2008): tonic, adapting, initial burst,
//! regular bursting and irregular, each with its paper's current, 500 ms at dt = 0.1 ms; one
//! figure per pattern in `figures/adex_<pattern>.png` (V and w, spikes marked).
//! Example: `cargo run --release --example adex`

use neurode_cli::neuron::{self, NeuronConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("figures")?;
    for (label, preset, current, ms) in [
        ("tonic", Some("tonic"), None, 500.0),
        ("adapting", Some("adapting"), None, 500.0),
        ("initial_burst", Some("initial_burst"), None, 500.0),
        ("bursting", Some("bursting"), None, 500.0),
        ("irregular", Some("irregular"), None, 500.0),
    ] {
        let cfg = NeuronConfig {
            preset: preset.map(str::to_string),
            current,
            duration: ms,
            dt: 0.1,
            params: Vec::new(),
            method: None,
            record: None,
        };
        let out = neuron::run("adex", &cfg)?;
        let png = std::path::PathBuf::from(format!("figures/adex_{label}.png"));
        neurode_cli::plot::save_png(&neuron::figure("adex", &out), &png)?;
        println!("{}", neuron::summary("adex", &out, &cfg));
        println!("  figure: {}", png.display());
    }
    Ok(())
}
