//! The rules' algorithms: dense rows, geometric gaps of Bernoulli rows, one draw per pair for
//! probabilities given as functions, the degree rules (Floyd's sampling), pairs, and rows
//! filled in parallel from their own keyed streams.

use super::{Csr, Room, Side, Targets};
use crate::error::{Error, Result};
use crate::rng::{domain, Stream, Streams};

/// The options of the degree rules.
#[derive(Clone, Copy, Debug)]
pub(super) struct Degree {
    pub(super) k: usize,
    pub(super) autapses: bool,
    pub(super) multapses: bool,
}

/// `k` targets among `0..n` minus `skip`, uniformly: with repeats, or distinct (Floyd's
/// algorithm), ascending, into `out`. The caller checks that enough are available.
pub(super) fn choose(
    rng: &mut Stream,
    n: usize,
    skip: Option<usize>,
    k: usize,
    multapses: bool,
    out: &mut Vec<u32>,
) {
    let avail = n - usize::from(skip.is_some_and(|s| s < n));
    // Index `x` among the available ones, as a neuron.
    let neuron = |x: usize| match skip {
        Some(s) if x >= s => x + 1,
        _ => x,
    };
    let start = out.len();
    if multapses {
        for _ in 0..k {
            out.push(neuron(rng.below(avail as u64) as usize) as u32);
        }
    } else {
        // Floyd: for j in avail−k..avail, take a uniform t ≤ j, or j itself if t was taken.
        let mut taken = std::collections::HashSet::with_capacity(k);
        for j in avail - k..avail {
            let t = rng.below(j as u64 + 1) as usize;
            let pick = if taken.insert(t) { t } else { j };
            taken.insert(pick);
            out.push(neuron(pick) as u32);
        }
    }
    out[start..].sort_unstable();
}

/// [`choose`] among the members of `side`, pushing population indices (ascending).
fn choose_among(
    rng: &mut Stream,
    side: Side<'_>,
    skip: Option<usize>,
    k: usize,
    multapses: bool,
    out: &mut Vec<u32>,
) {
    let start = out.len();
    choose(rng, side.len(), skip, k, multapses, out);
    if side.members.is_some() {
        for x in &mut out[start..] {
            *x = side.member(*x as usize) as u32;
        }
    }
}

/// How many partners neuron `i` has to choose from among the members of `side`, without itself
/// unless autapses.
fn available(side: Side<'_>, i: usize, autapses: bool) -> usize {
    side.len() - usize::from(!autapses && side.contains(i))
}

fn degree_error(object: &str, what: &str, k: usize, avail: usize, i: usize) -> Error {
    Error::InvalidInput {
        object: object.to_string(),
        reason: format!(
            "{what} {k} without repeated pairs needs {k} distinct partners, but neuron {i} has {avail}"
        ),
    }
}

pub(super) fn fixed_outdegree(
    room: &Room<'_>,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
    let object = room.object;
    let total = pre
        .len()
        .checked_mul(rule.k)
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let streams = Streams::new(seed);
    let mut row_ptr = Vec::with_capacity(pre.n + 1);
    let mut post_of = Vec::new();
    room.reserve(&mut post_of, total)?;
    row_ptr.push(0);
    for i in 0..pre.n {
        if pre.contains(i) {
            let avail = available(post, i, rule.autapses);
            if rule.k > 0 && (avail == 0 || (!rule.multapses && rule.k > avail)) {
                return Err(degree_error(object, "out-degree", rule.k, avail, i));
            }
            let mut rng = streams.stream(domain::CONNECT, i as u64);
            let skip = if rule.autapses {
                None
            } else {
                post.position(i)
            };
            choose_among(&mut rng, post, skip, rule.k, rule.multapses, &mut post_of);
        }
        row_ptr.push(post_of.len());
    }
    Ok(Csr {
        row_ptr,
        post: Targets::Wide(post_of),
    })
}

