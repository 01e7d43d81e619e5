//! External inputs added to a neuron group's input accumulator.

use crate::error::{Error, Result};

/// An external input, added to a neuron group's input accumulator (`input += value`, in the model's
/// input unit, nA for the tutorial models) right before the group updates, every step.
///
/// Steps are counted from the network's step 0 (the step counter continues across runs).
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The same value every step.
    Constant(f64),
    /// Piecewise-constant sections `(value, duration in ms)`, like BrainPy's `constant_current`:
    /// section `k` lasts `(duration_k / dt) as usize` steps (truncated), starting where section
    /// `k − 1` ended; after the last section the input is 0.
    Sections(Vec<(f64, f64)>),
    /// One value per step from the network's step 0; 0 after the end.
    Steps(Vec<f64>),
    /// A constant value per target neuron (one per neuron of the group, or one per selected index).
    PerNeuron(Vec<f64>),
}

/// An [`Input`] with the neurons it applies to: all of the population (`indices: None`) or the
/// members of a view.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stimulus {
    /// The input.
    pub(crate) input: Input,
    /// The neurons it is added to; `None` for the whole population.
    pub(crate) indices: Option<Vec<usize>>,
}

impl From<Input> for Stimulus {
    fn from(input: Input) -> Self {
        Stimulus {
            input,
            indices: None,
        }
    }
}

/// An input validated against its group and compiled to whole steps.
#[derive(Clone, Debug)]
pub(crate) struct CompiledInput {
    source: Source,
    indices: Option<Vec<usize>>,
}

#[derive(Clone, Debug)]
enum Source {
    Constant(f64),
    /// `ends[k]` is the first step after section `k` (cumulative).
    Sections {
        ends: Vec<u64>,
        values: Vec<f64>,
    },
    Steps(Vec<f64>),
    PerNeuron(Vec<f64>),
}

fn invalid(object: &str, reason: String) -> Error {
    Error::InvalidInput {
        object: object.to_string(),
        reason,
    }
}

fn check_finite(object: &str, what: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    for (k, v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            return Err(invalid(
                object,
                format!("input {what} {k} is {v}, not a finite number"),
            ));
        }
    }
    Ok(())
}

impl CompiledInput {
    /// Validates `stimulus` for a group `object` of `n` neurons at step `dt` (ms).
    pub(crate) fn new(stimulus: Stimulus, object: &str, n: usize, dt: f64) -> Result<Self> {
        let Stimulus { input, indices } = stimulus;
        if let Some(idx) = &indices {
            if let Some(&bad) = idx.iter().find(|&&j| j >= n) {
                return Err(Error::IndexOutOfRange {
                    object: object.to_string(),
                    index: bad,
                    len: n,
                });
            }
        }
        let targets = indices.as_ref().map_or(n, Vec::len);
        let source = match input {
            Input::Constant(v) => {
                check_finite(object, "value", [v])?;
                Source::Constant(v)
            }
            Input::Sections(sections) => {
                let mut ends = Vec::with_capacity(sections.len());
                let mut values = Vec::with_capacity(sections.len());
                let mut end = 0u64;
                for (k, &(value, duration)) in sections.iter().enumerate() {
                    check_finite(object, "section value", [value])?;
                    if !(duration.is_finite() && duration >= 0.0) || duration / dt > 1e12 {
                        return Err(invalid(
                            object,
                            format!(
                                "input section {k} lasts {} ms, not a valid duration",
                                crate::error::num(duration)
                            ),
                        ));
                    }
                    // Truncation, as the original: `int(duration / dt)`.
                    end += (duration / dt) as u64;
                    ends.push(end);
                    values.push(value);
                }
                Source::Sections { ends, values }
            }
            Input::Steps(values) => {
                check_finite(object, "step", values.iter().copied())?;
                Source::Steps(values)
            }
            Input::PerNeuron(values) => {
                if values.len() != targets {
                    return Err(Error::SizeMismatch {
                        object: object.to_string(),
                        expected: targets,
                        got: values.len(),
                    });
                }
                check_finite(object, "element", values.iter().copied())?;
                Source::PerNeuron(values)
            }
        };
        let mut input = CompiledInput { source, indices };
        input.sort_indices();
        Ok(input)
    }

