//! Poisson spike sources: neurons that spike at random, independently, at given rates.

use crate::error::Error;
use crate::info::{Method, ModelInfo, ModelKind, ParamInfo, StateInfo, Var};
use crate::model::{Clock, Model, NeuronKernel, NeuronModel, NeuronTile};
use crate::rng::{domain, keyed_uniform};

/// Neurons that spike as independent Poisson processes (Brian2's `PoissonGroup`, NEST's
/// `poisson_generator` with one generator per target).
///
/// At every step of length dt each neuron spikes with probability p = rate·dt (rate in Hz, dt in
/// ms, so p = rate·dt/1000), independently of every other step and neuron; a neuron spikes at
/// most once per step. With constant rates the steps between spikes are drawn at once
/// (geometric, with parameter p), so a step costs a comparison per neuron, not a random number.
/// A time course of rates (the same for every neuron) draws once per neuron and step.
///
/// The numbers drawn depend only on the seed, the neuron and the step ([`keyed_uniform`]): the
/// same spikes on any number of threads, in pieces or in one run.
///
/// The membrane column `V` holds `V_rest` (mV, default 0); input is ignored. A rate·dt above 1
/// is refused when a run starts.
///
/// ```
/// # use neurode_runtime::{Network, PoissonSource};
/// let mut net = Network::new(0.1)?;
/// let inputs = net.add_population("inputs", 1000, PoissonSource::constant(15.0, 1))?;
/// # Ok::<(), neurode_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonSource {
    rates: Rates,
    seed: u64,
    v_rest: f64,
}

/// What a [`PoissonSource`] fires at.
#[derive(Clone, Debug, PartialEq)]
enum Rates {
    /// One rate for every neuron (Hz).
    Constant(f64),
    /// One rate per neuron (Hz); neurons beyond the list are silent.
    PerNeuron(Vec<f64>),
    /// A rate for every neuron that changes with time: `rates[k]` from `starts[k]` (ms) on,
    /// 0 before the first start.
    TimeCourse { starts: Vec<f64>, rates: Vec<f64> },
}

static POISSON_PARAMS: [ParamInfo; 1] = [ParamInfo {
    name: "V_rest",
    default: 0.0,
    unit: "mV",
    doc: "Value of the membrane potential at every step.",
    per_element: false,
    domain: crate::info::Domain::Any,
}];

static POISSON_STATES: [StateInfo; 2] = [
    StateInfo {
        name: "V",
        unit: "mV",
        doc: "Membrane potential, held at `V_rest`.",
        init: "V_rest",
        ode: None,
        events: &[],
        derived: false,
        per_synapse: false,
        event_driven: false,
        summed: false,
        held: false,
        dims: None,
    },
    StateInfo {
        name: "next",
        unit: "1",
        doc: "Step of the neuron's next spike (constant rates; −1 before the first draw).",
        init: "-1",
        ode: None,
        events: &[],
        derived: false,
        per_synapse: false,
        event_driven: false,
        summed: false,
        held: false,
        dims: None,
    },
];

static POISSON_INFO: ModelInfo = ModelInfo {
    name: "PoissonSource",
    kind: ModelKind::Neuron,
    doc: "Neurons that spike as independent Poisson processes: at every step each spikes with \
          probability rate·dt, independently; V stays at V_rest.",
    method: Method::Euler,
    method_auto: true,
    methods: &[Method::Euler],
    params: &POISSON_PARAMS,
    states: &POISSON_STATES,
    outputs: &[],
    storages: &[],
    tile: false,
    threshold: Some("a uniform draw below rate·dt, every step"),
    reset: &[],
    refractory: None,
    membrane: Some(0),
    input: Some("I"),
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

fn check_rate(what: String, rate: f64) -> Result<(), Error> {
    if rate.is_finite() && rate >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            object: what,
            reason: format!("rate {rate} Hz is not a finite non-negative number"),
        })
    }
}

