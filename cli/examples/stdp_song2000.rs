//! Song, Miller & Abbott (2000): 1000 Poisson inputs at 15 Hz onto one conductance-based LIF
//! neuron through additive STDP synapses, the network of Brian2's `examples/synapses/STDP.py`.
//! Runs it and prints one JSON line: the loop's time, the output rate and the final weight
//! distribution (fractions of w/w_max below 0.1 and above 0.9, mean), and with `--figure PATH`
//! draws the histogram of w/w_max. Example:
//! `cargo run --release --example stdp_song2000 -- --duration-s 100 --seed 1`

use neurode::benchmarks::Song2000;

#[derive(clap::Parser, Debug)]
#[command(about = "Song et al. (2000) STDP network; prints one JSON line")]
struct Args {
    /// Simulated time (s).
    #[arg(long = "duration-s", default_value_t = 100.0)]
    duration_s: f64,
    /// Number of Poisson inputs.
    #[arg(long, default_value_t = 1000)]
    inputs: usize,
    /// Seed of the inputs' spikes and the initial weights.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Where to draw the histogram of the final weights (PNG or SVG by extension).
    #[arg(long)]
    figure: Option<std::path::PathBuf>,
}

fn main() -> std::process::ExitCode {
    use clap::Parser;
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let t0 = std::time::Instant::now();
    let mut song = Song2000::new(args.inputs, args.seed)?;
    song.net.set_threads(args.threads)?;
    let setup_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    song.net.run(args.duration_s * 1000.0)?;
    let run_s = t1.elapsed().as_secs_f64();
    let w = song.relative_weights();
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    if let Some(path) = &args.figure {
        neurode_cli::plot::histogram(
            path,
            "Song et al. (2000): final weights",
            "w / w_max",
            &w,
            (0.0, 1.0),
            20,
        )?;
    }
    Ok(format!(
        "{{\"model\": \"stdp_song2000\", \"inputs\": {}, \"duration_s\": {}, \"threads\": {}, \"seed\": {}, \"setup_s\": {setup_s:.4}, \"run_s\": {run_s:.4}, \"rate_hz\": {:.3}, \"frac_below_0.1\": {:.4}, \"frac_above_0.9\": {:.4}, \"mean_w_over_wmax\": {mean:.4}}}",
        args.inputs,
        args.duration_s,
        args.threads,
        args.seed,
        song.rate_hz(),
        song.fraction_below(0.1),
        song.fraction_above(0.9),
    ))
}