    /// The scalar value at `step` (`None` for per-neuron inputs).
    pub(crate) fn value_at(&self, step: u64) -> Option<f64> {
        match &self.source {
            Source::Constant(v) => Some(*v),
            Source::Sections { ends, values } => {
                let k = ends.partition_point(|&e| e <= step);
                Some(values.get(k).copied().unwrap_or(0.0))
            }
            Source::Steps(values) => Some(
                usize::try_from(step)
                    .ok()
                    .and_then(|s| values.get(s))
                    .copied()
                    .unwrap_or(0.0),
            ),
            Source::PerNeuron(_) => None,
        }
    }

    /// Sorts the target indices (stably, with their values), so that the part of the input on a
    /// tile of neurons is found by binary search. A repeated index keeps its values in order.
    fn sort_indices(&mut self) {
        let Some(idx) = &mut self.indices else {
            return;
        };
        if idx.is_sorted() {
            return;
        }
        let mut order: Vec<usize> = (0..idx.len()).collect();
        order.sort_by_key(|&k| idx[k]);
        *idx = order.iter().map(|&k| idx[k]).collect();
        if let Source::PerNeuron(values) = &mut self.source {
            *values = order.iter().map(|&k| values[k]).collect();
        }
    }

    /// Adds the input of `step` to the accumulator `input` (the whole group).
    #[cfg(test)]
    pub(crate) fn apply(&self, step: u64, input: &mut [f64]) {
        self.apply_range(step, input, 0);
    }

