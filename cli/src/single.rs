//! One synapse on its own (`neurode run`): a presynaptic [`SpikeTrain`] neuron firing at chosen
//! times, the synapse, and a postsynaptic [`Clamp`] neuron held at a chosen potential.
//!
//! The network runs in the order (pre, synapse, post), so the synapse sees a presynaptic spike in
//! the step it happens and the clamp records the synapse's current of the same step in `I_syn`.
//! Error messages name the command-line option a setting comes from (`--dt`, `--spikes`, ...).

use neurode::models::Clamp;
use neurode::runtime::error::num;
use neurode::runtime::{
    steps_for, Connect, Error, Method, Model, ModelInfo, Network, SpikeTrain, Storage,
    SynapseModel, Var, MAX_DT,
};

use crate::catalog::{self, SynapseTask};
use neurode::tutorial::{Column, Recording};

/// Longest run accepted (ms).
pub const MAX_DURATION: f64 = 1e7;

/// Most steps a run may record (every recorded variable keeps one value per step in memory).
pub const MAX_STEPS: u64 = 5_000_000;

/// Settings of a single-synapse run; [`RunConfig::default`] gives the command line's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// Presynaptic spike times (ms), non-negative and strictly increasing (`--spikes`).
    pub spikes: Vec<f64>,
    /// Potential the postsynaptic neuron is clamped at (mV, `--v-post`, default −65).
    pub v_post: f64,
    /// Membrane potential of the presynaptic neuron (mV, `--v-pre`); `None` for `v_post`, so
    /// that an electrical synapse carries no current between spikes.
    pub v_pre: Option<f64>,
    /// Simulated duration (ms, `--duration`, default 50).
    pub duration: f64,
    /// Step (ms, `--dt`, default 0.1).
    pub dt: f64,
    /// Variables to record, as accepted by [`record_names`] (`--record`); `None` for
    /// [`default_record`].
    pub record: Option<Vec<String>>,
    /// Synapse parameters by name, applied in order (`--set name=value`).
    pub params: Vec<(String, f64)>,
    /// Integration method of the synapse instead of the model's default (`--method`).
    pub method: Option<Method>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            spikes: Vec::new(),
            v_post: -65.0,
            v_pre: None,
            duration: 50.0,
            dt: 0.1,
            record: None,
            params: Vec::new(),
            method: None,
        }
    }
}

/// Why a single-synapse run was refused or failed: one line, naming the option and the accepted
/// values.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RunError {
    /// No synapse model of that name.
    #[error("unknown synapse model `{name}` (synapse models: {known})")]
    UnknownModel {
        /// The name given.
        name: String,
        /// The synapse models, comma-separated.
        known: String,
    },
    /// A setting out of its domain.
    #[error("invalid {option} {value}: {reason}")]
    Invalid {
        /// The command-line option (`--dt`, `--duration`, `--v-post`, `--spikes`).
        option: &'static str,
        /// The value given, as printed by `{}` (shortest form that reads back the same number).
        value: String,
        /// What is wrong, and what is accepted.
        reason: String,
    },
    /// `--set` of a parameter the model does not have.
    #[error("model `{model}` has no parameter `{name}` (--set accepts: {known})")]
    UnknownParameter {
        /// The model's command-line name.
        model: String,
        /// The name given.
        name: String,
        /// The model's parameters, comma-separated.
        known: String,
    },
    /// `--method` the model does not support.
    #[error("model `{model}` does not support method `{method}` (--method accepts: {supported})")]
    UnsupportedMethod {
        /// The model's command-line name.
        model: String,
        /// The method given.
        method: String,
        /// The supported methods, comma-separated.
        supported: String,
    },
    /// `--record` of a variable the run does not have.
    #[error("unknown variable `{name}` for --record of `{model}` (accepted: {accepted})")]
    UnknownVariable {
        /// The model's command-line name.
        model: String,
        /// The name given.
        name: String,
        /// Every accepted name, comma-separated.
        accepted: String,
    },
    /// The runtime refused the network or the run failed.
    #[error("{0}")]
    Runtime(#[from] Error),
}

