//! The `neurode` command line: `models`, `describe`, `tutorial` and `run`.
//!
//! [`main`] parses the arguments, runs the command and maps every failure to one line on stderr
//! (`error: ...`) and a non-zero exit code: 2 for bad input (unknown model, protocol, parameter,
//! method or variable, a value that is not a number or out of its domain), 1 when a run or a
//! write fails. Files are written whole or not at all
//! ([`write_file`](crate::output::write_file)).

mod describe;
mod summary;

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use neurode::runtime::{Method, ModelInfo, ModelKind};

pub use describe::describe;
pub use summary::{protocol_summary, run_summary};

use crate::catalog;
use crate::neuron::{self, NeuronConfig};
use crate::plot;
use crate::single::{self, RunConfig, RunError};
use neurode::tutorial::{Overrides, Protocol};

/// The simulated duration of `neurode run` without `--duration` (ms), and how far past the
/// last presynaptic spike it reaches when that spike falls later.
const DEFAULT_DURATION: f64 = 50.0;

/// The simulated duration of `neurode run` for a neuron without `--duration` (ms).
const DEFAULT_NEURON_DURATION: f64 = 200.0;

/// Synapse and neuron models of the "Synaptic Models" chapter: list, describe, run.
#[derive(Debug, Parser)]
#[command(name = "neurode", version, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every model with its one-line summary.
    Models,
    /// Show a model's equations, parameters, states and integration methods.
    Describe {
        /// Model name, as listed by `neurode models` (e.g. ampa, nmda, lif).
        model: String,
    },
    /// Run a protocol of the chapter: write its figure, print its key numbers.
    Tutorial(TutorialArgs),
    /// Run one synapse, driven by presynaptic spikes at given times, onto a clamped neuron.
    Run(Box<RunArgs>),
}

/// Arguments of `neurode tutorial`.
#[derive(Debug, Args)]
pub struct TutorialArgs {
    /// Protocol (ampa, nmda, gaba_a, gaba_b, two_exponentials, alpha, exponential,
    /// voltage_jump, gap_junction) or `all`.
    pub protocol: String,
    /// Directory of the figures (`<DIR>/<protocol>.png`), created if missing.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub out: PathBuf,
    /// Also write every recorded value at every step as CSV (one protocol only, not `all`).
    /// Outputs replace a file whole, through a symbolic link to the file it points to; a file
    /// you could not write with `>` is refused.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Change a parameter of the protocol's synapse (repeatable; one protocol only).
    #[arg(long = "set", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Integration method of the synapse instead of the chapter's
    /// (euler, rk2, rk4, exp_euler, exact).
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
}

/// Arguments of `neurode run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Model, as listed by `neurode models`: a synapse (e.g. ampa, nmda, exponential), driven
    /// by presynaptic spikes onto a clamped neuron, or a neuron (lif, lif_coba, adex, exp_if,
    /// izhikevich, hodgkin_huxley) under a constant current.
    pub model: String,
    /// Synapses: presynaptic spike times (ms), comma-separated, increasing, e.g. 10,20.5 (may be
    /// empty; required for a synapse).
    #[arg(long, value_name = "MS,MS,...", allow_hyphen_values = true)]
    pub spikes: Option<String>,
    /// Neurons: a parameter set of the model (adex: tonic, adapting, initial_burst, bursting,
    /// irregular; izhikevich: rs, ib, ch, fs, lts), with its paper's current.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Neurons: the constant current, instead of the preset's: the bias I_e in the model's unit
    /// (pA for adex, exp_if and izhikevich; uA/cm^2 for hodgkin_huxley), or for lif and lif_coba
    /// an input in nA. A unit suffix is converted exactly (`0.8nA`, `800pA`; `10uA/cm^2`); a
    /// current for a model that takes a density is refused. Every quantity below (times,
    /// potentials, `--set` values) takes a suffix of its kind the same way (`1s`, `100us`).
    #[arg(long, value_name = "CURRENT", allow_hyphen_values = true)]
    pub current: Option<String>,
    /// Potential the postsynaptic neuron is clamped at (mV).
    #[arg(
        long = "v-post",
        value_name = "MV",
        default_value = "-65",
        allow_hyphen_values = true
    )]
    pub v_post: String,
    /// Membrane potential of the presynaptic neuron (mV); default: the value of --v-post, so that
    /// a gap junction carries no current between spikes.
    #[arg(long = "v-pre", value_name = "MV", allow_hyphen_values = true)]
    pub v_pre: Option<String>,
    /// Simulated duration (ms, at most 1e7); default: 50, or 50 past the last time of --spikes
    /// when a spike falls at or after 50 ms.
    #[arg(long, value_name = "MS", allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Integration step (ms).
    #[arg(
        long,
        value_name = "MS",
        default_value = "0.1",
        allow_hyphen_values = true
    )]
    pub dt: String,
    /// Variables to record, comma-separated: the synapse's (s, x, ... or syn.s), pre.spike,
    /// pre.V, post.V, post.I_syn. Default: pre.spike, post.V, post.I_syn and every stored
    /// variable of the synapse. For a neuron, its variables (default: its states).
    #[arg(long, value_name = "VARS")]
    pub record: Option<String>,
    /// Write the recorded values, every step, as CSV (`-`: standard output). A symbolic link
    /// is followed and the file it points to replaced whole; a file you could not write with
    /// `>` is refused.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write every spike as CSV (`-`: standard output), one line `step,t` per spike: the step
    /// (from 0) and the time in ms, at full precision. For a neuron, its spikes, at the located
    /// crossing for models that locate it (adex, exp_if, izhikevich), else at the start of the
    /// step in which it spiked; for a synapse, the presynaptic spikes. Files are replaced as
    /// for --csv.
    #[arg(long = "spikes-csv", value_name = "FILE")]
    pub spikes_csv: Option<PathBuf>,
    /// Draw the recorded variables into a PNG figure.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Change a parameter of the model (repeatable; for a neuron, after the preset).
    #[arg(long = "set", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Integration method instead of the model's default.
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
}

