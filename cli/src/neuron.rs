//! One neuron on its own (`neurode run <neuron model>`): the model, or one of its presets (a
//! firing pattern with its paper's current), under a constant current, for a while.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use neurode::models::{AdEx, ExpIf, HodgkinHuxley, Izhikevich, Lif, LifCoba};
use neurode::runtime::{
    Input, Method, ModelInfo, Network, NeuronModel, SpikeMonitor, StateMonitor, Var,
};
use neurode::tutorial::{Column, Recording};

use crate::plot::{Figure, Panel, Series};
use crate::single::{fmt_short, RunError, MAX_DURATION, MAX_STEPS};

/// The named parameter sets of a neuron model (none by default).
pub trait Presets: Sized {
    /// The names [`Presets::preset`] takes.
    fn names() -> &'static [&'static str] {
        &[]
    }

    /// The preset named `name`, or `None`.
    fn preset(name: &str) -> Option<Self> {
        let _ = name;
        None
    }
}

impl Presets for Lif {}
impl Presets for LifCoba {}
impl Presets for ExpIf {}
impl Presets for HodgkinHuxley {}

impl Presets for AdEx {
    fn names() -> &'static [&'static str] {
        &AdEx::PRESETS
    }

    fn preset(name: &str) -> Option<Self> {
        AdEx::preset(name)
    }
}

impl Presets for Izhikevich {
    fn names() -> &'static [&'static str] {
        &Izhikevich::PRESETS
    }

    fn preset(name: &str) -> Option<Self> {
        Izhikevich::preset(name)
    }
}

/// Code generic over a neuron model, run for the model chosen by name with [`with_neuron`].
pub trait NeuronTask {
    /// What the task returns.
    type Output;

    /// Runs the task for neuron model `M`.
    fn run<M: NeuronModel + Default + Presets>(self) -> Self::Output;
}

/// The neuron models `neurode run` drives, by command-line name.
pub const NEURONS: [&str; 6] = [
    "lif",
    "lif_coba",
    "adex",
    "exp_if",
    "izhikevich",
    "hodgkin_huxley",
];

/// Runs `task` for the neuron model named `name` (one of [`NEURONS`]); `None` for any other.
pub fn with_neuron<T: NeuronTask>(name: &str, task: T) -> Option<T::Output> {
    Some(match name {
        "lif" => task.run::<Lif>(),
        "lif_coba" => task.run::<LifCoba>(),
        "adex" => task.run::<AdEx>(),
        "exp_if" => task.run::<ExpIf>(),
        "izhikevich" => task.run::<Izhikevich>(),
        "hodgkin_huxley" => task.run::<HodgkinHuxley>(),
        _ => return None,
    })
}

/// Settings of a single-neuron run.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronConfig {
    /// A preset of the model (`--preset`), else its defaults.
    pub preset: Option<String>,
    /// The constant current (`--current`): the model's bias `I_e` in its unit where it has one,
    /// else an input in nA.
    pub current: Option<f64>,
    /// Simulated duration (ms).
    pub duration: f64,
    /// Step (ms).
    pub dt: f64,
    /// Parameters set after the preset (`--set`).
    pub params: Vec<(String, f64)>,
    /// Integration method (`--method`), else the model's.
    pub method: Option<Method>,
    /// Variables to record (`--record`), else the model's states.
    pub record: Option<Vec<String>>,
}

/// A finished single-neuron run.
#[derive(Clone, Debug)]
pub struct NeuronOutcome {
    /// The recorded variables, one row per time from t = 0 (the initial state) to the end of
    /// the run, each labelled with the time of the values it holds; columns named
    /// `<variable>`.
    pub recording: Recording,
    /// Spike times (ms): the located crossing for models that locate it
    /// (`within_step`), else the start of the step in which the neuron spiked.
    pub spike_times: Vec<f64>,
    /// The step (from 0) in which each spike happened.
    pub spike_steps: Vec<u64>,
    /// Steps simulated.
    pub steps: u64,
    /// The model.
    pub info: &'static ModelInfo,
    /// Step (ms).
    pub dt: f64,
    /// What drives the neuron, as text (`I_e = 210 pA (preset bursting)`).
    pub drive: String,
}

/// The parameter the model takes a bias current as, with its unit.
pub(crate) fn bias(info: &ModelInfo) -> Option<(&'static str, &'static str)> {
    info.params
        .iter()
        .find(|p| p.name == "I_e")
        .map(|p| (p.name, p.unit))
}

