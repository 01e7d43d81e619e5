//! Brunel & Wang (2001), object working memory ([`neurode::brunel_wang2001`]): runs the
//! protocol (a cue onto pool 1 at [1.0, 1.05) s, a reset at [2.0, 2.05) s) for `--duration` s
//! and prints one JSON line with the statistics `bench/published/brunel_wang2001.py` computes
//! from Brian2's run of the same network (same names, same definitions): for each window
//! (`spont` [0.5, 1.0) s, `cue` [1.0, 1.05), `delay` [1.25, 2.0), `post` [2.25, 3.0)) the rate
//! of every pool (`<window>_nonsel`, `_sel1` .. `_sel5`, `_sel_others` for pools 2–5 pooled,
//! `_inh`), `persistent` (delay rate of pool 1 above twice the others' and above 10 Hz),
//! `reset_ok` (post rate of pool 1 below twice the others' + 1 Hz), `rate_sel1_100ms`,
//! `spikes_E`, `spikes_I`, `build_s` and `run_s` (the whole protocol, one run). `--png FILE`
//! draws 20 cells of every pool and 20 interneurons over pool 1's rate in 25 ms bins.
//!
//! `cargo run --release --example brunel_wang2001 -- --n 2000 --png bw.png`

use std::path::PathBuf;
use std::time::Instant;

use neurode::brunel_wang2001::{build, CUE, POOLS, RESET};
use neurode::runtime::Spikes;

#[derive(clap::Parser, Debug)]
#[command(about = "Brunel & Wang (2001) working memory, cue and reset; prints one JSON line")]
struct Args {
    /// Number of neurons (80 % pyramidal cells).
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// Simulated time (s; the protocol's windows end at 3 s).
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Seed of every random number.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Draw the raster and pool 1's rate into this PNG file.
    #[arg(long)]
    png: Option<PathBuf>,
}

const WINDOWS: [(&str, (f64, f64)); 4] = [
    ("spont", (500.0, 1000.0)),
    ("cue", (1000.0, 1050.0)),
    ("delay", (1250.0, 2000.0)),
    ("post", (2250.0, 3000.0)),
];

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    if !(args.duration >= 3.0 && args.duration <= 100.0) {
        return neurode_cli::bench::refuse(format!(
            "--duration is between 3 and 100 s (the protocol ends at 3 s), got {}",
            args.duration
        ));
    }
    if !(10..=100_000).contains(&args.n) {
        return neurode_cli::bench::refuse(format!("--n is between 10 and 100000, got {}", args.n));
    }
    neurode_cli::bench::finish(run(&args))
}

/// Rate (Hz) of the cells `cells` in `[a, b)` ms (a tolerance of 1e-6 ms at the edges).
fn rate(sp: &Spikes, cells: std::ops::Range<usize>, (a, b): (f64, f64)) -> f64 {
    let n = sp
        .indices
        .iter()
        .zip(&sp.times)
        .filter(|(&i, &t)| cells.contains(&(i as usize)) && t >= a - 1e-6 && t < b - 1e-6)
        .count();
    n as f64 / (cells.len() as f64 * (b - a) * 1e-3)
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let mut b = build(args.n, args.seed)?;
    b.net.set_threads(args.threads)?;
    let se = b.net.record_spikes(b.exc)?;
    let si = b.net.record_spikes(b.inh)?;
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    b.net.run(args.duration * 1e3)?;
    let run_s = t.elapsed().as_secs_f64();

    let (e, i) = (b.net.spikes(se)?, b.net.spikes(si)?);
    let n_i = b.net.population(b.inh)?.n();
    let mut names = vec!["nonsel".to_string()];
    names.extend((1..=POOLS).map(|k| format!("sel{k}")));
    names.push("sel_others".into());
    let r3 = |x: f64| (x * 1e3).round() / 1e3;
    let mut fields = Vec::new();
    let mut get = std::collections::HashMap::new();
    for (w, window) in WINDOWS {
        for name in &names {
            let cells = b.pool(name).expect("a pool of the network");
            let x = r3(rate(e, cells, window));
            fields.push(format!("\"{w}_{name}\": {x}"));
            get.insert(format!("{w}_{name}"), x);
        }
        let x = r3(rate(i, 0..n_i, window));
        fields.push(format!("\"{w}_inh\": {x}"));
    }
    let persistent = get["delay_sel1"] > 2.0 * get["delay_sel_others"] && get["delay_sel1"] > 10.0;
    let reset_ok = get["post_sel1"] < 2.0 * get["post_sel_others"] + 1.0;
    let sel1 = b.pool("sel1").expect("pool 1");
    let bins = (args.duration * 10.0).round() as usize;
    let per_100ms: Vec<String> = (0..bins)
        .map(|k| {
            let x = rate(e, sel1.clone(), (100.0 * k as f64, 100.0 * (k + 1) as f64));
            format!("{}", (x * 100.0).round() / 100.0)
        })
        .collect();

    if let Some(png) = &args.png {
        let show = 20;
        let mut dots = Vec::new();
        for (row, name) in names[..=POOLS].iter().enumerate() {
            let cells = b.pool(name).expect("a pool");
            let lo = cells.start;
            dots.extend(
                e.indices
                    .iter()
                    .zip(&e.times)
                    .filter(|(&k, _)| (lo..lo + show).contains(&(k as usize)))
                    .map(|(&k, &t)| (t, (k as usize - lo + row * show) as f64)),
            );
        }
        let base = (POOLS + 1) * show;
        dots.extend(
            i.indices
                .iter()
                .zip(&i.times)
                .filter(|(&k, _)| (k as usize) < show)
                .map(|(&k, &t)| (t, (k as usize + base) as f64)),
        );
        let bin = 25.0;
        let t_end = args.duration * 1e3;
        let curve: Vec<(f64, f64)> = (0..(t_end / bin) as usize)
            .map(|k| {
                let a = bin * k as f64;
                (a + bin / 2.0, rate(e, sel1.clone(), (a, a + bin)))
            })
            .collect();
        let title = format!(
            "Brunel & Wang 2001, N = {}: rows nonsel, sel1..sel5, inh (20 each); cue onto sel1 \
             [{}, {}) ms, reset [{}, {}) ms; sel1 rate in 25 ms bins",
            args.n, CUE.0, CUE.1, RESET.0, RESET.1
        );
        neurode_cli::plot::raster_rate(
            png,
            &title,
            (0.0, t_end),
            (&dots, (base + show) as f64),
            &curve,
        )?;
    }

    Ok(format!(
        "{{\"sim\": \"neurode\", \"model\": \"brunel_wang2001\", \"N\": {}, \"T\": {}, \
         \"seed\": {}, \"threads\": {}, {}, \"persistent\": {persistent}, \
         \"reset_ok\": {reset_ok}, \"rate_sel1_100ms\": [{}], \"spikes_E\": {}, \
         \"spikes_I\": {}, \"build_s\": {build_s:.4}, \"run_s\": {run_s:.4}}}",
        args.n,
        args.duration,
        args.seed,
        args.threads,
        fields.join(", "),
        per_100ms.join(", "),
        e.total(),
        i.total(),
    ))
}
