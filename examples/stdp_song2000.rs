//! Song, Miller & Abbott (2000): 1000 Poisson inputs at 15 Hz onto one conductance-based LIF
//! neuron through additive STDP synapses, the network of Brian2's `examples/synapses/STDP.py`.
//! Runs it and prints one JSON line: the loop's time, the output rate and the final weight
//! distribution (`w_mean` of w/w_max, `frac_low` and `frac_high` the fractions of w/w_max below
//! 0.1 and above 0.9), and with `--figure PATH` draws the histogram of w/w_max. Example:
//! `cargo run --release --example stdp_song2000 -- --duration-ms 100000 --seed 1 --figure w.png`

use neurode::benchmarks::Song2000;
use neurode_cli::bench::json_number;

#[derive(clap::Parser, Debug)]
#[command(about = "Song et al. (2000) STDP network; prints one JSON line")]
struct Args {
    /// Simulated time (ms, at least 0).
    #[arg(long = "duration-ms", default_value_t = 100_000.0, allow_negative_numbers = true, value_parser = neurode_cli::bench::duration_ms)]
    duration_ms: f64,
    /// Number of Poisson inputs (at least 1).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = neurode_cli::bench::at_least_one)]
    inputs: usize,
    /// Seed of the inputs' spikes and the initial weights.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (at least 1).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = neurode_cli::bench::at_least_one)]
    threads: usize,
    /// Where to draw the histogram of the final weights (a PNG file, named `*.png`).
    #[arg(long)]
    figure: Option<std::path::PathBuf>,
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    if let Some(e) = args
        .figure
        .as_deref()
        .and_then(|f| neurode_cli::bench::check_png_path("--figure", f).err())
    {
        return neurode_cli::bench::refuse(e);
    }
    neurode_cli::bench::finish(run(&args))
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let t0 = std::time::Instant::now();
    let mut song = Song2000::new(args.inputs, args.seed)?;
    neurode_cli::bench::set_threads(&mut song.net, args.threads)?;
    let setup_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    song.net.run(args.duration_ms)?;
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
        "{{\"model\": \"stdp_song2000\", \"seed\": {}, \"inputs\": {}, \"duration_ms\": {}, \"threads\": {}, \"setup_s\": {setup_s:.4}, \"run_s\": {run_s:.4}, \"rate_hz\": {}, \"w_mean\": {}, \"frac_low\": {}, \"frac_high\": {}}}",
        args.seed,
        args.inputs,
        args.duration_ms,
        args.threads,
        // No NaN in JSON: a rate over no time, or a mean of no weights, is `null`.
        json_number(song.rate_hz(), 3),
        json_number(mean, 4),
        json_number(song.fraction_below(0.1), 4),
        json_number(song.fraction_above(0.9), 4),
    ))
}