/// A failure of the command line, printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: unknown names, values that are not numbers or out of their domain.
    #[error("{0}")]
    Usage(String),
    /// A single-synapse run refused its settings or failed.
    #[error("{0}")]
    Run(#[from] RunError),
    /// A chapter protocol failed.
    #[error("protocol `{protocol}`: {source}")]
    Protocol {
        /// The protocol.
        protocol: &'static str,
        /// The runtime's error.
        source: neurode::runtime::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A figure could not be drawn.
    #[error("{0}")]
    Plot(#[from] plot::PlotError),
}

impl CliError {
    /// Exit code: 2 for bad input, 1 for failures while running or writing.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            // A value out of its domain is bad input, even though the runtime found it.
            CliError::Run(RunError::Runtime(
                neurode::runtime::Error::InvalidParameter { .. }
                | neurode::runtime::Error::NegativeDelay { .. },
            )) => 2,
            CliError::Run(RunError::Runtime(_)) => 1,
            CliError::Protocol {
                source:
                    neurode::runtime::Error::InvalidParameter { .. }
                    | neurode::runtime::Error::NegativeDelay { .. },
                ..
            } => 2,
            CliError::Run(_) => 2,
            CliError::Protocol { .. } | CliError::Io { .. } | CliError::Plot(_) => 1,
        }
    }
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

/// Refuses, before anything runs, outputs that would write one file (the second would
/// overwrite the first) and files the caller could not open for writing (as `>` would refuse
/// them; [`crate::output::check_replaceable`]).
fn check_outputs(outputs: &[(&str, &Path)]) -> Result<(), CliError> {
    if let Some((first, second, path)) = crate::output::same_file(outputs) {
        return Err(usage(format!(
            "{first} and {second} would both write {}: give each output its own file",
            path.display()
        )));
    }
    for (_, path) in outputs {
        crate::output::check_replaceable(path).map_err(usage)?;
    }
    Ok(())
}

/// The outputs of a run: `--csv`, `--spikes-csv` and `--png`.
fn run_outputs(args: &RunArgs) -> Result<(), CliError> {
    let mut outputs = Vec::new();
    if let Some(csv) = &args.csv {
        outputs.push(("--csv", csv.as_path()));
    }
    if let Some(csv) = &args.spikes_csv {
        outputs.push(("--spikes-csv", csv.as_path()));
    }
    if let Some(png) = &args.png {
        outputs.push(("--png", png.as_path()));
    }
    check_outputs(&outputs)
}

/// The `neurode` binary: parses `std::env::args`, runs, reports.
pub fn main() -> ExitCode {
    crate::output::clean_up_on_signals();
    let mut stdout = io::stdout().lock();
    match run_cli(std::env::args_os(), &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        // Standard output went away (`neurode tutorial all | head -1`): stop, with no message
        // and the status of a process ended by SIGPIPE, as the work was not all done.
        Err(CliError::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(141)
        }
        Err(e) => {
            let _ = stdout.flush();
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Parses `args` (the first is the program name) and runs the command, printing to `out`.
/// `--help` and `--version` print to `out` and succeed.
///
/// Errors: [`CliError`], whose `Display` is one line.
pub fn run_cli<I, T>(args: I, out: &mut dyn Write) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return handle_clap_error(e, out),
    };
    match cli.command {
        Command::Models => models(out),
        Command::Describe { model } => {
            let entry = catalog::find(&model).ok_or_else(|| {
                usage(format!(
                    "unknown model `{model}` (models: {})",
                    catalog::names()
                ))
            })?;
            say(out, &describe(entry.name, entry.info))
        }
        Command::Tutorial(args) => tutorial(&args, out),
        Command::Run(args) => run(&args, out),
    }
}

/// Help and version go to `out`; every other clap error becomes one line.
fn handle_clap_error(e: clap::Error, out: &mut dyn Write) -> Result<(), CliError> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            say(out, e.render().to_string().trim_end())
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Err(usage(
            "missing command: models, describe, tutorial or run (see `neurode --help`)",
        )),
        _ => Err(usage(one_line(&e.render().to_string()))),
    }
}