/// A finished single-synapse run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The recorded variables, one row per time from t = 0 (the initial state) to the end of
    /// the run, each labelled with the time of the values it holds; columns named
    /// `<object>.<variable>[0]` (`pre.spike[0]` is 1 at the row of each spike's time).
    pub recording: Recording,
    /// Times of the steps at which the presynaptic neuron spiked (ms).
    pub spike_times: Vec<f64>,
    /// Steps simulated.
    pub steps: u64,
    /// The synapse model.
    pub info: &'static ModelInfo,
    /// Step (ms).
    pub dt: f64,
    /// Potential of the clamp (mV).
    pub v_post: f64,
    /// Membrane potential of the presynaptic neuron (mV).
    pub v_pre: f64,
}

/// A recordable quantity of the single-synapse network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    PreSpike,
    PreV,
    PostV,
    PostISyn,
    Syn(usize),
}

/// Names of the non-synapse quantities `--record` accepts, with what they are.
const NEURON_ITEMS: [(&str, Item); 4] = [
    ("pre.spike", Item::PreSpike),
    ("pre.V", Item::PreV),
    ("post.V", Item::PostV),
    ("post.I_syn", Item::PostISyn),
];

/// Every name `--record` accepts for synapse model `info`: its stored variables (bare or as
/// `syn.<name>`), and `pre.spike` (1 on a presynaptic spike step, else 0), `pre.V`, `post.V`
/// and `post.I_syn` (the current the synapse delivers to the clamp, nA).
pub fn record_names(info: &ModelInfo) -> Vec<String> {
    let mut names: Vec<String> = info.states.iter().map(|s| s.name.to_string()).collect();
    names.extend(info.states.iter().map(|s| format!("syn.{}", s.name)));
    names.extend(NEURON_ITEMS.iter().map(|(n, _)| n.to_string()));
    names
}

/// What is recorded without `--record`: `pre.spike`, `post.V`, `post.I_syn`, then every stored
/// variable of the synapse.
pub fn default_record(info: &ModelInfo) -> Vec<String> {
    let mut names = vec![
        "pre.spike".to_string(),
        "post.V".to_string(),
        "post.I_syn".to_string(),
    ];
    names.extend(info.states.iter().map(|s| format!("syn.{}", s.name)));
    names
}

/// Unit of a recorded column of a single-synapse run of model `info`, from its name
/// (`syn.s[0]`, `post.V[0]`, ...): `""` for a name the run does not record.
pub fn column_unit(info: &ModelInfo, name: &str) -> &'static str {
    let var = name.split('[').next().unwrap_or(name);
    match var {
        "pre.V" | "post.V" => "mV",
        "post.I_syn" => "nA",
        "pre.spike" => "1",
        _ => var
            .strip_prefix("syn.")
            .and_then(|v| info.column(v))
            .map_or("", |i| info.states[i].unit),
    }
}

fn resolve_item(info: &ModelInfo, model: &str, name: &str) -> Result<Item, RunError> {
    if let Some((_, item)) = NEURON_ITEMS.iter().find(|(n, _)| *n == name) {
        return Ok(*item);
    }
    let bare = name.strip_prefix("syn.").unwrap_or(name);
    info.column(bare)
        .map(Item::Syn)
        .ok_or_else(|| RunError::UnknownVariable {
            model: model.to_string(),
            name: name.to_string(),
            accepted: record_names(info).join(", "),
        })
}

/// Steps below this (ms, a nanosecond) are taken for a mistake when a run is too long.
const MIN_SANE_DT: f64 = 1e-6;

fn invalid(option: &'static str, value: f64, reason: impl Into<String>) -> RunError {
    RunError::Invalid {
        option,
        value: num(value),
        reason: reason.into(),
    }
}

