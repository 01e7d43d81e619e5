//! The run protocols of the "Synaptic Models" chapter (see `docs/chapter.md` §3–4):
//! `run_syn` for most models, and the GABA_B and gap-junction protocols.
//!
//! Each protocol builds its network with the chapter's settings, applies the caller's overrides
//! (parameters by name, integration method) and returns a [`Recording`] whose columns are named
//! `<object>.<variable>[<index>]` with objects `pre`, `post` and `syn`.

use std::io::Write;

use neurode_models::{
    Alpha, Ampa, Exponential, GabaA, GabaB, GapJunction, Lif, Nmda, TwoExponentials, VoltageJump,
};
use neurode_runtime::{
    Connect, Error, Input, Method, Model, Network, Population, Projection, Storage, SynapseModel,
    Trace, Var,
};

/// Step of every chapter protocol (ms).
pub const DT: f64 = 0.1;

/// One recorded series.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// `<object>.<variable>[<index>]`, e.g. `syn.s[0]`, `pre.V[1]`.
    pub name: String,
    /// One value per step.
    pub values: Vec<f64>,
}

/// Everything a protocol recorded, one row per step.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// Time of each row (ms).
    pub t: Vec<f64>,
    /// Recorded series.
    pub columns: Vec<Column>,
}

impl Recording {
    /// The series named `name`, if recorded.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.as_slice())
    }

    /// Every series whose name starts with `prefix` (e.g. `"syn.s["`).
    pub fn series(&self, prefix: &str) -> Vec<&Column> {
        self.columns
            .iter()
            .filter(|c| c.name.starts_with(prefix))
            .collect()
    }

    /// Writes CSV: a header `t,<names>` then one row per step, every value printed with Rust's
    /// shortest round-trip formatting (parsing it back gives the same `f64`).
    pub fn write_csv(&self, mut out: impl Write) -> std::io::Result<()> {
        let mut header = String::from("t");
        for c in &self.columns {
            header.push(',');
            header.push_str(&c.name);
        }
        writeln!(out, "{header}")?;
        let mut line = String::new();
        for (i, t) in self.t.iter().enumerate() {
            line.clear();
            line.push_str(&format!("{t:?}"));
            for c in &self.columns {
                line.push(',');
                line.push_str(&format!("{:?}", c.values[i]));
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    fn push_trace(&mut self, object: &str, var: &str, trace: &Trace) {
        if self.t.is_empty() {
            self.t = trace.times.clone();
        }
        for j in 0..trace.n_cols {
            self.columns.push(Column {
                name: format!("{object}.{var}[{j}]"),
                values: trace.column(j),
            });
        }
    }
}

/// Caller's changes to a protocol's settings.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Synapse parameters by name, applied after the chapter's settings.
    pub params: Vec<(String, f64)>,
    /// Integration method of the synapse, instead of the chapter's.
    pub method: Option<Method>,
}

/// A chapter protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// AMPA under `run_syn`, T_duration 3 ms, exponential Euler.
    Ampa,
    /// NMDA under `run_syn`, defaults, rk4.
    Nmda,
    /// GABA_A (exponential variant) under `run_syn`, exponential Euler.
    GabaA,
    /// GABA_B: input 25 for 20 ms then 0 until 1020 ms, rk4.
    GabaB,
    /// Two exponentials under `run_syn`, τ1 2 ms, rk4.
    TwoExponentials,
    /// Alpha under `run_syn`, defaults, rk4.
    Alpha,
    /// Exponential under `run_syn`, exponential Euler.
    Exponential,
    /// Voltage jump under `run_syn`.
    VoltageJump,
    /// Gap junction: two LIF neurons (t_refractory 0, V0 −10 mV), w 0.5, k_spikelet 5, input 30
    /// to the presynaptic neuron, 100 ms.
    GapJunction,
}

impl Protocol {
    /// Every protocol, in the chapter's order.
    pub const ALL: [Protocol; 9] = [
        Protocol::Ampa,
        Protocol::Nmda,
        Protocol::GabaA,
        Protocol::GabaB,
        Protocol::TwoExponentials,
        Protocol::Alpha,
        Protocol::Exponential,
        Protocol::VoltageJump,
        Protocol::GapJunction,
    ];

