//! Monitors: state traces of a group's or synapse group's column, and spike trains.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::memory::{bytes_of, reserve, Budget, Purpose};

/// Which elements of a column a state monitor records, and how often (what the views and
/// periods of [`Network::record_every`](crate::Network::record_every) become).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recording {
    /// Elements recorded, in this order; `None` for all of them.
    pub indices: Option<Vec<usize>>,
    /// Record at steps `i` with `i % every == 0` (network step counter); default 1.
    pub every: u64,
}

/// A recorded state variable: one row per recorded time, one column per recorded element.
///
/// Row `i` holds the values at time `times[i]` = `k · dt` (for `k` a multiple of the monitor's
/// period): the first row of a monitor in place before the network's first step is the initial
/// state (t = 0); the row at `k · dt` for `k > 0` is the state at the end of step `k − 1`, right
/// after the object's update (and its delay advance) in that step, as Brian2 and NEST label
/// theirs. A run from step `s` to `e` adds the rows of `s..=e` that are not recorded yet: the
/// state a run starts from (when no earlier run recorded it) and the state after each step.
///
/// Two things the label does not cover: an object changed later in the same step by another
/// (a synapse group after its postsynaptic group in the schedule adding to a conductance)
/// shows that change in the next row, as the object integrates it from the next step on; and
/// a derived variable (an `#[expr]` stored as a column) is computed in a step, so before the
/// first step its row (t = 0) holds 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// Name of the recorded group or synapse group.
    pub object: String,
    /// Name of the recorded variable.
    pub variable: String,
    /// Recorded element indices (neurons, or synapses / pre / post neurons per storage).
    pub indices: Vec<usize>,
    /// Column names, `variable[index]`.
    pub names: Vec<String>,
    /// Number of columns (`indices.len()`).
    pub n_cols: usize,
    /// Time of each row (ms): `k as f64 * dt`, the time of the values the row holds.
    pub times: Vec<f64>,
    /// Values, row-major: row `i` is `values[i * n_cols..(i + 1) * n_cols]`.
    pub values: Vec<f64>,
}

impl Trace {
    /// Number of recorded rows (steps).
    pub fn n_rows(&self) -> usize {
        self.times.len()
    }

    /// Column `j` over time (a copy).
    ///
    /// # Panics
    ///
    /// If `j >= n_cols`.
    pub fn column(&self, j: usize) -> Vec<f64> {
        assert!(
            j < self.n_cols,
            "column {j} out of range for a trace of {} columns",
            self.n_cols
        );
        self.values
            .iter()
            .skip(j)
            .step_by(self.n_cols)
            .copied()
            .collect()
    }

    /// Row `i`: every recorded element at `times[i]`.
    ///
    /// # Panics
    ///
    /// If `i >= n_rows()`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// Value of column `j` at row `i`.
    ///
    /// # Panics
    ///
    /// If `i >= n_rows()` or `j >= n_cols`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.row(i)[j]
    }

    /// Writes the trace as CSV: a header `t,name0,name1,...`, then one line per row.
    pub fn write_csv<W: Write>(&self, mut out: W) -> io::Result<()> {
        write!(out, "t")?;
        for name in &self.names {
            write!(out, ",{name}")?;
        }
        writeln!(out)?;
        for (i, t) in self.times.iter().enumerate() {
            write!(out, "{t}")?;
            for v in self.row(i) {
                write!(out, ",{v}")?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Writes the trace as a NumPy `.npy` file (format 1.0, readable with `numpy.load`): a
    /// `rows × (1 + columns)` array of little-endian `f64` in C order whose first column is the
    /// time (ms) and the others the recorded values, as in [`Trace::write_csv`]. Every value is
    /// written bit for bit.
    pub fn write_npy<W: Write>(&self, mut out: W) -> io::Result<()> {
        write_npy_header(&mut out, self.n_rows(), 1 + self.n_cols)?;
        for (i, t) in self.times.iter().enumerate() {
            out.write_all(&t.to_le_bytes())?;
            for v in self.row(i) {
                out.write_all(&v.to_le_bytes())?;
            }
        }
        Ok(())
    }
}

/// Writes the header of a NumPy `.npy` file (format 1.0) of a C-order `rows × cols` array of
/// little-endian `f64`: magic, version, header length, the dictionary, spaces and a newline, a
/// multiple of 64 bytes in all.
pub(crate) fn write_npy_header<W: Write>(out: &mut W, rows: usize, cols: usize) -> io::Result<()> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let pad = (64 - (10 + dict.len() + 1) % 64) % 64;
    let len =
        u16::try_from(dict.len() + pad + 1).map_err(|_| io::Error::other("npy header too long"))?;
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(dict.as_bytes())?;
    out.write_all(&vec![b' '; pad])?;
    out.write_all(b"\n")
}

/// The spikes a spike monitor recorded from a population or a view of one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spikes {
    /// Name of the recorded population.
    pub object: String,
    /// The recorded neurons (population indices, ascending): all of the population, or the
    /// members of the view.
    pub neurons: Vec<u32>,
    /// Step of each spike.
    pub steps: Vec<u64>,
    /// Time of each spike (ms): where the model locates the crossing inside the step
    /// (`within_step`), the located time; otherwise the step's start. [`Spikes::steps`] gives
    /// the step either way.
    pub times: Vec<f64>,
    /// Neuron of each spike (population index).
    pub indices: Vec<u32>,
    /// Spike count of each recorded neuron, in the order of [`Spikes::neurons`].
    pub counts: Vec<u64>,
    /// Number of spikes.
    pub n_spikes: u64,
    /// Number of steps recorded.
    pub n_steps: u64,
    /// Step (ms).
    pub dt: f64,
}

