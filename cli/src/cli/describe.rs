//! `neurode describe`: everything [`ModelInfo`] knows about a model, as text.

use neurode::runtime::{ModelInfo, ModelKind, OutputKind, Target};

use crate::catalog::{first_paragraph, plain_doc};

/// A number as declared: Rust's shortest round-trip form, in scientific notation outside
/// [1e-4, 1e7) (`0.98`, `-65`, `-1e7`).
fn exact(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-4..1e7).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Rows as aligned columns, two spaces apart, indented by two; the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut width = vec![0; n];
    for (k, h) in header.iter().enumerate() {
        width[k] = h.chars().count();
    }
    for r in rows {
        for (k, c) in r.iter().enumerate().take(n) {
            width[k] = width[k].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (k, c) in cells.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if k + 1 < n {
                let pad = width[k] + 1 - c.chars().count();
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![line(header.to_vec())];
    for r in rows {
        out.push(line(r.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

/// What a spike-event string of [`neurode::runtime::StateInfo::events`] means, in words.
fn event_text(event: &str) -> String {
    match event.split_once(": ") {
        Some(("on_pre", stmt)) => {
            format!("on a presynaptic spike, before integrating: {stmt}")
        }
        Some(("on_pre_after", stmt)) => {
            format!("on a presynaptic spike, after integrating: {stmt}")
        }
        _ => event.to_string(),
    }
}

fn target(t: Target) -> &'static str {
    match t {
        Target::Pre => "pre",
        Target::Post => "post",
    }
}

/// The full description of model `info`, named `name` on the command line: summary and doc,
/// equations (ODEs, spike-triggered updates, derived expressions, outputs, or the neuron's
/// threshold, reset and refractory period), parameters, states, integration methods and storage
/// classes.
pub fn describe(name: &str, info: &ModelInfo) -> String {
    let kind = match info.kind {
        ModelKind::Neuron => "neuron",
        ModelKind::Synapse => "synapse",
    };
    let mut out = vec![format!("{name} — {} ({kind} model)", info.name)];
    out.push(first_paragraph(info));
    let doc = plain_doc(info.doc);
    let rest: Vec<&str> = doc
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .skip_while(|l| !l.trim().is_empty())
        .collect();
    let rest = rest.join("\n");
    if !rest.trim().is_empty() {
        out.push(String::new());
        out.extend(rest.trim().lines().map(|l| match l.trim() {
            "" => String::new(),
            _ => format!("  {}", l.trim_end()),
        }));
    }

    out.push(String::new());
    out.push("Equations".into());
    let mut any = false;
    for s in info.states.iter().filter(|s| !s.derived) {
        if let Some(ode) = s.ode {
            out.push(format!("  d{}/dt = {ode}", s.name));
            any = true;
        }
        for e in s.events {
            out.push(format!("  {}", event_text(e)));
            any = true;
        }
    }
    for s in info.states.iter().filter(|s| s.derived) {
        out.push(format!(
            "  {} = {}   (derived, recomputed every step)",
            s.name, s.init
        ));
        any = true;
    }
    for (rules, when) in [
        (
            info.rules_pre,
            "on a presynaptic spike, after integrating, in order",
        ),
        (info.rules_post, "on a postsynaptic spike, in order"),
    ] {
        if !rules.is_empty() {
            out.push(format!("  {when}: {}", rules.join("; ")));
            any = true;
        }
    }
    if !any && info.kind == ModelKind::Synapse {
        out.push("  none: nothing to integrate, the outputs below are the whole model".into());
    }
    if info.kind == ModelKind::Synapse {
        out.push(String::new());
        out.push("Outputs".into());
        if info.outputs.is_empty() && info.post_writes.is_empty() {
            out.push("  none".into());
        }
        for w in info.post_writes {
            out.push(format!(
                "  spike rules add to the postsynaptic variable `{}` (`{}_post`)",
                w.name, w.name
            ));
        }
        for o in info.outputs {
            let to = target(o.target);
            let mut line = match o.kind {
                OutputKind::Current => format!("  current into {to} (nA): I_{to} += {}", o.value),
                OutputKind::Conductance => format!(
                    "  conductance into {to} (µS): I_{to} -= g·(V_{to} - E) with g = {}, E = {} (mV)",
                    o.value,
                    o.reversal.unwrap_or("0")
                ),
                OutputKind::Voltage => {
                    format!("  voltage jump of {to} (mV): V_{to} += {}", o.value)
                }
                OutputKind::Summed => format!(
                    "  summed into {to}: {}_{to} = sum over synapses of {}",
                    o.variable.unwrap_or("?"),
                    o.value
                ),
            };
            if let Some(d) = o.delay {
                line.push_str(&format!(", delay = {d} (ms)"));
            }
            out.push(line);
        }
    } else {
        out.push(String::new());
        out.push("Spiking".into());
        match info.threshold {
            Some("false") => out.push("  threshold: false (never spikes)".into()),
            Some(t) => out.push(format!("  threshold: {t}")),
            None => out.push("  threshold: none (never spikes)".into()),
        }
        if info.reset.is_empty() {
            out.push("  reset: none".into());
        } else {
            out.push(format!("  reset: {}", info.reset.join("; ")));
        }
        match info.refractory {
            Some(r) => {
                let default = info
                    .params
                    .iter()
                    .find(|p| p.name == r)
                    .map_or(String::new(), |p| format!(" = {} ms by default", p.default));
                let how = if info
                    .threshold
                    .is_some_and(|t| t.contains("within the step"))
                {
                    "from the located crossing, ending inside a step".to_string()
                } else {
                    format!("round({r}/dt) whole steps")
                };
                out.push(format!(
                    "  refractory period: {r}{default} ({how}, the reset states held)"
                ));
            }
            None => out.push("  refractory period: none".into()),
        }
        if let Some(v) = info.membrane.and_then(|i| info.states.get(i)) {
            out.push(format!("  membrane potential: {} ({})", v.name, v.unit));
        }
        if let Some(i) = info.input {
            out.push(format!(
                "  input: {i} (nA), summed from synapses and external inputs, reset every step"
            ));
        }
    }

    out.push(String::new());
    out.push("Parameters".into());
    if info.params.is_empty() {
        out.push("  none".into());
    } else {
        let rows: Vec<Vec<String>> = info
            .params
            .iter()
            .map(|p| {
                let domain = match p.domain {
                    neurode::runtime::Domain::Any => String::new(),
                    d => d.to_string(),
                };
                vec![
                    p.name.into(),
                    exact(p.default),
                    p.unit.into(),
                    domain,
                    p.doc.into(),
                ]
            })
            .collect();
        out.push(table(
            &["name", "default", "unit", "domain", "description"],
            &rows,
        ));
    }

    out.push(String::new());
    out.push("States".into());
    if info.states.is_empty() {
        out.push("  none".into());
    } else {
        let rows: Vec<Vec<String>> = info
            .states
            .iter()
            .map(|s| {
                let init = if s.derived {
                    "(derived)".to_string()
                } else {
                    s.init.to_string()
                };
                let stored = if s.event_driven {
                    "per synapse, event-driven"
                } else if s.per_synapse {
                    "per synapse"
                } else if s.derived {
                    "(derived)"
                } else if info.kind == ModelKind::Synapse {
                    "storage class"
                } else {
                    "per neuron"
                };
                vec![
                    s.name.into(),
                    s.unit.into(),
                    init,
                    stored.into(),
                    s.doc.into(),
                ]
            })
            .collect();
        out.push(table(
            &["name", "unit", "initial", "stored", "description"],
            &rows,
        ));
    }

    out.push(String::new());
    out.push("Integration".into());
    let how = if info.states.iter().all(|s| s.ode.is_none()) {
        "nothing to integrate: the model has no ODE"
    } else if info.method_auto {
        "chosen automatically by neurode from the equations"
    } else {
        "named by the model"
    };
    out.push(format!("  default method: {} ({how})", info.method));
    let others: Vec<&str> = info
        .methods
        .iter()
        .filter(|&&m| m != info.method)
        .map(|m| m.name())
        .collect();
    out.push(format!(
        "  other methods: {}",
        if others.is_empty() {
            "none".to_string()
        } else {
            others.join(", ")
        }
    ));
    if info.kind == ModelKind::Synapse {
        out.push(format!(
            "  storage classes: {} (most compact first)",
            if info.storages.is_empty() {
                "none".to_string()
            } else {
                info.storage_names()
            }
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{find, MODELS};

    #[test]
    fn numbers_as_declared() {
        assert_eq!(exact(0.98), "0.98");
        assert_eq!(exact(-65.0), "-65");
        assert_eq!(exact(-1e7), "-1e7");
        assert_eq!(exact(0.0012), "0.0012");
        assert_eq!(exact(0.0), "0");
    }

    #[test]
    fn every_model_is_described() {
        for e in &MODELS {
            let d = describe(e.name, e.info);
            assert!(d.starts_with(&format!("{} — {}", e.name, e.info.name)));
            for p in e.info.params {
                assert!(d.contains(p.name), "{}: {}", e.name, p.name);
            }
            assert!(d.contains("default method: "), "{}", e.name);
            assert!(!d.contains("](crate::"), "{}", e.name);
        }
    }

    #[test]
    fn models_without_odes_say_so() {
        for name in [
            "voltage_jump",
            "delta",
            "gap_junction",
            "gap_junction_symmetric",
        ] {
            let d = describe(name, find(name).unwrap().info);
            assert!(d.contains("nothing to integrate"), "{name}: {d}");
        }
        let d = describe("alpha", find("alpha").unwrap().info);
        assert!(
            d.contains("default method: exact (chosen automatically"),
            "{d}"
        );
    }

    #[test]
    fn nmda_shows_equations_block_and_methods() {
        let d = describe("nmda", find("nmda").unwrap().info);
        for needle in [
            "ds/dt = -s / tau_decay + a * x * (1.0 - s)",
            "dx/dt = -x / tau_rise",
            "on a presynaptic spike, before integrating: x += 1.0",
            "g_inf = ",
            "(derived, recomputed every step)",
            "conductance into post (µS): I_post -= g·(V_post - E) with g = g_max * g_inf * s, E = E (mV), delay = delay (ms)",
            "tau_decay  100      ms",
            "default method: exp_euler (chosen automatically by neurode from the equations)",
            "other methods: euler, rk2, rk4",
        ] {
            assert!(d.contains(needle), "missing {needle:?} in\n{d}");
        }
    }

    #[test]
    fn neurons_show_spiking() {
        let d = describe("lif", find("lif").unwrap().info);
        assert!(d.contains("threshold: V >= V_th"), "{d}");
        assert!(d.contains("reset: V = V_reset"), "{d}");
        assert!(d.contains("refractory period: t_refractory"), "{d}");
        let d = describe("clamp", find("clamp").unwrap().info);
        assert!(d.contains("threshold: false (never spikes)"), "{d}");
        assert!(d.contains("dV/dt = 0.0"), "{d}");
        assert!(!d.contains("storage classes"), "{d}");
    }
}
