//! The Hodgkin–Huxley squid axon (1952, modern convention): V, m, h and n at I = 10 µA/cm²
//! for 100 ms at dt = 0.1 ms (`figures/hodgkin_huxley.png`), and the f–I curve, the steady
//! firing rate (spikes from 200 to 1200 ms) for I = 0 to 20 µA/cm²
//! (`figures/hodgkin_huxley_f_i.png`), printed as JSON lines.
//! Example: `cargo run --release --example hodgkin_huxley`

use neurode_cli::neuron::{self, NeuronConfig};
use neurode_cli::plot::BLUE;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("figures")?;
    let cfg = |current: f64, ms: f64| NeuronConfig {
        preset: None,
        current: Some(current),
        duration: ms,
        dt: 0.1,
        params: Vec::new(),
        method: None,
        record: None,
    };
    let trace = cfg(10.0, 100.0);
    let out = neuron::run("hodgkin_huxley", &trace)?;
    let png = std::path::Path::new("figures/hodgkin_huxley.png");
    neurode_cli::plot::save_png(&neuron::figure("hodgkin_huxley", &out), png)?;
    println!("{}", neuron::summary("hodgkin_huxley", &out, &trace));
    println!("  figure: {}", png.display());
    let mut curve = Vec::new();
    for k in 0..=20 {
        let i = f64::from(k);
        let out = neuron::run("hodgkin_huxley", &cfg(i, 1200.0))?;
        let kept: Vec<f64> = out
            .spike_times
            .into_iter()
            .filter(|&t| t >= 200.0)
            .collect();
        let rate = match kept.as_slice() {
            [first, .., last] => 1000.0 * (kept.len() - 1) as f64 / (last - first),
            _ => 0.0,
        };
        println!("{{\"current_ua_per_cm2\": {i}, \"rate_hz\": {rate:.3}}}");
        curve.push((i, rate));
    }
    let png = std::path::Path::new("figures/hodgkin_huxley_f_i.png");
    neurode_cli::plot::xy(
        png,
        "Hodgkin–Huxley f–I curve (dt 0.1 ms, rk4 in 4 substeps)",
        ("I_e (µA/cm²)", "rate (Hz)"),
        &[("rate", &curve, BLUE)],
    )?;
    println!("  figure: {}", png.display());
    Ok(())
}