    /// Name on the command line and of the figure file.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ampa => "ampa",
            Protocol::Nmda => "nmda",
            Protocol::GabaA => "gaba_a",
            Protocol::GabaB => "gaba_b",
            Protocol::TwoExponentials => "two_exponentials",
            Protocol::Alpha => "alpha",
            Protocol::Exponential => "exponential",
            Protocol::VoltageJump => "voltage_jump",
            Protocol::GapJunction => "gap_junction",
        }
    }

    /// The protocol named `name`.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The synapse model the protocol runs.
    pub fn model(self) -> &'static neurode_runtime::ModelInfo {
        match self {
            Protocol::Ampa => Ampa::INFO,
            Protocol::Nmda => Nmda::INFO,
            Protocol::GabaA => GabaA::INFO,
            Protocol::GabaB => GabaB::INFO,
            Protocol::TwoExponentials => TwoExponentials::INFO,
            Protocol::Alpha => Alpha::INFO,
            Protocol::Exponential => Exponential::INFO,
            Protocol::VoltageJump => VoltageJump::INFO,
            Protocol::GapJunction => GapJunction::INFO,
        }
    }

    /// The chapter's integration method for the protocol's synapse (`docs/chapter.md` §4): what runs
    /// unless [`Overrides::method`] says otherwise.
    pub fn method(self) -> Method {
        match self {
            Protocol::Ampa | Protocol::GabaA | Protocol::Exponential => Method::ExpEuler,
            Protocol::Nmda | Protocol::GabaB | Protocol::TwoExponentials | Protocol::Alpha => {
                Method::Rk4
            }
            // Nothing to integrate: the model's own default.
            Protocol::VoltageJump | Protocol::GapJunction => self.model().method,
        }
    }

    /// Simulated duration (ms).
    pub fn duration(self) -> f64 {
        match self {
            Protocol::GabaB => 1020.0,
            Protocol::GapJunction => 100.0,
            _ => 30.0,
        }
    }

    /// Runs the protocol.
    pub fn run(self, overrides: &Overrides) -> Result<Recording, Error> {
        match self {
            Protocol::Ampa => run_syn(
                Ampa {
                    T_duration: 3.0,
                    ..Ampa::default()
                },
                self.method(),
                overrides,
            ),
            Protocol::Nmda => run_syn(Nmda::default(), self.method(), overrides),
            Protocol::GabaA => run_syn(GabaA::default(), self.method(), overrides),
            Protocol::GabaB => gaba_b(overrides),
            Protocol::TwoExponentials => run_syn(
                TwoExponentials {
                    tau1: 2.0,
                    ..TwoExponentials::default()
                },
                self.method(),
                overrides,
            ),
            Protocol::Alpha => run_syn(Alpha::default(), self.method(), overrides),
            Protocol::Exponential => run_syn(Exponential::default(), self.method(), overrides),
            Protocol::VoltageJump => run_syn(VoltageJump::default(), self.method(), overrides),
            Protocol::GapJunction => gap_junction(overrides),
        }
    }
}

/// The typed accessor of the column `name` of model `M`, if it has one.
fn var_named<M: Model>(name: &str) -> Option<Var<M>> {
    let i = M::INFO.column(name)?;
    Some(Var::new(i, M::INFO.states[i].name))
}

fn configure<S: SynapseModel>(
    net: &mut Network,
    syn: Projection<S>,
    chapter: Method,
    o: &Overrides,
) -> Result<(), Error> {
    // The names come from the command line: the projection takes them by name.
    for (name, value) in &o.params {
        net.projection_mut(syn)?.set_param(name, *value)?;
    }
    net.set_method(syn, o.method.unwrap_or(chapter))
}

fn lif_group(net: &mut Network, name: &str, n: usize, lif: Lif) -> Result<Population<Lif>, Error> {
    let g = net.add_population(name, n, lif)?;
    net.set_method(g, Method::Euler)?;
    Ok(g)
}