impl Spikes {
    /// Total number of spikes.
    pub fn total(&self) -> u64 {
        self.n_spikes
    }

    /// Recorded duration (ms): steps recorded × dt.
    pub fn duration(&self) -> f64 {
        self.n_steps as f64 * self.dt
    }

    /// Mean firing rate over neurons and the recorded duration (Hz); 0 before anything was recorded.
    pub fn mean_rate(&self) -> f64 {
        let denom = self.counts.len() as f64 * self.duration() * 1e-3;
        if denom > 0.0 {
            self.total() as f64 / denom
        } else {
            0.0
        }
    }

    /// Firing rate of each recorded neuron over the recorded duration (Hz), in the order of
    /// [`Spikes::neurons`].
    pub fn rates(&self) -> Vec<f64> {
        let seconds = self.duration() * 1e-3;
        self.counts
            .iter()
            .map(|&c| {
                if seconds > 0.0 {
                    c as f64 / seconds
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Spike times (ms) of neuron `j` (a population index).
    pub fn times_of(&self, j: usize) -> Vec<f64> {
        self.indices
            .iter()
            .zip(&self.times)
            .filter(|(&i, _)| i as usize == j)
            .map(|(_, &t)| t)
            .collect()
    }
}

/// What a state monitor is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Neuron(usize),
    Synapse(usize),
}

/// A state monitor: a column of an object, a selection, a period and the trace.
#[derive(Clone, Debug)]
pub(crate) struct StateRecorder {
    pub(crate) owner: Owner,
    pub(crate) col: usize,
    all: bool,
    every: u64,
    /// The time index `k` (time `k · dt`) of the last row recorded, drained or not.
    last: Option<u64>,
    pub(crate) trace: Trace,
}

impl StateRecorder {
    /// Validates `rec` against column `col` (variable `variable`) of `len` elements of
    /// `object`; the trace's columns are named `variable[{label}j]` (`label` says what the
    /// elements are: `""`, `"pre:"`, `"post:"`).
    pub(crate) fn new(
        owner: Owner,
        object: &str,
        (variable, col, label): (&str, usize, &str),
        len: usize,
        rec: &Recording,
    ) -> Result<Self> {
        if len == 0 {
            return Err(Error::EmptyGroup {
                object: object.to_string(),
            });
        }
        if rec.every == 0 {
            return Err(Error::InvalidInput {
                object: object.to_string(),
                reason: "a monitor must record every k >= 1 steps, got k = 0".to_string(),
            });
        }
        let indices = match &rec.indices {
            None => (0..len).collect(),
            Some(idx) => {
                if idx.is_empty() {
                    return Err(Error::InvalidInput {
                        object: object.to_string(),
                        reason: format!("a monitor of `{variable}` selects no element"),
                    });
                }
                if let Some(&bad) = idx.iter().find(|&&j| j >= len) {
                    return Err(Error::IndexOutOfRange {
                        object: object.to_string(),
                        index: bad,
                        len,
                    });
                }
                idx.clone()
            }
        };
        let names = indices
            .iter()
            .map(|j| format!("{variable}[{label}{j}]"))
            .collect();
        Ok(StateRecorder {
            owner,
            col,
            all: rec.indices.is_none(),
            every: rec.every,
            last: None,
            trace: Trace {
                object: object.to_string(),
                variable: variable.to_string(),
                n_cols: indices.len(),
                indices,
                names,
                times: Vec::new(),
                values: Vec::new(),
            },
        })
    }

    /// Reserves room for the rows of a run of steps `start..end` (times `start..=end`), so
    /// recording never reallocates,
    /// charging it to `budget`.
    ///
    /// Error: [`Error::OutOfMemory`] naming the monitored object and variable when the budget
    /// or the allocator refuses the rows (nothing is reserved then).
    pub(crate) fn reserve(&mut self, start: u64, end: u64, budget: &mut Budget) -> Result<()> {
        let rows = rows_between(start, end.saturating_add(1), self.every);
        let rows = usize::try_from(rows).unwrap_or(usize::MAX);
        let values = rows.saturating_mul(self.trace.n_cols);
        let what = format!(
            "the trace of `{}` ({rows} rows of {} values)",
            self.trace.variable, self.trace.n_cols
        );
        let purpose = Purpose {
            object: &self.trace.object,
            what: &what,
        };
        let spare = |v: &Vec<f64>, n: usize| n.saturating_sub(v.capacity() - v.len());
        let new = bytes_of::<f64>(spare(&self.trace.times, rows))
            .saturating_add(bytes_of::<f64>(spare(&self.trace.values, values)));
        budget.check(new, purpose)?;
        reserve(&mut self.trace.times, rows, purpose)?;
        if let Err(e) = reserve(&mut self.trace.values, values, purpose) {
            self.trace.times.shrink_to_fit();
            return Err(e);
        }
        budget.charge(new, purpose)
    }

    /// The recording period (steps).
    pub(crate) fn every(&self) -> u64 {
        self.every
    }

    /// Whether the state at the start of step `step` still needs a row: its time is a multiple
    /// of the period and the last row is not that time (an earlier run recorded it at its end).
    pub(crate) fn wants_start(&self, step: u64) -> bool {
        step % self.every == 0 && self.last != Some(step)
    }

    /// Records `column`, the values at time `k · dt`, if the period says so.
    #[inline]
    pub(crate) fn record(&mut self, k: u64, dt: f64, column: &[f64]) {
        if k % self.every != 0 {
            return;
        }
        self.trace.times.push(k as f64 * dt);
        self.last = Some(k);
        if self.all {
            self.trace.values.extend_from_slice(column);
        } else {
            self.trace
                .values
                .extend(self.trace.indices.iter().map(|&j| column[j]));
        }
    }

    /// Records the values `value(j)` of the column's elements at time `k · dt` if the period
    /// says so.
    pub(crate) fn record_with(&mut self, k: u64, dt: f64, n: usize, value: impl Fn(usize) -> f64) {
        if k % self.every != 0 {
            return;
        }
        self.trace.times.push(k as f64 * dt);
        self.last = Some(k);
        if self.all {
            self.trace.values.extend((0..n).map(value));
        } else {
            self.trace
                .values
                .extend(self.trace.indices.iter().map(|&j| value(j)));
        }
    }
}

impl StateRecorder {
    /// Writes the recorded rows (see [`crate::checkpoint`]).
    pub(crate) fn save(&self, w: &mut crate::checkpoint::Writer) {
        w.str(&self.trace.object);
        w.str(&self.trace.variable);
        w.u64(self.trace.n_cols as u64);
        w.u64(self.last.map_or(0, |k| k + 1));
        w.f64s(&self.trace.times);
        w.f64s(&self.trace.values);
    }

    /// Reads what [`StateRecorder::save`] wrote; sets it if `apply`.
    pub(crate) fn load(
        &mut self,
        r: &mut crate::checkpoint::Reader<'_>,
        apply: bool,
    ) -> Result<()> {
        let what = format!(
            "the monitor of `{}.{}`",
            self.trace.object, self.trace.variable
        );
        r.expect_str("a monitored object", &self.trace.object)?;
        r.expect_str("a monitored variable", &self.trace.variable)?;
        r.expect_u64(&format!("the columns of {what}"), self.trace.n_cols as u64)?;
        let last = r.u64(&format!("the last row of {what}"))?.checked_sub(1);
        let times = r.any_f64s(&format!("the times of {what}"))?;
        let values = r.f64s(
            &format!("the values of {what}"),
            times.len().saturating_mul(self.trace.n_cols),
        )?;
        if apply {
            self.last = last;
            self.trace.times = times;
            self.trace.values = values;
        }
        Ok(())
    }
}

impl SpikeRecorder {
    /// Writes the recorded spikes and counts (see [`crate::checkpoint`]).
    pub(crate) fn save(&self, w: &mut crate::checkpoint::Writer) {
        let t = &self.trace;
        w.str(&t.object);
        w.u64s(&t.steps);
        w.f64s(&t.times);
        w.u32s(&t.indices);
        w.u64s(&t.counts);
        w.u64(t.n_spikes);
        w.u64(t.n_steps);
        w.u64(self.bins.as_ref().map_or(0, |b| b.rate.bin_steps));
        if let Some(b) = &self.bins {
            b.save(w);
        }
    }

    /// Reads what [`SpikeRecorder::save`] wrote; sets it if `apply`.
    pub(crate) fn load(
        &mut self,
        r: &mut crate::checkpoint::Reader<'_>,
        apply: bool,
    ) -> Result<()> {
        let what = format!("the spike monitor of `{}`", self.trace.object);
        r.expect_str("a monitored group", &self.trace.object)?;
        let steps = r.any_u64s(&format!("the spike steps of {what}"))?;
        let times = r.f64s(&format!("the spike times of {what}"), steps.len())?;
        let indices = r.any_u32s(&format!("the spiking neurons of {what}"))?;
        let counts = r.any_u64s(&format!("the spike counts of {what}"))?;
        let n = self.trace.counts.len();
        let recorded = |i: u32| self.trace.neurons.binary_search(&i).is_ok();
        if indices.len() != steps.len()
            || counts.len() != n
            || indices.iter().any(|&i| !recorded(i))
        {
            return Err(Error::Checkpoint {
                reason: format!("{what} does not fit a group of {n} neurons"),
            });
        }
        let n_spikes = r.u64(&what)?;
        let n_steps = r.u64(&what)?;
        let bin = self.bins.as_ref().map_or(0, |b| b.rate.bin_steps);
        r.expect_u64(
            &format!("the steps per rate bin of {what} (0: no rate)"),
            bin,
        )?;
        if let Some(b) = &mut self.bins {
            b.load(r, apply)?;
        }
        if apply {
            let t = &mut self.trace;
            (t.steps, t.times, t.indices, t.counts) = (steps, times, indices, counts);
            (t.n_spikes, t.n_steps) = (n_spikes, n_steps);
        }
        Ok(())
    }
}

/// Number of multiples of `every` in `start..end`.
fn rows_between(start: u64, end: u64, every: u64) -> u64 {
    let first = start.div_ceil(every).saturating_mul(every);
    if first >= end {
        0
    } else {
        (end - 1 - first) / every + 1
    }
}

/// A spike monitor of a population or a view of one.
#[derive(Clone, Debug)]
pub(crate) struct SpikeRecorder {
    pub(crate) group: usize,
    pub(crate) trace: Spikes,
    /// For a view: the position among the members of each neuron of the population
    /// (`u32::MAX` for a neuron outside it); `None` for the whole population.
    slot: Option<Vec<u32>>,
    /// Record when each spike happens, not only the counts.
    trains: bool,
    /// For a rate monitor: the spikes of each step binned.
    pub(crate) bins: Option<crate::rate::Binner>,
}

impl SpikeRecorder {
    /// A monitor of the neurons `neurons` (ascending) of population `group` of `n` neurons.
    pub(crate) fn new(
        group: usize,
        object: &str,
        n: usize,
        neurons: Vec<u32>,
        dt: f64,
        trains: bool,
    ) -> Result<Self> {
        if neurons.is_empty() {
            return Err(Error::EmptyGroup {
                object: object.to_string(),
            });
        }
        let slot = (neurons.len() < n).then(|| {
            let mut slot = vec![u32::MAX; n];
            for (k, &i) in neurons.iter().enumerate() {
                slot[i as usize] = k as u32;
            }
            slot
        });
        Ok(SpikeRecorder {
            group,
            trace: Spikes {
                object: object.to_string(),
                counts: vec![0; neurons.len()],
                neurons,
                dt,
                ..Spikes::default()
            },
            slot,
            trains,
            bins: None,
        })
    }

    /// Whether the monitor records spike times (not only counts).
    pub(crate) fn trains(&self) -> bool {
        self.trains
    }

    /// Records the neurons in `spiking` (indices, ascending) as spiking in the step of
    /// `clock`, each at its last spike time in `t_last` where that lies inside the step (a
    /// crossing the model located there), else at the step's start.
    #[inline]
    pub(crate) fn record(&mut self, clock: crate::model::Clock, spiking: &[u32], t_last: &[f64]) {
        let (step, t) = (clock.step, clock.t);
        let at = |j: u32| match t_last.get(j as usize) {
            Some(&s) if s >= t && s <= t + clock.dt => s,
            _ => t,
        };
        if let Some(slot) = &self.slot {
            self.trace.n_steps += 1;
            let before = self.trace.n_spikes;
            for &j in spiking {
                let k = slot[j as usize];
                if k != u32::MAX {
                    self.trace.n_spikes += 1;
                    self.trace.counts[k as usize] += 1;
                    if self.trains {
                        self.trace.steps.push(step);
                        self.trace.times.push(at(j));
                        self.trace.indices.push(j);
                    }
                }
            }
            if let Some(b) = &mut self.bins {
                b.step(self.trace.n_spikes - before);
            }
            return;
        }
        let tr = &mut self.trace;
        tr.n_steps += 1;
        tr.n_spikes += spiking.len() as u64;
        for &j in spiking {
            tr.counts[j as usize] += 1;
        }
        if self.trains {
            for &j in spiking {
                tr.steps.push(step);
                tr.times.push(at(j));
                tr.indices.push(j);
            }
        }
        if let Some(b) = &mut self.bins {
            b.step(spiking.len() as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_between_counts_multiples() {
        assert_eq!(rows_between(0, 300, 1), 300);
        assert_eq!(rows_between(0, 300, 10), 30);
        assert_eq!(rows_between(0, 301, 10), 31);
        assert_eq!(rows_between(1, 11, 10), 1);
        assert_eq!(rows_between(1, 10, 10), 0);
        assert_eq!(rows_between(5, 5, 1), 0);
    }

    #[test]
    fn state_monitor_records_selected_rows() {
        let rec = Recording {
            indices: Some(vec![2, 0]),
            every: 2,
        };
        let mut m = StateRecorder::new(Owner::Neuron(0), "g", ("V", 0, ""), 3, &rec).unwrap();
        m.reserve(0, 5, &mut Budget::default()).unwrap();
        let cap = m.trace.values.capacity();
        for k in 0..=5u64 {
            let s = k as f64;
            m.record(k, 0.1, &[s, 10.0 + s, 20.0 + s]);
        }
        assert_eq!(m.trace.values.capacity(), cap);
        let tr = &m.trace;
        assert_eq!(tr.names, vec!["V[2]", "V[0]"]);
        assert_eq!(tr.n_rows(), 3);
        assert_eq!(tr.times, vec![0.0, 0.2, 0.4]);
        assert_eq!(tr.row(1), &[22.0, 2.0]);
        assert_eq!(tr.column(0), vec![20.0, 22.0, 24.0]);
        assert_eq!(tr.get(2, 1), 4.0);
        let mut csv = Vec::new();
        tr.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(csv.lines().next(), Some("t,V[2],V[0]"));
        assert_eq!(csv.lines().nth(2), Some("0.2,22,2"));
    }

    #[test]
    fn state_monitor_errors() {
        let all = Recording {
            indices: None,
            every: 1,
        };
        let e = StateRecorder::new(Owner::Neuron(0), "g", ("V", 0, ""), 0, &all).unwrap_err();
        assert_eq!(e, Error::EmptyGroup { object: "g".into() });
        let rec = Recording {
            indices: Some(vec![3]),
            every: 1,
        };
        let e = StateRecorder::new(Owner::Neuron(0), "g", ("V", 0, ""), 3, &rec).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "g".into(),
                index: 3,
                len: 3
            }
        );
        let rec = Recording {
            indices: Some(Vec::new()),
            every: 1,
        };
        let e = StateRecorder::new(Owner::Neuron(0), "g", ("V", 0, ""), 3, &rec).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }));
        let rec = Recording {
            indices: None,
            every: 0,
        };
        let e = StateRecorder::new(Owner::Neuron(0), "g", ("V", 0, ""), 3, &rec).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }));
    }

    #[test]
    fn npy_is_numpy_format_1_with_time_first() {
        let tr = Trace {
            object: "g".into(),
            variable: "V".into(),
            indices: vec![0, 2],
            names: vec!["V[0]".into(), "V[2]".into()],
            n_cols: 2,
            times: vec![0.0, 0.1],
            values: vec![1.5, -2.25, f64::MIN_POSITIVE, 1e300],
        };
        let mut bytes = Vec::new();
        tr.write_npy(&mut bytes).unwrap();
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        let data = 10 + header_len;
        assert_eq!(data % 64, 0, "data starts on a 64-byte boundary");
        let header = std::str::from_utf8(&bytes[10..data]).unwrap();
        assert!(header.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"));
        assert!(header.ends_with('\n'));
        let values: Vec<f64> = bytes[data..]
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(values, vec![0.0, 1.5, -2.25, 0.1, f64::MIN_POSITIVE, 1e300]);
    }

    #[test]
    fn spike_monitor_counts_and_rates() {
        for trains in [true, false] {
            let mut m = SpikeRecorder::new(0, "g", 2, vec![0, 1], 0.1, trains).unwrap();
            for step in 0..10_000u64 {
                let s = [step % 100 == 0, step % 1000 == 5];
                let spiking: Vec<u32> = (0..2).filter(|&j| s[j as usize]).collect();
                m.record(crate::model::Clock::at(step, 0.1), &spiking, &[]);
            }
            let tr = &m.trace;
            assert_eq!(tr.counts, vec![100, 10]);
            assert_eq!(tr.total(), 110);
            assert!((tr.duration() - 1000.0).abs() < 1e-9);
            assert!((tr.mean_rate() - 55.0).abs() < 1e-9);
            assert_eq!(tr.rates(), vec![100.0, 10.0]);
            if trains {
                assert_eq!(tr.times_of(1)[..2], [0.5, 100.5]);
                assert_eq!(&tr.indices[..3], &[0, 1, 0]);
            } else {
                assert!(tr.steps.is_empty() && tr.times.is_empty() && tr.indices.is_empty());
            }
        }
        assert!(SpikeRecorder::new(0, "g", 0, Vec::new(), 0.1, true).is_err());
    }

    #[test]
    fn a_spike_monitor_of_a_view_counts_its_members_under_their_population_indices() {
        let mut m = SpikeRecorder::new(0, "g", 5, vec![1, 3], 0.1, true).unwrap();
        // Neuron 3's crossing located at 0.13 ms inside step 1; the other last-spike times lie
        // outside their steps, so those spikes are at the step's start.
        let t_last = [-1e7, -1e7, 0.2, 0.13, 0.0];
        let at = |step| crate::model::Clock::at(step, 0.1);
        m.record(at(0), &[0, 1, 3, 4], &[-1e7, -1e7, -1e7, -1e7, 0.0]);
        m.record(at(1), &[3], &t_last);
        m.record(at(2), &[2], &t_last);
        let tr = &m.trace;
        assert_eq!(tr.neurons, vec![1, 3]);
        assert_eq!(tr.counts, vec![1, 2]);
        assert_eq!((tr.total(), tr.n_steps), (3, 3));
        assert_eq!(tr.indices, vec![1, 3, 3]);
        assert_eq!(tr.steps, vec![0, 0, 1]);
        assert_eq!(tr.times_of(3), vec![0.0, 0.13]);
        // Two neurons over 0.3 ms.
        assert!((tr.mean_rate() - 3.0 / (2.0 * 0.3e-3)).abs() < 1e-6);
    }
}