impl PoissonSource {
    /// Accessor of the membrane column `V`, for monitors.
    #[allow(
        non_upper_case_globals,
        reason = "the accessor is named as the variable"
    )]
    pub const V: Var<PoissonSource> = Var::new(0, "V");

    /// Every neuron at `rate_hz` (Hz), drawn from `seed`'s streams. A negative or non-finite
    /// rate is refused when the group is added ([`Model::check`]).
    pub fn constant(rate_hz: f64, seed: u64) -> Self {
        PoissonSource {
            rates: Rates::Constant(rate_hz),
            seed,
            v_rest: 0.0,
        }
    }

    /// Neuron `i` at `rates_hz[i]` (Hz); neurons beyond the list are silent.
    ///
    /// Error: [`Error::InvalidInput`] naming the neuron for a negative or non-finite rate.
    pub fn per_neuron(rates_hz: Vec<f64>, seed: u64) -> Result<Self, Error> {
        for (i, &r) in rates_hz.iter().enumerate() {
            check_rate(format!("PoissonSource neuron {i}"), r)?;
        }
        Ok(PoissonSource {
            rates: Rates::PerNeuron(rates_hz),
            seed,
            v_rest: 0.0,
        })
    }

    /// Every neuron at a rate that changes with time: `(start_ms, rate_hz)` pairs with
    /// increasing starts, each rate holding until the next start; 0 Hz before the first.
    ///
    /// Error: [`Error::InvalidInput`] for starts that do not increase or are not finite, or a
    /// negative or non-finite rate.
    pub fn time_course(course: &[(f64, f64)], seed: u64) -> Result<Self, Error> {
        for (k, &(t, r)) in course.iter().enumerate() {
            check_rate(format!("PoissonSource time course entry {k}"), r)?;
            if !t.is_finite() || (k > 0 && t <= course[k - 1].0) {
                return Err(Error::InvalidInput {
                    object: format!("PoissonSource time course entry {k}"),
                    reason: format!("start {t} ms is not finite or does not follow the one before"),
                });
            }
        }
        Ok(PoissonSource {
            rates: Rates::TimeCourse {
                starts: course.iter().map(|c| c.0).collect(),
                rates: course.iter().map(|c| c.1).collect(),
            },
            seed,
            v_rest: 0.0,
        })
    }

    /// The seed of the spikes.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The rate of neuron `i` at time `t` (ms), in Hz.
    pub fn rate(&self, i: usize, t: f64) -> f64 {
        match &self.rates {
            Rates::Constant(r) => *r,
            Rates::PerNeuron(r) => r.get(i).copied().unwrap_or(0.0),
            Rates::TimeCourse { starts, rates } => match starts.partition_point(|&s| s <= t) {
                0 => 0.0,
                k => rates[k - 1],
            },
        }
    }

    /// The largest rate (Hz).
    fn max_rate(&self) -> f64 {
        match &self.rates {
            Rates::Constant(r) => *r,
            Rates::PerNeuron(r) | Rates::TimeCourse { rates: r, .. } => {
                r.iter().copied().fold(0.0, f64::max)
            }
        }
    }

    /// Checks the rates against step `dt` (ms): every rate finite and non-negative, and
    /// rate·dt at most 1 (a neuron spikes at most once per step).
    ///
    /// Error: [`Error::InvalidInput`] naming the rate and the step.
    fn check_rates(&self, dt: f64) -> Result<(), Error> {
        check_rate("PoissonSource".into(), self.max_rate())?;
        if let Rates::Constant(r) = self.rates {
            check_rate("PoissonSource".into(), r)?;
        }
        let p = self.max_rate() * dt / 1000.0;
        if p > 1.0 {
            return Err(Error::InvalidInput {
                object: "PoissonSource".into(),
                reason: format!(
                    "rate {} Hz at dt = {dt} ms gives a spike probability {p} per step, above 1",
                    self.max_rate()
                ),
            });
        }
        Ok(())
    }
}

/// What a run of a [`PoissonSource`] computes once: the per-step spike probability of each
/// neuron with constant rates, and its logarithm's reciprocal for the geometric gaps.
#[derive(Clone, Debug, Default)]
pub struct PoissonConsts {
    dt: f64,
    /// Per neuron (constant rates): `1 / ln(1 − p)`, 0 for a silent neuron.
    inv_ln_q: Vec<f64>,
    /// One value for every neuron (constant rate).
    inv_ln_q_all: Option<f64>,
}