/// Records `pre.V`, `post.V` and the synapse's `s` (when the model has one) of a built network,
/// runs it for `duration` ms and collects the traces. The chapter plots `s` of every synapse, so
/// the synapse group keeps its state per synapse (whatever more compact storage its model allows).
fn record_and_run<S: SynapseModel>(
    mut net: Network,
    groups: (Population<Lif>, Population<Lif>),
    syn: Projection<S>,
    duration: f64,
) -> Result<Recording, Error> {
    let s = match var_named::<S>("s") {
        Some(var) => {
            net.set_storage(syn, Storage::PerSynapse)?;
            Some(net.record(syn, var)?)
        }
        None => None,
    };
    let pre_v = net.record(groups.0, Lif::V)?;
    let post_v = net.record(groups.1, Lif::V)?;
    net.run(duration)?;
    let mut rec = Recording {
        t: Vec::new(),
        columns: Vec::new(),
    };
    rec.push_trace("pre", "V", net.trace(pre_v)?);
    rec.push_trace("post", "V", net.trace(post_v)?);
    if let Some(s) = s {
        rec.push_trace("syn", "s", net.trace(s)?);
    }
    Ok(rec)
}

/// The chapter's `run_syn`: 2 presynaptic and 3 postsynaptic LIF neurons (Euler), all-to-all,
/// order (pre, synapse, post), constant input 35 to the presynaptic group, 30 ms.
pub fn run_syn<S: SynapseModel>(
    model: S,
    chapter_method: Method,
    overrides: &Overrides,
) -> Result<Recording, Error> {
    let mut net = Network::new(DT)?;
    let pre = lif_group(&mut net, "pre", 2, Lif::default())?;
    let post = lif_group(&mut net, "post", 3, Lif::default())?;
    let syn = net.add_projection("syn", model, pre, post, &Connect::AllToAll)?;
    net.set_order(&[pre.into(), syn.into(), post.into()])?;
    configure(&mut net, syn, chapter_method, overrides)?;
    net.add_input(pre, Input::Constant(35.0))?;
    record_and_run(net, (pre, post), syn, 30.0)
}

/// The chapter's GABA_B protocol: as `run_syn`, with input 25 for the first 20 ms then 0 until
/// 1020 ms, rk4.
pub fn gaba_b(overrides: &Overrides) -> Result<Recording, Error> {
    let mut net = Network::new(DT)?;
    let pre = lif_group(&mut net, "pre", 2, Lif::default())?;
    let post = lif_group(&mut net, "post", 3, Lif::default())?;
    let syn = net.add_projection("syn", GabaB::default(), pre, post, &Connect::AllToAll)?;
    net.set_order(&[pre.into(), syn.into(), post.into()])?;
    configure(&mut net, syn, Protocol::GabaB.method(), overrides)?;
    net.add_input(pre, Input::Sections(vec![(25.0, 20.0), (0.0, 1000.0)]))?;
    record_and_run(net, (pre, post), syn, 1020.0)
}

/// The chapter's gap-junction protocol: two single LIF neurons (t_refractory 0, both starting at
/// V = −10 mV), order (pre, post, synapse), w 0.5, k_spikelet 5, input 30 to the presynaptic
/// neuron, 100 ms.
pub fn gap_junction(overrides: &Overrides) -> Result<Recording, Error> {
    let mut net = Network::new(DT)?;
    let lif = Lif {
        t_refractory: 0.0,
        ..Lif::default()
    };
    let pre = lif_group(&mut net, "pre", 1, lif.clone())?;
    let post = lif_group(&mut net, "post", 1, lif)?;
    for g in [pre, post] {
        net.population_mut(g)?.set_all(Lif::V, -10.0)?;
    }
    let gj = GapJunction {
        w: 0.5,
        k_spikelet: 5.0,
        ..GapJunction::default()
    };
    let syn = net.add_projection("syn", gj, pre, post, &Connect::AllToAll)?;
    configure(&mut net, syn, Protocol::GapJunction.method(), overrides)?;
    net.add_input(pre, Input::Constant(30.0))?;
    record_and_run(net, (pre, post), syn, 100.0)
}
