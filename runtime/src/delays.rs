//! Per-synapse (axonal) delays: a spike of presynaptic neuron `p` produced at step `k` acts
//! through synapse `i` of its row at step `k + dᵢ`.
//!
//! A delay of `d` ms is `d · (1/dt)` rounded to the nearest step (halves away from zero), and at
//! least one step (NEST's rule; an output delay of
//! the DSL keeps its own rule, `ceil(d / dt)` steps on the pushed quantity). Each row is sorted by
//! (delay, postsynaptic neuron), so the synapses of one row with one delay are one run of
//! synapse numbers, a *segment*, sorted by postsynaptic neuron (tiles find their part by binary
//! search). When a presynaptic group produces its spikes, every segment of every spiking row is
//! queued in the ring slot of the step it acts at; a step delivers exactly its slot: no step
//! walks the spikes in flight.

use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use crate::connect::Csr;
use crate::error::{Error, Result};
use crate::model::Segment;

/// Longest per-synapse delay accepted, in steps.
pub const MAX_SYNAPSE_DELAY_STEPS: u32 = 1_000_000;

/// The delays of a synapse group and the spikes in flight.
#[derive(Debug)]
pub(crate) struct Delays {
    /// Per row: its segments, `seg_ptr[p]..seg_ptr[p + 1]` into `seg_delay` and `seg_end`.
    seg_ptr: Vec<usize>,
    /// Delay of each segment (steps, at least 1).
    seg_delay: Vec<u32>,
    /// One past the last synapse of each segment, counted from its row's start (it starts where
    /// the previous one ends, or at the row's start): 4 bytes, as no row has 2^32 synapses
    /// ([`Delays::sort`]).
    seg_end: Vec<u32>,
    /// Slot `step % len` holds the segments acting at `step`.
    ring: RwLock<Vec<Vec<Segment>>>,
}

impl Clone for Delays {
    fn clone(&self) -> Self {
        Delays {
            seg_ptr: self.seg_ptr.clone(),
            seg_delay: self.seg_delay.clone(),
            seg_end: self.seg_end.clone(),
            ring: RwLock::new(self.slots().clone()),
        }
    }
}

/// Sorts each row's part of `perm` by (delay, postsynaptic neuron), the rows split across the
/// machine's cores when there are many synapses (rows are disjoint: the split changes nothing).
fn sort_rows(conn: &Csr, perm: &mut [usize], steps: &[u32]) {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8)
        .min(conn.n_syn() >> 20)
        .max(1);
    sort_rows_on(conn, perm, steps, threads);
}

/// [`sort_rows`] on `threads` threads.
fn sort_rows_on(conn: &Csr, perm: &mut [usize], steps: &[u32], threads: usize) {
    let post = &conn.post;
    let sort = |rows: std::ops::Range<usize>, part: &mut [usize]| {
        let base = conn.row_ptr[rows.start];
        let mut counts = Vec::new();
        for p in rows {
            let r = conn.range(p);
            let row = &mut part[r.start - base..r.end - base];
            let sorted = post.is_sorted(r.clone());
            if !counting_sort(row, &steps[r.clone()], sorted, r.start, &mut counts) {
                row.sort_by_key(|&i| (steps[i], post.get(i)));
            }
        }
    };
    if threads <= 1 || conn.n_pre() < threads {
        sort(0..conn.n_pre(), perm);
        return;
    }
    let cuts = crate::connect::row_cuts(&conn.row_ptr, threads);
    std::thread::scope(|scope| {
        let mut rest = perm;
        let mut at = 0;
        for w in cuts.windows(2) {
            let end = conn.row_ptr[w[1]];
            let (part, tail) = rest.split_at_mut(end - at);
            rest = tail;
            at = end;
            let rows = w[0]..w[1];
            let sort = &sort;
            scope.spawn(move || sort(rows, part));
        }
    });
}

