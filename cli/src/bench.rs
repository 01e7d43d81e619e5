//! The runner of the benchmark examples (`cargo run --release --example coba -- ...`): builds a
//! network of `neurode::benchmarks`, runs it and prints one JSON line.

use neurode::benchmarks::Bench;
use neurode::runtime::Error;

/// Flags of the benchmark examples.
#[derive(clap::Parser, Debug)]
#[command(about = "Runs a network benchmark and prints one JSON line")]
struct Args {
    /// Number of neurons.
    #[arg(long, default_value_t = 4000)]
    neurons: usize,
    /// Simulated time (ms).
    #[arg(long = "duration-ms", default_value_t = 1000.0)]
    duration_ms: f64,
    /// Worker threads (1: the calling thread only).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Seed of the connectivity and the initial state.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// A warning when `threads` exceeds the cores the process may use: the threads of a run meet at
/// a barrier after every phase, so a thread without a core of its own makes all the others wait
/// for the scheduler (a run slows down many times, its numbers unchanged).
pub fn threads_warning(threads: usize) -> Option<String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (threads > cores).then(|| {
        format!(
            "warning: {threads} threads on {cores} available cores: threads beyond the cores \
             wait for each other at every phase and make the run much slower (same numbers)"
        )
    })
}

/// Sets the network's thread count, first printing [`threads_warning`] on stderr if it applies.
///
/// Errors: as [`neurode::runtime::Network::set_threads`].
pub fn set_threads(net: &mut neurode::runtime::Network, threads: usize) -> Result<(), Error> {
    if let Some(w) = threads_warning(threads) {
        eprintln!("{w}");
    }
    net.set_threads(threads)
}

/// The benchmark examples' `main`: parses `--neurons N --duration-ms T --threads K --seed S`,
/// builds the network with `build`, runs it and prints `{"model", "neurons", "synapses",
/// "duration_ms", "threads", "setup_s", "run_s", "rate_hz", "events"}` (run_s: the simulation loop
/// alone; setup_s: building the network). Errors: one line on stderr, non-zero exit.
pub fn main(model: &str, build: fn(usize, u64) -> Result<Bench, Error>) -> std::process::ExitCode {
    use clap::Parser;
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(2);
        }
    };
    match run_bench(model, &args, build) {
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

fn run_bench(
    model: &str,
    args: &Args,
    build: fn(usize, u64) -> Result<Bench, Error>,
) -> Result<String, Error> {
    let t0 = std::time::Instant::now();
    let mut bench = build(args.neurons, args.seed)?;
    set_threads(&mut bench.net, args.threads)?;
    let setup_s = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    bench.net.run(args.duration_ms)?;
    let run_s = t1.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"model\": \"{model}\", \"neurons\": {}, \"synapses\": {}, \"duration_ms\": {}, \"threads\": {}, \"setup_s\": {setup_s:.4}, \"run_s\": {run_s:.4}, \"rate_hz\": {:.3}, \"events\": {}}}",
        args.neurons,
        bench.synapses(),
        args.duration_ms,
        args.threads,
        bench.rate_hz(),
        bench.events()
    ))
}

#[cfg(test)]
mod tests {
    use super::threads_warning;

    #[test]
    fn more_threads_than_cores_are_warned_about() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(threads_warning(1), None);
        assert_eq!(threads_warning(cores), None);
        let w = threads_warning(cores + 1).unwrap();
        assert!(
            w.starts_with(&format!(
                "warning: {} threads on {cores} available cores",
                cores + 1
            )),
            "{w}"
        );
    }
}