/// The steps of `--duration` at `--dt` ([`steps_for`]): a duration that is not a whole number
/// of steps is refused as [`RunError::Invalid`] of `--duration`, never rounded.
pub(crate) fn whole_steps(duration: f64, dt: f64) -> Result<u64, RunError> {
    match steps_for(duration, dt) {
        Err(Error::DurationNotWhole { below, above, .. }) => {
            let near: Vec<String> = [below, above]
                .into_iter()
                .filter(|&k| k > 0)
                .map(|k| format!("{} ms", num(k as f64 * dt)))
                .collect();
            Err(invalid(
                "--duration",
                duration,
                format!(
                    "it is {} steps of {} ms (--dt), not a whole number: give {}",
                    num(duration / dt),
                    num(dt),
                    near.join(" or ")
                ),
            ))
        }
        Ok(0) => Err(invalid(
            "--duration",
            duration,
            format!("it is shorter than one step of {} ms (--dt)", num(dt)),
        )),
        other => Ok(other?),
    }
}

/// A checked configuration: the steps to run, the train, the items to record.
struct Plan {
    steps: u64,
    train: SpikeTrain,
    items: Vec<Item>,
}

/// Checks `cfg` against synapse model `info` (named `model` on the command line).
fn plan(info: &ModelInfo, model: &str, cfg: &RunConfig) -> Result<Plan, RunError> {
    if !(cfg.dt.is_finite() && cfg.dt > 0.0 && cfg.dt <= MAX_DT) {
        return Err(invalid(
            "--dt",
            cfg.dt,
            format!(
                "the step must be a number of ms greater than 0 and at most {}",
                num(MAX_DT)
            ),
        ));
    }
    if !(cfg.duration.is_finite() && cfg.duration > 0.0 && cfg.duration <= MAX_DURATION) {
        return Err(invalid(
            "--duration",
            cfg.duration,
            format!(
                "the duration must be a number of ms greater than 0 and at most {MAX_DURATION:e}"
            ),
        ));
    }
    let steps_needed = (cfg.duration / cfg.dt).ceil();
    if steps_needed > MAX_STEPS as f64 {
        // Blame the step when it is what is absurd (below a nanosecond).
        let (option, value) = if cfg.dt < MIN_SANE_DT {
            ("--dt", cfg.dt)
        } else {
            ("--duration", cfg.duration)
        };
        return Err(invalid(
            option,
            value,
            format!(
                "{} ms in steps of {} ms is {} steps; a run records at most {MAX_STEPS} steps \
                 (raise --dt or shorten --duration)",
                num(cfg.duration),
                num(cfg.dt),
                if steps_needed < 1e15 {
                    format!("{steps_needed}")
                } else {
                    format!("{steps_needed:.2e}")
                }
            ),
        ));
    }
    let steps = whole_steps(cfg.duration, cfg.dt)?;
    if !cfg.v_post.is_finite() {
        return Err(invalid(
            "--v-post",
            cfg.v_post,
            "the clamp potential must be a finite number of mV",
        ));
    }
    if let Some(v) = cfg.v_pre.filter(|v| !v.is_finite()) {
        return Err(invalid(
            "--v-pre",
            v,
            "the presynaptic potential must be a finite number of mV",
        ));
    }
    let train = spike_train(&cfg.spikes, cfg.dt, steps)?;
    for (name, value) in &cfg.params {
        if info.param(name).is_none() {
            return Err(RunError::UnknownParameter {
                model: model.to_string(),
                name: name.clone(),
                known: info.param_names(),
            });
        }
        if !value.is_finite() {
            return Err(RunError::Invalid {
                option: "--set",
                value: format!("{name}={value}"),
                reason: "the value must be a finite number".into(),
            });
        }
    }
    if let Some(m) = cfg.method {
        if !info.methods.contains(&m) {
            return Err(RunError::UnsupportedMethod {
                model: model.to_string(),
                method: m.name().to_string(),
                supported: info.method_names(),
            });
        }
    }
    let names = match &cfg.record {
        Some(names) => names.clone(),
        None => default_record(info),
    };
    let mut items = Vec::new();
    for name in &names {
        let item = resolve_item(info, model, name)?;
        if !items.contains(&item) {
            items.push(item);
        }
    }
    Ok(Plan {
        steps,
        train,
        items,
    })
}