/// What `--current` sets for the model named `name`: `I_e` in its unit, or the input in nA.
pub fn current_meaning(name: &str) -> Option<String> {
    struct Meaning;
    impl NeuronTask for Meaning {
        type Output = String;
        fn run<M: NeuronModel + Default + Presets>(self) -> String {
            match bias(M::INFO) {
                Some((p, unit)) => format!("the bias `{p}` in {unit}"),
                None => "an input current in nA".into(),
            }
        }
    }
    with_neuron(name, Meaning)
}

/// The presets of the model named `name` (empty for a model without).
pub fn preset_names(name: &str) -> &'static [&'static str] {
    struct Names;
    impl NeuronTask for Names {
        type Output = &'static [&'static str];
        fn run<M: NeuronModel + Default + Presets>(self) -> Self::Output {
            M::names()
        }
    }
    with_neuron(name, Names).unwrap_or(&[])
}

/// Runs the neuron model named `name` as `cfg` says.
///
/// Errors: [`RunError::UnknownModel`], [`RunError::Invalid`] (step, duration, preset),
/// [`RunError::UnknownVariable`]; [`RunError::Runtime`] when the model refuses a parameter or
/// the run fails.
pub fn run(name: &str, cfg: &NeuronConfig) -> Result<NeuronOutcome, RunError> {
    struct Task<'a> {
        name: &'a str,
        cfg: &'a NeuronConfig,
    }
    impl NeuronTask for Task<'_> {
        type Output = Result<NeuronOutcome, RunError>;
        fn run<M: NeuronModel + Default + Presets>(self) -> Self::Output {
            run_model::<M>(self.name, self.cfg)
        }
    }
    with_neuron(name, Task { name, cfg }).unwrap_or_else(|| {
        Err(RunError::UnknownModel {
            name: name.to_string(),
            known: NEURONS.join(", "),
        })
    })
}

fn invalid(option: &'static str, value: impl Into<String>, reason: impl Into<String>) -> RunError {
    RunError::Invalid {
        option,
        value: value.into(),
        reason: reason.into(),
    }
}

