//! Short-term plasticity: the Tsodyks–Markram synapse driven by 20 Hz trains of 10 spikes (the
//! first at 10 ms), depressing (U 0.5, τ_d 200 ms, τ_f 20 ms) and facilitating (U 0.1, τ_d
//! 50 ms, τ_f 750 ms), onto a LIF neuron. Prints one JSON line per case with the amplitudes
//! (the current released at each spike) and their largest relative deviation from the
//! closed-form recursion of docs/plasticity.md; `--figure FILE` draws the amplitudes relative
//! to the first against the spike number. Example:
//! `cargo run --release --example stp -- --figure stp.png`

use std::path::PathBuf;

use neurode::models::{Lif, TsodyksMarkram};
use neurode::runtime::{Connect, Network, SpikeTrain};
use neurode_cli::plot::{BLUE, ORANGE};

#[derive(clap::Parser, Debug)]
#[command(about = "Tsodyks-Markram depression and facilitation; prints one JSON line per case")]
struct Args {
    /// Where to draw the amplitudes (PNG).
    #[arg(long)]
    figure: Option<PathBuf>,
}

/// The amplitudes of `model` at `times` (ms), from a network.
fn amplitudes(model: &TsodyksMarkram, times: &[f64]) -> Result<Vec<f64>, neurode::runtime::Error> {
    let mut net = Network::new(0.1)?;
    let pre = net.add_population("pre", 1, SpikeTrain::single(times)?)?;
    let post = net.add_population("post", 1, Lif::default())?;
    let syn = net.add_projection("tm", model.clone(), pre, post, &Connect::AllToAll)?;
    let release = net.record(syn, TsodyksMarkram::release)?;
    net.run(times.last().copied().unwrap_or(0.0) + 1.0)?;
    // The release of a spike in step k is computed in that step: row k + 1 (t_{k+1}, the end
    // of the step) is the first to hold it.
    let trace = net.trace(release)?.column(0);
    Ok(times
        .iter()
        .map(|t| trace[(t / 0.1).round() as usize + 1])
        .collect())
}

/// The closed-form recursion: the amplitude at each spike.
fn closed_form(m: &TsodyksMarkram, times: &[f64]) -> Vec<f64> {
    let (mut u, mut x, mut last) = (0.0f64, 1.0f64, None::<f64>);
    let mut out = Vec::new();
    for &t in times {
        if let Some(l) = last {
            u *= (-(t - l) / m.tau_f).exp();
            x = 1.0 - (1.0 - x) * (-(t - l) / m.tau_d).exp();
        }
        u += m.U * (1.0 - u);
        out.push(m.A * u * x);
        x -= u * x;
        last = Some(t);
    }
    out
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let times: Vec<f64> = (0..10).map(|k| 10.0 + 50.0 * f64::from(k)).collect();
    let cases = [
        ("depressing", TsodyksMarkram::default()),
        (
            "facilitating",
            TsodyksMarkram {
                U: 0.1,
                tau_d: 50.0,
                tau_f: 750.0,
                ..TsodyksMarkram::default()
            },
        ),
    ];
    let mut curves = Vec::new();
    for (name, model) in &cases {
        let got = amplitudes(model, &times)?;
        let want = closed_form(model, &times);
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| ((a - b) / b).abs())
            .fold(0.0f64, f64::max);
        let list: Vec<String> = got.iter().map(|a| format!("{a}")).collect();
        println!(
            "{{\"model\": \"stp\", \"case\": \"{name}\", \"U\": {}, \"tau_d_ms\": {}, \"tau_f_ms\": {}, \"amplitudes_nA\": [{}], \"paired_pulse_ratio\": {:.6}, \"max_rel_error\": {worst:e}}}",
            model.U,
            model.tau_d,
            model.tau_f,
            list.join(", "),
            got[1] / got[0]
        );
        // The network must reproduce the recursion (docs/plasticity.md); exit 1 if not, so
        // that CI, which runs the example, sees it.
        if worst.is_nan() || worst > 1e-9 {
            return Err(format!(
                "case {name}: the amplitudes depart from the closed form by {worst:e} (relative)"
            )
            .into());
        }
        let rel: Vec<(f64, f64)> = got
            .iter()
            .enumerate()
            .map(|(k, a)| ((k + 1) as f64, a / got[0]))
            .collect();
        curves.push((*name, rel));
    }
    if let Some(path) = &args.figure {
        neurode_cli::plot::xy(
            path,
            "Tsodyks–Markram synapse, 20 Hz: amplitude of each spike relative to the first",
            ("spike", "A_k / A_1"),
            &[
                (
                    "depressing (U 0.5, τ_d 200 ms, τ_f 20 ms)",
                    &curves[0].1,
                    BLUE,
                ),
                (
                    "facilitating (U 0.1, τ_d 50 ms, τ_f 750 ms)",
                    &curves[1].1,
                    ORANGE,
                ),
            ],
        )?;
    }
    Ok(())
}
