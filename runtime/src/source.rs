//! Spike sources: neuron models whose spikes are given, not computed.

use crate::error::Error;
use crate::info::{Method, ModelInfo, ModelKind, ParamInfo, StateInfo, Var};
use crate::model::{Clock, Model, NeuronKernel, NeuronModel, NeuronTile};

/// A group of neurons that spike at given times, to drive synapses with a chosen presynaptic
/// spike train.
///
/// Every spike time `t_s` (ms) must lie on the grid of the network's step: `t_s / dt` a whole
/// number `k` within the rounding of [`STEP_TOLERANCE`](crate::STEP_TOLERANCE) (20.5 ms at
/// dt = 0.1 ms is step 205); neuron `i` spikes at step `k = round(t_s / dt)`, time
/// `t_k = k as f64 * dt`. A time off the grid (0.04 ms at dt = 0.1 ms) is refused when the group
/// is added ([`SpikeTrain::check_grid`]), never moved to a neighbouring step. A spike sets the
/// neuron's spike and refractory flags for that step and its last-spike time to `t_k`; there is
/// no refractory period otherwise.
///
/// The membrane column `V` holds `V_rest` (mV, default 0) at every step, whatever synapses write
/// into it; input is consumed and ignored. Neurons of the group beyond the trains given never
/// spike. Nothing is integrated: the method is irrelevant (`euler` is the only one listed).
///
/// ```ignore
/// let pre = net.add_population("pre", 1, SpikeTrain::single(&[10.0, 20.5])?)?;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeTrain {
    /// Spike times of each neuron (ms), finite, non-negative, strictly increasing.
    times: Vec<Vec<f64>>,
    /// Value of `V` (mV).
    v_rest: f64,
}

static SPIKE_TRAIN_PARAMS: [ParamInfo; 1] = [ParamInfo {
    name: "V_rest",
    default: 0.0,
    unit: "mV",
    doc: "Value of the membrane potential at every step.",
    per_element: false,
    domain: crate::info::Domain::Any,
}];

static SPIKE_TRAIN_STATES: [StateInfo; 1] = [StateInfo {
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
}];

