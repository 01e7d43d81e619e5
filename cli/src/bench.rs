//! The runner of the benchmark examples (`cargo run --release --example coba -- ...`): builds a
//! network of `neurode::benchmarks`, runs it and prints one JSON line.

use neurode::benchmarks::Bench;
use neurode::runtime::Error;

/// Flags of the benchmark examples.
#[derive(clap::Parser, Debug)]
#[command(about = "Runs a network benchmark and prints one JSON line")]
struct Args {
    /// Number of neurons (at least 1).
    #[arg(long, default_value_t = 4000, allow_negative_numbers = true, value_parser = at_least_one)]
    neurons: usize,
    /// Simulated time (ms, at least 0).
    #[arg(long = "duration-ms", default_value_t = 1000.0, allow_negative_numbers = true, value_parser = duration_ms)]
    duration_ms: f64,
    /// Worker threads (1: the calling thread only).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = at_least_one)]
    threads: usize,
    /// Seed of the connectivity and the initial state.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Save a checkpoint of the network to this file at the end of the run.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<std::path::PathBuf>,
    /// Restore the checkpoint in this file (made by the same example with the same --neurons
    /// and --seed) before the run, which then continues it.
    #[arg(long, value_name = "FILE")]
    resume: Option<std::path::PathBuf>,
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

/// Parses a count given to an example's flag (`--neurons`, `--threads`, `--inputs`): a whole
/// number of at least 1. Negative numbers reach it (`allow_negative_numbers`), to be refused
/// for their value rather than taken for a flag.
///
/// Error: `must be at least 1` or `not a whole number`, which clap prefixes with the flag.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => usize::try_from(n).map_err(|_| format!("{n} is too large")),
        Ok(_) => Err("must be at least 1".to_string()),
        Err(_) => Err("not a whole number".to_string()),
    }
}

/// Parses a simulated time given to an example's `--duration-ms`: a finite number of ms, at
/// least 0 (0 runs nothing, e.g. to resume a checkpoint and save it again).
///
/// Error: `must be a finite number of ms, at least 0` or `not a number`.
pub fn duration_ms(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(ms) if ms.is_finite() && ms >= 0.0 => Ok(ms),
        Ok(_) => Err("must be a finite number of ms, at least 0".to_string()),
        Err(_) => Err("not a number".to_string()),
    }
}

/// Reports a failed parse of an example's flags: `--help` and `--version` print and succeed
/// (exit 0); anything else is the one line of clap's error (`error: invalid value '-1' for
/// '--inputs <INPUTS>': must be at least 1`) on stderr and exit 2.
pub fn clap_failure(e: &clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return std::process::ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
    std::process::ExitCode::from(2)
}

/// Parses an example's flags; `Err` is the exit code to return at once ([`clap_failure`]).
pub fn parse_args<A: clap::Parser>() -> Result<A, std::process::ExitCode> {
    A::try_parse().map_err(|e| clap_failure(&e))
}

/// Refuses an example's flags after parsing: `error: {reason}` on stderr, exit 2.
pub fn refuse(reason: impl std::fmt::Display) -> std::process::ExitCode {
    eprintln!("error: {reason}");
    std::process::ExitCode::from(2)
}

/// The end of an example's `main`: prints the line its run made (exit 0), or the run's error
/// as one line on stderr (exit 1; bad flags exit 2 before the run, [`refuse`]).
pub fn finish<E: std::fmt::Display>(result: Result<String, E>) -> std::process::ExitCode {
    match result {
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

/// A number for the examples' JSON lines, with `decimals` digits after the point: `null` when
/// it is NaN or infinite (a rate over no time, a mean of nothing), as JSON has no NaN.
pub fn json_number(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "null".to_string()
    }
}

/// Checks that the figure an example is asked to draw at `path` (given to `option`) is one it
/// can draw: a PNG, named `*.png` (any case). Figures are drawn as PNG only, so a name ending
/// in `.svg`, `.txt` or nothing is refused rather than given PNG bytes.
///
/// Error: one line, e.g. `--figure out.svg: only PNG figures can be drawn (a name ending in .png)`.
pub fn check_png_path(option: &str, path: &std::path::Path) -> Result<(), String> {
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if png {
        Ok(())
    } else {
        Err(format!(
            "{option} {}: only PNG figures can be drawn (a name ending in .png)",
            path.display()
        ))
    }
}

/// The benchmark examples' `main`: parses `--neurons N --duration-ms T --threads K --seed S`,
/// builds the network with `build`, runs it and prints `{"model", "neurons", "synapses",
/// "duration_ms", "threads", "setup_s", "run_s", "rate_hz", "events"}` (run_s: the simulation loop
/// alone; setup_s: building the network). Errors: one line on stderr, non-zero exit.
pub fn main(model: &str, build: fn(usize, u64) -> Result<Bench, Error>) -> std::process::ExitCode {
    use clap::Parser;
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => return clap_failure(&e),
    };
    match run_bench(model, &args, build) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            // A checkpoint that does not fit is bad input.
            let code = if matches!(e, Error::Checkpoint { .. }) {
                2
            } else {
                1
            };
            std::process::ExitCode::from(code)
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
    if let Some(path) = &args.resume {
        let file = std::fs::File::open(path).map_err(|e| Error::Checkpoint {
            reason: format!("cannot open {}: {e}", path.display()),
        })?;
        let checkpoint = neurode::prelude::Checkpoint::read_from(std::io::BufReader::new(file))?;
        bench.net.restore(&checkpoint)?;
    }
    let setup_s = t0.elapsed().as_secs_f64();
    // This process's run only: the counts a resumed checkpoint carries are subtracted.
    let (events0, spikes0) = (bench.events(), bench.spike_count());
    let t1 = std::time::Instant::now();
    bench.net.run(args.duration_ms)?;
    let run_s = t1.elapsed().as_secs_f64();
    let spikes = bench.spike_count() - spikes0;
    let rate_hz = spikes as f64 / args.neurons as f64 / (args.duration_ms / 1000.0);
    if let Some(path) = &args.checkpoint {
        crate::output::write_file(path, |w| bench.net.checkpoint().write_to(w)).map_err(|e| {
            Error::InvalidInput {
                object: "--checkpoint".into(),
                reason: format!("cannot write {}: {e}", path.display()),
            }
        })?;
    }
    Ok(format!(
        "{{\"model\": \"{model}\", \"neurons\": {}, \"synapses\": {}, \"duration_ms\": {}, \"threads\": {}, \"setup_s\": {setup_s:.4}, \"run_s\": {run_s:.4}, \"rate_hz\": {}, \"events\": {}}}",
        args.neurons,
        bench.synapses(),
        args.duration_ms,
        args.threads,
        json_number(rate_hz, 3),
        bench.events() - events0
    ))
}