/// `1 / ln(1 − p)` for spike probability `p` per step: negative, 0 for p = 0 (never spikes),
/// −0 for p = 1 (spikes every step: every gap is 0).
fn inv_ln_q(p: f64) -> f64 {
    if p <= 0.0 {
        0.0
    } else {
        1.0 / (-p).ln_1p()
    }
}

impl Model for PoissonSource {
    const INFO: &'static ModelInfo = &POISSON_INFO;
    type Consts = PoissonConsts;

    fn get_param(&self, name: &str) -> Option<f64> {
        (name == "V_rest").then_some(self.v_rest)
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        crate::source::set_v_rest(Self::INFO, &mut self.v_rest, name, value)
    }

    fn check(&self, dt: f64) -> Result<(), Error> {
        self.check_rates(dt)
    }

    fn prepare(&self, _method: Method, dt: f64) -> PoissonConsts {
        let p = |rate: f64| (rate * dt / 1000.0).clamp(0.0, 1.0);
        match &self.rates {
            Rates::Constant(r) => PoissonConsts {
                dt,
                inv_ln_q: Vec::new(),
                inv_ln_q_all: Some(inv_ln_q(p(*r))),
            },
            Rates::PerNeuron(r) => PoissonConsts {
                dt,
                inv_ln_q: r.iter().map(|&r| inv_ln_q(p(r))).collect(),
                inv_ln_q_all: None,
            },
            Rates::TimeCourse { .. } => PoissonConsts {
                dt,
                inv_ln_q: Vec::new(),
                inv_ln_q_all: None,
            },
        }
    }

    fn init(&self, columns: &mut [Vec<f64>]) {
        if let [v, next, ..] = columns {
            v.fill(self.v_rest);
            next.fill(-1.0);
        }
    }
}

/// The element kernel of a [`PoissonSource`].
pub struct PoissonKernel<'a> {
    source: &'a PoissonSource,
    consts: &'a PoissonConsts,
    clock: Clock,
    /// The step, as the `next` column holds steps.
    step: f64,
    /// `1 / ln(1 − p)` of every neuron (constant rate), or NaN.
    inv_all: f64,
    v_rest: f64,
    first: usize,
    v: &'a mut [f64],
    next: &'a mut [f64],
    spike: &'a mut [bool],
    refractory: &'a mut [bool],
    t_last_spike: &'a mut [f64],
}

impl PoissonKernel<'_> {
    /// Whether neuron `q` of the tile, with `1 / ln(1 − p)` = `inv`, spikes at this step; draws
    /// its next spike when it does (or when it has none yet).
    #[cold]
    fn geometric(&mut self, q: usize, inv: f64) -> bool {
        let step = self.clock.step;
        let i = (self.first + q) as u64;
        let seed = self.source.seed;
        // The number of silent steps before a spike is floor(ln u / ln(1 − p)); the draw is
        // keyed by the step it is made at (the one before the first step for the first).
        let gap = |b: u64| (keyed_uniform(seed, domain::POISSON, i, b).ln() * inv).floor();
        if inv == 0.0 {
            self.next[q] = f64::MAX;
            return false;
        }
        if self.next[q] < 0.0 {
            self.next[q] = step as f64 + gap(step.wrapping_sub(1));
        }
        if self.next[q] == step as f64 {
            self.next[q] = step as f64 + 1.0 + gap(step);
            true
        } else {
            false
        }
    }

    /// Whether neuron `q` of the tile spikes at this step, under a time course of rates.
    fn bernoulli(&self, q: usize) -> bool {
        let i = self.first + q;
        let p = self.source.rate(i, self.clock.t) * self.consts.dt / 1000.0;
        keyed_uniform(self.source.seed, domain::POISSON, i as u64, self.clock.step) <= p
    }
}