/// A row whose targets are `sorted`, ordered by delay `steps` with a stable counting sort into
/// `row` (synapse numbers from `start`): the order of a stable sort by (delay, target), in time
/// linear in the row when its delays span few steps. `false` (nothing written) for a row that
/// is not sorted by target or whose delays span more steps than it has synapses.
fn counting_sort(
    row: &mut [usize],
    steps: &[u32],
    sorted: bool,
    start: usize,
    counts: &mut Vec<usize>,
) -> bool {
    let (Some(&lo), Some(&hi)) = (steps.iter().min(), steps.iter().max()) else {
        return true;
    };
    let span = (hi - lo) as usize + 1;
    if span > steps.len() + 64 || !sorted {
        return false;
    }
    counts.clear();
    counts.resize(span + 1, 0);
    for &d in steps {
        counts[(d - lo) as usize + 1] += 1;
    }
    for k in 1..=span {
        counts[k] += counts[k - 1];
    }
    for (j, &d) in steps.iter().enumerate() {
        let at = &mut counts[(d - lo) as usize];
        row[*at] = start + j;
        *at += 1;
    }
    true
}

/// `d` ms in steps of `dt`: the nearest whole step, at least one. Error: [`Error::InvalidInput`]
/// naming `object`, the synapse and the value, for a negative or non-finite delay or one longer
/// than [`MAX_SYNAPSE_DELAY_STEPS`].
pub(crate) fn delay_steps(object: &str, synapse: usize, d: f64, dt: f64) -> Result<u32> {
    let bad = |why: &str| Error::InvalidInput {
        object: object.to_string(),
        reason: format!(
            "delay {} ms of synapse {synapse} {why}",
            crate::error::num(d)
        ),
    };
    if !d.is_finite() || d < 0.0 {
        return Err(bad("is not a finite, non-negative number"));
    }
    // `d · (1/dt)`, not `d / dt`: with dt = 0.1, 0.15 ms is 1.5 steps (rounded to 2, as NEST
    // does), where 0.15 / 0.1 is 1.4999999999999998.
    let steps = (d * (1.0 / dt)).round().max(1.0);
    if steps > f64::from(MAX_SYNAPSE_DELAY_STEPS) {
        return Err(bad(&format!(
            "is more than {MAX_SYNAPSE_DELAY_STEPS} steps of {dt} ms"
        )));
    }
    // 1 <= steps <= MAX_SYNAPSE_DELAY_STEPS.
    Ok(steps as u32)
}

impl Delays {
    /// Sorts every row of `conn` by (delay, postsynaptic neuron) for the delays `steps` (one per
    /// synapse, in the current order), and returns the permutation applied (`new[i] =
    /// old[perm[i]]`, for the per-synapse columns) with the delays.
    ///
    /// Error: [`Error::InvalidInput`] naming `object` for a row of 2^32 synapses or more.
    pub(crate) fn sort(
        object: &str,
        conn: &mut Csr,
        steps: &[u32],
    ) -> Result<(Vec<usize>, Delays)> {
        if let Some(p) = (0..conn.n_pre()).find(|&p| conn.range(p).len() > u32::MAX as usize) {
            return Err(Error::InvalidInput {
                object: object.to_string(),
                reason: format!(
                    "presynaptic neuron {p} has {} synapses: per-synapse delays take rows of \
                     fewer than 2^32",
                    conn.range(p).len()
                ),
            });
        }
        let mut perm: Vec<usize> = (0..conn.n_syn()).collect();
        sort_rows(conn, &mut perm, steps);
        let mut seg_ptr = Vec::with_capacity(conn.n_pre() + 1);
        let mut seg_delay = Vec::new();
        let mut seg_end = Vec::new();
        seg_ptr.push(0);
        for p in 0..conn.n_pre() {
            let row = conn.range(p);
            for i in row.clone() {
                let d = steps[perm[i]];
                // In the row (checked above).
                let end = (i + 1 - row.start) as u32;
                if seg_delay.len() == *seg_ptr.last().unwrap_or(&0) || seg_delay.last() != Some(&d)
                {
                    seg_delay.push(d);
                    seg_end.push(end);
                } else if let Some(last) = seg_end.last_mut() {
                    *last = end;
                }
            }
            seg_ptr.push(seg_delay.len());
        }
        conn.post = conn.post.permuted(&perm);
        seg_delay.shrink_to_fit();
        seg_end.shrink_to_fit();
        let max = seg_delay.iter().copied().max().unwrap_or(1);
        let delays = Delays {
            seg_ptr,
            seg_delay,
            seg_end,
            ring: RwLock::new(vec![Vec::new(); max as usize + 1]),
        };
        Ok((perm, delays))
    }