    /// Adds the input of `step` to `input`, the accumulator of the neurons
    /// `first..first + input.len()` of the group.
    pub(crate) fn apply_range(&self, step: u64, input: &mut [f64], first: usize) {
        let end = first + input.len();
        // The selected neurons in the tile: a range of the sorted indices.
        let selected =
            |idx: &[usize]| idx.partition_point(|&j| j < first)..idx.partition_point(|&j| j < end);
        match (&self.source, &self.indices) {
            (Source::PerNeuron(values), None) => {
                for (x, v) in input.iter_mut().zip(&values[first..end]) {
                    *x += v;
                }
            }
            (Source::PerNeuron(values), Some(idx)) => {
                for k in selected(idx) {
                    input[idx[k] - first] += values[k];
                }
            }
            (_, indices) => {
                let v = self.value_at(step).unwrap_or(0.0);
                if v == 0.0 {
                    return;
                }
                match indices {
                    None => input.iter_mut().for_each(|x| *x += v),
                    Some(idx) => selected(idx).for_each(|k| input[idx[k] - first] += v),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(input: impl Into<Stimulus>, n: usize) -> Result<CompiledInput> {
        CompiledInput::new(input.into(), "g", n, 0.1)
    }

    /// `input` on the neurons `indices` only.
    fn on(input: Input, indices: impl Into<Vec<usize>>) -> Stimulus {
        Stimulus {
            input,
            indices: Some(indices.into()),
        }
    }

    #[test]
    fn sections_truncate_to_whole_steps() {
        // The GABA_B protocol: 25 for 20 ms, then 0 for 1000 ms.
        let c = compile(Input::Sections(vec![(25.0, 20.0), (0.0, 1000.0)]), 2).unwrap();
        assert_eq!(c.value_at(0), Some(25.0));
        assert_eq!(c.value_at(199), Some(25.0));
        assert_eq!(c.value_at(200), Some(0.0));
        assert_eq!(c.value_at(10_199), Some(0.0));
        assert_eq!(c.value_at(10_200), Some(0.0));
        // 0.35 / 0.1 = 3.4999999999999996 → 3 steps; then 2 steps; then 0.
        let c = compile(Input::Sections(vec![(1.0, 0.35), (2.0, 0.2)]), 1).unwrap();
        let got: Vec<f64> = (0..7).map(|s| c.value_at(s).unwrap()).collect();
        assert_eq!(got, vec![1.0, 1.0, 1.0, 2.0, 2.0, 0.0, 0.0]);
        // A zero-length section is skipped.
        let c = compile(Input::Sections(vec![(1.0, 0.0), (2.0, 0.1)]), 1).unwrap();
        assert_eq!((c.value_at(0), c.value_at(1)), (Some(2.0), Some(0.0)));
    }

    #[test]
    fn steps_and_constant() {
        let c = compile(Input::Steps(vec![1.0, 2.0, 3.0]), 1).unwrap();
        let got: Vec<f64> = (0..5).map(|s| c.value_at(s).unwrap()).collect();
        assert_eq!(got, vec![1.0, 2.0, 3.0, 0.0, 0.0]);
        assert_eq!(
            compile(Input::Constant(35.0), 1)
                .unwrap()
                .value_at(u64::MAX),
            Some(35.0)
        );
    }

    #[test]
    fn apply_on_subsets() {
        let mut x = vec![0.0; 4];
        compile(on(Input::Constant(2.0), vec![1, 3, 3]), 4)
            .unwrap()
            .apply(0, &mut x);
        assert_eq!(x, vec![0.0, 2.0, 0.0, 4.0]);
        compile(Input::Constant(1.0), 4).unwrap().apply(5, &mut x);
        assert_eq!(x, vec![1.0, 3.0, 1.0, 5.0]);
        compile(on(Input::PerNeuron(vec![0.5, 0.25]), [0, 2]), 4)
            .unwrap()
            .apply(0, &mut x);
        assert_eq!(x, vec![1.5, 3.0, 1.25, 5.0]);
        compile(Input::PerNeuron(vec![1.0; 4]), 4)
            .unwrap()
            .apply(0, &mut x);
        assert_eq!(x, vec![2.5, 4.0, 2.25, 6.0]);
    }

    /// Applied tile by tile, an input adds what it adds to the whole group, in the same order
    /// (indices given unsorted and repeated).
    #[test]
    fn tiles_add_what_the_whole_group_gets() {
        let n = 10;
        let indices = vec![7, 2, 7, 9, 0, 2, 5];
        let values: Vec<f64> = (0..indices.len()).map(|k| 0.1 + k as f64).collect();
        for input in [
            compile(on(Input::PerNeuron(values), indices.clone()), n).unwrap(),
            compile(on(Input::Constant(0.3), indices), n).unwrap(),
            compile(Input::Steps(vec![0.0, 1.5]), n).unwrap(),
            compile(Input::PerNeuron((0..n).map(|j| j as f64).collect()), n).unwrap(),
        ] {
            let mut whole = vec![0.25; n];
            input.apply(1, &mut whole);
            for cut in [1, 3, 4, 10] {
                let mut tiled = vec![0.25; n];
                for first in (0..n).step_by(cut) {
                    let end = (first + cut).min(n);
                    input.apply_range(1, &mut tiled[first..end], first);
                }
                assert_eq!(tiled, whole, "tiles of {cut}");
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = compile(on(Input::Constant(1.0), [0, 4]), 4).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "g".into(),
                index: 4,
                len: 4
            }
        );
        let e = compile(Input::PerNeuron(vec![1.0; 3]), 4).unwrap_err();
        assert_eq!(
            e,
            Error::SizeMismatch {
                object: "g".into(),
                expected: 4,
                got: 3
            }
        );
        for bad in [
            Input::Constant(f64::NAN),
            Input::Steps(vec![0.0, f64::INFINITY]),
            Input::Sections(vec![(1.0, -1.0)]),
            Input::Sections(vec![(1.0, f64::NAN)]),
            Input::Sections(vec![(f64::NAN, 1.0)]),
            Input::PerNeuron(vec![f64::NAN; 4]),
        ] {
            let e = compile(bad.clone(), 4).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{bad:?}: {e}");
        }
        // A huge duration is printed as a number a reader can hold, not 301 digits.
        let e = compile(Input::Sections(vec![(1.0, 1e300)]), 4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input for `g`: input section 0 lasts 1e300 ms, not a valid duration"
        );
    }
}

/// Random events added straight to a variable of every neuron of a group, without synapses:
/// Brian2's `PoissonInput`, NEST's `poisson_generator` connected to a population (each neuron
/// its own train).
///
/// At every step each neuron receives a random number of events, each adding `weight` (in the
/// variable's unit) to the variable right before the group's update: a Poisson number with mean
/// `rate·dt` ([`PoissonInput::poisson`]; rate in Hz, dt in ms, so the mean is rate·dt/1000), or
/// a binomial number of `n` sources each firing with probability `rate·dt`
/// ([`PoissonInput::binomial`]). The number depends only on the seed, the neuron and the step:
/// the same on any number of threads and in runs of any length.
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonInput {
    rate_hz: f64,
    sources: Option<u64>,
    weight: f64,
    seed: u64,
}

impl PoissonInput {
    /// A Poisson number of events per neuron and step, at `rate_hz` (Hz) in all, each adding
    /// `weight`.
    pub fn poisson(rate_hz: f64, weight: f64, seed: u64) -> Self {
        PoissonInput {
            rate_hz,
            sources: None,
            weight,
            seed,
        }
    }

    /// `n` sources per neuron, each firing at `rate_hz` (Hz): a binomial number of events per
    /// step, each adding `weight`.
    pub fn binomial(n: u64, rate_hz: f64, weight: f64, seed: u64) -> Self {
        PoissonInput {
            rate_hz,
            sources: Some(n),
            weight,
            seed,
        }
    }
}

/// A [`PoissonInput`] checked against its group, with its column and its distribution.
#[derive(Clone, Debug)]
pub(crate) struct CompiledPoisson {
    column: usize,
    weight: f64,
    seed: u64,
    /// P(no event): below it, no event (most steps).
    p0: f64,
    /// Mean events per step.
    mean: f64,
    /// The cumulative probabilities of 0, 1, 2, ... events, up to the first count of
    /// probability 0 (for a mean below 20; empty above).
    cdf: Vec<f64>,
    dist: Counts,
    /// For a view: whether each neuron of the population receives the input (`None`: all).
    members: Option<Vec<bool>>,
}

#[derive(Clone, Debug)]
enum Counts {
    Poisson(rand_distr::Poisson<f64>),
    Binomial(rand_distr::Binomial),
}

impl CompiledPoisson {
    /// Checks `input` for column `column` of group `object` at step `dt` (ms).
    ///
    /// Errors: [`Error::InvalidInput`] naming the group for a rate or weight that is not finite,
    /// a negative rate, a source probability above 1, or a mean above 10⁶ events per step.
    pub(crate) fn new(input: &PoissonInput, object: &str, column: usize, dt: f64) -> Result<Self> {
        let PoissonInput {
            rate_hz,
            sources,
            weight,
            seed,
        } = *input;
        if !(rate_hz.is_finite() && rate_hz >= 0.0) {
            return Err(invalid(
                object,
                format!("Poisson input rate {rate_hz} Hz is not a finite non-negative number"),
            ));
        }
        check_finite(object, "weight", [weight])?;
        let p = rate_hz * dt / 1000.0;
        let (lambda, dist) = match sources {
            None => {
                if p > 1e6 {
                    return Err(invalid(
                        object,
                        format!("Poisson input of {p} events per step is too many"),
                    ));
                }
                let d = rand_distr::Poisson::new(p.max(f64::MIN_POSITIVE))
                    .map_err(|e| invalid(object, format!("Poisson input: {e}")))?;
                (p, Counts::Poisson(d))
            }
            Some(n) => {
                // Counts are computed in f64: exact below 2^53 sources.
                if n > 1 << 53 {
                    return Err(invalid(
                        object,
                        format!("binomial input of {n} sources: at most 2^53 are counted exactly"),
                    ));
                }
                if n as f64 * p > 1e6 {
                    return Err(invalid(
                        object,
                        format!(
                            "binomial input of {n} sources at {rate_hz} Hz is {} events per step, too many",
                            crate::error::num(n as f64 * p)
                        ),
                    ));
                }
                if p > 1.0 {
                    return Err(invalid(
                        object,
                        format!(
                            "{rate_hz} Hz at dt = {dt} ms is a probability {p} per step, above 1"
                        ),
                    ));
                }
                let d = rand_distr::Binomial::new(n, p)
                    .map_err(|e| invalid(object, format!("binomial input: {e}")))?;
                (n as f64 * p, Counts::Binomial(d))
            }
        };
        let p0 = match sources {
            None => (-lambda).exp(),
            Some(n) => (1.0 - p).powf(n as f64),
        };
        let ratio = if p < 1.0 {
            p / (1.0 - p)
        } else {
            f64::INFINITY
        };
        // P(k) from P(k − 1): the factor λ/k, or (n − k + 1)/k · p/(1 − p).
        let next = |k: f64| match sources {
            None => p / k,
            Some(n) => (n as f64 - k + 1.0) / k * ratio,
        };
        let mut cdf = Vec::new();
        if lambda < 20.0 {
            let (mut k, mut pk, mut c) = (0.0f64, p0, p0);
            cdf.push(c);
            // P(k) reaches 0 (underflow, or k = n + 1) within a few hundred counts.
            while pk > 0.0 && cdf.len() < 4096 {
                k += 1.0;
                pk *= next(k);
                c += pk;
                cdf.push(c);
            }
        }
        Ok(CompiledPoisson {
            column,
            weight,
            seed,
            p0,
            mean: lambda,
            cdf,
            dist,
            members: None,
        })
    }

    /// Restricts the input to the `members` (ascending) of a population of `n` neurons; a
    /// member's events stay those it gets from the input onto the whole population.
    pub(crate) fn restrict(&mut self, n: usize, members: &[u32]) {
        let mut mask = vec![false; n];
        for &i in members {
            mask[i as usize] = true;
        }
        self.members = Some(mask);
    }

    /// The column it adds to.
    pub(crate) fn column(&self) -> usize {
        self.column
    }

    /// The count whose cumulative probability first reaches `u` (above `p0`, so at least 1),
    /// or the first count of probability 0.
    fn invert(&self, u: f64) -> f64 {
        let k = self
            .cdf
            .iter()
            .position(|&c| u <= c)
            .unwrap_or(self.cdf.len().saturating_sub(1));
        k.max(1) as f64
    }

    /// Adds the events of `step` to `values`, the column of the neurons `first..`.
    ///
    /// Neuron `i`'s draw at `step` is the keyed uniform `(step, i)` of its seed
    /// ([`crate::rng::keyed_uniform_from`]), so any thread draws any neuron's count. The hash
    /// of the step is computed once; the neurons' hashes are computed a block at a time (a loop
    /// the compiler vectorises) and only the neurons whose draw exceeds P(0 events) go on.
    pub(crate) fn apply(&self, step: u64, values: &mut [f64], first: usize) {
        use crate::rng::{bits_to_uniform, key_prefix, key_with, keyed_bits};
        const BLOCK: usize = 64;
        let key = key_with(
            key_prefix(self.seed, crate::rng::domain::POISSON_INPUT),
            step,
        );
        // No event where the draw's bits are at most P(0)·2^53 (exact: a power-of-two scaling).
        let none = (self.p0 * (1u64 << 53) as f64).floor() as u64;
        for (b, block) in values.chunks_mut(BLOCK).enumerate() {
            let start = (first + b * BLOCK) as u64;
            let mut bits = [0u64; BLOCK];
            for (j, x) in bits.iter_mut().enumerate() {
                *x = keyed_bits(key, start + j as u64);
            }
            let mut mask = 0u64;
            for (j, &x) in bits.iter().enumerate().take(block.len()) {
                mask |= u64::from(x > none) << j;
            }
            while mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let i = start + j as u64;
                if self.members.as_ref().is_some_and(|m| !m[i as usize]) {
                    continue;
                }
                let u = bits_to_uniform(bits[j]);
                let k = self.count(u, i, step);
                block[j] += k * self.weight;
            }
        }
    }

    /// The number of events (at least 1) of a draw `u` above P(0 events), for neuron `i` at
    /// `step`.
    fn count(&self, u: f64, i: u64, step: u64) -> f64 {
        use rand::SeedableRng;
        use rand_distr::Distribution;
        if self.mean < 20.0 {
            // Inversion from the same draw: the smallest k whose cumulative probability
            // reaches u.
            return self.invert(u);
        }
        // A large mean (0 events all but impossible): the distribution's own sampler, from a
        // generator keyed by the draw, the neuron and the step.
        let key = u.to_bits() ^ i.rotate_left(32) ^ step.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(key);
        match &self.dist {
            Counts::Poisson(d) => d.sample(&mut rng),
            Counts::Binomial(d) => d.sample(&mut rng) as f64,
        }
    }
}
