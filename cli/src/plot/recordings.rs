//! The figures of recordings: the chapter's protocols and single-synapse runs.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use neurode::runtime::{Method, T_LAST_SPIKE_INIT};
use neurode::tutorial::{Overrides, Protocol, Recording};

use super::{Figure, Panel, Series, BLUE, GREEN, MORE, ORANGE};
use crate::single::{column_unit, fmt_short, Outcome};

/// One-line description of a protocol: model and setting.
pub fn protocol_caption(p: Protocol, overrides: &Overrides) -> String {
    // The value in effect: the last `--set name=...`, else the chapter's.
    let value = |name: &str, chapter: f64| {
        let x = overrides
            .params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map_or(chapter, |&(_, x)| x);
        fmt_short(x)
    };
    let run_syn = "run_syn: 2 LIF → 3 LIF, input 35 to pre";
    match p {
        Protocol::Ampa => format!(
            "AMPA (T_duration {} ms), {run_syn}",
            value("T_duration", 3.0)
        ),
        Protocol::Nmda => format!("NMDA, {run_syn}"),
        Protocol::GabaA => format!("GABA_A (exponential), {run_syn}"),
        Protocol::GabaB => "GABA_B: 2 LIF → 3 LIF, input 25 to pre for 20 ms, then 0".into(),
        Protocol::TwoExponentials => {
            format!("Two exponentials (τ1 {} ms), {run_syn}", value("tau1", 2.0))
        }
        Protocol::Alpha => format!("Alpha, {run_syn}"),
        Protocol::Exponential => format!("Exponential, {run_syn}"),
        Protocol::VoltageJump => format!("Voltage jump, {run_syn}"),
        Protocol::GapJunction => format!(
            "Gap junction (w {}, k_spikelet {}): 2 LIF from −10 mV, input 30 to pre",
            value("w", 0.5),
            value("k_spikelet", 5.0)
        ),
    }
}

/// `method exp_euler; tau=2` style description of the method and the overrides.
fn settings_text(method: Method, chapter: bool, overrides: &Overrides) -> String {
    let mut s = format!(
        "method {method}{}",
        if chapter { "" } else { " (--method)" }
    );
    for (name, value) in &overrides.params {
        s.push_str(&format!("; --set {name}={value}"));
    }
    s
}

/// Unit suffix for an axis label: ` (mV)`, nothing for dimensionless.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() || unit == "1" {
        String::new()
    } else {
        format!(" ({unit})")
    }
}

fn column<'a>(rec: &'a Recording, name: &str) -> Option<Cow<'a, [f64]>> {
    rec.column(name).map(Cow::Borrowed)
}

/// The chapter's figure of protocol `p` from its recording: for `run_syn` and GABA_B, pre and
/// post V (neuron 0 of each group; the others are identical) above the synapse's `s`; for the
/// gap junction, both V.
pub fn protocol_figure<'a>(p: Protocol, rec: &'a Recording, overrides: &Overrides) -> Figure<'a> {
    let method = overrides.method.unwrap_or_else(|| p.method());
    let title = format!(
        "{} — {}",
        protocol_caption(p, overrides),
        settings_text(method, overrides.method.is_none(), overrides)
    );
    let mut v = Panel {
        y_label: "membrane potential (mV)".into(),
        series: Vec::new(),
    };
    for (name, label, color) in [("pre.V[0]", "pre V", BLUE), ("post.V[0]", "post V", ORANGE)] {
        if let Some(values) = column(rec, name) {
            v.series.push(Series {
                label: label.into(),
                values,
                color,
            });
        }
    }
    let mut panels = vec![v];
    if p != Protocol::GapJunction {
        if let Some(values) = column(rec, "syn.s[0]") {
            let info = p.model();
            let state = info.column("s").map(|i| &info.states[i]);
            let unit = state.map_or("1", |s| s.unit);
            let label = match state.map(|s| s.doc.trim().trim_end_matches('.')) {
                Some(doc) if !doc.is_empty() => {
                    let mut c = doc.chars();
                    let first = c.next().map(|f| f.to_lowercase().collect::<String>());
                    format!("s: {}{}", first.unwrap_or_default(), c.as_str())
                }
                _ => "s".to_string(),
            };
            panels.push(Panel {
                y_label: format!("s{}", unit_suffix(unit)),
                series: vec![Series {
                    label,
                    values,
                    color: GREEN,
                }],
            });
        }
    }
    panels.retain(|p| !p.series.is_empty());
    Figure {
        title,
        t: &rec.t,
        t_end: p.duration(),
        panels,
        markers: Vec::new(),
        marker_label: String::new(),
    }
}

/// The figure of a single-synapse run: one panel per recorded variable (the presynaptic spike
/// flag is drawn as dashed lines across every panel instead). Timers initialised to −1e7 ms
/// (`t_last`) are not drawn before the first spike.
pub fn run_figure<'a>(model: &str, out: &'a Outcome, overrides: &Overrides) -> Figure<'a> {
    let spikes: Vec<String> = out.spike_times.iter().map(|&t| fmt_short(t)).collect();
    let method = overrides.method.unwrap_or(out.info.method);
    let title = format!(
        "{model}: pre spikes at {} ms onto a clamp at {} mV — {}",
        if spikes.is_empty() {
            "(none)".to_string()
        } else {
            spikes.join(", ")
        },
        fmt_short(out.v_post),
        settings_text(method, overrides.method.is_none(), overrides)
    );
    let mut panels = Vec::new();
    let mut k = 0;
    for c in &out.recording.columns {
        if c.name.starts_with("pre.spike") {
            continue;
        }
        let unit = column_unit(out.info, &c.name);
        let values: Cow<'a, [f64]> = if unit == "ms" && c.values.contains(&T_LAST_SPIKE_INIT) {
            Cow::Owned(
                c.values
                    .iter()
                    .map(|&v| if v == T_LAST_SPIKE_INIT { f64::NAN } else { v })
                    .collect(),
            )
        } else {
            Cow::Borrowed(&c.values)
        };
        let color = match c.name.split('.').next() {
            Some("post") => ORANGE,
            Some("pre") => BLUE,
            _ => {
                k += 1;
                if k == 1 {
                    GREEN
                } else {
                    MORE[(k - 2) % MORE.len()]
                }
            }
        };
        let var = c.name.split('[').next().unwrap_or(&c.name);
        panels.push(Panel {
            y_label: format!("{var}{}", unit_suffix(unit)),
            series: vec![Series {
                label: c.name.clone(),
                values,
                color,
            }],
        });
    }
    let t_end = out.recording.t.len() as f64 * out.dt;
    Figure {
        title,
        t: &out.recording.t,
        t_end,
        panels,
        markers: out.spike_times.clone(),
        marker_label: "presynaptic spike".into(),
    }
}

/// The path of protocol `p`'s figure in directory `dir` (`<dir>/<protocol>.png`).
pub fn figure_path(dir: &Path, p: Protocol) -> PathBuf {
    dir.join(format!("{}.png", p.name()))
}