    fn slots(&self) -> RwLockReadGuard<'_, Vec<Vec<Segment>>> {
        self.ring.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fingerprint of the delays (their segments: each one's delay and end in `conn`).
    pub(crate) fn fingerprint(&self, conn: &Csr) -> u64 {
        let mut h = crate::checkpoint::FNV_START;
        for &x in &self.seg_ptr {
            h = crate::checkpoint::fnv(h, &(x as u64).to_le_bytes());
        }
        for p in 0..conn.n_pre() {
            for k in self.seg_ptr[p]..self.seg_ptr[p + 1] {
                let end = self.end(conn, p, k);
                h = crate::checkpoint::fnv(h, &self.seg_delay[k].to_le_bytes());
                h = crate::checkpoint::fnv(h, &(end as u64).to_le_bytes());
            }
        }
        h
    }

    /// One past the last synapse of segment `k` (of row `p`) in `conn`.
    #[inline]
    fn end(&self, conn: &Csr, p: usize, k: usize) -> usize {
        conn.row_ptr[p] + self.seg_end[k] as usize
    }

    /// Bytes of the segments (not of the spikes in flight).
    pub(crate) fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.seg_ptr.capacity() * size_of::<usize>()
            + self.seg_delay.capacity() * size_of::<u32>()
            + self.seg_end.capacity() * size_of::<u32>()
    }

    /// Writes the spikes in flight: the ring's slots, each a list of segments.
    pub(crate) fn save(&self, w: &mut crate::checkpoint::Writer) {
        let ring = self.slots();
        w.u64(ring.len() as u64);
        for slot in ring.iter() {
            let flat: Vec<u64> = slot
                .iter()
                .flat_map(|s| [s.pre as u64, s.start as u64, s.end as u64])
                .collect();
            w.u64s(&flat);
        }
    }

    /// Reads what [`Delays::save`] wrote (checked against the rows of `conn`); sets it if
    /// `apply`.
    pub(crate) fn load(
        &self,
        r: &mut crate::checkpoint::Reader<'_>,
        conn: &Csr,
        object: &str,
        apply: bool,
    ) -> Result<()> {
        let len = self.slots().len();
        r.expect_u64(&format!("the delay ring of `{object}`"), len as u64)?;
        let mut ring = Vec::with_capacity(len);
        for _ in 0..len {
            let flat = r.any_u64s(&format!("the spikes in flight of `{object}`"))?;
            if flat.len() % 3 != 0 {
                return Err(Error::Checkpoint {
                    reason: format!("the spikes in flight of `{object}` are malformed"),
                });
            }
            let mut slot = Vec::with_capacity(flat.len() / 3);
            for s in flat.chunks_exact(3) {
                let (pre, start, end) = (s[0] as usize, s[1] as usize, s[2] as usize);
                let fits = pre < conn.n_pre()
                    && start <= end
                    && conn.range(pre).start <= start
                    && end <= conn.range(pre).end;
                if !fits {
                    return Err(Error::Checkpoint {
                        reason: format!(
                            "a spike in flight of `{object}` names synapses it does not have"
                        ),
                    });
                }
                slot.push(Segment { pre, start, end });
            }
            ring.push(slot);
        }
        if apply {
            *self.ring.write().unwrap_or_else(PoisonError::into_inner) = ring;
        }
        Ok(())
    }