fn run_model<M: NeuronModel + Default + Presets>(
    name: &str,
    cfg: &NeuronConfig,
) -> Result<NeuronOutcome, RunError> {
    if !(cfg.dt.is_finite() && cfg.dt > 0.0 && cfg.dt <= neurode::runtime::MAX_DT) {
        let reason = format!(
            "the step must be a number of ms greater than 0 and at most {}",
            neurode::runtime::MAX_DT
        );
        return Err(invalid("--dt", format!("{}", cfg.dt), reason));
    }
    if !(cfg.duration.is_finite() && cfg.duration > 0.0 && cfg.duration <= MAX_DURATION) {
        let reason = format!(
            "the duration must be a number of ms greater than 0 and at most {MAX_DURATION:e}"
        );
        return Err(invalid("--duration", format!("{}", cfg.duration), reason));
    }
    let steps = (cfg.duration / cfg.dt).ceil();
    if steps > MAX_STEPS as f64 {
        let reason = format!(
            "{steps} steps of {} ms exceed {MAX_STEPS} (raise --dt or shorten --duration)",
            cfg.dt
        );
        return Err(invalid("--duration", format!("{}", cfg.duration), reason));
    }
    let steps = crate::single::whole_steps(cfg.duration, cfg.dt)?;
    let mut model = match &cfg.preset {
        None => M::default(),
        Some(p) => M::preset(p).ok_or_else(|| {
            let reason = if M::names().is_empty() {
                format!("`{name}` has no presets")
            } else {
                format!("the presets of `{name}` are {}", M::names().join(", "))
            };
            invalid("--preset", p.clone(), reason)
        })?,
    };
    for (param, value) in &cfg.params {
        model.set_param(param, *value)?;
    }
    let bias = bias(M::INFO);
    let mut drive = match (&cfg.current, bias) {
        (Some(i), Some((p, unit))) => {
            model.set_param(p, *i)?;
            format!("{p} = {} {unit} (--current)", fmt_short(*i))
        }
        (Some(i), None) => format!("input {} nA (--current)", fmt_short(*i)),
        (None, Some((p, unit))) => {
            let i = model.get_param(p).unwrap_or(0.0);
            format!("{p} = {} {unit}", fmt_short(i))
        }
        (None, None) => "no input".into(),
    };
    if let Some(p) = &cfg.preset {
        drive.push_str(&format!(", preset {p}"));
    }
    let names: Vec<String> = match &cfg.record {
        Some(r) => r.clone(),
        None => M::INFO
            .states
            .iter()
            .filter(|s| !s.derived)
            .map(|s| s.name.to_string())
            .collect(),
    };
    let mut columns = Vec::new();
    for n in &names {
        let j = M::INFO
            .states
            .iter()
            .position(|s| s.name == n)
            .ok_or_else(|| RunError::UnknownVariable {
                model: name.to_string(),
                name: n.clone(),
                accepted: M::INFO
                    .states
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        columns.push(j);
    }
    let mut net = Network::new(cfg.dt)?;
    crate::progress::show(&mut net);
    let g = net.add_population("neuron", 1, model)?;
    if let Some(m) = cfg.method {
        net.set_method(g, m)?;
    }
    if let (Some(i), None) = (cfg.current, bias) {
        net.add_input(g, Input::Constant(i))?;
    }
    let spikes = net.record_spikes(g)?;
    let monitors = columns
        .iter()
        .map(|&j| net.record(g, Var::<M>::new(j, M::INFO.states[j].name)))
        .collect::<Result<Vec<_>, _>>()?;
    net.run_steps(steps)?;
    let t = match monitors.first() {
        Some(&id) => net.trace(id)?.times.clone(),
        None => (0..=steps).map(|i| i as f64 * cfg.dt).collect(),
    };
    let recording = Recording {
        t,
        columns: columns
            .iter()
            .zip(monitors)
            .map(|(&j, id)| {
                Ok(Column {
                    name: M::INFO.states[j].name.to_string(),
                    values: net.trace(id)?.column(0),
                })
            })
            .collect::<Result<_, neurode::runtime::Error>>()?,
    };
    Ok(NeuronOutcome {
        recording,
        spike_times: net.spikes(spikes)?.times.clone(),
        spike_steps: net.spikes(spikes)?.steps.clone(),
        steps,
        info: M::INFO,
        dt: cfg.dt,
        drive,
    })
}

/// The `main` of the neuron examples: runs the neuron model `model` for each of `runs`
/// (`(label, preset, current, ms)` at dt = 0.1 ms), draws each into `figures/<model>_<label>.png`
/// and prints its summary.
///
/// # Errors
///
/// The run's errors, or the figure's.
pub fn example(
    model: &str,
    runs: &[(&str, Option<&str>, Option<f64>, f64)],
) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("figures")?;
    for &(label, preset, current, ms) in runs {
        let cfg = NeuronConfig {
            preset: preset.map(str::to_string),
            current,
            duration: ms,
            dt: 0.1,
            params: Vec::new(),
            method: None,
            record: None,
        };
        let out = run(model, &cfg)?;
        let png = PathBuf::from(format!("figures/{model}_{label}.png"));
        show(model, &out, &png)?;
    }
    Ok(())
}

/// What a neuron example shows of a run: draws `out` into the PNG file `png` and prints its
/// summary (as `neurode run` prints it without options) and the figure's path.
///
/// # Errors
///
/// The figure's.
pub fn show(
    model: &str,
    out: &NeuronOutcome,
    png: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let cfg = NeuronConfig {
        preset: None,
        current: None,
        duration: out.steps as f64 * out.dt,
        dt: out.dt,
        params: Vec::new(),
        method: None,
        record: None,
    };
    crate::plot::save_png(&figure(model, out), png)?;
    println!("{}", summary(model, out, &cfg));
    println!("  figure: {}", png.display());
    Ok(())
}

/// The outcome of a network a neuron example built itself, for [`show`]: the `columns` (name and
/// monitor) and the spikes `spikes` recorded from neuron 0 of a group of model `M`, driven as
/// `drive` says.
///
/// Error: [`neurode::runtime::Error::UnknownObject`] for a monitor of another network.
pub fn outcome<M: NeuronModel>(
    net: &Network,
    columns: &[(&str, StateMonitor)],
    spikes: SpikeMonitor,
    drive: &str,
) -> Result<NeuronOutcome, neurode::runtime::Error> {
    let dt = net.dt();
    let t = match columns.first() {
        Some(&(_, id)) => net.trace(id)?.times.clone(),
        None => Vec::new(),
    };
    let columns = columns
        .iter()
        .map(|&(name, id)| {
            Ok(Column {
                name: name.to_string(),
                values: net.trace(id)?.column(0),
            })
        })
        .collect::<Result<_, neurode::runtime::Error>>()?;
    Ok(NeuronOutcome {
        recording: Recording { t, columns },
        spike_times: net.spikes(spikes)?.times.clone(),
        spike_steps: net.spikes(spikes)?.steps.clone(),
        steps: (net.time() / dt).round() as u64,
        info: M::INFO,
        dt,
        drive: drive.to_string(),
    })
}

/// The unit of the model's variable `name` ("" if unknown).
fn unit_of(info: &ModelInfo, name: &str) -> &'static str {
    info.states
        .iter()
        .find(|s| s.name == name)
        .map_or("", |s| s.unit)
}

