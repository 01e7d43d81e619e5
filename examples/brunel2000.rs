//! Brunel (2000), the four states of Fig. 8 ([`neurode::brunel2000`]): runs state `--state` at
//! `--scale` for `--duration` s, drops the first `--discard` s, and prints one JSON line with
//! the statistics `bench/published/brunel2000.py` computes from Brian2's run of the same network
//! (same names, same definitions): `rate_hz` (all neurons), `rate_e_hz`, `rate_i_hz`, `cv_isi`
//! (mean over neurons with ≥ 3 spikes) and `n_cv`, the periodogram of the population rate in
//! 0.5 ms bins (`peak_hz` in 5–1000 Hz, `peak_rel_power` within 5 Hz of it), `fano_pop`
//! (variance / mean of the counts per bin), `spikes_window`; `build_s` and `run_s` (the
//! simulation loop, transient included, as Brian2's `run_s`). `--png FILE` draws the raster of
//! the first 50 neurons over the population rate for the last 100 ms (state A) or 200 ms, the
//! layout of the paper's figure.
//!
//! `cargo run --release --example brunel2000 -- --state C --scale 1 --duration 1.1 --png c.png`

use std::path::PathBuf;
use std::time::Instant;

use neurode::brunel2000::{build, state, STATES};
use neurode::stats::{cv_isi, fano, periodogram, spectral_peak};

#[derive(clap::Parser, Debug)]
#[command(about = "Brunel (2000) network in one of the states A-D; prints one JSON line")]
struct Args {
    /// State of Fig. 8: A (synchronous regular), B (SI fast), C (asynchronous irregular), D
    /// (SI slow).
    #[arg(long, default_value_t = 'C')]
    state: char,
    /// Scale of the neuron numbers (1: 10,000 + 2,500 neurons, C_E = 1,000).
    #[arg(long, default_value_t = 0.1)]
    scale: f64,
    /// Simulated time (s), transient included.
    #[arg(long, default_value_t = 0.4)]
    duration: f64,
    /// Initial transient left out of the statistics (s).
    #[arg(long, default_value_t = 0.1)]
    discard: f64,
    /// Seed of every random number.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Draw the raster and the population rate into this PNG file.
    #[arg(long)]
    png: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let Some((g, eta)) = state(args.state) else {
        let names: Vec<String> = STATES.iter().map(|s| s.0.to_string()).collect();
        return neurode_cli::bench::refuse(format!(
            "--state is one of {}, got {}",
            names.join(", "),
            args.state
        ));
    };
    if !(args.discard >= 0.0 && args.duration > args.discard && args.duration <= 100.0) {
        return neurode_cli::bench::refuse(format!(
            "--duration must exceed --discard (>= 0) and be at most 100 s, got {} and {}",
            args.duration, args.discard
        ));
    }
    neurode_cli::bench::finish(run(&args, g, eta))
}

fn run(args: &Args, g: f64, eta: f64) -> Result<String, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let mut b = build(g, eta, args.scale, args.seed)?;
    b.net.set_threads(args.threads)?;
    let build_s = t.elapsed().as_secs_f64();
    let (t0, t_end) = (args.discard * 1e3, args.duration * 1e3);
    let t = Instant::now();
    b.net.run(t0)?;
    let spikes = b.net.record_spikes(b.neurons)?;
    let rate = b.net.record_rate(b.neurons, 0.5)?;
    b.net.run(t_end - t0)?;
    let run_s = t.elapsed().as_secs_f64();

    let n = b.net.population(b.neurons)?.n();
    let (n_e, n_i) = (b.n_exc, n - b.n_exc);
    let sp = b.net.spikes(spikes)?;
    let window_s = (t_end - t0) * 1e-3;
    let n_exc_spikes: u64 = sp.counts[..n_e].iter().sum();
    let rate_e = n_exc_spikes as f64 / (n_e as f64 * window_s);
    let rate_i = (sp.total() - n_exc_spikes) as f64 / (n_i as f64 * window_s);
    let (cv, n_cv) = cv_isi(sp, 3);
    let r = b.net.rate(rate)?;
    let (f, p) = periodogram(&r.rates(), r.bin());
    let (peak, rel) = spectral_peak(&f, &p, (5.0, 1000.0), 5.0);
    let fano_pop = fano(r);

    if let Some(png) = &args.png {
        let span = if args.state.eq_ignore_ascii_case(&'A') {
            100.0
        } else {
            200.0
        };
        let lo = t_end - span;
        let dots: Vec<(f64, f64)> = sp
            .indices
            .iter()
            .zip(&sp.times)
            .filter(|(&i, &t)| i < 50 && t >= lo)
            .map(|(&i, &t)| (t, f64::from(i)))
            .collect();
        let curve: Vec<(f64, f64)> = r
            .times()
            .iter()
            .zip(r.rates())
            .map(|(&t, x)| (t + 0.5 * r.bin(), x))
            .collect();
        let title = format!(
            "Brunel 2000, state {} (g = {g}, eta = {eta}), N = {n}: neurons 0-49 and population rate (0.5 ms bins)",
            args.state.to_ascii_uppercase()
        );
        neurode_cli::plot::raster_rate(png, &title, (lo, t_end), (&dots, 50.0), &curve)?;
    }

    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.6}")
        } else {
            "null".into()
        }
    };
    Ok(format!(
        "{{\"sim\": \"neurode\", \"model\": \"brunel2000\", \"state\": \"{}\", \"g\": {g}, \
         \"eta\": {eta}, \"N\": {n}, \"scale\": {}, \"T\": {}, \"discard\": {}, \"seed\": {}, \
         \"threads\": {}, \"nu_ext_hz\": {}, \"rate_hz\": {}, \"rate_e_hz\": {}, \
         \"rate_i_hz\": {}, \"cv_isi\": {}, \"n_cv\": {n_cv}, \"peak_hz\": {}, \
         \"peak_rel_power\": {}, \"fano_pop\": {}, \"spikes_window\": {}, \"build_s\": {:.4}, \
         \"run_s\": {:.4}}}",
        args.state.to_ascii_uppercase(),
        args.scale,
        args.duration,
        args.discard,
        args.seed,
        args.threads,
        num(b.nu_ext),
        num(sp.mean_rate()),
        num(rate_e),
        num(rate_i),
        num(cv),
        num(peak),
        num(rel),
        num(fano_pop),
        sp.total(),
        build_s,
        run_s
    ))
}
