//! The exponential integrate-and-fire neuron (Fourcaud-Trocmé et al. 2003) at 300 and 500 pA,
//! 200 ms at dt = 0.1 ms; figures `figures/exp_if_<current>pA.png` (V, spikes marked).
//! Example: `cargo run --release --example exp_if`

use neurode_cli::neuron::{self, NeuronConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("figures")?;
    for (label, preset, current, ms) in [
        ("300pA", None::<&str>, Some(300.0), 200.0),
        ("500pA", None, Some(500.0), 200.0),
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
        let out = neuron::run("exp_if", &cfg)?;
        let png = std::path::PathBuf::from(format!("figures/exp_if_{label}.png"));
        neurode_cli::plot::save_png(&neuron::figure("exp_if", &out), &png)?;
        println!("{}", neuron::summary("exp_if", &out, &cfg));
        println!("  figure: {}", png.display());
    }
    Ok(())
}