pub(super) fn fixed_indegree(
    room: &Room<'_>,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
    let object = room.object;
    let total = post
        .len()
        .checked_mul(rule.k)
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let streams = Streams::new(seed);
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    room.reserve(&mut pairs, total)?;
    let mut sources = Vec::with_capacity(rule.k);
    for j in post.iter() {
        let avail = available(pre, j, rule.autapses);
        if rule.k > 0 && (avail == 0 || (!rule.multapses && rule.k > avail)) {
            return Err(degree_error(object, "in-degree", rule.k, avail, j));
        }
        let mut rng = streams.stream(domain::CONNECT_IN, j as u64);
        sources.clear();
        let skip = if rule.autapses { None } else { pre.position(j) };
        choose_among(&mut rng, pre, skip, rule.k, rule.multapses, &mut sources);
        // n_post <= u32::MAX was checked by the caller.
        pairs.extend(sources.iter().map(|&i| (i, j as u32)));
    }
    // Pairs come in ascending target order, so every row ends up sorted.
    from_pairs(room, pre.n, post.n, &pairs)
}

pub(super) fn fixed_total(
    room: &Room<'_>,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
    let object = room.object;
    let weights: Vec<usize> = (0..pre.n)
        .map(|i| {
            if pre.contains(i) {
                available(post, i, rule.autapses)
            } else {
                0
            }
        })
        .collect();
    let pairs_total: u128 = weights.iter().map(|&w| w as u128).sum();
    if rule.k > 0 && pairs_total == 0 {
        return Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!("{} synapses between groups with no allowed pair", rule.k),
        });
    }
    if !rule.multapses && rule.k as u128 > pairs_total {
        return Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!(
                "{} synapses without repeated pairs, but only {pairs_total} pairs are allowed",
                rule.k
            ),
        });
    }
    let streams = Streams::new(seed);
    // The counts of the rows: multinomial, as successive binomials.
    let mut counts = vec![0usize; pre.n];
    let mut rng = streams.stream(domain::CONNECT_IN, u64::MAX);
    let mut left = rule.k as u64;
    let mut weight_left = pairs_total as f64;
    for (i, &w) in weights.iter().enumerate() {
        if left == 0 {
            break;
        }
        if w == 0 && !pre.contains(i) {
            continue;
        }
        let p = if weight_left > 0.0 {
            (w as f64 / weight_left).min(1.0)
        } else {
            0.0
        };
        let c = if p >= 1.0 {
            left
        } else {
            rand_distr::Binomial::new(left, p)
                .map(|b| rand_distr::Distribution::sample(&b, &mut rng))
                .unwrap_or(0)
        };
        counts[i] = c as usize;
        left -= c;
        weight_left -= w as f64;
    }
    // Without repeats a row may have drawn more than it can hold: such draws are refused.
    if let Some(i) = (0..pre.n).find(|&i| !rule.multapses && counts[i] > weights[i]) {
        return Err(degree_error(object, "a row of", counts[i], weights[i], i));
    }
    fill_rows(room, &counts, |i, out| {
        let mut rng = streams.stream(domain::CONNECT, i as u64);
        let skip = if rule.autapses {
            None
        } else {
            post.position(i)
        };
        choose_among(&mut rng, post, skip, counts[i], rule.multapses, out);
    })
}

/// Row boundaries `0 = r_0 <= r_1 <= ... <= r_threads = rows` that split the synapses of a
/// row pointer (`row_ptr[p]..row_ptr[p + 1]` for row `p`) about evenly among `threads`.
pub(crate) fn row_cuts(row_ptr: &[usize], threads: usize) -> Vec<usize> {
    let rows = row_ptr.len().saturating_sub(1);
    let n_syn = row_ptr.last().copied().unwrap_or(0);
    let mut cuts = vec![0];
    for k in 1..threads {
        let r = row_ptr
            .partition_point(|&x| x < n_syn * k / threads)
            .min(rows);
        cuts.push(r.max(cuts[cuts.len() - 1]));
    }
    cuts.push(rows);
    cuts
}

