//! External inputs added to a neuron group's input accumulator, Poisson inputs onto a
//! variable, tables of values on a time grid ([`TimedArray`]) and time windows ([`Window`]).

use std::ops::{Bound, RangeBounds};

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
    /// A table of values on a time grid of its own (Brian2's `TimedArray`): see [`TimedArray`]
    /// for the rule (the last row holds after the end).
    Timed(TimedArray),
    /// `input` during `window` only, 0 outside it (see [`Window`] for the rule); made by
    /// [`Input::during`]. The input inside keeps its own clock: a [`Input::Steps`] or a
    /// [`TimedArray`] is indexed by the network's step, not by the time since the window opened.
    Windowed {
        /// The input when the window is open.
        input: Box<Input>,
        /// When it is open.
        window: Window,
    },
}

impl Input {
    /// This input during `window` (ms, from the network's step 0) only, 0 outside it:
    /// `Input::Constant(25.0).during(100.0..150.0)` adds 25 at the steps starting at
    /// 100 ≤ t < 150 ms. See [`Window`] for the rule and the errors; a windowed input windowed
    /// again is open where both windows are.
    #[must_use]
    pub fn during(self, window: impl RangeBounds<f64>) -> Input {
        Input::Windowed {
            input: Box::new(self),
            window: Window::new(window),
        }
    }
}

/// When an input is on: a range of times in ms, counted from the network's step 0 (the step
/// counter continues across runs), decided in whole steps: with `t0..t1` the input is on at
/// step `k` (the step starting at `t = k·dt`) iff `t0/dt ≤ k < t1/dt`, that is for the steps
/// whose start time `t` satisfies `t0 ≤ t < t1`.
///
/// `t0` and `t1` must be whole numbers of steps (within
/// [`STEP_TOLERANCE`](crate::STEP_TOLERANCE), so 0.3 ms is step 3 at dt = 0.1 ms): a window is
/// never rounded, and no float jitter decides whether a step is in or out. An open start
/// (`..t1`) is 0 ms, an open end (`t0..`) never closes; an inclusive end (`t0..=t1`) includes
/// the step starting at `t1`.
///
/// Errors (when the input is added, naming the group): [`Error::InvalidInput`] for a time that
/// is negative, not finite or off the step grid (naming the grid times on either side), or an
/// end before the start. An empty window (`t0..t0`) is allowed: the input never acts.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    start: Bound<f64>,
    end: Bound<f64>,
}

impl Window {
    /// The window of `range` (ms): `10.0..20.0`, `10.0..`, `..20.0`, `10.0..=20.0`.
    pub fn new(range: impl RangeBounds<f64>) -> Self {
        Window {
            start: range.start_bound().cloned(),
            end: range.end_bound().cloned(),
        }
    }

    /// Always open: `..`.
    pub fn always() -> Self {
        Window::new(..)
    }

