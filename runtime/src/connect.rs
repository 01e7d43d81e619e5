//! Connectivity rules, built into pre-major compressed sparse rows ([`Csr`]).

use crate::error::{Error, Result};
use crate::rng::{domain, Stream, Streams};

/// Pre-major compressed sparse rows: the synapses of presynaptic neuron `p` are
/// `row_ptr[p]..row_ptr[p + 1]`, their postsynaptic neurons `post[row_ptr[p]..row_ptr[p + 1]]`.
/// Synapse numbers are positions in `post` (pre-major, as the chapter's all-to-all numbering).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    /// Row offsets, length `n_pre + 1`.
    pub row_ptr: Vec<usize>,
    /// Postsynaptic index of each synapse.
    pub post: Targets,
}

/// The postsynaptic neuron of every synapse: 2 bytes each onto a group of at most 65,536
/// neurons ([`Targets::Narrow`]), 4 bytes otherwise. A [`Connect`] builds the narrow form
/// wherever it fits; the two forms hold the same numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// Onto at most 65,536 neurons.
    Narrow(Vec<u16>),
    /// Onto any number of neurons.
    Wide(Vec<u32>),
}

impl Default for Targets {
    fn default() -> Self {
        Targets::Wide(Vec::new())
    }
}

impl From<Vec<u32>> for Targets {
    fn from(v: Vec<u32>) -> Self {
        Targets::Wide(v)
    }
}

impl Targets {
    /// Largest group the narrow form reaches.
    pub const NARROW_MAX: usize = 1 << 16;

    /// `post`, in the narrow form if every neuron is below [`Targets::NARROW_MAX`] (so for a
    /// postsynaptic group of at most that many).
    pub fn new(post: Vec<u32>, n_post: usize) -> Targets {
        if n_post > Self::NARROW_MAX {
            return Targets::Wide(post);
        }
        // Below 2^16: exact.
        Targets::Narrow(crate::par::map(post.len(), |i| post[i] as u16))
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        match self {
            Targets::Narrow(v) => v.len(),
            Targets::Wide(v) => v.len(),
        }
    }

    /// `true` without synapses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The postsynaptic neuron of synapse `i` (panics if `i >= len()`).
    #[inline(always)]
    pub fn get(&self, i: usize) -> usize {
        match self {
            Targets::Narrow(v) => usize::from(v[i]),
            Targets::Wide(v) => v[i] as usize,
        }
    }

    /// The postsynaptic neurons of synapses `range`, in order.
    pub fn iter(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
        range.map(|i| self.get(i))
    }

    /// The wide form, taken as it is or widened.
    fn into_wide(self) -> Vec<u32> {
        match self {
            Targets::Narrow(v) => v.into_iter().map(u32::from).collect(),
            Targets::Wide(v) => v,
        }
    }

    /// Every postsynaptic neuron, 4 bytes each.
    pub fn to_vec(&self) -> Vec<u32> {
        match self {
            Targets::Narrow(v) => v.iter().map(|&q| u32::from(q)).collect(),
            Targets::Wide(v) => v.clone(),
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        match self {
            Targets::Narrow(v) => v.capacity() * 2,
            Targets::Wide(v) => v.capacity() * 4,
        }
    }

    /// The first synapse of `range` (whose neurons ascend) onto a neuron at least `q`.
    pub fn lower_bound(&self, range: std::ops::Range<usize>, q: usize) -> usize {
        range.start
            + match self {
                Targets::Narrow(v) => v[range].partition_point(|&x| usize::from(x) < q),
                Targets::Wide(v) => v[range].partition_point(|&x| (x as usize) < q),
            }
    }

    /// Whether the neurons of synapses `range` ascend (ties allowed).
    pub fn is_sorted(&self, range: std::ops::Range<usize>) -> bool {
        match self {
            Targets::Narrow(v) => v[range].is_sorted(),
            Targets::Wide(v) => v[range].is_sorted(),
        }
    }

    /// The targets permuted: `new[i] = old[perm[i]]`.
    pub(crate) fn permuted(&self, perm: &[usize]) -> Targets {
        match self {
            Targets::Narrow(v) => Targets::Narrow(crate::par::gather(v, perm)),
            Targets::Wide(v) => Targets::Wide(crate::par::gather(v, perm)),
        }
    }

    /// The address of synapse `i`'s entry (for prefetching; `i` may be one past the end).
    pub(crate) fn addr(&self, i: usize) -> *const u8 {
        match self {
            Targets::Narrow(v) => v[i..].as_ptr().cast(),
            Targets::Wide(v) => v[i..].as_ptr().cast(),
        }
    }
}

impl Csr {
    /// Number of presynaptic neurons (rows).
    pub fn n_pre(&self) -> usize {
        self.row_ptr.len().saturating_sub(1)
    }

    /// Number of synapses.
    pub fn n_syn(&self) -> usize {
        self.post.len()
    }

    /// Synapse numbers of presynaptic neuron `pre` (panics if `pre >= n_pre()`).
    #[inline]
    pub fn range(&self, pre: usize) -> std::ops::Range<usize> {
        self.row_ptr[pre]..self.row_ptr[pre + 1]
    }

