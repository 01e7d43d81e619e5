//! Vogels et al. (2011), inhibitory plasticity ([`neurode::vogels2011`]): runs `--duration` s
//! (plasticity on from 1 s) and prints one JSON line with the statistics
//! `bench/published/vogels2011.py` computes from Brian2's run of the same network (same names,
//! same definitions): `rate_e_before` / `rate_i_before` (mean rates over [0.2, 1.0) s),
//! `rate_e_after` / `rate_i_after` (over the last second), `rate_e_per_s` (every second),
//! `cv_isi_e_after` (mean CV of the ISIs of excitatory neurons with ≥ 3 spikes in the last
//! second) and `n_cv`, the plastic weights at the end (nS: `w_mean`, `w_std`, `w_p10`, `w_p50`,
//! `w_p90` as numpy's linear percentiles, `w_max`, `w_frac_zero`), `spikes`, `build_s`, `run_s`.
//! `--png PREFIX` draws `PREFIX_rates.png` (the excitatory and inhibitory rates in 100 ms bins
//! over the run) and `PREFIX_weights.png` (the histogram of the final weights).
//!
//! `cargo run --release --example vogels2011 -- --scale 1 --duration 10 --png vogels`

use std::path::PathBuf;
use std::time::Instant;

use neurode::runtime::Rate;
use neurode::stats::cv_isi;
use neurode::vogels2011::build;

#[derive(clap::Parser, Debug)]
#[command(about = "Vogels et al. (2011) inhibitory plasticity; prints one JSON line")]
struct Args {
    /// Scale of the neuron numbers (1: 8,000 + 2,000 neurons).
    #[arg(long, default_value_t = 0.1)]
    scale: f64,
    /// Simulated time (s, at least 2: plasticity starts at 1 s).
    #[arg(long, default_value_t = 2.0)]
    duration: f64,
    /// Seed of every random number.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Draw the rates and the weight histogram into PREFIX_rates.png and PREFIX_weights.png.
    #[arg(long)]
    png: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    if !(args.duration >= 2.0 && args.duration <= 3600.0 && args.duration.fract() == 0.0) {
        return neurode_cli::bench::refuse(format!(
            "--duration is a whole number of seconds in 2..=3600, got {}",
            args.duration
        ));
    }
    neurode_cli::bench::finish(run(&args))
}

/// Mean rate (Hz) over `[a, b)` ms of a rate monitor whose bins tile the window.
fn window_rate(r: &Rate, (a, b): (f64, f64)) -> f64 {
    let spikes: u64 = r
        .times()
        .iter()
        .zip(&r.counts)
        .filter(|(&t, _)| t >= a - 1e-9 && t < b - 1e-9)
        .map(|(_, &c)| c)
        .sum();
    spikes as f64 / (r.n_neurons as f64 * (b - a) * 1e-3)
}

/// numpy's `percentile(x, q)` (linear interpolation) of sorted `x`.
fn percentile(x: &[f64], q: f64) -> f64 {
    let pos = q / 100.0 * (x.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    if i + 1 < x.len() {
        x[i] + f * (x[i + 1] - x[i])
    } else {
        x[i]
    }
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let mut b = build(args.scale, args.seed)?;
    b.net.set_threads(args.threads)?;
    let ne = b.n_exc;
    let rates = [
        b.net.record_rate(b.neurons.slice(..ne)?, 100.0)?,
        b.net.record_rate(b.neurons.slice(ne..)?, 100.0)?,
    ];
    let build_s = t.elapsed().as_secs_f64();
    let t_end = args.duration * 1e3;
    let t = Instant::now();
    // The last second's excitatory spikes, for their CV.
    b.net.run(t_end - 1000.0)?;
    let last = b.net.record_spikes(b.neurons.slice(..ne)?)?;
    b.net.run(1000.0)?;
    let run_s = t.elapsed().as_secs_f64();

    let n = b.net.population(b.neurons)?.n();
    let (exc, inh) = (b.net.rate(rates[0])?, b.net.rate(rates[1])?);
    let before = (200.0, 1000.0);
    let after = (t_end - 1000.0, t_end);
    let per_s: Vec<String> = (0..args.duration as usize)
        .map(|k| {
            let w = (k as f64 * 1e3, (k + 1) as f64 * 1e3);
            format!("{:.3}", window_rate(exc, w))
        })
        .collect();
    let (cv, n_cv) = cv_isi(b.net.spikes(last)?, 3);
    let mut w = b
        .net
        .projection(b.plastic)?
        .column(neurode::models::VogelsIstdp::w)
        .to_vec();
    w.sort_by(f64::total_cmp);
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let std = (w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / w.len() as f64).sqrt();
    let zero = w.iter().filter(|&&x| x == 0.0).count() as f64 / w.len() as f64;

    if let Some(prefix) = &args.png {
        let with = |suffix: &str| {
            let mut p = prefix.clone().into_os_string();
            p.push(suffix);
            PathBuf::from(p)
        };
        let curve = |r: &Rate| -> Vec<(f64, f64)> {
            r.times()
                .iter()
                .zip(r.rates())
                .map(|(&t, hz)| (t * 1e-3, hz))
                .collect()
        };
        let (ce, ci) = (curve(exc), curve(inh));
        neurode_cli::plot::xy(
            &with("_rates.png"),
            "Vogels et al. 2011: population rates in 100 ms bins (plasticity from 1 s)",
            ("time (s)", "rate (Hz)"),
            &[
                ("excitatory", &ce, [31, 119, 180]),
                ("inhibitory", &ci, [255, 127, 14]),
            ],
        )?;
        neurode_cli::plot::histogram(
            &with("_weights.png"),
            &format!(
                "Vogels et al. 2011: inhibitory weights onto E at {} s",
                args.duration
            ),
            "w (nS)",
            &w,
            (0.0, 2.0 * mean.max(1e-9)),
            20,
        )?;
    }

    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.6}")
        } else {
            "null".into()
        }
    };
    Ok(format!(
        "{{\"sim\": \"neurode\", \"model\": \"vogels2011\", \"N\": {n}, \"scale\": {}, \"T\": {}, \
         \"seed\": {}, \"threads\": {}, \"rate_e_before\": {}, \"rate_i_before\": {}, \
         \"rate_e_after\": {}, \"rate_i_after\": {}, \"rate_e_per_s\": [{}], \
         \"cv_isi_e_after\": {}, \"n_cv\": {n_cv}, \"w_mean\": {}, \"w_std\": {}, \"w_p10\": {}, \
         \"w_p50\": {}, \"w_p90\": {}, \"w_max\": {}, \"w_frac_zero\": {}, \"n_plastic\": {}, \
         \"spikes\": {}, \"build_s\": {:.4}, \"run_s\": {:.4}}}",
        args.scale,
        args.duration,
        args.seed,
        args.threads,
        num(window_rate(exc, before)),
        num(window_rate(inh, before)),
        num(window_rate(exc, after)),
        num(window_rate(inh, after)),
        per_s.join(", "),
        num(cv),
        num(mean),
        num(std),
        num(percentile(&w, 10.0)),
        num(percentile(&w, 50.0)),
        num(percentile(&w, 90.0)),
        num(w.last().copied().unwrap_or(f64::NAN)),
        num(zero),
        w.len(),
        exc.counts.iter().chain(&inh.counts).sum::<u64>(),
        build_s,
        run_s
    ))
}
