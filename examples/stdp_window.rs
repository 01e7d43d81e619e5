//! The STDP window: one pre/post pairing per Δt = t_post − t_pre from −50 to +50 ms in steps
//! of 1 ms, each on a fresh synapse of `Stdp` (Song et al. 2000 parameters) starting at
//! w = w_max/2, the spikes given by spike trains. Prints one JSON line with the largest relative
//! deviation of Δw from the closed form (ΔA_pre·e^{−Δt/τ_pre} for Δt ≥ 0, ΔA_post·e^{Δt/τ_post}
//! for Δt < 0); `--csv FILE` writes `delta_t_ms,dw`, `--figure FILE` draws the window. Example:
//! `cargo run --release --example stdp_window -- --csv window.csv --figure window.png`

use std::path::PathBuf;

use neurode::models::Stdp;
use neurode::runtime::{Connect, Network, SpikeTrain};
use neurode_cli::plot::BLUE;

#[derive(clap::Parser, Debug)]
#[command(about = "The STDP window, pair by pair; prints one JSON line")]
struct Args {
    /// Where to write `delta_t_ms,dw`.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Where to draw the window (PNG).
    #[arg(long)]
    figure: Option<PathBuf>,
}

/// The weight change of one pairing at `delta_t` ms (t_pre = 60 ms).
fn pairing(delta_t: f64, model: &Stdp) -> Result<f64, neurode::runtime::Error> {
    let (t_pre, t_post) = (60.0, 60.0 + delta_t);
    let mut net = Network::new(0.1)?;
    let pre = net.add_population("pre", 1, SpikeTrain::single(&[t_pre])?)?;
    let post = net.add_population("post", 1, SpikeTrain::single(&[t_post])?)?;
    let syn = net.add_projection("stdp", model.clone(), pre, post, &Connect::AllToAll)?;
    net.ignore_post_variable(syn, "g_e")?;
    let w0 = model.w_max / 2.0;
    net.projection_mut(syn)?.set(Stdp::w, &[w0])?;
    net.run(t_pre.max(t_post) + 1.0)?;
    Ok(net.projection(syn)?.column(Stdp::w)[0] - w0)
}

fn main() -> std::process::ExitCode {
    let args: Args = match neurode_cli::bench::parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    neurode_cli::bench::finish(run(&args))
}

fn run(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let model = Stdp::default();
    let mut rows = Vec::new();
    let mut worst: f64 = 0.0;
    for k in -50..=50 {
        let dt = f64::from(k);
        let dw = pairing(dt, &model)?;
        let expected = if dt >= 0.0 {
            model.dA_pre * (-dt / model.tau_pre).exp()
        } else {
            model.dA_post * (dt / model.tau_post).exp()
        };
        worst = worst.max(((dw - expected) / expected).abs());
        rows.push((dt, dw));
    }
    if let Some(path) = &args.csv {
        let mut text = String::from("delta_t_ms,dw\n");
        for (dt, dw) in &rows {
            text.push_str(&format!("{dt},{dw:e}\n"));
        }
        neurode_cli::output::write_file(path, |w| w.write_all(text.as_bytes()))?;
    }
    if let Some(path) = &args.figure {
        let pts: Vec<(f64, f64)> = rows.iter().map(|&(dt, dw)| (dt, dw * 1e6)).collect();
        neurode_cli::plot::xy(
            path,
            "STDP window (Song et al. 2000): the change of w from one pairing",
            ("t_post − t_pre (ms)", "Δw (×10⁻⁶)"),
            &[("neurode, event-driven traces", &pts, BLUE)],
        )?;
    }
    // The window must be the closed form; an error (exit 1) if not, so that CI sees it.
    if worst.is_nan() || worst > 1e-9 {
        return Err(
            format!("the window departs from its closed form by {worst:e} (relative)").into(),
        );
    }
    Ok(format!(
        "{{\"model\": \"stdp_window\", \"pairings\": {}, \"max_rel_error\": {worst:e}}}",
        rows.len()
    ))
}