/// A clap message on one line: the text before `Usage:`, lines joined, `error: ` dropped.
fn one_line(text: &str) -> String {
    let body: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut joined = String::new();
    for line in body {
        if !joined.is_empty() {
            joined.push_str(if joined.ends_with(':') { " " } else { "; " });
        }
        joined.push_str(line);
    }
    let joined = joined.strip_prefix("error: ").unwrap_or(&joined);
    format!("{joined} (see `neurode --help`)")
}

fn say(out: &mut dyn Write, text: &str) -> Result<(), CliError> {
    writeln!(out, "{text}").map_err(|source| CliError::Io {
        path: PathBuf::from("<stdout>"),
        source,
    })
}

fn models(out: &mut dyn Write) -> Result<(), CliError> {
    let width = catalog::MODELS
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (kind, heading) in [
        (ModelKind::Neuron, "Neurons"),
        (ModelKind::Synapse, "Synapses"),
    ] {
        text.push_str(heading);
        text.push('\n');
        for e in catalog::MODELS.iter().filter(|e| e.info.kind == kind) {
            text.push_str(&format!("  {:width$}  {}\n", e.name, e.summary()));
        }
    }
    text.push_str("\n`neurode describe <model>` shows a model's equations and parameters.");
    say(out, &text)
}

/// Parses a number given to `option`: finite, as Rust parses `f64` (`-65`, `0.1`, `1e-3`).
///
/// Error: [`CliError::Usage`] naming the option, the text and what is expected.
pub fn parse_number(option: &str, text: &str, expected: &str) -> Result<f64, CliError> {
    let trimmed = text.trim();
    match trimmed.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(usage(format!(
            "invalid {option} `{text}`: not a finite number (expected {expected})"
        ))),
        Err(_) => Err(usage(format!(
            "invalid {option} `{text}`: not a number (expected {expected})"
        ))),
    }
}

/// Parses a quantity given to `option` in `unit`: a number as for [`parse_number`],
/// optionally followed by a unit of the same kind, converted exactly (`0.8nA` for a value in
/// pA is 800; see [`crate::quantity`]).
///
/// Error: [`CliError::Usage`] naming the option, the text and what is expected.
pub fn parse_quantity(
    option: &str,
    text: &str,
    unit: &str,
    expected: &str,
) -> Result<f64, CliError> {
    use crate::quantity::Refusal;
    crate::quantity::parse(text, unit).map_err(|r| {
        usage(match r {
            Refusal::NotANumber => {
                format!("invalid {option} `{text}`: not a number (expected {expected})")
            }
            Refusal::NotFinite => {
                format!("invalid {option} `{text}`: not a finite number (expected {expected})")
            }
            Refusal::UnknownUnit(u) => {
                format!("invalid {option} `{text}`: unknown unit `{u}` (expected {expected})")
            }
            Refusal::WrongUnit(u) => format!(
                "invalid {option} `{text}`: `{u}` is not a unit of {unit} (expected {expected})"
            ),
        })
    })
}