/// The connectivity of rows of `counts[i]` synapses each, row `i`'s targets pushed by
/// `row(i, out)` onto an empty `out` (exactly `counts[i]` of them). Rows are drawn from their
/// own keyed streams, so they are filled in parallel when there are many synapses, with the
/// same result.
///
/// The targets are reserved whole within `room`, or the error.
pub(super) fn fill_rows(
    room: &Room<'_>,
    counts: &[usize],
    row: impl Fn(usize, &mut Vec<u32>) + Sync,
) -> Result<Csr> {
    let n_syn = counts.iter().try_fold(0usize, |a, &c| a.checked_add(c));
    let n_syn = n_syn.ok_or_else(|| too_many(room.object, counts.len(), usize::MAX))?;
    room.check(n_syn)?;
    let post = crate::memory::filled(n_syn, 0u32, room.purpose())?;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8)
        .min(n_syn >> 20)
        .max(1);
    Ok(fill_rows_on(counts, row, threads, post))
}

/// [`fill_rows`] on `threads` threads, into `post` (as many zeros as there are synapses).
pub(super) fn fill_rows_on(
    counts: &[usize],
    row: impl Fn(usize, &mut Vec<u32>) + Sync,
    threads: usize,
    mut post: Vec<u32>,
) -> Csr {
    let mut row_ptr = Vec::with_capacity(counts.len() + 1);
    row_ptr.push(0);
    for &c in counts {
        row_ptr.push(row_ptr[row_ptr.len() - 1] + c);
    }
    debug_assert_eq!(post.len(), row_ptr[counts.len()]);
    let fill = |rows: std::ops::Range<usize>, part: &mut [u32]| {
        let base = row_ptr[rows.start];
        let mut buf = Vec::new();
        for i in rows {
            buf.clear();
            row(i, &mut buf);
            part[row_ptr[i] - base..row_ptr[i + 1] - base].copy_from_slice(&buf);
        }
    };
    if threads <= 1 || counts.len() < threads {
        fill(0..counts.len(), &mut post);
        return Csr {
            row_ptr,
            post: Targets::Wide(post),
        };
    }
    let cuts = row_cuts(&row_ptr, threads);
    std::thread::scope(|scope| {
        let mut rest = post.as_mut_slice();
        let mut at = 0;
        for w in cuts.windows(2) {
            let end = row_ptr[w[1]];
            let (part, tail) = rest.split_at_mut(end - at);
            rest = tail;
            at = end;
            let (rows, fill) = (w[0]..w[1], &fill);
            scope.spawn(move || fill(rows, part));
        }
    });
    Csr {
        row_ptr,
        post: Targets::Wide(post),
    }
}

pub(super) fn probability(
    room: &Room<'_>,
    pre: Side<'_>,
    post: Side<'_>,
    f: &dyn Fn(usize, usize) -> f64,
    seed: u64,
    autapses: bool,
) -> Result<Csr> {
    let object = room.object;
    let streams = Streams::new(seed);
    let mut row_ptr = Vec::with_capacity(pre.n + 1);
    let mut post_of = Vec::new();
    row_ptr.push(0);
    for i in 0..pre.n {
        if !pre.contains(i) {
            row_ptr.push(post_of.len());
            continue;
        }
        let mut rng = streams.stream(domain::CONNECT, i as u64);
        for j in 0..post.n {
            // One draw per pair of the populations, member or not, so that a pair's fate
            // depends neither on the others nor on the views.
            let u = rng.uniform();
            if !post.contains(j) {
                continue;
            }
            let p = f(i, j);
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::InvalidProbability {
                    object: format!("{object} (pair {i} -> {j})"),
                    p,
                });
            }
            if u < p && (autapses || i != j) {
                room.push(&mut post_of, j as u32)?;
            }
        }
        row_ptr.push(post_of.len());
    }
    Ok(Csr {
        row_ptr,
        post: Targets::Wide(post_of),
    })
}

fn too_many(object: &str, n_pre: usize, n_post: usize) -> Error {
    Error::InvalidInput {
        object: object.to_string(),
        reason: format!("{n_pre} x {n_post} synapses overflow the address space"),
    }
}

pub(super) fn dense(room: &Room<'_>, pre: Side<'_>, post: Side<'_>, no_self: bool) -> Result<Csr> {
    let object = room.object;
    let total = pre
        .len()
        .checked_mul(post.len())
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let mut row_ptr = Vec::with_capacity(pre.n + 1);
    let mut post_of = Vec::new();
    room.reserve(&mut post_of, total)?;
    row_ptr.push(0);
    // n_post <= u32::MAX was checked by the caller.
    let targets: Vec<u32> = post.iter().map(|j| j as u32).collect();
    for i in 0..pre.n {
        if !pre.contains(i) {
        } else if no_self && post.contains(i) {
            let i32_ = i as u32;
            post_of.extend(targets.iter().copied().filter(|&j| j != i32_));
        } else {
            post_of.extend_from_slice(&targets);
        }
        row_ptr.push(post_of.len());
    }
    Ok(Csr {
        row_ptr,
        post: Targets::Wide(post_of),
    })
}