    /// The steps `[first, end)` of the window at step `dt` ms (`end` = `u64::MAX` for an open
    /// end).
    pub(crate) fn steps(&self, object: &str, dt: f64) -> Result<(u64, u64)> {
        let step = |t: f64| -> Result<u64> {
            if !(t.is_finite() && t >= 0.0) {
                return Err(invalid(
                    object,
                    format!(
                        "window time {} ms is not a finite non-negative time",
                        crate::error::num(t)
                    ),
                ));
            }
            grid_step(object, "window time", t, dt)
        };
        let first = match self.start {
            Bound::Included(t) => step(t)?,
            Bound::Excluded(t) => step(t)?.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match self.end {
            Bound::Included(t) => step(t)?.saturating_add(1),
            Bound::Excluded(t) => step(t)?,
            Bound::Unbounded => u64::MAX,
        };
        if end < first {
            return Err(invalid(
                object,
                format!(
                    "the window ends (step {end}) before it starts (step {first}): give t0 <= t1"
                ),
            ));
        }
        Ok((first, end))
    }
}

impl Default for Window {
    fn default() -> Self {
        Window::always()
    }
}

/// `round(t / dt)` for a time `t` ms (finite, non-negative) on the step grid of `dt`, or
/// [`Error::InvalidInput`] naming `object`, `what` and the grid times on either side.
pub(crate) fn grid_step(object: &str, what: &str, t: f64, dt: f64) -> Result<u64> {
    let num = crate::error::num;
    match crate::network::whole_steps(t, dt) {
        Ok(k) if k <= crate::MAX_STEPS as f64 * 1e3 => Ok(k as u64),
        Ok(_) => Err(invalid(
            object,
            format!("{what} {} ms is beyond any run", num(t)),
        )),
        Err(q) => Err(invalid(
            object,
            format!(
                "{what} {} ms is {} steps of dt = {} ms, off the step grid: give a whole \
                 number of steps ({} or {} ms)",
                num(t),
                num(q),
                num(dt),
                num(q.floor() * dt),
                num(q.ceil() * dt)
            ),
        )),
    }
}

/// A table of input values on a time grid of `dt` ms (Brian2's `TimedArray(values, dt=...)`),
/// given to [`Input::Timed`]: at the step starting at `t` the value is `values[floor(t / dt)]`,
/// and after the end the last value holds (Brian2 returns the last element for times beyond
/// the table). Append a 0 for an input that stops.
///
/// `t / dt` is computed from the step index without accumulating time, and a step that starts
/// on a multiple of the table's `dt` (within [`STEP_TOLERANCE`](crate::STEP_TOLERANCE)) takes
/// the new value: with a table `dt` that is a whole number `m` of network steps, step `k` takes
/// row `k / m` exactly. The table's `dt` may be any positive duration; one below the network's
/// step skips rows, like Brian2.
///
/// One-dimensional ([`TimedArray::new`]): the same value for every target neuron.
/// Two-dimensional ([`TimedArray::per_neuron`], Brian2's `values[time][neuron]`): one column
/// per target neuron (per member of a view, in ascending order).
///
/// Errors (when the input is added, [`Error::InvalidInput`] naming the group and the value):
/// an empty table, a value that is not finite (naming its row and column), a `dt` that is not
/// finite and positive; [`Error::SizeMismatch`] for a row whose width is not the number of
/// target neurons.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedArray {
    dt: f64,
    rows: Rows,
}

#[derive(Clone, Debug, PartialEq)]
enum Rows {
    Scalar(Vec<f64>),
    PerNeuron(Vec<Vec<f64>>),
}

impl TimedArray {
    /// `values[i]` from `i·dt` ms on (the same for every target neuron); `dt` in ms.
    pub fn new(values: Vec<f64>, dt: f64) -> Self {
        TimedArray {
            dt,
            rows: Rows::Scalar(values),
        }
    }

    /// `rows[i][j]` for target neuron `j` from `i·dt` ms on; `dt` in ms. Every row has one
    /// value per target neuron.
    pub fn per_neuron(rows: Vec<Vec<f64>>, dt: f64) -> Self {
        TimedArray {
            dt,
            rows: Rows::PerNeuron(rows),
        }
    }

    /// The table's time step (ms).
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The number of rows (time points).
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Scalar(v) => v.len(),
            Rows::PerNeuron(r) => r.len(),
        }
    }

    /// Whether the table has no row (refused when added).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A [`TimedArray`] checked and flattened.
#[derive(Clone, Debug)]
struct Table {
    /// Row-major, `width` values a row.
    values: Vec<f64>,
    /// 1 for a scalar table.
    width: usize,
    rows: usize,
    /// Network steps per row when whole, for exact integer division.
    per_row: Option<u64>,
    /// The network's step over the table's (for the other case).
    ratio: f64,
}