/// What `neurode run` prints for a single-neuron run.
pub fn summary(name: &str, out: &NeuronOutcome, cfg: &NeuronConfig) -> String {
    let method = match cfg.method {
        Some(m) => format!("{m} (--method)"),
        None => format!("{} (model default)", out.info.method),
    };
    let mut head = format!(
        "{name} ({}) — {}; method {method}",
        out.info.name, out.drive
    );
    for (p, v) in &cfg.params {
        head.push_str(&format!(", --set {p}={v}"));
    }
    let n = out.steps;
    let ms = n as f64 * out.dt;
    let mut lines = vec![
        head,
        format!(
            "  {n} steps of {} ms ({} ms)",
            fmt_short(out.dt),
            fmt_short(ms)
        ),
    ];
    if let Some(line) = timing_line(out.info, &cfg.params) {
        lines.push(line);
    }
    let s = &out.spike_times;
    if s.is_empty() {
        lines.push("  spikes: none".into());
    } else {
        let first: Vec<String> = s.iter().take(10).map(|&t| fmt_short(t)).collect();
        lines.push(format!(
            "  spikes: {} ({} Hz), at {}{} ms",
            s.len(),
            fmt_short(1000.0 * s.len() as f64 / ms),
            first.join(", "),
            if s.len() > 10 { ", ..." } else { "" }
        ));
    }
    for c in &out.recording.columns {
        let (lo, hi) = c
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let unit = match unit_of(out.info, &c.name) {
            "" | "1" => String::new(),
            u => format!(" {u}"),
        };
        lines.push(format!(
            "  {}: from {} to {}{unit}",
            c.name,
            fmt_short(lo),
            fmt_short(hi)
        ));
    }
    lines.join("\n")
}

/// The line naming the model's refractory period or dead time, which change a protocol's
/// spike count: its parameter, value and where the value comes from (`refractory period t_ref =
/// 2 ms (model default; --set t_ref=0 for none)`); `None` for a model without either.
fn timing_line(info: &ModelInfo, set: &[(String, f64)]) -> Option<String> {
    let (what, p) = match info.refractory {
        Some(r) => (
            "refractory period",
            info.params.iter().find(|p| p.name == r)?,
        ),
        None => (
            "dead time",
            info.params.iter().find(|p| {
                info.threshold
                    .is_some_and(|t| t.contains(&format!("dead time {}", p.name)))
            })?,
        ),
    };
    let given = set.iter().rev().find(|(n, _)| n == p.name).map(|&(_, v)| v);
    let source = match given {
        Some(_) => "--set".to_string(),
        None => format!("model default; --set {}=0 for none", p.name),
    };
    Some(format!(
        "  {what}: {} = {} {} ({source})",
        p.name,
        fmt_short(given.unwrap_or(p.default)),
        p.unit
    ))
}