impl NeuronKernel for PoissonKernel<'_> {
    #[inline]
    fn element(&mut self, q: usize, _input: f64) -> bool {
        let next = self.next[q];
        let spiked = if !self.inv_all.is_nan() {
            // Constant rate: a spike only where the next spike is due (or not drawn yet).
            (next == self.step || next < 0.0) && self.geometric(q, self.inv_all)
        } else if matches!(self.source.rates, Rates::TimeCourse { .. }) {
            self.bernoulli(q)
        } else {
            let inv = self
                .consts
                .inv_ln_q
                .get(self.first + q)
                .copied()
                .unwrap_or(0.0);
            (next == self.step || next < 0.0) && self.geometric(q, inv)
        };
        self.v[q] = self.v_rest;
        self.spike[q] = spiked;
        self.refractory[q] = spiked;
        if spiked {
            self.t_last_spike[q] = self.clock.t;
        }
        true
    }

    fn v(&self, q: usize) -> f64 {
        self.v[q]
    }

    fn refractory(&self, q: usize) -> bool {
        self.refractory[q]
    }

    fn run(&mut self, inputs: &mut [f64]) -> bool {
        inputs.fill(0.0);
        if self.inv_all.is_nan() {
            return (0..inputs.len()).fold(true, |f, q| self.element(q, 0.0) & f);
        }
        // Constant rate: most neurons only compare their next spike's step with this one.
        let n = inputs.len().min(self.next.len());
        let (step, v_rest) = (self.step, self.v_rest);
        self.v[..n].fill(v_rest);
        self.spike[..n].fill(false);
        self.refractory[..n].fill(false);
        // Eight at a time: a block whose next spikes are all later is skipped at once.
        for start in (0..n).step_by(8) {
            let end = (start + 8).min(n);
            if self.next[start..end]
                .iter()
                .fold(true, |all, &x| all & (x > step))
            {
                continue;
            }
            for q in start..end {
                let next = self.next[q];
                if (next == step || next < 0.0) && self.geometric(q, self.inv_all) {
                    self.spike[q] = true;
                    self.refractory[q] = true;
                    self.t_last_spike[q] = self.clock.t;
                }
            }
        }
        true
    }
}

impl NeuronModel for PoissonSource {
    type Kernel<'a, const M: u8> = PoissonKernel<'a>;