/// The presynaptic train, checked: finite, non-negative, strictly increasing, one spike per step,
/// every spike inside the run.
fn spike_train(spikes: &[f64], dt: f64, steps: u64) -> Result<SpikeTrain, RunError> {
    let bad = |t: f64, reason: String| invalid("--spikes", t, reason);
    for (k, &t) in spikes.iter().enumerate() {
        if !t.is_finite() || t < 0.0 {
            return Err(bad(
                t,
                "spike times must be finite, non-negative numbers of ms".into(),
            ));
        }
        if k > 0 && t <= spikes[k - 1] {
            return Err(bad(
                t,
                format!(
                    "spike times must increase: {} ms comes after {} ms",
                    t,
                    spikes[k - 1]
                ),
            ));
        }
    }
    let train = SpikeTrain::single(spikes)?;
    if let Err(Error::InvalidInput { reason, .. }) = train.check_grid(dt) {
        return Err(RunError::Invalid {
            option: "--spikes",
            value: list(spikes),
            reason,
        });
    }
    if let Err(e) = train.check_resolution(dt) {
        let reason = match e {
            Error::InvalidInput { reason, .. } => format!("{reason}; use a smaller --dt"),
            other => other.to_string(),
        };
        return Err(RunError::Invalid {
            option: "--spikes",
            value: list(spikes),
            reason,
        });
    }
    if let Some(&last) = train.spike_steps(0, dt).last() {
        if last >= steps {
            let t = spikes.last().copied().unwrap_or_default();
            return Err(bad(
                t,
                format!(
                    "the spike falls after the last step of the run ({} ms); lengthen --duration",
                    fmt_short((steps.max(1) - 1) as f64 * dt)
                ),
            ));
        }
    }
    Ok(train)
}