#[cfg(test)]
mod tests {
    use super::{check_png_path, json_number, run_bench, threads_warning, Args};

    fn args(
        ms: f64,
        checkpoint: Option<&std::path::Path>,
        resume: Option<&std::path::Path>,
    ) -> Args {
        Args {
            neurons: 1000,
            duration_ms: ms,
            threads: 1,
            seed: 3,
            checkpoint: checkpoint.map(Into::into),
            resume: resume.map(Into::into),
        }
    }

    /// The `"events"` of a JSON line.
    fn events(line: &str) -> u64 {
        let tail = line.split("\"events\": ").nth(1).unwrap();
        tail.trim_end_matches('}').parse().unwrap()
    }

    #[test]
    fn a_resumed_run_counts_its_own_events_and_continues_the_saved_one() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a.ckpt"), dir.path().join("b.ckpt"));
        let build = neurode::benchmarks::coba;
        let whole = run_bench("coba", &args(100.0, None, None), build).unwrap();
        let a = run_bench("coba", &args(50.0, Some(&first), None), build).unwrap();
        let b = run_bench("coba", &args(50.0, Some(&second), Some(&first)), build).unwrap();
        assert!(events(&a) > 0 && events(&b) > 0, "{a}\n{b}");
        assert_eq!(events(&a) + events(&b), events(&whole));
        // The second checkpoint is where the whole run ends: resumed for 0 ms it runs nothing.
        let c = run_bench("coba", &args(0.0, None, Some(&second)), build).unwrap();
        assert_eq!(events(&c), 0);
        // A checkpoint of another network is refused.
        let e = run_bench(
            "cuba",
            &args(10.0, None, Some(&first)),
            neurode::benchmarks::cuba,
        )
        .unwrap_err();
        assert!(
            matches!(e, neurode::runtime::Error::Checkpoint { .. }),
            "{e}"
        );
    }

    /// No NaN in the JSON lines: `coba --duration-ms 0` reports its rate as `null`.
    #[test]
    fn a_rate_over_no_time_is_null() {
        assert_eq!(json_number(f64::NAN, 3), "null");
        assert_eq!(json_number(f64::INFINITY, 3), "null");
        assert_eq!(json_number(2.5, 3), "2.500");
        let line = run_bench("coba", &args(0.0, None, None), neurode::benchmarks::coba).unwrap();
        assert!(line.contains("\"rate_hz\": null,"), "{line}");
    }

    /// `--figure out.svg` (or `.txt`) is refused: figures are PNG only.
    #[test]
    fn figures_are_png_by_name() {
        assert_eq!(check_png_path("--figure", "w.png".as_ref()), Ok(()));
        assert_eq!(check_png_path("--figure", "dir/W.PNG".as_ref()), Ok(()));
        for name in ["out.svg", "out.txt", "out"] {
            assert_eq!(
                check_png_path("--figure", name.as_ref()),
                Err(format!(
                    "--figure {name}: only PNG figures can be drawn (a name ending in .png)"
                ))
            );
        }
    }

    /// Negative numbers are refused for their value, naming the flag, not taken for a flag.
    #[test]
    fn numbers_out_of_their_range_are_refused_by_value() {
        use clap::Parser;
        for (flag, value, reason) in [
            ("--neurons", "-1", "must be at least 1"),
            ("--neurons", "0", "must be at least 1"),
            ("--threads", "-2", "must be at least 1"),
            (
                "--duration-ms",
                "-5",
                "must be a finite number of ms, at least 0",
            ),
            (
                "--duration-ms",
                "inf",
                "must be a finite number of ms, at least 0",
            ),
        ] {
            let e = Args::try_parse_from(["coba", flag, value]).unwrap_err();
            let line = e.render().to_string();
            let first = line.lines().next().unwrap();
            assert!(
                first.starts_with(&format!("error: invalid value '{value}' for '{flag} "))
                    && first.ends_with(reason),
                "{first}"
            );
        }
        let a = Args::try_parse_from(["coba", "--duration-ms", "0", "--neurons", "7"]).unwrap();
        assert_eq!((a.duration_ms, a.neurons), (0.0, 7));
    }

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