    fn kernel<'a, const M: u8>(
        &'a self,
        consts: &'a PoissonConsts,
        tile: NeuronTile<'a>,
    ) -> PoissonKernel<'a> {
        let [v, next] = tile.columns.split::<2>();
        PoissonKernel {
            source: self,
            consts,
            clock: tile.clock,
            step: tile.clock.step as f64,
            inv_all: consts.inv_ln_q_all.unwrap_or(f64::NAN),
            v_rest: self.v_rest,
            first: tile.first,
            v,
            next,
            spike: tile.spike,
            refractory: tile.refractory,
            t_last_spike: tile.t_last_spike,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;

    /// Spike counts per neuron of `source` over `ms` at dt 0.1 ms, on `threads` threads.
    fn counts(source: PoissonSource, n: usize, ms: f64, threads: usize) -> Vec<u64> {
        let mut net = Network::new(0.1).unwrap();
        net.set_threads(threads).unwrap();
        let g = net.add_population("p", n, source).unwrap();
        let m = net.record_spikes(g).unwrap();
        net.run(ms).unwrap();
        net.spikes(m).unwrap().counts.clone()
    }

    #[test]
    fn counts_have_the_poisson_mean_and_variance() {
        // 400 neurons at 20 Hz for 10 s: 200 expected spikes each, variance 200·(1 − p).
        let c = counts(PoissonSource::constant(20.0, 7), 400, 10_000.0, 1);
        let n = c.len() as f64;
        let mean = c.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = c.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let p = 20.0 * 0.1 / 1000.0;
        let (mu, sigma2) = (1e5 * p, 1e5 * p * (1.0 - p));
        // Standard errors of the mean and of the variance (normal approximation).
        let se_mean = (sigma2 / n).sqrt();
        let se_var = sigma2 * (2.0 / (n - 1.0)).sqrt();
        assert!((mean - mu).abs() < 4.0 * se_mean, "mean {mean} vs {mu}");
        assert!(
            (var - sigma2).abs() < 4.0 * se_var,
            "variance {var} vs {sigma2}"
        );
    }

    #[test]
    fn intervals_are_exponential() {
        // The fraction of inter-spike intervals longer than 50 ms at 20 Hz is e^{−1}.
        let mut net = Network::new(0.1).unwrap();
        let g = net
            .add_population("p", 50, PoissonSource::constant(20.0, 3))
            .unwrap();
        let m = net.record_spikes(g).unwrap();
        net.run(20_000.0).unwrap();
        let tr = net.spikes(m).unwrap();
        let mut last = vec![None; 50];
        let (mut long, mut all) = (0u64, 0u64);
        for (&s, &i) in tr.steps.iter().zip(&tr.indices) {
            if let Some(l) = last[i as usize] {
                all += 1;
                if s - l > 500 {
                    long += 1;
                }
            }
            last[i as usize] = Some(s);
        }
        let frac = long as f64 / all as f64;
        // Geometric with p per step: P(gap > 500 steps) = (1 − p)^500.
        let expected = (1.0f64 - 0.002).powi(500);
        let se = (expected * (1.0 - expected) / all as f64).sqrt();
        assert!((frac - expected).abs() < 4.0 * se, "{frac} vs {expected}");
    }

    #[test]
    fn the_same_spikes_on_any_thread_count_and_in_pieces() {
        let one = counts(PoissonSource::constant(30.0, 11), 97, 500.0, 1);
        assert!(one.iter().sum::<u64>() > 1000);
        assert_eq!(counts(PoissonSource::constant(30.0, 11), 97, 500.0, 3), one);
        let mut net = Network::new(0.1).unwrap();
        let g = net
            .add_population("p", 97, PoissonSource::constant(30.0, 11))
            .unwrap();
        let m = net.record_spikes(g).unwrap();
        net.run(123.4).unwrap();
        net.run(376.6).unwrap();
        assert_eq!(net.spikes(m).unwrap().counts, one);
        assert_ne!(counts(PoissonSource::constant(30.0, 12), 97, 500.0, 1), one);
    }

    #[test]
    fn per_neuron_rates_and_time_courses() {
        let src = PoissonSource::per_neuron(vec![0.0, 50.0, 1000.0], 5).unwrap();
        let c = counts(src, 4, 1000.0, 1);
        assert_eq!(c[0], 0);
        assert_eq!(c[3], 0, "beyond the list: silent");
        assert!((20..90).contains(&c[1]), "{c:?}");
        // 1000 Hz at dt 0.1 ms: p = 0.1 per step.
        assert!((900..1100).contains(&c[2]), "{c:?}");
        // 0 Hz until 500 ms, then 100 Hz: about 50 spikes, all after 500 ms.
        let src = PoissonSource::time_course(&[(500.0, 100.0)], 9).unwrap();
        let mut net = Network::new(0.1).unwrap();
        let g = net.add_population("p", 20, src).unwrap();
        let m = net.record_spikes(g).unwrap();
        net.run(1000.0).unwrap();
        let tr = net.spikes(m).unwrap();
        assert!(tr.steps.iter().all(|&s| s >= 5000));
        let mean = tr.n_spikes as f64 / 20.0;
        assert!((35.0..65.0).contains(&mean), "{mean}");
    }

    #[test]
    fn bad_rates_are_refused() {
        let e = PoissonSource::per_neuron(vec![1.0, -2.0], 0).unwrap_err();
        assert!(
            e.to_string().contains("neuron 1") && e.to_string().contains("-2"),
            "{e}"
        );
        assert!(PoissonSource::time_course(&[(5.0, 1.0), (5.0, 2.0)], 0).is_err());
        let e = PoissonSource::constant(20_000.0, 0).check(0.1).unwrap_err();
        assert!(e.to_string().contains("above 1"), "{e}");
        let mut net = Network::new(0.1).unwrap();
        let g = net.add_population("p", 2, PoissonSource::constant(f64::NAN, 0));
        assert!(g.is_err());
    }
}