    /// Postsynaptic neurons of presynaptic neuron `pre` (panics if `pre >= n_pre()`).
    #[inline]
    pub fn row(&self, pre: usize) -> impl Iterator<Item = usize> + '_ {
        self.post.iter(self.range(pre))
    }
}

/// The synapses onto each postsynaptic neuron (compressed sparse columns of a [`Csr`]), for
/// the rules of postsynaptic spikes: column `q` lists the synapses onto `q` in ascending
/// synapse number, with their presynaptic neurons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csc {
    /// Column offsets, length `n_post + 1`.
    pub col_ptr: Vec<usize>,
    /// Synapse number of each entry.
    pub syn: Vec<u32>,
    /// Presynaptic neuron of each entry.
    pub pre: Vec<u32>,
}

impl Csc {
    /// The columns of `csr` onto `n_post` postsynaptic neurons.
    pub fn of(csr: &Csr, n_post: usize) -> Csc {
        let mut col_ptr = vec![0usize; n_post + 1];
        for q in csr.post.iter(0..csr.n_syn()) {
            col_ptr[q + 1] += 1;
        }
        for q in 0..n_post {
            col_ptr[q + 1] += col_ptr[q];
        }
        let mut next = col_ptr.clone();
        let mut syn = vec![0u32; csr.n_syn()];
        let mut pre = vec![0u32; csr.n_syn()];
        for p in 0..csr.n_pre() {
            for i in csr.range(p) {
                let q = csr.post.get(i);
                syn[next[q]] = i as u32;
                pre[next[q]] = p as u32;
                next[q] += 1;
            }
        }
        Csc { col_ptr, syn, pre }
    }

    /// Entries of postsynaptic neuron `q` (panics if `q` is out of range).
    #[inline]
    pub fn range(&self, q: usize) -> std::ops::Range<usize> {
        self.col_ptr[q]..self.col_ptr[q + 1]
    }

    /// Number of entries (synapses).
    pub fn len(&self) -> usize {
        self.syn.len()
    }

    /// `true` without synapses.
    pub fn is_empty(&self) -> bool {
        self.syn.is_empty()
    }
}

/// How the synapses of a synapse group are laid out between its presynaptic and postsynaptic groups.
///
/// Synapses are numbered pre-major: all synapses of presynaptic neuron 0 first (sorted by
/// postsynaptic index, except for [`Connect::Pairs`], which keeps the given order), then those of
/// neuron 1, and so on.
#[derive(Clone, Debug, PartialEq)]
pub enum Connect {
    /// Every presynaptic neuron to every postsynaptic neuron (`n_pre · n_post` synapses).
    AllToAll,
    /// As [`Connect::AllToAll`], without the pairs `i → i` (meant for a group onto itself).
    AllToAllNoSelf,
    /// Neuron `i` to neuron `i`; both groups must have the same size.
    OneToOne,
    /// Each pair `(i, j)` independently with probability `p` (self pairs included). The result
    /// depends only on `seed` and the group sizes, never on the number of threads.
    FixedProb {
        /// Connection probability, in `[0, 1]`.
        p: f64,
        /// Seed of the random streams.
        seed: u64,
    },
    /// Explicit `(pre, post)` pairs; synapses are ordered by presynaptic index, keeping the given
    /// order among pairs with the same presynaptic neuron. Repeated pairs give repeated synapses.
    Pairs(Vec<(u32, u32)>),
    /// NEST's `pairwise_bernoulli`: each pair independently with probability `p`; with
    /// `autapses: false`, no pair `i → i` (meant for a group onto itself). With autapses it is
    /// [`Connect::FixedProb`] (the same synapses for the same seed).
    PairwiseBernoulli {
        /// Connection probability, in `[0, 1]`.
        p: f64,
        /// Seed of the random streams.
        seed: u64,
        /// Whether pairs `i → i` may connect.
        autapses: bool,
    },
    /// Each pair `(i, j)` independently with probability `f(i, j)` (NEST's
    /// `pairwise_bernoulli` with a `p` that depends on the pair).
    Probability {
        /// The probability of each pair (values outside `[0, 1]` are an error).
        p: ProbabilityFn,
        /// Seed of the random streams.
        seed: u64,
    },
    /// NEST's `fixed_indegree`: every postsynaptic neuron receives `k` synapses from presynaptic
    /// neurons drawn uniformly, with repeats (`multapses`) or without, pairs `i → i` allowed
    /// (`autapses`) or not.
    FixedInDegree {
        /// Synapses per postsynaptic neuron.
        k: usize,
        /// Seed of the random streams.
        seed: u64,
        /// Whether pairs `i → i` may connect.
        autapses: bool,
        /// Whether a pair may connect more than once.
        multapses: bool,
    },
    /// NEST's `fixed_outdegree`: every presynaptic neuron makes `k` synapses onto postsynaptic
    /// neurons drawn uniformly (options as [`Connect::FixedInDegree`]).
    FixedOutDegree {
        /// Synapses per presynaptic neuron.
        k: usize,
        /// Seed of the random streams.
        seed: u64,
        /// Whether pairs `i → i` may connect.
        autapses: bool,
        /// Whether a pair may connect more than once.
        multapses: bool,
    },
    /// NEST's `fixed_total_number`: `n` synapses in all, each pair drawn uniformly among the
    /// allowed ones (options as [`Connect::FixedInDegree`]). The counts of the rows are drawn
    /// first (multinomial), then each row's targets from the row's own stream.
    FixedTotalNumber {
        /// Number of synapses.
        n: usize,
        /// Seed of the random streams.
        seed: u64,
        /// Whether pairs `i → i` may connect.
        autapses: bool,
        /// Whether a pair may connect more than once.
        multapses: bool,
    },
}

