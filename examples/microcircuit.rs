//! The cortical microcircuit of Potjans & Diesmann (2014), as NEST's PyNEST example builds it:
//! builds it at `--scale`, runs a 500 ms presimulation (`--t-presim`) then `--duration-ms`, and
//! prints one JSON line `{"scale", "seed", "neurons", "synapses", "threads", "build_s",
//! "presim_s", "run_s", "rates_hz": {"L23E": ..., ...}, "peak_rss_mb",
//! "connectivity_bytes_per_synapse"}`: the build and simulation times (presimulation apart),
//! each population's mean rate over the measured run (the example's definition: spikes per
//! neuron in [t_presim, t_presim + duration] / duration, silent neurons included; `null` for a
//! duration of 0), the process's peak resident memory (MB), and the bytes the recurrent
//! connectivity holds per synapse (targets, row starts, weights, delays); with `--spike-hash`, a
//! hash of every spike of the measured run (equal on any number of threads). `--png FILE` draws a raster
//! of the last 200 ms (at most 100 neurons per population) beside the rates. Example:
//! `cargo run --release --example microcircuit -- --scale 0.1 --duration-ms 1000 --png mc.png`

use std::path::PathBuf;

use neurode::microcircuit::{Microcircuit, POPULATIONS};
use neurode::runtime::SpikeMonitor;

#[derive(clap::Parser, Debug)]
#[command(about = "Potjans & Diesmann (2014) microcircuit; prints one JSON line")]
struct Args {
    /// Scale of the neuron numbers and in-degrees (1: the full model).
    #[arg(long, default_value_t = 0.1)]
    scale: f64,
    /// Presimulation (ms), not counted in the rates.
    #[arg(long = "t-presim", default_value_t = 500.0)]
    t_presim: f64,
    /// Simulated time the rates are measured over (ms).
    #[arg(long = "duration-ms", alias = "t-sim", default_value_t = 1000.0)]
    duration_ms: f64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Seed of every random number.
    #[arg(long, default_value_t = 55)]
    seed: u64,
    /// Draw a raster of the last 200 ms and the rates into this PNG file.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Record every spike of the measured run and add `"spike_hash"` to the JSON: a 64-bit
    /// FNV-1a hash of each population's spikes (step and neuron, in order), equal for equal
    /// spike trains (compare one and two threads).
    #[arg(long)]
    spike_hash: bool,
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    if let Err(e) = check(&args) {
        return neurode_cli::bench::refuse(e);
    }
    neurode_cli::bench::finish(run(&args))
}

/// The process's peak resident set size (MB), from `/proc/self/status` (0 where unavailable).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The arguments' ranges: a scale above 0, durations of at least 0 ms, all finite.
fn check(args: &Args) -> Result<(), String> {
    if !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(format!(
            "--scale {} must be a finite number above 0",
            args.scale
        ));
    }
    for (flag, ms) in [
        ("--t-presim", args.t_presim),
        ("--duration-ms", args.duration_ms),
    ] {
        if !(ms.is_finite() && ms >= 0.0) {
            return Err(format!(
                "{flag} {ms} must be a finite number of ms, at least 0"
            ));
        }
    }
    Ok(())
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let t0 = std::time::Instant::now();
    let mut mc = Microcircuit::new(args.scale, args.seed)?;
    neurode_cli::bench::set_threads(&mut mc.net, args.threads)?;
    let build_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    mc.net.run(args.t_presim)?;
    let presim_s = t1.elapsed().as_secs_f64();
    let trains: Vec<SpikeMonitor> = if args.png.is_some() || args.spike_hash {
        let pops = mc.populations.clone();
        pops.into_iter()
            .map(|g| mc.net.record_spikes(g))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let before = mc.spike_counts();
    let t2 = std::time::Instant::now();
    mc.net.run(args.duration_ms)?;
    let run_s = t2.elapsed().as_secs_f64();
    let after = mc.spike_counts();
    let rates: Vec<f64> = (0..8)
        .map(|p| {
            let n = mc.derived.num_neurons[p] as f64;
            (after[p] - before[p]) as f64 / n / (args.duration_ms / 1000.0)
        })
        .collect();
    if let Some(png) = &args.png {
        let end = args.t_presim + args.duration_ms;
        let start = (end - 200.0).max(args.t_presim);
        let mut row = 0.0;
        let mut spikes = Vec::new();
        for (p, &m) in trains.iter().enumerate() {
            let shown = mc.derived.num_neurons[p].min(100);
            let trace = mc.net.spikes(m)?;
            let points: Vec<(f64, f64)> = trace
                .times
                .iter()
                .zip(&trace.indices)
                .filter(|&(&t, &i)| t >= start && (i as usize) < shown)
                .map(|(&t, &i)| (t, row + f64::from(i)))
                .collect();
            spikes.push(points);
            row += shown as f64 + 10.0;
        }
        let groups: Vec<neurode_cli::plot::RasterGroup<'_>> = POPULATIONS
            .iter()
            .zip(&spikes)
            .zip(&rates)
            .map(|((name, s), &r)| (*name, s.as_slice(), r))
            .collect();
        let title = format!(
            "Potjans & Diesmann (2014) microcircuit, scale {}, seed {}",
            args.scale, args.seed
        );
        neurode_cli::plot::raster(png, &title, (start, end), row, &groups)?;
    }
    let hash = args.spike_hash.then(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |x: u64| {
            for b in x.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (p, &m) in trains.iter().enumerate() {
            let trace = mc.net.spikes(m).expect("a monitor of this network");
            eat(p as u64);
            eat(trace.steps.len() as u64);
            for (&step, &i) in trace.steps.iter().zip(&trace.indices) {
                eat(step);
                eat(u64::from(i));
            }
        }
        format!(", \"spike_hash\": \"{h:016x}\"")
    });
    let rates: Vec<String> = POPULATIONS
        .iter()
        .zip(&rates)
        // No rate over no time: `null`, as JSON has no NaN.
        .map(|(name, &rate)| {
            let rate = if args.duration_ms > 0.0 {
                rate
            } else {
                f64::NAN
            };
            format!("\"{name}\": {}", neurode_cli::bench::json_number(rate, 4))
        })
        .collect();
    Ok(format!(
        "{{\"scale\": {}, \"seed\": {}, \"neurons\": {}, \"synapses\": {}, \"threads\": {}, \"build_s\": {build_s:.3}, \"presim_s\": {presim_s:.3}, \"run_s\": {run_s:.3}, \"rates_hz\": {{{}}}, \"peak_rss_mb\": {:.1}, \"connectivity_bytes_per_synapse\": {:.2}{}}}",
        args.scale,
        args.seed,
        mc.n_neurons(),
        mc.n_synapses(),
        args.threads,
        rates.join(", "),
        peak_rss_mb(),
        mc.connectivity_bytes() as f64 / mc.n_synapses() as f64,
        hash.unwrap_or_default()
    ))
}
