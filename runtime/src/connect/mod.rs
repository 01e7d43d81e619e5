//! Connectivity rules, built into pre-major compressed sparse rows ([`Csr`]).

use crate::error::{Error, Result};

mod rules;
#[cfg(test)]
mod tests;

pub(crate) use rules::row_cuts;
use rules::{
    dense, fixed_indegree, fixed_outdegree, fixed_prob, fixed_total, from_pairs, probability,
    Degree,
};

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

    /// [`Targets::new`], the narrow copy reserved fallibly.
    pub(crate) fn try_new(post: Vec<u32>, n_post: usize, room: &Room<'_>) -> Result<Targets> {
        if n_post > Self::NARROW_MAX {
            return Ok(Targets::Wide(post));
        }
        let mut narrow = crate::memory::filled(post.len(), 0u16, room.purpose())?;
        crate::par::chunks(&mut narrow, |start, part| {
            for (j, x) in part.iter_mut().enumerate() {
                // Below 2^16: exact.
                *x = post[start + j] as u16;
            }
        });
        Ok(Targets::Narrow(narrow))
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
        let room = Room::unlimited(object);
        self.build_on(Side::whole(n_pre), Side::whole(n_post), room)
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
    ///
    /// Every buffer is reserved fallibly, and no more than `room` allows is built: a rule that
    /// would build more synapses stops there with [`Error::OutOfMemory`].
    pub(crate) fn build_on(&self, pre: Side<'_>, post: Side<'_>, room: Room<'_>) -> Result<Csr> {
        let object = room.object;
        let (n_pre, n_post) = (pre.n, post.n);
        // Ask for the memory first, so that a connectivity too large for the machine is an
        // error rather than an abort halfway through.
        let expected =
            usize::try_from(self.expected_synapses(pre.len(), post.len())).unwrap_or(usize::MAX);
        room.check(expected)?;
        let mut probe: Vec<u32> = Vec::new();
        room.reserve(&mut probe, expected)?;
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
            Connect::AllToAll => dense(&room, pre, post, false),
            Connect::AllToAllNoSelf => dense(&room, pre, post, true),
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
                from_pairs(&room, n_pre, n_post, &pairs)
            }
            Connect::FixedProb { p, seed } => fixed_prob(&room, pre, post, *p, *seed),
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
                from_pairs(&room, n_pre, n_post, pairs)
            }
            Connect::PairwiseBernoulli {
                p,
                seed,
                autapses: true,
            } => fixed_prob(&room, pre, post, *p, *seed),
            Connect::PairwiseBernoulli {
                p,
                seed,
                autapses: false,
            } => {
                let f = move |_, _| *p;
                probability(&room, pre, post, &f, *seed, false)
            }
            Connect::Probability { p, seed } => probability(&room, pre, post, &*p.0, *seed, true),
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
                fixed_indegree(&room, pre, post, rule, seed)
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
                fixed_outdegree(&room, pre, post, rule, seed)
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
                fixed_total(&room, pre, post, rule, seed)
            }
        }?;
        Ok(Csr {
            row_ptr: csr.row_ptr,
            post: Targets::try_new(csr.post.into_wide(), n_post, &room)?,
        })
    }
}

/// How many synapses a rule may build, and what refuses more: the memory budget's room (each
/// synapse costing `per_synapse` bytes of the projection's buffers) and the allocator.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Room<'a> {
    /// The projection, for errors.
    pub(crate) object: &'a str,
    /// Bytes each synapse costs.
    pub(crate) per_synapse: u64,
    /// The budget's limit and what is used of it, if there is a budget.
    pub(crate) budget: Option<(u64, u64)>,
}

impl<'a> Room<'a> {
    /// No budget: only the allocator refuses.
    pub(crate) fn unlimited(object: &'a str) -> Self {
        Room {
            object,
            per_synapse: 4,
            budget: None,
        }
    }

    pub(super) fn purpose(&self) -> crate::memory::Purpose<'a> {
        crate::memory::Purpose {
            object: self.object,
            what: "the synapses",
        }
    }

    /// The most synapses the budget leaves room for.
    pub(super) fn most(&self) -> usize {
        match self.budget {
            None => usize::MAX,
            Some((limit, used)) => {
                let left = limit.saturating_sub(used) / self.per_synapse.max(1);
                usize::try_from(left).unwrap_or(usize::MAX)
            }
        }
    }

    /// [`Error::OutOfMemory`] unless `n` synapses fit the budget.
    pub(crate) fn check(&self, n: usize) -> Result<()> {
        if n <= self.most() {
            return Ok(());
        }
        let bytes = (n as u64).saturating_mul(self.per_synapse);
        Err(self.purpose().error(bytes, self.budget))
    }

    /// Reserves room for `additional` more elements of `v` (targets or pairs): checked against
    /// the budget, then asked of the allocator.
    pub(crate) fn reserve<T>(&self, v: &mut Vec<T>, additional: usize) -> Result<()> {
        self.check(v.len().saturating_add(additional))?;
        crate::memory::reserve(v, additional, self.purpose())
    }

    /// Pushes `x` onto `v`, growing it fallibly (doubling) within the budget.
    #[inline]
    pub(crate) fn push<T>(&self, v: &mut Vec<T>, x: T) -> Result<()> {
        if v.len() == v.capacity() {
            let grow = v
                .len()
                .max(1 << 12)
                .min(self.most().saturating_sub(v.len()).max(1));
            self.reserve(v, grow)?;
        }
        v.push(x);
        Ok(())
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