/// The probability of a pair of neurons `(i, j)`, for [`Connect::Probability`]. Two are equal
/// when they are the same function object.
#[derive(Clone)]
pub struct ProbabilityFn(pub std::sync::Arc<dyn Fn(usize, usize) -> f64 + Send + Sync>);

impl ProbabilityFn {
    /// The probability `f(i, j)`.
    pub fn new(f: impl Fn(usize, usize) -> f64 + Send + Sync + 'static) -> Self {
        ProbabilityFn(std::sync::Arc::new(f))
    }
}

impl PartialEq for ProbabilityFn {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for ProbabilityFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProbabilityFn(..)")
    }
}

impl Connect {
    /// The number of synapses the rule makes between `n_pre` and `n_post` neurons: exact for
    /// the deterministic rules and the fixed counts, the expectation for the probabilistic ones,
    /// 0 for a probability given as a function (saturating).
    pub fn expected_synapses(&self, n_pre: usize, n_post: usize) -> u64 {
        let (a, b) = (n_pre as u64, n_post as u64);
        let expect = |p: f64, pairs: u64| (p.clamp(0.0, 1.0) * pairs as f64).ceil() as u64;
        match self {
            Connect::AllToAll => a.saturating_mul(b),
            Connect::AllToAllNoSelf => a.saturating_mul(b).saturating_sub(a.min(b)),
            Connect::OneToOne => a,
            Connect::FixedProb { p, .. } | Connect::PairwiseBernoulli { p, .. } => {
                expect(*p, a.saturating_mul(b))
            }
            Connect::Pairs(pairs) => pairs.len() as u64,
            Connect::Probability { .. } => 0,
            Connect::FixedInDegree { k, .. } => (*k as u64).saturating_mul(b),
            Connect::FixedOutDegree { k, .. } => (*k as u64).saturating_mul(a),
            Connect::FixedTotalNumber { n, .. } => *n as u64,
        }
    }

    /// Builds the connectivity between `n_pre` and `n_post` neurons. `object` names the synapse group
    /// in errors.
    ///
    /// Errors: [`Error::SizeMismatch`] for [`Connect::OneToOne`] between groups of different sizes,
    /// [`Error::InvalidProbability`] for `p` outside `[0, 1]`, [`Error::IndexOutOfRange`] for a pair
    /// naming a neuron that does not exist, [`Error::InvalidInput`] when the postsynaptic group has
    /// more than `u32::MAX` neurons or the synapse count overflows, [`Error::OutOfMemory`] when
    /// the memory for [`Connect::expected_synapses`] cannot be reserved.
    pub fn build(&self, object: &str, n_pre: usize, n_post: usize) -> Result<Csr> {
        self.build_on(object, Side::whole(n_pre), Side::whole(n_post))
    }