/// A number for people: at most 6 significant digits, no trailing zeros, scientific notation
/// below 1e-4 and from 1e6 in magnitude (`49.9`, `-65`, `1.5625e-7`).
pub fn fmt_short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}").replace("-0", "0");
    }
    let a = x.abs();
    if !(1e-4..1e6).contains(&a) {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{exp}", trim_zeros(mantissa));
    }
    let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
    trim_zeros(&format!("{x:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

fn list(xs: &[f64]) -> String {
    xs.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs synapse model `model` (the command line's name, see [`catalog::MODELS`]) with its
/// defaults, as configured by `cfg`.
///
/// Errors: [`RunError::UnknownModel`] for a name that is not a synapse model; the errors of
/// [`run_model`].
pub fn run(model: &str, cfg: &RunConfig) -> Result<Outcome, RunError> {
    struct Task<'a> {
        name: &'a str,
        cfg: &'a RunConfig,
    }
    impl SynapseTask for Task<'_> {
        type Output = Result<Outcome, RunError>;
        fn run<S: SynapseModel + Default>(self) -> Self::Output {
            run_model(S::default(), self.name, self.cfg)
        }
    }
    catalog::with_synapse(model, Task { name: model, cfg }).unwrap_or_else(|| {
        Err(RunError::UnknownModel {
            name: model.to_string(),
            known: catalog::synapse_names(),
        })
    })
}

/// Runs `model` (named `name` in messages) between a [`SpikeTrain`] and a [`Clamp`] as configured
/// by `cfg`.
///
/// Errors: [`RunError::Invalid`] for a setting out of its domain (step, duration, clamp
/// potential, spike times, parameter values), [`RunError::UnknownParameter`],
/// [`RunError::UnsupportedMethod`], [`RunError::UnknownVariable`]; [`RunError::Runtime`] when
/// the run fails (a parameter the model refuses, a state that becomes NaN, ...).
pub fn run_model<S: SynapseModel>(
    mut model: S,
    name: &str,
    cfg: &RunConfig,
) -> Result<Outcome, RunError> {
    let plan = plan(S::INFO, name, cfg)?;
    for (param, value) in &cfg.params {
        model.set_param(param, *value)?;
    }
    let spike_times: Vec<f64> = plan
        .train
        .spike_steps(0, cfg.dt)
        .into_iter()
        .map(|k| k as f64 * cfg.dt)
        .collect();
    let mut net = Network::new(cfg.dt)?;
    crate::progress::show(&mut net);
    let v_pre = cfg.v_pre.unwrap_or(cfg.v_post);
    let pre = net.add_population("pre", 1, plan.train.with_v_rest(v_pre)?)?;
    let mut clamp = Clamp::default();
    clamp.set_param("V_clamp", cfg.v_post)?;
    let post = net.add_population("post", 1, clamp)?;
    let syn = net.add_projection("syn", model, pre, post, &Connect::AllToAll)?;
    net.set_order(&[pre.into(), syn.into(), post.into()])?;
    if let Some(m) = cfg.method {
        net.set_method(syn, m)?;
    }
    // One synapse: every stored variable of it, derived ones included, is recorded as such.
    net.set_storage(syn, Storage::PerSynapse)?;
    let spikes = net.record_spikes(pre)?;
    let mut monitors = Vec::new();
    for &item in &plan.items {
        let id = match item {
            Item::PreSpike => None,
            Item::PreV => Some(net.record(pre, SpikeTrain::V)?),
            Item::PostV => Some(net.record(post, Clamp::V)?),
            Item::PostISyn => Some(net.record(post, Clamp::I_syn)?),
            Item::Syn(i) => {
                let var: Var<S> = Var::new(i, S::INFO.states[i].name);
                Some(net.record(syn, var)?)
            }
        };
        monitors.push((item, id));
    }
    net.run_steps(plan.steps)?;

    let n = plan.steps as usize;
    let t: Vec<f64> = (0..=n).map(|i| i as f64 * cfg.dt).collect();
    let mut columns = Vec::new();
    for (item, id) in monitors {
        let (name, values) = match (item, id) {
            (Item::Syn(i), Some(id)) => (
                format!("syn.{}[0]", S::INFO.states[i].name),
                net.trace(id)?.column(0),
            ),
            (Item::PreSpike, _) => {
                let mut v = vec![0.0; n + 1];
                for &k in &net.spikes(spikes)?.steps {
                    if let Some(x) = v.get_mut(k as usize) {
                        *x = 1.0;
                    }
                }
                ("pre.spike[0]".to_string(), v)
            }
            (Item::PreV, Some(id)) => ("pre.V[0]".to_string(), net.trace(id)?.column(0)),
            (Item::PostV, Some(id)) => ("post.V[0]".to_string(), net.trace(id)?.column(0)),
            (Item::PostISyn, Some(id)) => ("post.I_syn[0]".to_string(), net.trace(id)?.column(0)),
            (_, None) => continue,
        };
        columns.push(Column { name, values });
    }
    Ok(Outcome {
        recording: Recording { t, columns },
        spike_times,
        steps: plan.steps,
        info: S::INFO,
        dt: cfg.dt,
        v_post: cfg.v_post,
        v_pre,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(spikes: &[f64]) -> RunConfig {
        RunConfig {
            spikes: spikes.to_vec(),
            ..RunConfig::default()
        }
    }

    #[test]
    fn exponential_decays_from_each_spike() {
        let out = run("exponential", &cfg(&[10.0, 20.5])).unwrap();
        let rec = &out.recording;
        // t = 0 (the initial state), then the end of each of the 500 steps.
        assert_eq!(rec.t.len(), 501);
        assert_eq!(rec.t[500], 50.0);
        assert_eq!(out.spike_times, vec![100.0 * 0.1, 205.0 * 0.1]);
        let names: Vec<&str> = rec.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["pre.spike[0]", "post.V[0]", "post.I_syn[0]", "syn.s[0]"]
        );
        // The spike of step 100 (t = 10 ms) kicks s in that step: row 101 (t = 10.1 ms) is the
        // first to hold it.
        let s = rec.column("syn.s[0]").unwrap();
        assert!(s[..101].iter().all(|&x| x == 0.0));
        assert_eq!(s[101], 1.0);
        for (k, &x) in s.iter().enumerate().take(206).skip(101) {
            let want = (-((k - 101) as f64) * 0.1 / 8.0).exp();
            assert!((x - want).abs() < 1e-12, "row {k}");
        }
        let want = (-(105.0f64) * 0.1 / 8.0).exp() + 1.0;
        assert!((s[206] - want).abs() < 1e-12);
        // Current output w·s reaches the clamp in the same step; V does not move.
        let i = rec.column("post.I_syn[0]").unwrap();
        for k in 0..=500 {
            assert!((i[k] - 0.1 * s[k]).abs() < 1e-15, "row {k}");
        }
        assert!(rec.column("post.V[0]").unwrap().iter().all(|&v| v == -65.0));
        let spikes = rec.column("pre.spike[0]").unwrap();
        assert_eq!(spikes.iter().sum::<f64>(), 2.0);
        assert_eq!((spikes[100], spikes[205]), (1.0, 1.0));
    }

    #[test]
    fn conductance_current_uses_the_clamp_potential() {
        let c = RunConfig {
            v_post: -40.0,
            record: Some(vec!["s".into(), "post.I_syn".into()]),
            ..cfg(&[1.0])
        };
        let out = run("ampa", &c).unwrap();
        let rec = &out.recording;
        assert_eq!(rec.columns.len(), 2);
        let (s, i) = (
            rec.column("syn.s[0]").unwrap(),
            rec.column("post.I_syn[0]").unwrap(),
        );
        assert!(s[11] > 0.0);
        for k in 0..s.len() {
            assert!(
                (i[k] - (-0.42 * s[k] * (-40.0 - 0.0))).abs() < 1e-12,
                "step {k}"
            );
        }
    }

    #[test]
    fn settings_parameters_and_method_apply() {
        let c = RunConfig {
            params: vec![("tau".into(), 2.0), ("w".into(), 3.0)],
            method: Some(Method::Euler),
            duration: 5.0,
            dt: 0.5,
            ..cfg(&[0.0])
        };
        let out = run("exponential", &c).unwrap();
        let s = out.recording.column("syn.s[0]").unwrap();
        assert_eq!(
            out.recording.t,
            vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
        );
        // Euler with dt/τ = 0.25: s ← 0.75·s, from the kick of the spike at t = 0.
        assert_eq!(s[0], 0.0);
        assert_eq!(s[1], 1.0);
        assert_eq!(s[2], 0.75);
        assert_eq!(s[3], 0.5625);
        assert_eq!(
            out.recording.column("post.I_syn[0]").unwrap()[2],
            3.0 * 0.75
        );
    }

    #[test]
    fn every_synapse_model_runs_with_defaults() {
        for e in catalog::MODELS.iter().filter(|e| e.is_synapse()) {
            let out =
                run(e.name, &cfg(&[5.0, 12.0])).unwrap_or_else(|err| panic!("{}: {err}", e.name));
            assert_eq!(out.recording.t.len(), 501, "{}", e.name);
            assert_eq!(
                out.recording.columns.len(),
                3 + e.info.states.len(),
                "{}",
                e.name
            );
            for c in &out.recording.columns {
                assert!(
                    c.values.iter().all(|v| v.is_finite()),
                    "{} {}",
                    e.name,
                    c.name
                );
            }
        }
    }

    #[test]
    fn bad_settings_name_the_option() {
        let cases: Vec<(RunConfig, &str)> = vec![
            (
                RunConfig {
                    dt: 0.0,
                    ..cfg(&[1.0])
                },
                "invalid --dt 0:",
            ),
            (
                RunConfig {
                    dt: f64::NAN,
                    ..cfg(&[1.0])
                },
                "invalid --dt NaN",
            ),
            (
                RunConfig {
                    duration: -1.0,
                    ..cfg(&[1.0])
                },
                "invalid --duration -1:",
            ),
            (
                RunConfig {
                    duration: 2e7,
                    ..cfg(&[1.0])
                },
                "at most 1e7",
            ),
            (
                RunConfig {
                    duration: 1e7,
                    dt: 0.1,
                    ..cfg(&[1.0])
                },
                "at most 5000000 steps",
            ),
            (
                RunConfig {
                    v_post: f64::INFINITY,
                    ..cfg(&[1.0])
                },
                "invalid --v-post inf",
            ),
            (
                RunConfig {
                    v_pre: Some(f64::NAN),
                    ..cfg(&[1.0])
                },
                "invalid --v-pre NaN",
            ),
            (cfg(&[-1.0]), "invalid --spikes -1:"),
            (cfg(&[5.0, 3.0]), "3 ms comes after 5 ms"),
            (cfg(&[5.0, 5.0]), "must increase"),
            (
                cfg(&[5.0, 5.01]),
                "spike time 5.01 ms is 50.099999999999994 steps of dt = 0.1 ms, off the step grid",
            ),
            (cfg(&[5.0, 5.0 + 1e-12]), "fall in the same step"),
            (
                RunConfig {
                    dt: 1e-12,
                    ..cfg(&[1.0])
                },
                "invalid --dt 1e-12: 50 ms in steps of 1e-12 ms is 50000000000000 steps",
            ),
            (cfg(&[50.0]), "after the last step of the run (49.9 ms)"),
            (
                RunConfig {
                    params: vec![("tua".into(), 1.0)],
                    ..cfg(&[1.0])
                },
                "model `exponential` has no parameter `tua` (--set accepts: tau, w, delay)",
            ),
            (
                RunConfig {
                    params: vec![("tau".into(), f64::NAN)],
                    ..cfg(&[1.0])
                },
                "invalid --set tau=NaN",
            ),
            (
                RunConfig {
                    record: Some(vec!["q".into()]),
                    ..cfg(&[1.0])
                },
                "unknown variable `q` for --record of `exponential` (accepted: s, syn.s, pre.spike",
            ),
            (
                RunConfig {
                    params: vec![("tau".into(), 0.0)],
                    ..cfg(&[1.0])
                },
                "invalid value 0 for parameter `tau` of model `Exponential`: it must be positive",
            ),
            (
                RunConfig {
                    params: vec![("w".into(), 1.7e308)],
                    ..cfg(&[1.0, 2.0])
                },
                "non-finite value inf",
            ),
        ];
        for (c, needle) in cases {
            let e = run("exponential", &c).unwrap_err().to_string();
            assert!(e.contains(needle), "{e:?} lacks {needle:?}");
            assert!(!e.contains('\n'), "{e:?}");
        }
        let e = run("lif", &cfg(&[1.0])).unwrap_err().to_string();
        assert!(
            e.starts_with("unknown synapse model `lif` (synapse models: ampa, nmda"),
            "{e}"
        );
        let e = RunConfig {
            method: Some(Method::Exact),
            ..cfg(&[1.0])
        };
        let e = run("nmda", &e).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            e,
            "model `nmda` does not support method `exact` (--method accepts: euler, rk2, rk4, \
             exp_euler)"
        );
    }

    #[test]
    fn short_numbers() {
        for (x, want) in [
            (49.900000000000006, "49.9"),
            (-65.0, "-65"),
            (0.0, "0"),
            (-0.0, "0"),
            (1.5625e-7, "1.5625e-7"),
            (0.74842767301, "0.748428"),
            (118.3, "118.3"),
            (123456.7, "123457"),
            (2.5e7, "2.5e7"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(fmt_short(x), want, "{x}");
        }
    }

    #[test]
    fn an_empty_train_and_a_spike_at_zero_are_fine() {
        let out = run("nmda", &cfg(&[])).unwrap();
        assert!(out.spike_times.is_empty());
        assert!(out
            .recording
            .column("syn.s[0]")
            .unwrap()
            .iter()
            .all(|&s| s == 0.0));
        let out = run("nmda", &cfg(&[0.0])).unwrap();
        assert_eq!(out.spike_times, vec![0.0]);
        let x = out.recording.column("syn.x[0]").unwrap();
        assert_eq!(x[0], 0.0);
        assert!(x[1] > 0.0);
    }
}