static SPIKE_TRAIN_INFO: ModelInfo = ModelInfo {
    name: "SpikeTrain",
    kind: ModelKind::Neuron,
    doc: "Neurons that spike at given times (ms), each a whole number of steps: neuron i \
          spikes at step k = round(t/dt) for each of its spike times t; V stays at V_rest.",
    method: Method::Euler,
    method_auto: true,
    methods: &[Method::Euler],
    params: &SPIKE_TRAIN_PARAMS,
    states: &SPIKE_TRAIN_STATES,
    outputs: &[],
    storages: &[],
    tile: false,
    threshold: Some("t = t_spike for one of the neuron's spike times (on the step grid)"),
    reset: &[],
    refractory: None,
    membrane: Some(0),
    input: Some("I"),
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

/// `set_param` of the spike sources, whose one parameter is `V_rest` (mV, any finite value):
/// the error of `info` for another name or a value it refuses.
pub(crate) fn set_v_rest(
    info: &ModelInfo,
    v_rest: &mut f64,
    name: &str,
    value: f64,
) -> Result<(), Error> {
    if name != "V_rest" {
        return Err(info.unknown_parameter(name));
    }
    info.check_param(name, value)?;
    *v_rest = value;
    Ok(())
}

/// Step at which a spike time falls: the step `k` with `|k·dt − t_spike| < dt/2` (computed as
/// the runtime computes times, `k as f64 * dt`), the earliest if rounding admits two, the later
/// of the two neighbours for an exact tie (saturating for absurd times).
fn step_of(t_spike: f64, dt: f64) -> u64 {
    let guess = (t_spike / dt + 0.5).floor();
    [guess - 1.0, guess, guess + 1.0]
        .into_iter()
        .find(|&k| k >= 0.0 && (k * dt - t_spike).abs() < dt / 2.0)
        .unwrap_or(guess) as u64
}

impl SpikeTrain {
    /// Accessor of the membrane column `V`, for monitors.
    #[allow(
        non_upper_case_globals,
        reason = "the accessor is named as the variable"
    )]
    pub const V: Var<SpikeTrain> = Var::new(0, "V");

    /// One spike train per neuron (times in ms).
    ///
    /// Error: [`Error::InvalidInput`] naming the neuron and the time when a time is negative or
    /// not finite, or when a neuron's times do not strictly increase.
    pub fn new(times: Vec<Vec<f64>>) -> Result<Self, Error> {
        for (i, train) in times.iter().enumerate() {
            check_train(i, train)?;
        }
        Ok(SpikeTrain { times, v_rest: 0.0 })
    }

    /// A single neuron spiking at `times` (ms); errors as [`SpikeTrain::new`].
    pub fn single(times: &[f64]) -> Result<Self, Error> {
        SpikeTrain::new(vec![times.to_vec()])
    }

    /// The same trains with `V` held at `v_rest` (mV); [`Error::InvalidParameter`] if it is not
    /// finite.
    pub fn with_v_rest(mut self, v_rest: f64) -> Result<Self, Error> {
        self.set_param("V_rest", v_rest)?;
        Ok(self)
    }

    /// Number of neurons with a train.
    pub fn n_trains(&self) -> usize {
        self.times.len()
    }

    /// Spike times of neuron `i` (ms); empty for a neuron without a train.
    pub fn times(&self, i: usize) -> &[f64] {
        self.times.get(i).map_or(&[], Vec::as_slice)
    }

    /// The value `V` is held at (mV).
    pub fn v_rest(&self) -> f64 {
        self.v_rest
    }

    /// Steps at which neuron `i` spikes with step `dt` (ms), in order: `round(t / dt)` for each
    /// time `t` on the grid ([`SpikeTrain::check_grid`]; a time off it, which a network
    /// refuses, gives its nearest step here). Two times in one step give one spike, so the
    /// result may be shorter than [`SpikeTrain::times`].
    pub fn spike_steps(&self, i: usize, dt: f64) -> Vec<u64> {
        let mut steps: Vec<u64> = self.times(i).iter().map(|&t| step_of(t, dt)).collect();
        steps.dedup();
        steps
    }

    /// Checks that every spike time is a whole number of steps of `dt` ms within rounding
    /// ([`STEP_TOLERANCE`](crate::STEP_TOLERANCE)): 20.5 ms is step 205 at dt = 0.1 ms, 20.55 ms
    /// is on no step.
    ///
    /// Error: [`Error::InvalidInput`] naming the neuron, the time, the fraction of steps it is and
    /// the grid times on either side; [`Error::InvalidDt`] for a `dt` that is not finite,
    /// positive and at most [`MAX_DT`](crate::MAX_DT).
    pub fn check_grid(&self, dt: f64) -> Result<(), Error> {
        crate::network::check_dt(dt)?;
        for (i, train) in self.times.iter().enumerate() {
            for &t in train {
                if let Err(q) = crate::network::whole_steps(t, dt) {
                    let num = crate::error::num;
                    return Err(Error::InvalidInput {
                        object: format!("SpikeTrain neuron {i}"),
                        reason: format!(
                            "spike time {} ms is {} steps of dt = {} ms, off the step grid: \
                             give a whole number of steps ({} or {} ms)",
                            num(t),
                            num(q),
                            num(dt),
                            num(q.floor() * dt),
                            num(q.ceil() * dt)
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks that no two spike times of one neuron fall in the same step of `dt` ms (they would
    /// give a single spike).
    ///
    /// Error: [`Error::InvalidInput`] naming the neuron, both times and the step; [`Error::InvalidDt`]
    /// for a `dt` that is not finite and positive.
    pub fn check_resolution(&self, dt: f64) -> Result<(), Error> {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::InvalidDt { dt });
        }
        for (i, train) in self.times.iter().enumerate() {
            for pair in train.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if step_of(a, dt) == step_of(b, dt) {
                    return Err(Error::InvalidInput {
                        object: format!("SpikeTrain neuron {i}"),
                        reason: format!(
                            "spike times {a} and {b} ms fall in the same step ({} at dt = {dt} ms)",
                            step_of(a, dt)
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

fn check_train(i: usize, train: &[f64]) -> Result<(), Error> {
    let bad = |reason: String| Error::InvalidInput {
        object: format!("SpikeTrain neuron {i}"),
        reason,
    };
    for (k, &t) in train.iter().enumerate() {
        if !t.is_finite() {
            return Err(bad(format!("spike time {t} is not a finite number")));
        }
        if t < 0.0 {
            return Err(bad(format!("spike time {t} ms is negative")));
        }
        if k > 0 && t <= train[k - 1] {
            return Err(bad(format!(
                "spike times must strictly increase: {} ms is followed by {t} ms",
                train[k - 1]
            )));
        }
    }
    Ok(())
}

/// The steps at which each neuron of a [`SpikeTrain`] spikes, at the step length of the run
/// ([`Model::prepare`]).
#[derive(Clone, Debug, Default)]
pub struct SpikeSteps {
    steps: Vec<Vec<u64>>,
}

impl Model for SpikeTrain {
    const INFO: &'static ModelInfo = &SPIKE_TRAIN_INFO;
    type Consts = SpikeSteps;

    fn get_param(&self, name: &str) -> Option<f64> {
        (name == "V_rest").then_some(self.v_rest)
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        set_v_rest(Self::INFO, &mut self.v_rest, name, value)
    }

    fn prepare(&self, _method: Method, dt: f64) -> SpikeSteps {
        SpikeSteps {
            steps: (0..self.times.len())
                .map(|i| self.spike_steps(i, dt))
                .collect(),
        }
    }

    fn init(&self, columns: &mut [Vec<f64>]) {
        if let Some(v) = columns.first_mut() {
            v.fill(self.v_rest);
        }
    }

    /// Refuses a spike time off the step grid ([`SpikeTrain::check_grid`]) and two spike times
    /// of one neuron in one step ([`SpikeTrain::check_resolution`]).
    fn check(&self, dt: f64) -> Result<(), Error> {
        self.check_grid(dt)?;
        self.check_resolution(dt)
    }

    /// Refuses more trains than neurons (a neuron without a train never spikes).
    fn check_len(&self, n: usize) -> Result<(), Error> {
        if self.times.len() > n {
            return Err(Error::InvalidInput {
                object: "SpikeTrain".into(),
                reason: format!(
                    "{} spike trains for a group of {n} neurons: give at most one train per neuron",
                    self.times.len()
                ),
            });
        }
        Ok(())
    }
}

/// The element kernel of a [`SpikeTrain`]: neuron `q` spikes when the step is one of its spike
/// steps; `V` is held at `V_rest`; the input is ignored.
pub struct SpikeTrainKernel<'a> {
    steps: &'a [Vec<u64>],
    clock: Clock,
    first: usize,
    v_rest: f64,
    v: &'a mut [f64],
    spike: &'a mut [bool],
    refractory: &'a mut [bool],
    t_last_spike: &'a mut [f64],
}

impl NeuronKernel for SpikeTrainKernel<'_> {
    #[inline]
    fn element(&mut self, q: usize, _input: f64) -> bool {
        let spiked = self
            .steps
            .get(self.first + q)
            .is_some_and(|s| s.binary_search(&self.clock.step).is_ok());
        self.v[q] = self.v_rest;
        self.spike[q] = spiked;
        self.refractory[q] = spiked;
        if spiked {
            self.t_last_spike[q] = self.clock.t;
        }
        self.v_rest.is_finite()
    }

    fn v(&self, q: usize) -> f64 {
        self.v[q]
    }

    fn refractory(&self, q: usize) -> bool {
        self.refractory[q]
    }
}

impl NeuronModel for SpikeTrain {
    type Kernel<'a, const M: u8> = SpikeTrainKernel<'a>;

    fn kernel<'a, const M: u8>(
        &'a self,
        consts: &'a SpikeSteps,
        tile: NeuronTile<'a>,
    ) -> SpikeTrainKernel<'a> {
        let [v] = tile.columns.split::<1>();
        SpikeTrainKernel {
            steps: &consts.steps,
            clock: tile.clock,
            first: tile.first,
            v_rest: self.v_rest,
            v,
            spike: tile.spike,
            refractory: tile.refractory,
            t_last_spike: tile.t_last_spike,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::Connect;
    use crate::input::Input;
    use crate::network::Network;
    use crate::testmodels::{Acc, Kick};

    fn net(dt: f64) -> Network {
        Network::new(dt).unwrap()
    }

    #[test]
    fn neurons_spike_at_the_step_of_each_time() {
        let train = SpikeTrain::new(vec![
            vec![0.0, 1.0, 2.0, 2.5, 20.5],
            vec![0.1, 0.3, 0.9],
            vec![],
        ])
        .unwrap();
        let mut n = net(0.1);
        let g = n.add_population("src", 4, train).unwrap();
        let spikes = n.record_spikes(g).unwrap();
        n.run(30.0).unwrap();
        let sp = n.spikes(spikes).unwrap();
        let of = |j: u32| -> Vec<u64> {
            sp.steps
                .iter()
                .zip(&sp.indices)
                .filter(|(_, &i)| i == j)
                .map(|(&s, _)| s)
                .collect()
        };
        // 20.5 / 0.1 and 0.3 / 0.1 are a rounding away from 205 and 3.
        assert_eq!(of(0), vec![0, 10, 20, 25, 205]);
        assert_eq!(of(1), vec![1, 3, 9]);
        assert_eq!(of(2), Vec::<u64>::new());
        assert_eq!(of(3), Vec::<u64>::new());
        assert_eq!(n.population(g).unwrap().t_last_spike()[0], 205.0 * 0.1);
        assert_eq!(n.population(g).unwrap().t_last_spike()[1], 9.0 * 0.1);
        assert_eq!(
            n.population(g).unwrap().t_last_spike()[2],
            crate::T_LAST_SPIKE_INIT
        );
    }

    #[test]
    fn a_time_off_the_step_grid_is_refused_not_moved() {
        for (times, dt, needle) in [
            (
                vec![0.0, 2.05],
                0.1,
                "spike time 2.05 ms is 20.499999999999996 steps of dt = 0.1 ms, off the step \
                 grid: give a whole number of steps (2 or 2.1 ms)",
            ),
            (
                vec![0.04],
                0.1,
                "spike time 0.04 ms is 0.39999999999999997 steps of dt = 0.1 ms",
            ),
            (
                vec![10.0],
                100.0,
                "spike time 10 ms is 0.1 steps of dt = 100 ms, off the step grid: give a whole \
                 number of steps (0 or 100 ms)",
            ),
        ] {
            let train = SpikeTrain::new(vec![vec![], times]).unwrap();
            match train.check_grid(dt).unwrap_err() {
                Error::InvalidInput { object, reason } => {
                    assert_eq!(object, "SpikeTrain neuron 1");
                    assert!(reason.starts_with(needle), "{reason}");
                }
                other => panic!("not an invalid input: {other}"),
            }
            let mut n = net(dt);
            let m = n.add_population("in", 2, train).unwrap_err().to_string();
            assert!(
                m.contains("`in: SpikeTrain neuron 1`") && m.contains(needle),
                "{m}"
            );
            assert!(n.order().is_empty());
        }
        // On the grid within rounding: accepted, at the rounded step.
        let fine = SpikeTrain::single(&[0.3, 0.7, 1000.0]).unwrap();
        fine.check_grid(0.1).unwrap();
        assert_eq!(fine.spike_steps(0, 0.1), vec![3, 7, 10_000]);
        assert!(matches!(
            fine.check_grid(1e300),
            Err(Error::InvalidDt { .. })
        ));
    }

    #[test]
    fn an_exact_tie_goes_to_the_later_step() {
        let train = SpikeTrain::single(&[0.25, 0.75, 1.0]).unwrap();
        assert_eq!(train.spike_steps(0, 0.5), vec![1, 2]);
        assert!(train.check_resolution(0.5).is_err());
        // Halfway between two steps is off the grid: a network refuses it.
        assert!(train.check_grid(0.5).is_err());
        train.check_grid(0.25).unwrap();
        assert_eq!(train.spike_steps(0, 0.25), vec![1, 3, 4]);
    }

    #[test]
    fn every_time_on_the_grid_spikes_at_its_own_step() {
        for dt in [0.1, 0.025, 0.3, 0.5] {
            let want: Vec<u64> = (0..200).map(|k| 7 * k + 3).collect();
            let times: Vec<f64> = want.iter().map(|&k| k as f64 * dt).collect();
            let train = SpikeTrain::single(&times).unwrap();
            train.check_grid(dt).unwrap();
            train.check_resolution(dt).unwrap();
            assert_eq!(train.spike_steps(0, dt), want, "dt {dt}");
            let mut n = net(dt);
            let g = n.add_population("src", 1, train).unwrap();
            let m = n.record_spikes(g).unwrap();
            n.run_steps(1400).unwrap();
            assert_eq!(n.spikes(m).unwrap().steps, want, "dt {dt}");
        }
    }

    #[test]
    fn v_is_held_and_input_is_ignored() {
        let train = SpikeTrain::single(&[0.3])
            .unwrap()
            .with_v_rest(-65.0)
            .unwrap();
        let mut n = net(0.1);
        let g = n.add_population("src", 2, train).unwrap();
        // A synapse from the train onto itself pushing current, conductance and voltage.
        let kick = Kick {
            w_cur: 3.0,
            w_cond: 1.0,
            w_volt: 5.0,
            ..Kick::default()
        };
        n.add_projection("self", kick, g, g, &Connect::AllToAll)
            .unwrap();
        n.add_input(g, Input::Constant(100.0)).unwrap();
        let v = n.record(g, SpikeTrain::V).unwrap();
        let sp = n.record_spikes(g).unwrap();
        n.run(1.0).unwrap();
        assert!(n.trace(v).unwrap().values.iter().all(|&x| x == -65.0));
        assert_eq!(n.spikes(sp).unwrap().steps, vec![3]);
        assert_eq!(n.spikes(sp).unwrap().indices, vec![0]);
        assert_eq!(n.population(g).unwrap().refractory(), &[false, false]);
    }

    #[test]
    fn drives_a_synapse_on_its_spike_steps() {
        let mut n = net(0.1);
        let pre = n
            .add_population("pre", 1, SpikeTrain::single(&[0.2, 0.5]).unwrap())
            .unwrap();
        let post = n.add_population("post", 1, Acc::default()).unwrap();
        let kick = Kick {
            w_cur: 1.0,
            ..Kick::default()
        };
        let syn = n
            .add_projection("syn", kick, pre, post, &Connect::AllToAll)
            .unwrap();
        n.set_order(&[pre.into(), syn.into(), post.into()]).unwrap();
        let v = n.record(post, Acc::v).unwrap();
        n.run(0.8).unwrap();
        assert_eq!(
            n.trace(v).unwrap().column(0),
            vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
        );
    }

    #[test]
    fn bad_trains_are_rejected_with_the_neuron_and_time() {
        for (times, needle) in [
            (vec![1.0, -2.0], "-2 ms is negative"),
            (vec![f64::NAN], "NaN is not a finite number"),
            (vec![f64::INFINITY], "inf is not a finite number"),
            (vec![5.0, 3.0], "5 ms is followed by 3 ms"),
            (vec![5.0, 5.0], "strictly increase"),
        ] {
            let e = SpikeTrain::new(vec![vec![], times]).unwrap_err();
            let m = e.to_string();
            assert!(
                m.contains("SpikeTrain neuron 1") && m.contains(needle),
                "{m}"
            );
        }
        let close = SpikeTrain::single(&[1.0, 1.04]).unwrap();
        let m = close.check_resolution(0.1).unwrap_err().to_string();
        assert!(
            m.contains("1 and 1.04 ms fall in the same step (10 at dt = 0.1 ms)"),
            "{m}"
        );
        assert!(close.check_resolution(0.01).is_ok());
        assert_eq!(close.spike_steps(0, 0.1), vec![10]);
        assert!(matches!(
            close.check_resolution(0.0),
            Err(Error::InvalidDt { .. })
        ));

        // A network refuses both: two spikes in one step (two times on the grid within
        // rounding of one step), and more trains than neurons.
        let mut n = crate::Network::new(0.1).unwrap();
        let twice = SpikeTrain::single(&[1.0, 1.0 + 1e-12]).unwrap();
        let m = n.add_population("in", 1, twice).unwrap_err().to_string();
        assert!(
            m.contains("`in: SpikeTrain neuron 0`") && m.contains("fall in the same step"),
            "{m}"
        );
        let mut fine = crate::Network::new(0.01).unwrap();
        assert!(fine.add_population("in", 1, close).is_ok());
        let three = SpikeTrain::new(vec![vec![1.0], vec![2.0], vec![3.0]]).unwrap();
        let m = n.add_population("in", 2, three).unwrap_err().to_string();
        assert!(m.contains("3 spike trains for a group of 2 neurons"), "{m}");
    }

    #[test]
    fn parameters_and_info() {
        let mut s = SpikeTrain::single(&[]).unwrap();
        assert_eq!(s.get_param("V_rest"), Some(0.0));
        s.set_param("V_rest", -70.0).unwrap();
        assert_eq!(s.v_rest(), -70.0);
        assert!(matches!(
            s.set_param("tau", 1.0),
            Err(Error::UnknownParameter { .. })
        ));
        assert!(matches!(
            s.set_param("V_rest", f64::NAN),
            Err(Error::InvalidParameter { .. })
        ));
        assert_eq!(s.get_param("tau"), None);
        let info = SpikeTrain::INFO;
        assert_eq!(info.column("V"), Some(0));
        assert_eq!(info.membrane, Some(0));
        assert_eq!(info.kind, ModelKind::Neuron);
        assert_eq!(s.n_trains(), 1);
        assert!(s.times(5).is_empty());
    }
}