    /// Builds the connectivity from the members of `pre` to the members of `post` (views of
    /// populations): rows are the whole presynaptic population's (a non-member's row is empty),
    /// targets are postsynaptic population indices. What each rule gives on views:
    ///
    /// - the rules of independent pairs ([`Connect::FixedProb`], [`Connect::PairwiseBernoulli`],
    ///   [`Connect::Probability`]) and [`Connect::AllToAll`], [`Connect::AllToAllNoSelf`] give
    ///   exactly the synapses they give between the whole populations, restricted to the
    ///   members: every pair's draw is keyed by its population indices;
    /// - [`Connect::OneToOne`] connects the k-th member of `pre` to the k-th member of `post`;
    /// - [`Connect::Pairs`] are population indices, each of a member;
    /// - the degree rules count among members (`fixed_indegree` of `k` gives each postsynaptic
    ///   member `k` presynaptic members), each member's draws keyed by its population index; a
    ///   pair `i → i` is a neuron onto itself (the same population index).
    pub(crate) fn build_on(&self, object: &str, pre: Side<'_>, post: Side<'_>) -> Result<Csr> {
        let (n_pre, n_post) = (pre.n, post.n);
        // Ask for the memory first, so that a connectivity too large for the machine is an
        // error rather than an abort halfway through.
        let expected =
            usize::try_from(self.expected_synapses(pre.len(), post.len())).unwrap_or(usize::MAX);
        let mut probe: Vec<u32> = Vec::new();
        crate::memory::reserve(
            &mut probe,
            expected,
            crate::memory::Purpose {
                object,
                what: "the connectivity",
            },
        )?;
        drop(probe);
        if n_post > u32::MAX as usize {
            return Err(Error::InvalidInput {
                object: object.to_string(),
                reason: format!(
                    "postsynaptic group of {n_post} neurons exceeds the limit of {}",
                    u32::MAX
                ),
            });
        }
        let csr = match self {
            Connect::AllToAll => dense(object, pre, post, false),
            Connect::AllToAllNoSelf => dense(object, pre, post, true),
            Connect::OneToOne => {
                if pre.len() != post.len() {
                    return Err(Error::SizeMismatch {
                        object: object.to_string(),
                        expected: pre.len(),
                        got: post.len(),
                    });
                }
                // n_post <= u32::MAX was checked above.
                let pairs: Vec<(u32, u32)> = (0..pre.len())
                    .map(|k| (pre.member(k) as u32, post.member(k) as u32))
                    .collect();
                from_pairs(object, n_pre, n_post, &pairs)
            }
            Connect::FixedProb { p, seed } => fixed_prob(object, pre, post, *p, *seed),
            Connect::Pairs(pairs) => {
                for &(i, j) in pairs {
                    for (side, k, what) in [(pre, i, "presynaptic"), (post, j, "postsynaptic")] {
                        if (k as usize) < side.n && !side.contains(k as usize) {
                            return Err(Error::InvalidInput {
                                object: object.to_string(),
                                reason: format!(
                                    "the pair ({i}, {j}) names {what} neuron {k}, which is not \
                                     in the view"
                                ),
                            });
                        }
                    }
                }
                from_pairs(object, n_pre, n_post, pairs)
            }
            Connect::PairwiseBernoulli {
                p,
                seed,
                autapses: true,
            } => fixed_prob(object, pre, post, *p, *seed),
            Connect::PairwiseBernoulli {
                p,
                seed,
                autapses: false,
            } => {
                let f = move |_, _| *p;
                probability(object, pre, post, &f, *seed, false)
            }
            Connect::Probability { p, seed } => probability(object, pre, post, &*p.0, *seed, true),
            &Connect::FixedInDegree {
                k,
                seed,
                autapses,
                multapses,
            } => {
                let rule = Degree {
                    k,
                    autapses,
                    multapses,
                };
                fixed_indegree(object, pre, post, rule, seed)
            }
            &Connect::FixedOutDegree {
                k,
                seed,
                autapses,
                multapses,
            } => {
                let rule = Degree {
                    k,
                    autapses,
                    multapses,
                };
                fixed_outdegree(object, pre, post, rule, seed)
            }
            &Connect::FixedTotalNumber {
                n,
                seed,
                autapses,
                multapses,
            } => {
                let rule = Degree {
                    k: n,
                    autapses,
                    multapses,
                };
                fixed_total(object, pre, post, rule, seed)
            }
        }?;
        Ok(Csr {
            row_ptr: csr.row_ptr,
            post: Targets::new(csr.post.into_wide(), n_post),
        })
    }
}

/// One side of a projection: a population of `n` neurons, all of them or the (ascending)
/// `members` of a view.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Side<'a> {
    pub(crate) n: usize,
    pub(crate) members: Option<&'a [u32]>,
}

impl<'a> Side<'a> {
    /// Every neuron of a population of `n`.
    pub(crate) fn whole(n: usize) -> Self {
        Side { n, members: None }
    }

    /// Number of members.
    fn len(&self) -> usize {
        self.members.map_or(self.n, <[u32]>::len)
    }

    /// The population index of the `k`-th member.
    fn member(&self, k: usize) -> usize {
        self.members.map_or(k, |m| m[k] as usize)
    }

    /// The position among the members of population index `i`, if a member.
    fn position(&self, i: usize) -> Option<usize> {
        match self.members {
            None => (i < self.n).then_some(i),
            Some(m) => m.binary_search(&(i as u32)).ok(),
        }
    }

    fn contains(&self, i: usize) -> bool {
        self.position(i).is_some()
    }

    /// The population indices of the members, ascending.
    fn iter(&self) -> impl Iterator<Item = usize> + 'a {
        let (n, members) = (self.n, self.members);
        (0..members.map_or(n, <[u32]>::len)).map(move |k| members.map_or(k, |m| m[k] as usize))
    }
}

/// The options of the degree rules.
#[derive(Clone, Copy, Debug)]
struct Degree {
    k: usize,
    autapses: bool,
    multapses: bool,
}

