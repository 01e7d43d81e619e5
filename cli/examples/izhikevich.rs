//! The firing patterns of Izhikevich (2003), Fig. 2: regular spiking, intrinsically bursting,
//! chattering, fast spiking and low-threshold spiking at I = 10, 200 ms at dt = 0.1 ms; one
//! figure per pattern in `figures/izhikevich_<pattern>.png` (v and u, spikes marked).
//! Example: `cargo run --release --example izhikevich`

use neurode_cli::neuron::{self, NeuronConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("figures")?;
    for (label, preset, current, ms) in [
        ("rs", Some("rs"), None, 200.0),
        ("ib", Some("ib"), None, 200.0),
        ("ch", Some("ch"), None, 200.0),
        ("fs", Some("fs"), None, 200.0),
        ("lts", Some("lts"), None, 200.0),
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
        let out = neuron::run("izhikevich", &cfg)?;
        let png = std::path::PathBuf::from(format!("figures/izhikevich_{label}.png"));
        neurode_cli::plot::save_png(&neuron::figure("izhikevich", &out), &png)?;
        println!("{}", neuron::summary("izhikevich", &out, &cfg));
        println!("  figure: {}", png.display());
    }
    Ok(())
}