    /// The delay (steps) of every synapse, in synapse order.
    pub(crate) fn per_synapse(&self, conn: &Csr) -> Vec<u32> {
        let mut out = Vec::with_capacity(conn.n_syn());
        for p in 0..conn.n_pre() {
            let mut start = conn.row_ptr[p];
            for k in self.seg_ptr[p]..self.seg_ptr[p + 1] {
                let end = self.end(conn, p, k);
                out.extend(std::iter::repeat_n(self.seg_delay[k], end - start));
                start = end;
            }
        }
        out
    }

    /// Queues the segments of the rows of `spiking` (produced at step `step`) at the steps they
    /// act at.
    pub(crate) fn queue(&self, conn: &Csr, spiking: &[u32], step: u64) {
        use crate::team::prefetch;
        // The rows' segment lists are scattered through memory: ask for all their starts,
        // then for all their segments, so that the cache misses overlap instead of queueing
        // behind each other.
        for &p in spiking {
            prefetch(&self.seg_ptr[p as usize]);
            prefetch(&conn.row_ptr[p as usize]);
        }
        for &p in spiking {
            let k = self.seg_ptr[p as usize];
            prefetch(self.seg_delay[k..].as_ptr());
            prefetch(self.seg_end[k..].as_ptr());
        }
        let mut ring = self.ring.write().unwrap_or_else(PoisonError::into_inner);
        let len = ring.len() as u64;
        for &p in spiking {
            let p = p as usize;
            let mut start = conn.row_ptr[p];
            for k in self.seg_ptr[p]..self.seg_ptr[p + 1] {
                let end = self.end(conn, p, k);
                let at = (step + u64::from(self.seg_delay[k])) % len;
                ring[at as usize].push(Segment { pre: p, start, end });
                start = end;
            }
        }
    }

    /// Calls `f` with the segments acting at `step`, in the order they were queued.
    pub(crate) fn with_arrivals<R>(&self, step: u64, f: impl FnOnce(&[Segment]) -> R) -> R {
        let ring = self.slots();
        let len = ring.len() as u64;
        f(&ring[(step % len) as usize])
    }

    /// Empties the slot of `step` (after it acted).
    pub(crate) fn clear(&self, step: u64) {
        let mut ring = self.ring.write().unwrap_or_else(PoisonError::into_inner);
        let len = ring.len() as u64;
        ring[(step % len) as usize].clear();
    }

    /// Forgets every spike in flight.
    pub(crate) fn reset(&self) {
        let mut ring = self.ring.write().unwrap_or_else(PoisonError::into_inner);
        ring.iter_mut().for_each(Vec::clear);
    }
}