/// Parses one `--set NAME=VALUE` against the parameters of `info` (the model named `model`).
///
/// Error: [`CliError::Usage`] for a missing `=`, an unknown parameter (listing the model's) or a
/// value that is not a finite number.
pub fn parse_set(text: &str, model: &str, info: &ModelInfo) -> Result<(String, f64), CliError> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(usage(format!(
            "invalid --set `{text}`: expected NAME=VALUE, e.g. --set {}=1 (parameters of `{model}`: {})",
            info.params.first().map_or("name", |p| p.name),
            info.param_names()
        )));
    };
    let name = name.trim();
    let Some(i) = info.param(name) else {
        return Err(usage(format!(
            "model `{model}` has no parameter `{name}` (--set accepts: {})",
            info.param_names()
        )));
    };
    let unit = info.params[i].unit;
    let value = parse_quantity(
        &format!("--set {name}"),
        value,
        unit,
        &format!("a number in {unit}, or with a unit of its kind"),
    )?;
    Ok((name.to_string(), value))
}

/// `--set tau_m=… --set R=…` for `exp_if`: C = 1000·τ_m/R pF and g_L = 1000/R nS (as
/// [`neurode::models::ExpIf::with_tau_m_and_r`]), the one not given taken from the model's
/// values (the defaults: 20 ms, 100 MΩ), added to `params` as `--set C=… --set g_L=…`.
///
/// Error: [`CliError::Usage`] when `C` or `g_L` is also set, or a value is not positive.
fn exp_if_textbook(given: &[(&str, f64)], params: &mut Vec<(String, f64)>) -> Result<(), CliError> {
    if let Some((p, _)) = params.iter().find(|(p, _)| p == "C" || p == "g_L") {
        return Err(usage(format!(
            "--set {p} and --set tau_m/R both give exp_if's membrane: use C and g_L, or tau_m and R"
        )));
    }
    let defaults = neurode::models::ExpIf::default();
    let last = |name: &str| {
        given
            .iter()
            .rev()
            .find(|(p, _)| *p == name)
            .map(|&(_, v)| v)
    };
    let tau_m = last("tau_m").unwrap_or(defaults.C / defaults.g_L);
    let r = last("R").unwrap_or(1000.0 / defaults.g_L);
    let m = defaults
        .with_tau_m_and_r(tau_m, r)
        .map_err(|e| usage(e.to_string()))?;
    params.push(("C".into(), m.C));
    params.push(("g_L".into(), m.g_L));
    Ok(())
}

/// Parses `--method` for model `info` (named `model`).
///
/// Error: [`CliError::Usage`] for an unknown method or one the model does not support, listing
/// the accepted ones.
pub fn parse_method(text: &str, model: &str, info: &ModelInfo) -> Result<Method, CliError> {
    let Some(m) = Method::from_name(text.trim()) else {
        let all: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        return Err(usage(format!(
            "unknown method `{text}` (--method accepts: {})",
            all.join(", ")
        )));
    };
    if !info.methods.contains(&m) {
        return Err(usage(format!(
            "model `{model}` does not support method `{m}` (--method accepts: {})",
            info.method_names()
        )));
    }
    Ok(m)
}

/// Parses `--spikes`: comma-separated numbers (ms); the empty string is no spike. Order and sign
/// are checked by the run ([`single::run`]).
///
/// Error: [`CliError::Usage`] naming the item that is not a number.
pub fn parse_spikes(text: &str) -> Result<Vec<f64>, CliError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|item| {
            if item.trim().is_empty() {
                return Err(usage(format!(
                    "invalid --spikes `{text}`: empty item (expected comma-separated times in ms, e.g. 10,20.5)"
                )));
            }
            parse_quantity(
                "--spikes",
                item,
                "ms",
                "comma-separated times in ms, e.g. 10,20.5 or 10ms,0.0205s",
            )
        })
        .collect()
}

/// Parses `--record`: comma-separated names (checked by the run against the model), each
/// kept once (`v,v` records `v` once).
///
/// Error: [`CliError::Usage`] for an empty list or item.
pub fn parse_record(text: &str, model: &str, info: &ModelInfo) -> Result<Vec<String>, CliError> {
    let mut names: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(String::is_empty) {
        return Err(usage(format!(
            "invalid --record `{text}`: empty item (accepted for `{model}`: {})",
            single::record_names(info).join(", ")
        )));
    }
    // A name given twice is recorded once (the first place it is named).
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    Ok(names)
}