pub(super) fn fixed_prob(
    room: &Room<'_>,
    pre: Side<'_>,
    post: Side<'_>,
    p: f64,
    seed: u64,
) -> Result<Csr> {
    let object = room.object;
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::InvalidProbability {
            object: object.to_string(),
            p,
        });
    }
    if p == 1.0 {
        return dense(room, pre, post, false);
    }
    let n_pre = pre.n;
    let mut row_ptr = Vec::with_capacity(n_pre + 1);
    row_ptr.push(0);
    if p == 0.0 || post.n == 0 {
        row_ptr.resize(n_pre + 1, 0);
        return Ok(Csr {
            row_ptr,
            post: Targets::default(),
        });
    }
    // Reserve the mean plus six standard deviations: one allocation in practice.
    let mean = pre.len() as f64 * post.len() as f64 * p;
    let reserve = mean + 6.0 * mean.sqrt() + 16.0;
    if reserve >= isize::MAX as f64 / 4.0 {
        return Err(too_many(object, n_pre, post.n));
    }
    let mut post_of: Vec<u32> = Vec::new();
    room.reserve(&mut post_of, (reserve as usize).min(room.most()))?;
    // Gaps between successive synapses of a row are geometric: P(gap = k) = (1 − p)^k · p, sampled
    // as floor(ln u / ln(1 − p)) with u uniform in (0, 1]. A row is drawn over the whole
    // postsynaptic population and kept where it meets the view.
    let inv_ln_q = 1.0 / (-p).ln_1p();
    let n_post_f = post.n as f64;
    let streams = Streams::new(seed);
    for row in 0..n_pre {
        if !pre.contains(row) {
            row_ptr.push(post_of.len());
            continue;
        }
        let mut rng = streams.stream(domain::CONNECT, row as u64);
        // Next candidate column, as f64 to survive huge skips without overflow.
        let mut j = 0.0f64;
        loop {
            j += (rng.uniform_open0().ln() * inv_ln_q).floor();
            if j >= n_post_f {
                break;
            }
            // j < n_post <= u32::MAX here.
            if post.members.is_none() || post.contains(j as usize) {
                room.push(&mut post_of, j as u32)?;
            }
            j += 1.0;
        }
        row_ptr.push(post_of.len());
    }
    post_of.shrink_to_fit();
    Ok(Csr {
        row_ptr,
        post: Targets::Wide(post_of),
    })
}

pub(super) fn from_pairs(
    room: &Room<'_>,
    n_pre: usize,
    n_post: usize,
    pairs: &[(u32, u32)],
) -> Result<Csr> {
    let object = room.object;
    let mut counts = vec![0usize; n_pre + 1];
    for &(i, j) in pairs {
        if i as usize >= n_pre {
            return Err(Error::IndexOutOfRange {
                object: format!("{object} (presynaptic)"),
                index: i as usize,
                len: n_pre,
            });
        }
        if j as usize >= n_post {
            return Err(Error::IndexOutOfRange {
                object: format!("{object} (postsynaptic)"),
                index: j as usize,
                len: n_post,
            });
        }
        counts[i as usize + 1] += 1;
    }
    for k in 1..counts.len() {
        counts[k] += counts[k - 1];
    }
    let row_ptr = counts.clone();
    // Counting sort by presynaptic index: stable, so equal pre keep their given order.
    let mut next = counts;
    room.check(pairs.len())?;
    let mut post = crate::memory::filled(pairs.len(), 0u32, room.purpose())?;
    for &(i, j) in pairs {
        let slot = &mut next[i as usize];
        post[*slot] = j;
        *slot += 1;
    }
    Ok(Csr {
        row_ptr,
        post: Targets::Wide(post),
    })
}