/// `k` targets among `0..n` minus `skip`, uniformly: with repeats, or distinct (Floyd's
/// algorithm), ascending, into `out`. The caller checks that enough are available.
fn choose(
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

fn fixed_outdegree(
    object: &str,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
    let total = pre
        .len()
        .checked_mul(rule.k)
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let streams = Streams::new(seed);
    let mut row_ptr = Vec::with_capacity(pre.n + 1);
    let mut post_of = Vec::with_capacity(total);
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

fn fixed_indegree(
    object: &str,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
    let total = post
        .len()
        .checked_mul(rule.k)
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let streams = Streams::new(seed);
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(total);
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
    from_pairs(object, pre.n, post.n, &pairs)
}

fn fixed_total(
    object: &str,
    pre: Side<'_>,
    post: Side<'_>,
    rule: Degree,
    seed: u64,
) -> Result<Csr> {
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
    Ok(fill_rows(&counts, |i, out| {
        let mut rng = streams.stream(domain::CONNECT, i as u64);
        let skip = if rule.autapses {
            None
        } else {
            post.position(i)
        };
        choose_among(&mut rng, post, skip, counts[i], rule.multapses, out);
    }))
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
fn fill_rows(counts: &[usize], row: impl Fn(usize, &mut Vec<u32>) + Sync) -> Csr {
    let n_syn: usize = counts.iter().sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8)
        .min(n_syn >> 20)
        .max(1);
    fill_rows_on(counts, row, threads)
}

/// [`fill_rows`] on `threads` threads.
fn fill_rows_on(
    counts: &[usize],
    row: impl Fn(usize, &mut Vec<u32>) + Sync,
    threads: usize,
) -> Csr {
    let mut row_ptr = Vec::with_capacity(counts.len() + 1);
    row_ptr.push(0);
    for &c in counts {
        row_ptr.push(row_ptr[row_ptr.len() - 1] + c);
    }
    let n_syn = row_ptr[counts.len()];
    let mut post = vec![0u32; n_syn];
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

fn probability(
    object: &str,
    pre: Side<'_>,
    post: Side<'_>,
    f: &dyn Fn(usize, usize) -> f64,
    seed: u64,
    autapses: bool,
) -> Result<Csr> {
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
                post_of.push(j as u32);
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

fn dense(object: &str, pre: Side<'_>, post: Side<'_>, no_self: bool) -> Result<Csr> {
    let total = pre
        .len()
        .checked_mul(post.len())
        .ok_or_else(|| too_many(object, pre.n, post.n))?;
    let mut row_ptr = Vec::with_capacity(pre.n + 1);
    let mut post_of = Vec::with_capacity(total);
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

fn fixed_prob(object: &str, pre: Side<'_>, post: Side<'_>, p: f64, seed: u64) -> Result<Csr> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::InvalidProbability {
            object: object.to_string(),
            p,
        });
    }
    if p == 1.0 {
        return dense(object, pre, post, false);
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
    let mut post_of: Vec<u32> = Vec::with_capacity(reserve as usize);
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
                post_of.push(j as u32);
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

fn from_pairs(object: &str, n_pre: usize, n_post: usize, pairs: &[(u32, u32)]) -> Result<Csr> {
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
    let mut post = vec![0u32; pairs.len()];
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

#[cfg(test)]
mod tests {

    /// The `(pre, post)` pairs of `c`.
    fn pairs(c: &Csr) -> Vec<(usize, usize)> {
        (0..c.n_pre())
            .flat_map(|i| c.row(i).map(move |j| (i, j)))
            .collect()
    }

    #[test]
    fn nest_degree_rules_give_their_counts() {
        let rule = |k, autapses, multapses| Connect::FixedInDegree {
            k,
            seed: 3,
            autapses,
            multapses,
        };
        let c = rule(7, false, false).build("s", 20, 30).unwrap();
        let p = pairs(&c);
        assert_eq!(p.len(), 7 * 30);
        for j in 0..30 {
            let mut from: Vec<usize> = p.iter().filter(|x| x.1 == j).map(|x| x.0).collect();
            assert_eq!(from.len(), 7);
            assert!(!from.contains(&j), "no autapse onto {j}");
            from.dedup();
            assert_eq!(from.len(), 7, "no multapse onto {j}");
        }
        assert!((0..20).all(|i| c.row(i).is_sorted()));
        // Every source is equally likely: 20 sources, 210 draws, each near 10.5.
        let c = Connect::FixedOutDegree {
            k: 5,
            seed: 1,
            autapses: true,
            multapses: true,
        }
        .build("s", 40, 3)
        .unwrap();
        assert!((0..40).all(|i| c.range(i).len() == 5));
        let c = Connect::FixedTotalNumber {
            n: 1000,
            seed: 2,
            autapses: false,
            multapses: false,
        }
        .build("s", 50, 50)
        .unwrap();
        let mut p = pairs(&c);
        assert_eq!(p.len(), 1000);
        assert!(p.iter().all(|(i, j)| i != j));
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), 1000);
        // Too many distinct partners asked for: a clear error naming the neuron.
        let e = rule(30, false, false)
            .build("s", 30, 5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("in-degree 30") && e.contains("has 29"), "{e}");
    }

    #[test]
    fn fixed_total_number_is_uniform_over_pairs() {
        // 40 000 synapses over 20 × 10 pairs: each row near 2000 (multinomial).
        let c = Connect::FixedTotalNumber {
            n: 40_000,
            seed: 9,
            autapses: true,
            multapses: true,
        }
        .build("s", 20, 10)
        .unwrap();
        assert_eq!(c.n_syn(), 40_000);
        for i in 0..20 {
            let n = c.range(i).len() as f64;
            // sd of a row count: sqrt(40000 · 0.05 · 0.95) ≈ 43.6.
            assert!((n - 2000.0).abs() < 4.0 * 43.6, "row {i}: {n}");
        }
    }

    #[test]
    fn probabilities_per_pair_and_without_autapses() {
        let f = ProbabilityFn::new(|i, j| if (i + j) % 2 == 0 { 1.0 } else { 0.0 });
        let c = Connect::Probability { p: f, seed: 0 }
            .build("s", 6, 6)
            .unwrap();
        assert!(pairs(&c).iter().all(|(i, j)| (i + j) % 2 == 0));
        assert_eq!(c.n_syn(), 18);
        let c = Connect::PairwiseBernoulli {
            p: 1.0,
            seed: 0,
            autapses: false,
        }
        .build("s", 5, 5)
        .unwrap();
        assert_eq!(c.n_syn(), 20);
        let with = Connect::PairwiseBernoulli {
            p: 0.3,
            seed: 5,
            autapses: true,
        };
        let old = Connect::FixedProb { p: 0.3, seed: 5 };
        assert_eq!(
            with.build("s", 30, 30).unwrap(),
            old.build("s", 30, 30).unwrap()
        );
        let bad = ProbabilityFn::new(|_, _| 1.5);
        let e = Connect::Probability { p: bad, seed: 0 }
            .build("s", 2, 2)
            .unwrap_err();
        assert!(e.to_string().contains("pair 0 -> 0"), "{e}");
    }
    use super::*;

    #[test]
    fn rows_filled_on_several_threads_equal_rows_filled_on_one() {
        let counts: Vec<usize> = (0..211).map(|i| (i * 37) % 29).collect();
        let streams = Streams::new(5);
        let row = |i: usize, out: &mut Vec<u32>| {
            let mut rng = streams.stream(domain::CONNECT, i as u64);
            choose(&mut rng, 50, Some(i % 50), counts[i], i % 2 == 0, out);
        };
        let one = fill_rows_on(&counts, row, 1);
        assert_eq!(one.n_syn(), counts.iter().sum::<usize>());
        for threads in [2, 3, 7, 211] {
            let many = fill_rows_on(&counts, row, threads);
            assert_eq!(
                (&many.row_ptr, &many.post),
                (&one.row_ptr, &one.post),
                "{threads}"
            );
        }
    }

    #[test]
    fn all_to_all_is_pre_major() {
        let c = Connect::AllToAll.build("s", 2, 3).unwrap();
        assert_eq!(c.row_ptr, vec![0, 3, 6]);
        assert_eq!(c.post.to_vec(), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(c.n_pre(), 2);
        assert_eq!(c.n_syn(), 6);
        assert_eq!(c.row(1).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn all_to_all_no_self_skips_diagonal() {
        let c = Connect::AllToAllNoSelf.build("s", 3, 3).unwrap();
        assert_eq!(c.row_ptr, vec![0, 2, 4, 6]);
        assert_eq!(c.post.to_vec(), vec![1, 2, 0, 2, 0, 1]);
        // More pre than post neurons: rows past n_post have no diagonal element.
        let c = Connect::AllToAllNoSelf.build("s", 3, 2).unwrap();
        assert_eq!(c.row_ptr, vec![0, 1, 2, 4]);
        assert_eq!(c.post.to_vec(), vec![1, 0, 0, 1]);
    }

    #[test]
    fn one_to_one() {
        let c = Connect::OneToOne.build("s", 3, 3).unwrap();
        assert_eq!(c.row_ptr, vec![0, 1, 2, 3]);
        assert_eq!(c.post.to_vec(), vec![0, 1, 2]);
        let e = Connect::OneToOne.build("s", 3, 4).unwrap_err();
        assert_eq!(
            e,
            Error::SizeMismatch {
                object: "s".into(),
                expected: 3,
                got: 4
            }
        );
    }

    #[test]
    fn pairs_are_stable_pre_major() {
        let c = Connect::Pairs(vec![(1, 2), (0, 1), (1, 0), (0, 1), (2, 2)]).build("s", 3, 3);
        let c = c.unwrap();
        assert_eq!(c.row_ptr, vec![0, 2, 4, 5]);
        assert_eq!(c.post.to_vec(), vec![1, 1, 2, 0, 2]);
        let c = Connect::Pairs(vec![]).build("s", 2, 2).unwrap();
        assert_eq!(c.row_ptr, vec![0, 0, 0]);
        assert!(c.post.is_empty());
    }

    #[test]
    fn pairs_out_of_range() {
        let e = Connect::Pairs(vec![(0, 0), (2, 0)])
            .build("syn", 2, 5)
            .unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "syn (presynaptic)".into(),
                index: 2,
                len: 2
            }
        );
        let e = Connect::Pairs(vec![(0, 5)]).build("syn", 2, 5).unwrap_err();
        assert_eq!(
            e,
            Error::IndexOutOfRange {
                object: "syn (postsynaptic)".into(),
                index: 5,
                len: 5
            }
        );
    }

    #[test]
    fn fixed_prob_rejects_bad_p() {
        for p in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
            let e = Connect::FixedProb { p, seed: 1 }
                .build("s", 3, 3)
                .unwrap_err();
            assert!(matches!(e, Error::InvalidProbability { .. }), "{e}");
        }
    }

    /// Views of 20 and 15 neurons: a slice and a scattered pick.
    const PRE_VIEW: [u32; 7] = [4, 5, 6, 7, 8, 9, 10];
    const POST_VIEW: [u32; 5] = [0, 3, 4, 9, 14];

    fn on_views(c: &Connect) -> Result<Csr> {
        let pre = Side {
            n: 20,
            members: Some(&PRE_VIEW),
        };
        let post = Side {
            n: 15,
            members: Some(&POST_VIEW),
        };
        c.build_on("s", pre, post)
    }

    #[test]
    fn rules_of_pairs_on_views_are_the_whole_rule_restricted_row_for_row() {
        let rules = [
            Connect::AllToAll,
            Connect::AllToAllNoSelf,
            Connect::FixedProb { p: 0.3, seed: 5 },
            Connect::FixedProb { p: 1.0, seed: 5 },
            Connect::PairwiseBernoulli {
                p: 0.4,
                seed: 2,
                autapses: false,
            },
            Connect::Probability {
                p: ProbabilityFn::new(|i, j| if (i + j) % 3 == 0 { 0.9 } else { 0.2 }),
                seed: 8,
            },
        ];
        for rule in &rules {
            let all = rule.build("s", 20, 15).unwrap();
            let part = on_views(rule).unwrap();
            assert_eq!(part.n_pre(), 20, "{rule:?}");
            let mut kept = 0;
            for row in 0..20 {
                let want: Vec<usize> = if PRE_VIEW.contains(&(row as u32)) {
                    all.row(row)
                        .filter(|&j| POST_VIEW.contains(&(j as u32)))
                        .collect()
                } else {
                    Vec::new()
                };
                kept += want.len();
                assert_eq!(
                    part.row(row).collect::<Vec<_>>(),
                    want,
                    "{rule:?} row {row}"
                );
            }
            assert!(kept > 0, "{rule:?}");
        }
    }

    #[test]
    fn one_to_one_pairs_and_degree_rules_on_views_work_among_members() {
        let post5 = Side {
            n: 15,
            members: Some(&POST_VIEW),
        };
        let pre5 = Side {
            n: 20,
            members: Some(&[1, 2, 3, 4, 19]),
        };
        let c = Connect::OneToOne.build_on("s", pre5, post5).unwrap();
        assert_eq!(pairs(&c), vec![(1, 0), (2, 3), (3, 4), (4, 9), (19, 14)]);
        assert!(matches!(
            on_views(&Connect::OneToOne),
            Err(Error::SizeMismatch {
                expected: 7,
                got: 5,
                ..
            })
        ));
        // Pairs name population indices, each of a member.
        let c = on_views(&Connect::Pairs(vec![(10, 14), (4, 0)])).unwrap();
        assert_eq!(pairs(&c), vec![(4, 0), (10, 14)]);
        let e = on_views(&Connect::Pairs(vec![(3, 0)])).unwrap_err();
        assert!(e.to_string().contains("presynaptic neuron 3"), "{e}");

        let degree = |k| Degree {
            k,
            autapses: false,
            multapses: false,
        };
        for c in [
            Connect::FixedInDegree {
                k: 3,
                seed: 1,
                autapses: false,
                multapses: false,
            },
            Connect::FixedOutDegree {
                k: 2,
                seed: 1,
                autapses: false,
                multapses: false,
            },
            Connect::FixedTotalNumber {
                n: 12,
                seed: 1,
                autapses: false,
                multapses: false,
            },
        ] {
            let got = pairs(&on_views(&c).unwrap());
            assert!(
                got.iter().all(|&(i, j)| PRE_VIEW.contains(&(i as u32))
                    && POST_VIEW.contains(&(j as u32))
                    && i != j),
                "{c:?}: {got:?}"
            );
            let count = |f: &dyn Fn(&(usize, usize)) -> bool| got.iter().filter(|p| f(p)).count();
            match c {
                Connect::FixedInDegree { k, .. } => {
                    for &j in &POST_VIEW {
                        assert_eq!(count(&|p| p.1 == j as usize), k, "{c:?}");
                    }
                }
                Connect::FixedOutDegree { k, .. } => {
                    for &i in &PRE_VIEW {
                        assert_eq!(count(&|p| p.0 == i as usize), k, "{c:?}");
                    }
                }
                _ => assert_eq!(got.len(), 12),
            }
        }
        // Neuron 4 and 9 are in both views: without autapses each has one partner fewer.
        let pre = Side {
            n: 20,
            members: Some(&PRE_VIEW),
        };
        let e = fixed_outdegree("s", pre, post5, degree(5), 1).unwrap_err();
        assert!(e.to_string().contains("neuron 4 has 4"), "{e}");
    }

    #[test]
    fn fixed_prob_extremes() {
        let c = Connect::FixedProb { p: 0.0, seed: 1 }
            .build("s", 3, 4)
            .unwrap();
        assert_eq!(c.row_ptr, vec![0, 0, 0, 0]);
        let c = Connect::FixedProb { p: 1.0, seed: 1 }
            .build("s", 3, 4)
            .unwrap();
        assert_eq!(c, Connect::AllToAll.build("s", 3, 4).unwrap());
        let c = Connect::FixedProb { p: 0.5, seed: 1 }
            .build("s", 3, 0)
            .unwrap();
        assert_eq!(c.row_ptr, vec![0, 0, 0, 0]);
    }

    #[test]
    fn fixed_prob_is_reproducible_sorted_and_unbiased() {
        let (n_pre, n_post, p) = (2000, 3000, 0.01);
        let a = Connect::FixedProb { p, seed: 42 }
            .build("s", n_pre, n_post)
            .unwrap();
        let b = Connect::FixedProb { p, seed: 42 }
            .build("s", n_pre, n_post)
            .unwrap();
        let c = Connect::FixedProb { p, seed: 43 }
            .build("s", n_pre, n_post)
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.row_ptr.len(), n_pre + 1);
        for i in 0..n_pre {
            let row: Vec<usize> = a.row(i).collect();
            assert!(
                row.windows(2).all(|w| w[0] < w[1]),
                "row {i} not strictly sorted"
            );
            assert!(row.iter().all(|&j| j < n_post));
        }
        // Binomial(6e6, 0.01): mean 60000, sd ≈ 243.7; accept 5 sd.
        let mean = (n_pre * n_post) as f64 * p;
        let sd = (mean * (1.0 - p)).sqrt();
        let got = a.n_syn() as f64;
        assert!(
            (got - mean).abs() < 5.0 * sd,
            "{got} synapses, expected {mean} ± {sd}"
        );
        // Uniform over columns: each half of the columns gets half the synapses.
        let low = a
            .post
            .iter(0..a.n_syn())
            .filter(|&j| j < n_post / 2)
            .count() as f64;
        assert!(
            (low - got / 2.0).abs() < 5.0 * (got / 4.0).sqrt(),
            "{low} of {got}"
        );
        // In-degree of one column: Binomial(2000, 0.01), mean 20.
        let col0 = a.post.iter(0..a.n_syn()).filter(|&j| j == 0).count() as f64;
        assert!((col0 - 20.0).abs() < 5.0 * 20f64.sqrt(), "{col0}");
    }

    /// Targets onto at most 65,536 neurons take 2 bytes, the others 4; the numbers are the
    /// same.
    #[test]
    fn targets_are_narrow_onto_groups_of_at_most_65536() {
        let pairs = Connect::Pairs(vec![(0, 65_535), (1, 3), (1, 0)]);
        let narrow = pairs.build("s", 2, 65_536).unwrap();
        assert!(matches!(narrow.post, Targets::Narrow(_)));
        assert_eq!(narrow.post.to_vec(), [65_535, 3, 0]);
        assert_eq!(narrow.post.get(0), 65_535);
        assert_eq!(narrow.post.bytes(), 3 * 2);
        let wide = pairs.build("s", 2, 65_537).unwrap();
        assert!(matches!(wide.post, Targets::Wide(_)));
        assert_eq!(wide.post.to_vec(), narrow.post.to_vec());
        assert_eq!(wide.post.lower_bound(0..1, 65_536), 1);
        assert_eq!(narrow.post.lower_bound(0..1, 65_535), 0);
        assert_eq!(narrow.post.lower_bound(0..1, 65_536), 1);
        assert!(!narrow.post.is_sorted(1..3));
    }

    #[test]
    fn fixed_prob_rows_do_not_depend_on_the_group_size_of_other_rows() {
        // One stream per row: the first rows are the same whatever n_pre is.
        let a = Connect::FixedProb { p: 0.3, seed: 7 }
            .build("s", 10, 50)
            .unwrap();
        let b = Connect::FixedProb { p: 0.3, seed: 7 }
            .build("s", 20, 50)
            .unwrap();
        assert_eq!(a.post.to_vec()[..], b.post.to_vec()[..a.n_syn()]);
        assert_eq!(a.row_ptr[..], b.row_ptr[..11]);
    }

    /// The size of the large benchmarks: run with
    /// `cargo test -p neurode-runtime --release -- --ignored fixed_prob_million`.
    #[test]
    #[ignore = "large: 80 million synapses, ~400 MB"]
    fn fixed_prob_million() {
        let n = 1_000_000;
        let start = std::time::Instant::now();
        let c = Connect::FixedProb {
            p: 80.0 / n as f64,
            seed: 1,
        }
        .build("s", n, n)
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        let per_row = c.n_syn() as f64 / n as f64;
        eprintln!("{} synapses ({per_row} per row) in {secs:.2} s", c.n_syn());
        assert!((per_row - 80.0).abs() < 0.1);
        assert!(secs < 10.0, "{secs} s");
    }

    #[test]
    fn too_large_post_group_is_an_error() {
        let e = Connect::AllToAll
            .build("s", 1, u32::MAX as usize + 1)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    }
}