impl Table {
    fn new(ta: TimedArray, object: &str, targets: usize, dt: f64) -> Result<(Self, bool)> {
        let num = crate::error::num;
        if !(ta.dt.is_finite() && ta.dt > 0.0) {
            return Err(invalid(
                object,
                format!(
                    "timed array dt = {} ms is not a finite positive step",
                    num(ta.dt)
                ),
            ));
        }
        if ta.is_empty() {
            return Err(invalid(
                object,
                "timed array has no value: give at least one row".into(),
            ));
        }
        let rows = ta.len();
        let (values, width, per_neuron) = match ta.rows {
            Rows::Scalar(v) => {
                check_finite(object, "timed array row", v.iter().copied())?;
                (v, 1, false)
            }
            Rows::PerNeuron(rows) => {
                let mut flat = Vec::with_capacity(rows.len() * targets);
                for (i, row) in rows.iter().enumerate() {
                    if row.len() != targets {
                        return Err(Error::SizeMismatch {
                            object: format!("{object}: timed array row {i}"),
                            expected: targets,
                            got: row.len(),
                        });
                    }
                    if let Some(j) = row.iter().position(|v| !v.is_finite()) {
                        return Err(invalid(
                            object,
                            format!(
                                "timed array row {i}, column {j} is {}, not a finite number",
                                row[j]
                            ),
                        ));
                    }
                    flat.extend_from_slice(row);
                }
                (flat, targets, true)
            }
        };
        let per_row = crate::network::whole_steps(ta.dt, dt)
            .ok()
            .filter(|&m| m >= 1.0 && m < u64::MAX as f64)
            .map(|m| m as u64);
        let table = Table {
            values,
            width,
            rows,
            per_row,
            ratio: dt / ta.dt,
        };
        Ok((table, per_neuron))
    }

    /// The row of `step`: `floor(step·dt / dt_table)` within the grid tolerance, at most the
    /// last.
    fn row(&self, step: u64) -> usize {
        let i = match self.per_row {
            Some(m) => step / m,
            None => {
                let q = step as f64 * self.ratio;
                let up = q.ceil();
                let i = if up - q <= crate::STEP_TOLERANCE * up.max(1.0) {
                    up
                } else {
                    q.floor()
                };
                if i >= self.rows as f64 {
                    u64::MAX
                } else {
                    i as u64
                }
            }
        };
        usize::try_from(i).map_or(self.rows - 1, |i| i.min(self.rows - 1))
    }

    fn row_values(&self, step: u64) -> &[f64] {
        let r = self.row(step);
        &self.values[r * self.width..(r + 1) * self.width]
    }
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
    /// The steps `[first, end)` it acts at.
    window: (u64, u64),
    /// Switched on ([`crate::Network::switch_input`]).
    on: bool,
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
    /// A timed array; `per_neuron` for a table of one column per target.
    Table {
        table: Table,
        per_neuron: bool,
    },
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

/// The intersection of the step windows `a` and `b` (empty at `a`'s start when they do not
/// meet).
fn intersect(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    let first = a.0.max(b.0);
    (first, a.1.min(b.1).max(first))
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
        let mut window = (0, u64::MAX);
        let mut input = input;
        let source = loop {
            break match input {
                Input::Windowed {
                    input: inner,
                    window: w,
                } => {
                    window = intersect(window, w.steps(object, dt)?);
                    input = *inner;
                    continue;
                }
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
                Input::Timed(ta) => {
                    let (table, per_neuron) = Table::new(ta, object, targets, dt)?;
                    Source::Table { table, per_neuron }
                }
            };
        };
        let mut input = CompiledInput {
            source,
            indices,
            window,
            on: true,
        };
        input.sort_indices();
        Ok(input)
    }

    /// Whether the input acts at `step`: switched on, and `step` in its window.
    pub(crate) fn active(&self, step: u64) -> bool {
        self.on && self.window.0 <= step && step < self.window.1
    }

    /// Switches the input on or off.
    pub(crate) fn switch(&mut self, on: bool) {
        self.on = on;
    }