/// The part of `seg` onto the postsynaptic neurons `tile` (its synapses are sorted by
/// postsynaptic neuron), if any.
pub(crate) fn on_tile(conn: &Csr, seg: Segment, tile: &std::ops::Range<usize>) -> Option<Segment> {
    let a = conn.post.lower_bound(seg.start..seg.end, tile.start);
    let b = conn.post.lower_bound(a..seg.end, tile.end);
    (a < b).then_some(Segment {
        pre: seg.pre,
        start: a,
        end: b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::Targets;

    /// The counting sort of a row sorted by target gives the stable sort by (delay, target),
    /// multapses in their order; it declines rows it cannot sort that way.
    #[test]
    fn counting_sort_orders_a_row_as_the_stable_sort_does() {
        let n = 500;
        let post: Vec<u32> = (0..n).map(|i| (i / 3) as u32).collect();
        let steps: Vec<u32> = (0..n).map(|i| ((i * 7919) % 23) as u32 + 5).collect();
        let start = 1000;
        let mut want: Vec<usize> = (start..start + n).collect();
        want.sort_by_key(|&i| (steps[i - start], post[i - start]));
        let mut got = vec![0; n];
        let mut counts = Vec::new();
        assert!(post.is_sorted());
        assert!(counting_sort(&mut got, &steps, true, start, &mut counts));
        assert_eq!(got, want);
        assert!(!counting_sort(&mut got, &steps, false, start, &mut counts));
        let wide: Vec<u32> = (0..n).map(|i| (i * 1000) as u32 + 1).collect();
        assert!(!counting_sort(&mut got, &wide, true, start, &mut counts));
    }

    #[test]
    fn rows_sorted_on_several_threads_equal_rows_sorted_on_one() {
        let n_pre = 97;
        let mut row_ptr = vec![0];
        for p in 0..n_pre {
            row_ptr.push(row_ptr[p] + p % 13 + 3);
        }
        let n_syn = row_ptr[n_pre];
        let conn = Csr {
            post: Targets::new((0..n_syn).map(|i| ((i * 7919) % 101) as u32).collect(), 101),
            row_ptr,
        };
        let steps: Vec<u32> = (0..n_syn).map(|i| ((i * 31) % 17) as u32 + 1).collect();
        let one = {
            let mut perm: Vec<usize> = (0..n_syn).collect();
            sort_rows_on(&conn, &mut perm, &steps, 1);
            perm
        };
        for threads in [2, 3, 5, 97] {
            let mut perm: Vec<usize> = (0..n_syn).collect();
            sort_rows_on(&conn, &mut perm, &steps, threads);
            assert_eq!(perm, one, "{threads} threads");
        }
        // Sorted by (delay, target) within each row.
        for p in 0..n_pre {
            let keys: Vec<(u32, usize)> = one[conn.range(p)]
                .iter()
                .map(|&i| (steps[i], conn.post.get(i)))
                .collect();
            assert!(keys.is_sorted(), "row {p}");
        }
    }

    #[test]
    fn delays_round_to_the_nearest_step_and_at_least_one() {
        let steps = |d| delay_steps("s", 0, d, 0.1);
        assert_eq!(steps(0.0), Ok(1));
        assert_eq!(steps(0.04), Ok(1));
        assert_eq!(steps(0.15), Ok(2));
        assert_eq!(steps(0.149), Ok(1));
        assert_eq!(steps(1.5), Ok(15));
        for bad in [-0.1, f64::NAN, f64::INFINITY, 1e9] {
            let e = steps(bad).unwrap_err().to_string();
            assert!(
                e.contains("synapse 0") && e.contains(&crate::error::num(bad)),
                "{e}"
            );
        }
    }

    #[test]
    fn rows_sort_by_delay_then_target_and_segments_follow() {
        // Row 0: targets 3, 1, 2, 0 with delays 2, 1, 2, 1; row 1 empty; row 2: target 5, delay 3.
        let mut conn = Csr {
            row_ptr: vec![0, 4, 4, 5],
            post: Targets::new(vec![3, 1, 2, 0, 5], 6),
        };
        let (perm, d) = Delays::sort("s", &mut conn, &[2, 1, 2, 1, 3]).unwrap();
        assert_eq!(conn.post.to_vec(), [0, 1, 2, 3, 5]);
        assert_eq!(perm, [3, 1, 2, 0, 4]);
        assert_eq!(d.per_synapse(&conn), [1, 1, 2, 2, 3]);
        // Four row starts of 8 bytes, three segments of 4 + 4.
        assert_eq!(d.bytes(), 4 * 8 + 3 * 8);
        d.queue(&conn, &[0, 2], 10);
        let at = |step| d.with_arrivals(step, <[Segment]>::to_vec);
        assert_eq!(
            at(11),
            [Segment {
                pre: 0,
                start: 0,
                end: 2
            }]
        );
        assert_eq!(
            at(12),
            [Segment {
                pre: 0,
                start: 2,
                end: 4
            }]
        );
        assert_eq!(
            at(13),
            [Segment {
                pre: 2,
                start: 4,
                end: 5
            }]
        );
        d.clear(11);
        assert!(at(11).is_empty());
        let tile = 1..3;
        assert_eq!(
            on_tile(
                &conn,
                Segment {
                    pre: 0,
                    start: 0,
                    end: 4
                },
                &tile
            ),
            Some(Segment {
                pre: 0,
                start: 1,
                end: 3
            })
        );
        assert_eq!(
            on_tile(
                &conn,
                Segment {
                    pre: 2,
                    start: 4,
                    end: 5
                },
                &tile
            ),
            None
        );
    }
}
