//! The key numbers of a run, as printed by `neurode tutorial` and `neurode run`.

use neurode::models::Lif;
use neurode::runtime::Model;

use crate::plot::protocol_caption;
use crate::single::{column_unit, fmt_short, Outcome, RunConfig};
use neurode::tutorial::{Column, Overrides, Protocol, Recording};

/// Index and value of the first maximum (NaN ignored).
fn peak(values: &[f64]) -> Option<(usize, f64)> {
    values
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
}

/// Rows at whose time a LIF neuron spiked, from its V trace: V lands on V_reset from another
/// value at row `i` (the end of the spike's step), so the spike's step starts at row `i − 1`.
fn lif_spikes(v: &[f64]) -> Vec<usize> {
    let reset = Lif::INFO
        .param("V_reset")
        .map_or(-5.0, |i| Lif::INFO.params[i].default);
    (1..v.len())
        .filter(|&i| v[i] == reset && v[i - 1] != reset)
        .map(|i| i - 1)
        .collect()
}

fn times(t: &[f64], steps: &[usize]) -> String {
    if steps.is_empty() {
        "none".into()
    } else {
        let v: Vec<String> = steps.iter().map(|&i| fmt_short(t[i])).collect();
        format!("{} ms", v.join(", "))
    }
}

fn all_equal(cols: &[&Column]) -> bool {
    cols.iter().all(|c| c.values == cols[0].values)
}

/// `pre spikes: 8.4, 19.2 ms (both neurons)`, or one line per neuron when they differ.
fn spike_lines(rec: &Recording, group: &str, lines: &mut Vec<String>) {
    let cols = rec.series(&format!("{group}.V["));
    if cols.is_empty() {
        return;
    }
    let n = cols.len();
    if all_equal(&cols) {
        let which = match n {
            1 => String::new(),
            2 => " (both neurons)".into(),
            _ => format!(" (all {n} neurons)"),
        };
        lines.push(format!(
            "  {group} spikes: {}{which}",
            times(&rec.t, &lif_spikes(&cols[0].values))
        ));
    } else {
        for c in cols {
            lines.push(format!(
                "  {group} spikes of {}: {}",
                c.name,
                times(&rec.t, &lif_spikes(&c.values))
            ));
        }
    }
}

/// Index and value of the first element farthest from the first one (`None` if empty).
fn extreme(values: &[f64]) -> Option<(usize, f64)> {
    let start = *values.first()?;
    let (i, _) = values
        .iter()
        .enumerate()
        .fold((0, 0.0), |(bi, bd), (i, &v)| {
            let d = (v - start).abs();
            if d > bd {
                (i, d)
            } else {
                (bi, bd)
            }
        });
    Some((i, values[i]))
}

/// `s: peak 0.62 at 11.3 ms, final 0.08 (the 6 synapses are identical)`; the peak is the
/// maximum, or with `from_start` the value farthest from the first one.
fn peak_line(
    rec: &Recording,
    prefix: &str,
    label: &str,
    unit: &str,
    what: &str,
    from_start: bool,
) -> Option<String> {
    let cols = rec.series(prefix);
    let first = cols.first()?;
    let (i, top) = if from_start {
        extreme(&first.values)?
    } else {
        peak(&first.values)?
    };
    let last = *first.values.last()?;
    let same = match cols.len() {
        1 => String::new(),
        n if all_equal(&cols) => format!(" (the {n} {what} are identical)"),
        _ => format!(" ({} only; the others differ)", first.name),
    };
    if first.values.iter().all(|&v| v == last) {
        return Some(format!(
            "  {label}: constant {}{unit}{same}",
            fmt_short(last)
        ));
    }
    Some(format!(
        "  {label}: peak {}{unit} at {} ms, final {}{unit}{same}",
        fmt_short(top),
        fmt_short(rec.t[i]),
        fmt_short(last)
    ))
}

/// The key numbers of protocol `p`'s recording: steps, presynaptic and postsynaptic spike times,
/// peak of `s` and when, final values, peak of the postsynaptic V.
pub fn protocol_summary(p: Protocol, rec: &Recording, overrides: &Overrides) -> String {
    let method = overrides.method.unwrap_or_else(|| p.method());
    let mut head = format!(
        "{} — {}; method {method}",
        p.name(),
        protocol_caption(p, overrides)
    );
    for (name, value) in &overrides.params {
        head.push_str(&format!(", --set {name}={value}"));
    }
    let mut lines = vec![head];
    let dt = if rec.t.len() > 1 {
        rec.t[1] - rec.t[0]
    } else {
        0.0
    };
    lines.push(format!(
        "  {} steps of {} ms ({} ms)",
        rec.t.len().saturating_sub(1),
        fmt_short(dt),
        fmt_short(p.duration())
    ));
    spike_lines(rec, "pre", &mut lines);
    spike_lines(rec, "post", &mut lines);
    if let Some(l) = peak_line(rec, "syn.s[", "s", "", "synapses", false) {
        lines.push(l);
    }
    if let Some(l) = peak_line(rec, "post.V[", "post V", " mV", "neurons", true) {
        lines.push(l);
    }
    lines.join("\n")
}

/// The key numbers of a single-synapse run: the spikes, then for every recorded variable its
/// extreme (the value farthest from its start) and when, and its final value.
pub fn run_summary(model: &str, out: &Outcome, cfg: &RunConfig) -> String {
    let method = match cfg.method {
        Some(m) => format!("{m} (--method)"),
        None => format!("{} (model default)", out.info.method),
    };
    let spikes: Vec<String> = out.spike_times.iter().map(|&t| fmt_short(t)).collect();
    let mut head = format!(
        "{model} ({}) — presynaptic spikes at {} onto a clamp at {} mV; method {method}",
        out.info.name,
        if spikes.is_empty() {
            "(none)".to_string()
        } else {
            format!("{} ms", spikes.join(", "))
        },
        fmt_short(out.v_post)
    );
    if out.v_pre != out.v_post {
        head.push_str(&format!(", pre V {} mV", fmt_short(out.v_pre)));
    }
    for (name, value) in &cfg.params {
        head.push_str(&format!(", --set {name}={value}"));
    }
    let rec = &out.recording;
    let mut lines = vec![
        head,
        format!(
            "  {} steps of {} ms ({} ms)",
            out.steps,
            fmt_short(out.dt),
            fmt_short(out.steps as f64 * out.dt)
        ),
    ];
    for c in &rec.columns {
        if c.name.starts_with("pre.spike") {
            continue;
        }
        let unit = match column_unit(out.info, &c.name) {
            "" | "1" => String::new(),
            u => format!(" {u}"),
        };
        let Some(&start) = c.values.first() else {
            continue;
        };
        let far = extreme(&c.values).unwrap_or((0, start));
        let last = c.values[c.values.len() - 1];
        if far.1 == start {
            lines.push(format!("  {}: constant {}{unit}", c.name, fmt_short(start)));
            continue;
        }
        let from = if start == 0.0 {
            String::new()
        } else {
            format!("from {}{unit}, ", fmt_short(start))
        };
        lines.push(format!(
            "  {}: {from}peak {}{unit} at {} ms, final {}{unit}",
            c.name,
            fmt_short(far.1),
            fmt_short(rec.t[far.0]),
            fmt_short(last)
        ));
    }
    lines.join("\n")
}