    /// The scalar value at `step`, window aside (`None` for per-neuron inputs).
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
            Source::Table {
                table,
                per_neuron: false,
            } => Some(table.row_values(step)[0]),
            Source::PerNeuron(_) | Source::Table { .. } => None,
        }
    }

    /// The per-target values at `step` (`None` for scalar inputs), window aside.
    fn values_at(&self, step: u64) -> Option<&[f64]> {
        match &self.source {
            Source::PerNeuron(values) => Some(values),
            Source::Table {
                table,
                per_neuron: true,
            } => Some(table.row_values(step)),
            _ => None,
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
        match &mut self.source {
            Source::PerNeuron(values) => {
                *values = order.iter().map(|&k| values[k]).collect();
            }
            Source::Table {
                table,
                per_neuron: true,
            } => {
                let w = table.width;
                table.values = table
                    .values
                    .chunks(w.max(1))
                    .flat_map(|row| order.iter().map(move |&k| row[k]))
                    .collect();
            }
            _ => {}
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
        if !self.active(step) {
            return;
        }
        let end = first + input.len();
        // The selected neurons in the tile: a range of the sorted indices.
        let selected =
            |idx: &[usize]| idx.partition_point(|&j| j < first)..idx.partition_point(|&j| j < end);
        if let Some(values) = self.values_at(step) {
            match &self.indices {
                None => {
                    for (x, v) in input.iter_mut().zip(&values[first..end]) {
                        *x += v;
                    }
                }
                Some(idx) => {
                    for k in selected(idx) {
                        input[idx[k] - first] += values[k];
                    }
                }
            }
            return;
        }
        let v = self.value_at(step).unwrap_or(0.0);
        if v == 0.0 {
            return;
        }
        match &self.indices {
            None => input.iter_mut().for_each(|x| *x += v),
            Some(idx) => selected(idx).for_each(|k| input[idx[k] - first] += v),
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
            compile(
                on(
                    Input::Timed(TimedArray::per_neuron(
                        vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]],
                        0.1,
                    )),
                    [8, 1, 4],
                ),
                n,
            )
            .unwrap(),
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

    fn values(c: &CompiledInput, steps: u64) -> Vec<f64> {
        (0..steps)
            .map(|k| {
                let mut x = [0.0];
                c.apply(k, &mut x);
                x[0]
            })
            .collect()
    }

    #[test]
    fn timed_arrays_take_row_floor_t_over_dt_and_hold_the_last() {
        // A row every 3 steps (0.3 / 0.1 = 2.9999999999999996 is 3 steps).
        let c = compile(Input::Timed(TimedArray::new(vec![1.0, 2.0, 3.0], 0.3)), 1).unwrap();
        assert_eq!(
            values(&c, 11),
            vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0]
        );
        assert_eq!(c.value_at(u64::MAX), Some(3.0));
        // Not a whole number of steps a row: floor(k · 0.1 / 0.25), 5 · 0.4 = 2 on the grid.
        let c = compile(
            Input::Timed(TimedArray::new(vec![1.0, 2.0, 3.0, 4.0], 0.25)),
            1,
        )
        .unwrap();
        assert_eq!(
            values(&c, 9),
            vec![1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0]
        );
        // At dt = 0.3 ms, a table of 0.75 ms: 5 · (0.3 / 0.75) = 1.9999999999999998, which the
        // grid tolerance takes for row 2 (5 steps are 1.5 ms, two rows exactly).
        let table = Input::Timed(TimedArray::new(vec![1.0, 2.0, 3.0, 4.0], 0.75));
        let c = CompiledInput::new(table.into(), "g", 1, 0.3).unwrap();
        assert_eq!(values(&c, 7), vec![1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
        // A table step below the network's skips rows: rows 0, 2, 4 at dt = 0.1 ms.
        let c = compile(
            Input::Timed(TimedArray::new(vec![1.0, 2.0, 3.0, 4.0, 5.0], 0.05)),
            1,
        )
        .unwrap();
        assert_eq!(values(&c, 4), vec![1.0, 3.0, 5.0, 5.0]);
    }

    #[test]
    fn two_dimensional_timed_arrays_give_each_target_its_column() {
        let rows = vec![vec![1.0, 10.0], vec![2.0, 20.0]];
        // Targets 3 and 1 (given unsorted): 3 gets column 0, 1 gets column 1.
        let c = compile(
            on(Input::Timed(TimedArray::per_neuron(rows, 0.2)), [3, 1]),
            4,
        )
        .unwrap();
        let at = |k| {
            let mut x = vec![0.0; 4];
            c.apply(k, &mut x);
            x
        };
        assert_eq!(at(0), vec![0.0, 10.0, 0.0, 1.0]);
        assert_eq!(at(1), vec![0.0, 10.0, 0.0, 1.0]);
        assert_eq!(at(2), vec![0.0, 20.0, 0.0, 2.0]);
        assert_eq!(at(100), vec![0.0, 20.0, 0.0, 2.0]);
    }

    #[test]
    fn windows_are_whole_steps_t0_inclusive_t1_exclusive() {
        let active = |w: Input| -> Vec<u64> {
            let c = compile(w, 1).unwrap();
            (0..12)
                .filter(|&k| values(&c, 12)[k as usize] != 0.0)
                .collect()
        };
        // 0.3 / 0.1 and 0.7 / 0.1 are not exact in binary; the steps are 3..7 all the same.
        assert_eq!(
            active(Input::Constant(2.0).during(0.3..0.7)),
            vec![3, 4, 5, 6]
        );
        assert_eq!(
            active(Input::Constant(2.0).during(0.3..=0.7)),
            vec![3, 4, 5, 6, 7]
        );
        assert_eq!(active(Input::Constant(2.0).during(0.9..)), vec![9, 10, 11]);
        assert_eq!(active(Input::Constant(2.0).during(..0.2)), vec![0, 1]);
        assert_eq!(
            active(Input::Constant(2.0).during(0.5..0.5)),
            Vec::<u64>::new()
        );
        // Windows of windows: where both are open.
        assert_eq!(
            active(Input::Constant(2.0).during(0.2..0.6).during(0.4..1.0)),
            vec![4, 5]
        );
        assert_eq!(
            active(Input::Constant(2.0).during(0.2..0.4).during(0.6..1.0)),
            Vec::<u64>::new()
        );
        // A window keeps the input's clock: steps 3 and 4 of the table.
        let table = Input::Timed(TimedArray::new(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.1));
        let c = compile(table.during(0.3..0.5), 1).unwrap();
        assert_eq!(values(&c, 7), vec![0.0, 0.0, 0.0, 4.0, 5.0, 0.0, 0.0]);
        // A per-neuron input in a window; switched off, nothing.
        let mut c = compile(Input::PerNeuron(vec![1.5]).during(0.1..0.2), 1).unwrap();
        assert_eq!(values(&c, 3), vec![0.0, 1.5, 0.0]);
        c.switch(false);
        assert_eq!(values(&c, 3), vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_tables_and_windows_are_errors() {
        let reason = |input: Input| match compile(input, 2).unwrap_err() {
            Error::InvalidInput { object, reason } => {
                assert_eq!(object, "g");
                reason
            }
            e => panic!("{e:?}"),
        };
        for dt in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let r = reason(Input::Timed(TimedArray::new(vec![1.0], dt)));
            assert!(r.starts_with("timed array dt = "), "{r}");
        }
        assert_eq!(
            reason(Input::Timed(TimedArray::new(vec![], 0.1))),
            "timed array has no value: give at least one row"
        );
        assert_eq!(
            reason(Input::Timed(TimedArray::new(vec![1.0, f64::NAN], 0.1))),
            "input timed array row 1 is NaN, not a finite number"
        );
        assert_eq!(
            reason(Input::Timed(TimedArray::per_neuron(
                vec![vec![1.0, 2.0], vec![3.0, f64::INFINITY]],
                0.1
            ))),
            "timed array row 1, column 1 is inf, not a finite number"
        );
        assert_eq!(
            compile(
                Input::Timed(TimedArray::per_neuron(vec![vec![1.0, 2.0], vec![3.0]], 0.1)),
                2
            )
            .unwrap_err(),
            Error::SizeMismatch {
                object: "g: timed array row 1".into(),
                expected: 2,
                got: 1
            }
        );
        assert_eq!(
            reason(Input::Constant(1.0).during(0.25..1.0)),
            "window time 0.25 ms is 2.5 steps of dt = 0.1 ms, off the step grid: give a whole \
             number of steps (0.2 or 0.30000000000000004 ms)"
        );
        assert_eq!(
            reason(Input::Constant(1.0).during(1.0..0.5)),
            "the window ends (step 5) before it starts (step 10): give t0 <= t1"
        );
        for t in [-1.0, f64::NAN] {
            let r = reason(Input::Constant(1.0).during(t..1.0));
            assert!(r.contains("not a finite non-negative time"), "{r}");
        }
        let e = CompiledPoisson::new(
            &PoissonInput::poisson(10.0, 1.0, 1).during(0.0..0.05),
            "g",
            0,
            0.1,
        )
        .unwrap_err();
        assert!(e.to_string().contains("off the step grid"), "{e}");
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
/// the same on any number of threads and in runs of any length, and with or without a window
/// ([`PoissonInput::during`]: inside it a neuron gets the events it gets from the input without
/// one).
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonInput {
    rate_hz: f64,
    sources: Option<u64>,
    weight: f64,
    seed: u64,
    window: Window,
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
            window: Window::always(),
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
            window: Window::always(),
        }
    }

    /// This input during `window` (ms, from the network's step 0) only: no event outside it
    /// (default: always on). The window's rule and errors are those of [`Window`]; a second
    /// call replaces the window.
    #[must_use]
    pub fn during(mut self, window: impl RangeBounds<f64>) -> Self {
        self.window = Window::new(window);
        self
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
    /// `cdf` scaled by 2^53 and floored: a draw's bits `b` (uniform `b / 2^53`) satisfy
    /// `b / 2^53 <= cdf[k]` exactly when `b <= cdf_bits[k]` (the scaling is exact).
    cdf_bits: Vec<u64>,
    dist: Counts,
    /// For a view: whether each neuron of the population receives the input (`None`: all).
    members: Option<Vec<bool>>,
    /// The steps `[first, end)` it acts at.
    window: (u64, u64),
    /// Switched on ([`crate::Network::switch_input`]).
    on: bool,
    /// The variable is held by the refractory period: no event reaches a refractory neuron.
    held: bool,
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
    /// a negative rate, a source probability above 1, or a mean above 10⁶ events per step;
    /// a window as [`Window`] refuses.
    pub(crate) fn new(input: &PoissonInput, object: &str, column: usize, dt: f64) -> Result<Self> {
        let PoissonInput {
            rate_hz,
            sources,
            weight,
            seed,
            ref window,
        } = *input;
        let window = window.steps(object, dt)?;
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
            cdf_bits: cdf
                .iter()
                .map(|&c| (c * (1u64 << 53) as f64).floor() as u64)
                .collect(),
            cdf,
            dist,
            members: None,
            window,
            on: true,
            held: false,
        })
    }

    /// Whether the input acts at `step`: switched on, and `step` in its window.
    pub(crate) fn active(&self, step: u64) -> bool {
        self.on && self.window.0 <= step && step < self.window.1
    }

    /// Switches the input on or off.
    pub(crate) fn switch(&mut self, on: bool) {
        self.on = on;
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

    /// Marks the input's variable as held by the refractory period ([`StateInfo::held`](crate::StateInfo::held)):
    /// the events of a neuron whose refractory flag is set are dropped.
    pub(crate) fn set_held(&mut self, held: bool) {
        self.held = held;
    }

    /// Adds the events of `step` to `values`, the column of the neurons `first..` (`refractory`
    /// their refractory flags as their last update left them: where set, a held variable
    /// receives nothing).
    ///
    /// Neuron `i`'s draw at `step` is the keyed uniform `(step, i)` of its seed
    /// ([`crate::rng::keyed_uniform_from`]), so any thread draws any neuron's count. The hash
    /// of the step is computed once; the neurons' hashes are computed a block at a time (a loop
    /// the compiler vectorises) and only the neurons whose draw exceeds P(0 events) go on.
    pub(crate) fn apply(&self, step: u64, values: &mut [f64], first: usize, refractory: &[bool]) {
        use crate::rng::{bits_to_uniform, key_prefix, key_with, keyed_bits};
        const BLOCK: usize = 64;
        if !self.active(step) {
            return;
        }
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
                if self.members.as_ref().is_some_and(|m| !m[i as usize])
                    || (self.held && refractory.get(i as usize - first) == Some(&true))
                {
                    continue;
                }
                let k = if self.mean < 20.0 {
                    // `invert` on the bits, without the conversion (the same count).
                    // The cdf rises, so the first k >= 1 with bits <= c[k] (at most `last`)
                    // is 1 + the number of c[1..] below the bits: counted without branches
                    // over the first 8 (the count is random, a loop's exit mispredicts), then
                    // by a loop in the rare case it goes on.
                    let c = &self.cdf_bits;
                    let last = c.len().saturating_sub(1);
                    let head = last.min(9);
                    let below: usize = c
                        .get(1..head)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&t| usize::from(bits[j] > t))
                        .sum();
                    let mut k = 1 + below;
                    while k >= head && k < last && bits[j] > c[k] {
                        k += 1;
                    }
                    k as f64
                } else {
                    self.count(bits_to_uniform(bits[j]), i, step)
                };
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