/// Writes `--spikes-csv`: a header `step,t`, then one line per spike.
fn write_spikes_csv(path: &Path, steps: &[u64], times: &[f64]) -> Result<(), CliError> {
    crate::output::write_file(path, |w| {
        writeln!(w, "step,t")?;
        for (step, t) in steps.iter().zip(times) {
            writeln!(w, "{step},{t}")?;
        }
        Ok(())
    })
    .map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The line the summary gains for `--spikes-csv`.
fn spikes_csv_line(path: &Path, n: usize) -> String {
    format!(
        "\n  spikes csv: {} ({n} spike{})",
        path.display(),
        if n == 1 { "" } else { "s" }
    )
}

fn write_csv(path: &Path, rec: &neurode::tutorial::Recording) -> Result<(), CliError> {
    crate::output::write_file(path, |w| rec.write_csv(w)).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn tutorial(args: &TutorialArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
    let protocols: Vec<Protocol> = if args.protocol == "all" {
        if args.csv.is_some() {
            return Err(usage(
                "--csv takes one protocol, not `all` (run `neurode tutorial <protocol> --csv FILE` for each)",
            ));
        }
        if !args.set.is_empty() {
            return Err(usage(
                "--set changes one protocol's synapse, not `all` (run `neurode tutorial <protocol> --set NAME=VALUE`)",
            ));
        }
        Protocol::ALL.to_vec()
    } else {
        match Protocol::from_name(&args.protocol) {
            Some(p) => vec![p],
            None => {
                return Err(usage(format!(
                    "unknown protocol `{}` (protocols: {}, all)",
                    args.protocol,
                    names.join(", ")
                )))
            }
        }
    };
    // Check every setting before running anything.
    let mut runs = Vec::new();
    for &p in &protocols {
        let info = p.model();
        let mut overrides = Overrides::default();
        for s in &args.set {
            overrides.params.push(parse_set(s, p.name(), info)?);
        }
        if let Some(m) = &args.method {
            overrides.method = Some(parse_method(m, p.name(), info)?);
        }
        runs.push((p, overrides));
    }
    if fs::metadata(&args.out).is_ok_and(|m| !m.is_dir()) {
        return Err(usage(format!(
            "--out {} is a file, not a directory",
            args.out.display()
        )));
    }
    fs::create_dir_all(&args.out).map_err(|source| CliError::Io {
        path: args.out.clone(),
        source,
    })?;
    let figures: Vec<PathBuf> = runs
        .iter()
        .map(|(p, _)| plot::figure_path(&args.out, *p))
        .collect();
    let mut outputs: Vec<(&str, &Path)> = figures
        .iter()
        .map(|f| ("the figure", f.as_path()))
        .collect();
    if let Some(csv) = &args.csv {
        outputs.push(("--csv", csv.as_path()));
    }
    check_outputs(&outputs)?;
    for (k, (p, overrides)) in runs.iter().enumerate() {
        let mut text = run_protocol(*p, overrides, &args.out, args.csv.as_deref())?;
        if k + 1 < runs.len() {
            text.push('\n');
        }
        say(out, &text)?;
    }
    Ok(())
}

/// Runs chapter protocol `p` with `overrides`, writes its figure `<dir>/<protocol>.png` (the
/// directory must exist) and, with `csv`, every recorded value; returns the key numbers and
/// the files written, as `neurode tutorial` prints them.
///
/// Errors: [`CliError::Protocol`] when the run fails, [`CliError::Plot`] and [`CliError::Io`]
/// when a file cannot be written (nothing partial is left).
pub fn run_protocol(
    p: Protocol,
    overrides: &Overrides,
    dir: &Path,
    csv: Option<&Path>,
) -> Result<String, CliError> {
    let rec = p.run(overrides).map_err(|source| CliError::Protocol {
        protocol: p.name(),
        source,
    })?;
    let png = plot::figure_path(dir, p);
    plot::save_png(&plot::protocol_figure(p, &rec, overrides), &png)?;
    let mut text = protocol_summary(p, &rec, overrides);
    text.push_str(&format!("\n  figure: {}", png.display()));
    if let Some(csv) = csv {
        write_csv(csv, &rec)?;
        text.push_str(&format!(
            "\n  csv: {} ({} rows; t and {} columns)",
            csv.display(),
            rec.t.len(),
            rec.columns.len()
        ));
    }
    Ok(text)
}

/// The settings of `neurode run` from its arguments, checked for syntax (numbers, names); the
/// run checks domains.
///
/// Error: [`CliError::Usage`].
pub fn run_config(args: &RunArgs) -> Result<RunConfig, CliError> {
    let entry = catalog::find(&args.model)
        .filter(|e| e.is_synapse())
        .ok_or_else(|| {
            let what = match catalog::find(&args.model) {
                Some(_) => format!("`{}` cannot run on its own", args.model),
                None => format!("unknown model `{}`", args.model),
            };
            usage(format!(
                "{what} (neurode run takes a neuron model: {}; or a synapse model: {})",
                neuron::NEURONS.join(", "),
                catalog::synapse_names()
            ))
        })?;
    let (name, info) = (entry.name, entry.info);
    if args.preset.is_some() || args.current.is_some() {
        return Err(usage(format!(
            "--preset and --current apply to neuron models; `{}` is a synapse (drive it with --spikes)",
            args.model
        )));
    }
    let Some(spikes) = &args.spikes else {
        return Err(usage(format!(
            "--spikes is required for a synapse model, e.g. neurode run {} --spikes 10,20",
            args.model
        )));
    };
    let spikes = parse_spikes(spikes)?;
    let duration = match &args.duration {
        Some(d) => parse_quantity("--duration", d, "ms", "a duration in ms, e.g. 50 or 1s")?,
        None => match spikes.iter().copied().reduce(f64::max) {
            Some(last) if last >= DEFAULT_DURATION => last + DEFAULT_DURATION,
            _ => DEFAULT_DURATION,
        },
    };
    let mut cfg = RunConfig {
        spikes,
        v_post: parse_quantity(
            "--v-post",
            &args.v_post,
            "mV",
            "a potential in mV, e.g. -65",
        )?,
        v_pre: match &args.v_pre {
            Some(v) => Some(parse_quantity(
                "--v-pre",
                v,
                "mV",
                "a potential in mV, e.g. -65",
            )?),
            None => None,
        },
        duration,
        dt: parse_quantity("--dt", &args.dt, "ms", "a step in ms, e.g. 0.1 or 100us")?,
        ..RunConfig::default()
    };
    for s in &args.set {
        cfg.params.push(parse_set(s, name, info)?);
    }
    if let Some(m) = &args.method {
        cfg.method = Some(parse_method(m, name, info)?);
    }
    if let Some(r) = &args.record {
        cfg.record = Some(parse_record(r, name, info)?);
    }
    Ok(cfg)
}

/// The settings of `neurode run` for a neuron model, from its arguments.
///
/// Error: [`CliError::Usage`].
pub fn neuron_config(args: &RunArgs, info: &ModelInfo) -> Result<NeuronConfig, CliError> {
    if args.spikes.is_some() {
        return Err(usage(format!(
            "--spikes applies to synapse models; `{}` is a neuron (drive it with --current or --preset)",
            args.model
        )));
    }
    let name = args.model.as_str();
    // The bias `I_e` in its declared unit, or an input in nA.
    let current_unit = neuron::bias(info).map_or("nA", |(_, unit)| unit);
    let mut cfg = NeuronConfig {
        preset: args.preset.clone(),
        current: match &args.current {
            Some(c) => Some(parse_quantity(
                "--current",
                c,
                current_unit,
                &format!("a current in {current_unit} for `{name}`, e.g. 500, or with a unit of its kind"),
            )?),
            None => None,
        },
        duration: match &args.duration {
            Some(d) => parse_quantity("--duration", d, "ms", "a duration in ms, e.g. 500 or 1s")?,
            None => DEFAULT_NEURON_DURATION,
        },
        dt: parse_quantity("--dt", &args.dt, "ms", "a step in ms, e.g. 0.1 or 100us")?,
        params: Vec::new(),
        method: None,
        record: None,
    };
    let mut textbook: Vec<(&str, f64)> = Vec::new();
    for s in &args.set {
        match s.split_once('=') {
            // ExpIf's textbook form: the time constant and the input resistance.
            Some((p @ ("tau_m" | "R"), v)) if name == "exp_if" => {
                let unit = if p == "tau_m" { "ms" } else { "MOhm" };
                let v = parse_quantity(
                    &format!("--set {p}"),
                    v,
                    unit,
                    &format!("a number in {unit}"),
                )?;
                textbook.push((p, v));
            }
            _ => cfg.params.push(parse_set(s, name, info)?),
        }
    }
    if !textbook.is_empty() {
        exp_if_textbook(&textbook, &mut cfg.params)?;
    }
    if let Some(m) = &args.method {
        cfg.method = Some(parse_method(m, name, info)?);
    }
    if let Some(r) = &args.record {
        cfg.record = Some(parse_record(r, name, info)?);
    }
    Ok(cfg)
}

fn run_neuron(args: &RunArgs, info: &ModelInfo, out: &mut dyn Write) -> Result<(), CliError> {
    let cfg = neuron_config(args, info)?;
    run_outputs(args)?;
    let outcome = neuron::run(&args.model, &cfg)?;
    let mut text = neuron::summary(&args.model, &outcome, &cfg);
    if let Some(csv) = &args.csv {
        write_csv(csv, &outcome.recording)?;
        text.push_str(&format!(
            "\n  csv: {} ({} rows; t and {} columns)",
            csv.display(),
            outcome.recording.t.len(),
            outcome.recording.columns.len()
        ));
    }
    if let Some(csv) = &args.spikes_csv {
        write_spikes_csv(csv, &outcome.spike_steps, &outcome.spike_times)?;
        text.push_str(&spikes_csv_line(csv, outcome.spike_times.len()));
    }
    if let Some(png) = &args.png {
        plot::save_png(&neuron::figure(&args.model, &outcome), png)?;
        text.push_str(&format!("\n  figure: {}", png.display()));
    }
    say(out, &text)
}

fn run(args: &RunArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(entry) = catalog::find(&args.model).filter(|e| neuron::NEURONS.contains(&e.name)) {
        return run_neuron(args, entry.info, out);
    }
    let cfg = run_config(args)?;
    run_outputs(args)?;
    let only_spikes = |r: &Vec<String>| r.iter().all(|n| n == "pre.spike");
    if args.png.is_some() && cfg.record.as_ref().is_some_and(only_spikes) {
        return Err(usage(
            "--png has nothing to draw: --record names only pre.spike (add a variable, e.g. post.V)",
        ));
    }
    let outcome = single::run(&args.model, &cfg)?;
    let mut text = run_summary(&args.model, &outcome, &cfg);
    if let Some(csv) = &args.csv {
        write_csv(csv, &outcome.recording)?;
        text.push_str(&format!(
            "\n  csv: {} ({} rows; t and {} columns)",
            csv.display(),
            outcome.recording.t.len(),
            outcome.recording.columns.len()
        ));
    }
    if let Some(csv) = &args.spikes_csv {
        let steps: Vec<u64> = outcome
            .spike_times
            .iter()
            .map(|&t| (t / outcome.dt).round() as u64)
            .collect();
        write_spikes_csv(csv, &steps, &outcome.spike_times)?;
        text.push_str(&spikes_csv_line(csv, steps.len()));
    }
    if let Some(png) = &args.png {
        let overrides = Overrides {
            params: cfg.params.clone(),
            method: cfg.method,
        };
        plot::save_png(&plot::run_figure(&args.model, &outcome, &overrides), png)?;
        text.push_str(&format!("\n  figure: {}", png.display()));
    }
    say(out, &text)
}

#[cfg(test)]
mod tests;

/// What `examples/<protocol>.rs` runs: the protocol with the chapter's settings, its figure
/// written to `figures/<protocol>.png`, its key numbers printed (as `neurode tutorial <protocol>`).
///
/// Errors: the run's [`neurode::runtime::Error`], or the figure's I/O and drawing errors.
pub fn chapter_example(protocol: Protocol) -> Result<(), Box<dyn std::error::Error>> {
    let chapter = Overrides::default();
    let recording = protocol.run(&chapter)?;
    std::fs::create_dir_all("figures")?;
    let png = crate::plot::figure_path("figures".as_ref(), protocol);
    crate::plot::save_png(
        &crate::plot::protocol_figure(protocol, &recording, &chapter),
        &png,
    )?;
    println!("{}", protocol_summary(protocol, &recording, &chapter));
    println!("  figure: {}", png.display());
    Ok(())
}