/// The figure of a single-neuron run: a panel per recorded variable, the spikes marked.
pub fn figure<'a>(name: &str, out: &'a NeuronOutcome) -> Figure<'a> {
    const COLORS: [[u8; 3]; 4] = [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [148, 103, 189],
    ];
    let panels = out
        .recording
        .columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let unit = unit_of(out.info, &c.name);
            Panel {
                y_label: if unit.is_empty() || unit == "1" {
                    c.name.clone()
                } else {
                    format!("{} ({unit})", c.name)
                },
                series: vec![Series {
                    label: c.name.clone(),
                    values: Cow::Borrowed(&c.values),
                    color: COLORS[k % COLORS.len()],
                }],
            }
        })
        .collect();
    Figure {
        title: format!("{name} ({}) — {}", out.info.name, out.drive),
        t: &out.recording.t,
        t_end: out.steps as f64 * out.dt,
        panels,
        markers: out.spike_times.clone(),
        marker_label: "spikes".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> NeuronConfig {
        NeuronConfig {
            preset: None,
            current: None,
            duration: 100.0,
            dt: 0.1,
            params: Vec::new(),
            method: None,
            record: None,
        }
    }

    #[test]
    fn a_preset_brings_its_current_and_current_overrides_it() {
        let bursting = NeuronConfig {
            preset: Some("bursting".into()),
            ..cfg()
        };
        let out = run("adex", &bursting).unwrap();
        assert_eq!(out.drive, "I_e = 210 pA, preset bursting");
        let names: Vec<&str> = out
            .recording
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["V", "w"]);
        // The same spikes as the model run directly.
        let mut net = Network::new(0.1).unwrap();
        let g = net.add_population("n", 1, AdEx::bursting()).unwrap();
        let s = net.record_spikes(g).unwrap();
        net.run(100.0).unwrap();
        assert_eq!(out.spike_times, net.spikes(s).unwrap().times);
        assert!(out.spike_times.len() >= 3);
        let quiet = NeuronConfig {
            current: Some(0.0),
            ..bursting
        };
        let out = run("adex", &quiet).unwrap();
        assert!(out.spike_times.is_empty());
        assert_eq!(out.drive, "I_e = 0 pA (--current), preset bursting");
    }

    #[test]
    fn a_model_without_a_bias_takes_the_current_as_input() {
        let driven = NeuronConfig {
            current: Some(2.0),
            record: Some(vec!["V".into()]),
            ..cfg()
        };
        // Lif: τ dV/dt = −(V − V_rest) + R·I with R = 1 MΩ: 2 nA drives V towards 2 mV, below
        // its 20 mV threshold.
        let out = run("lif", &driven).unwrap();
        let v = &out.recording.columns[0].values;
        let expected = 2.0 * (1.0 - (-100.0f64 / 10.0).exp());
        assert!(
            (v[v.len() - 1] - expected).abs() < 1e-3,
            "{}",
            v[v.len() - 1]
        );
        assert!(out.spike_times.is_empty());
        assert_eq!(out.drive, "input 2 nA (--current)");
    }

    #[test]
    fn an_outcome_built_from_a_network_is_what_run_returns() {
        let driven = NeuronConfig {
            current: Some(25.0),
            ..cfg()
        };
        let ran = run("lif", &driven).unwrap();
        let mut net = Network::new(0.1).unwrap();
        let g = net.add_population("neuron", 1, Lif::default()).unwrap();
        net.add_input(g, Input::Constant(25.0)).unwrap();
        let s = net.record_spikes(g).unwrap();
        let v = net.record(g, Lif::V).unwrap();
        net.run(100.0).unwrap();
        let built = outcome::<Lif>(&net, &[("V", v)], s, &ran.drive).unwrap();
        assert_eq!(built.recording.t, ran.recording.t);
        assert_eq!(built.recording.columns, ran.recording.columns);
        assert_eq!(built.spike_times, ran.spike_times);
        assert!(built.spike_times.len() >= 5);
        assert_eq!(
            summary("lif", &built, &driven),
            summary("lif", &ran, &driven)
        );
    }

    #[test]
    fn bad_settings_are_errors_naming_the_option() {
        let e = run(
            "adex",
            &NeuronConfig {
                preset: Some("jazz".into()),
                ..cfg()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid --preset jazz: the presets of `adex` are tonic, adapting, initial_burst, \
             bursting, irregular"
        );
        let e = run(
            "lif",
            &NeuronConfig {
                preset: Some("rs".into()),
                ..cfg()
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "invalid --preset rs: `lif` has no presets");
        let e = run(
            "adex",
            &NeuronConfig {
                record: Some(vec!["u".into()]),
                ..cfg()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown variable `u`"), "{e}");
        let e = run("adex", &NeuronConfig { dt: 0.0, ..cfg() }).unwrap_err();
        assert!(e.to_string().starts_with("invalid --dt 0"), "{e}");
        assert!(run("ampa", &cfg()).is_err());
        assert_eq!(
            current_meaning("hodgkin_huxley").unwrap(),
            "the bias `I_e` in uA/cm^2"
        );
        assert_eq!(preset_names("izhikevich"), ["rs", "ib", "ch", "fs", "lts"]);
    }
}
