//! The cortical microcircuit of Potjans & Diesmann (2014), as NEST's PyNEST example builds it:
//! builds it at `--scale`, runs `--t-presim` then `--t-sim` ms, and prints one JSON line with
//! the build and simulation times and each population's mean rate over the second run (the
//! example's definition: spikes per neuron in [t_presim, t_presim + t_sim] / t_sim, silent
//! neurons included). Example:
//! `cargo run --release --example microcircuit -- --scale 0.1 --t-sim 1000`

use neurode::microcircuit::{Microcircuit, POPULATIONS};

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
    #[arg(long = "t-sim", default_value_t = 1000.0)]
    t_sim: f64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Seed of every random number.
    #[arg(long, default_value_t = 55)]
    seed: u64,
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

fn run(args: &Args) -> Result<String, neurode::runtime::Error> {
    let t0 = std::time::Instant::now();
    let mut mc = Microcircuit::new(args.scale, args.seed)?;
    neurode_cli::bench::set_threads(&mut mc.net, args.threads)?;
    let build_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    mc.net.run(args.t_presim)?;
    let presim_s = t1.elapsed().as_secs_f64();
    let before = mc.spike_counts();
    let t2 = std::time::Instant::now();
    mc.net.run(args.t_sim)?;
    let sim_s = t2.elapsed().as_secs_f64();
    let after = mc.spike_counts();
    let rates: Vec<String> = POPULATIONS
        .iter()
        .enumerate()
        .map(|(p, name)| {
            let n = mc.derived.num_neurons[p] as f64;
            let rate = (after[p] - before[p]) as f64 / n / (args.t_sim / 1000.0);
            format!("\"{name}\": {rate:.4}")
        })
        .collect();
    Ok(format!(
        "{{\"model\": \"microcircuit\", \"scale\": {}, \"threads\": {}, \"seed\": {}, \"neurons\": {}, \"synapses\": {}, \"t_presim_ms\": {}, \"t_sim_ms\": {}, \"build_s\": {build_s:.3}, \"presim_s\": {presim_s:.3}, \"sim_s\": {sim_s:.3}, \"rtf_sim\": {:.3}, \"rates_hz\": {{{}}}}}",
        args.scale,
        args.threads,
        args.seed,
        mc.n_neurons(),
        mc.n_synapses(),
        args.t_presim,
        args.t_sim,
        sim_s / (args.t_sim / 1000.0),
        rates.join(", ")
    ))
}
