//! The handles a user holds: populations and their views, projections and their elements,
//! monitors, and the common handle of an object of either kind.
//!
//! Every handle remembers the network that made it; a network refuses another's handles with
//! [`Error::UnknownObject`]. Views never renumber: a neuron keeps its index in the population in
//! spike lists, traces, connection rules and drawn values, whatever view it is reached through.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};
use std::sync::{Arc, Mutex, OnceLock};

use super::Network;
use crate::error::{Error, Result};
use crate::info::Var;
use crate::model::{NeuronModel, SynapseModel};
use crate::schedule::Obj;
use crate::values::Values;

/// A name interned for the life of the program, so that a handle that carries it stays `Copy`.
/// Names repeat across networks (tests, parameter sweeps), so each is stored once.
pub(crate) fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Handle of a population of neurons of model `M` in one [`Network`](crate::Network) (PyNN's
/// `Population`, Brian2's `NeuronGroup`, NEST's `NodeCollection` of one model). It is `Copy`
/// and knows its size, so views are made without the network: [`Population::slice`],
/// [`Population::pick`].
pub struct Population<M> {
    pub(crate) net: u32,
    pub(crate) index: usize,
    /// At most `u32::MAX` (a population's limit).
    pub(crate) len: u32,
    pub(crate) name: &'static str,
    _model: PhantomData<fn() -> M>,
}

/// Handle of a projection: the synapses of model `S` from one population (or view) onto
/// another (PyNN's `Projection`, Brian2's `Synapses`, NEST's connections of one `Connect`
/// call).
pub struct Projection<S> {
    pub(crate) net: u32,
    pub(crate) index: usize,
    _model: PhantomData<fn() -> S>,
}

macro_rules! copy_handle {
    ($name:ident) => {
        impl<M> Clone for $name<M> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<M> Copy for $name<M> {}
        impl<M> PartialEq for $name<M> {
            fn eq(&self, other: &Self) -> bool {
                (self.net, self.index) == (other.net, other.index)
            }
        }
        impl<M> Eq for $name<M> {}
        impl<M> std::hash::Hash for $name<M> {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (self.net, self.index).hash(state);
            }
        }
        impl<M> $name<M> {
            /// Position of the object among the network's objects of its kind (insertion order).
            pub fn index(&self) -> usize {
                self.index
            }
        }
    };
}
copy_handle!(Population);
copy_handle!(Projection);

impl<M> fmt::Debug for Population<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Population({}, network {}, #{}, {} neurons)",
            self.name, self.net, self.index, self.len
        )
    }
}

impl<S> fmt::Debug for Projection<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Projection(network {}, #{})", self.net, self.index)
    }
}

/// The model of an erased handle ([`Population::erased`], [`View::erased`]): a population whose
/// model is known only at run time, as the presynaptic side of
/// [`Network::add_projection`](crate::Network::add_projection), which needs no more than the
/// population and its members (the Python package reaches every model this way). No value of
/// this type exists, and it is no [`NeuronModel`]: an erased handle cannot set, record or
/// drive a variable.
#[derive(Debug)]
pub enum AnyNeuron {}

impl<M> Population<M> {
    /// The same population with its model erased (see [`AnyNeuron`]).
    pub fn erased(&self) -> Population<AnyNeuron> {
        Population {
            net: self.net,
            index: self.index,
            len: self.len,
            name: self.name,
            _model: PhantomData,
        }
    }

    pub(crate) fn new(net: u32, index: usize, len: usize, name: &str) -> Self {
        Population {
            net,
            index,
            // add_population refuses more than u32::MAX neurons.
            len: len as u32,
            name: intern(name),
            _model: PhantomData,
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the population has no neuron.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The population's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The view of every neuron (what passing the population itself means).
    pub fn all(&self) -> View<M> {
        View {
            population: *self,
            members: Members::All,
        }
    }

    /// The neurons of `range` (Brian2's `G[400:480]`, PyNN's `p[400:480]`): `exc.slice(400..480)`.
    ///
    /// Errors: [`Error::IndexOutOfRange`] for a range reaching past the population,
    /// [`Error::EmptyGroup`] for an empty range.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Result<View<M>> {
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => self.len(),
        };
        if end > self.len() || start > self.len() {
            return Err(Error::IndexOutOfRange {
                object: self.name.to_string(),
                index: if start >= self.len() { start } else { end - 1 },
                len: self.len(),
            });
        }
        if start >= end {
            return Err(Error::EmptyGroup {
                object: format!("{}[{start}..{end}]", self.name),
            });
        }
        if start == 0 && end == self.len() {
            return Ok(self.all());
        }
        // end <= len <= u32::MAX (a population's limit).
        self.view((start as u32..end as u32).collect())
    }

    /// The neurons of `indices`, in any order (PyNN's `p[[3, 1, 7]]`); the view holds them in
    /// ascending order, as every view does.
    ///
    /// Errors: [`Error::IndexOutOfRange`], [`Error::EmptyGroup`] for no index,
    /// [`Error::InvalidInput`] for an index given twice.
    pub fn pick(&self, indices: &[usize]) -> Result<View<M>> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::IndexOutOfRange {
                object: self.name.to_string(),
                index: bad,
                len: self.len(),
            });
        }
        let mut sorted: Vec<u32> = indices.iter().map(|&i| i as u32).collect();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::InvalidInput {
                object: self.name.to_string(),
                reason: format!("neuron {} is picked twice for one view", w[0]),
            });
        }
        if sorted.is_empty() {
            return Err(Error::EmptyGroup {
                object: format!("{}[]", self.name),
            });
        }
        self.view(sorted)
    }

    fn view(&self, sorted: Vec<u32>) -> Result<View<M>> {
        if sorted.len() == self.len() {
            return Ok(self.all());
        }
        Ok(View {
            population: *self,
            members: Members::Some(sorted.into()),
        })
    }
}

/// Some neurons of one population (PyNN's `PopulationView`, and its `Assembly` of views of one
/// population through [`View::union`]): accepted wherever a population is, as source or target
/// of a projection, by inputs, monitors and values. Members are held in ascending order and keep
/// their population indices everywhere.
pub struct View<M> {
    population: Population<M>,
    members: Members,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Members {
    All,
    /// Ascending, distinct, fewer than the population.
    Some(Arc<[u32]>),
}

impl<M> Clone for View<M> {
    fn clone(&self) -> Self {
        View {
            population: self.population,
            members: self.members.clone(),
        }
    }
}

impl<M> PartialEq for View<M> {
    fn eq(&self, other: &Self) -> bool {
        self.population == other.population && self.members == other.members
    }
}

impl<M> fmt::Debug for View<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.members {
            Members::All => write!(f, "View({}, all {})", self.population.name, self.len()),
            Members::Some(m) => write!(f, "View({}, {} neurons)", self.population.name, m.len()),
        }
    }
}

impl<M> From<Population<M>> for View<M> {
    fn from(p: Population<M>) -> Self {
        p.all()
    }
}

impl<M> From<&View<M>> for View<M> {
    fn from(v: &View<M>) -> Self {
        v.clone()
    }
}

impl<M> View<M> {
    /// The same neurons with their model erased (see [`AnyNeuron`]).
    pub fn erased(&self) -> View<AnyNeuron> {
        View {
            population: self.population.erased(),
            members: self.members.clone(),
        }
    }

    /// The population the view is of.
    pub fn population(&self) -> Population<M> {
        self.population
    }

    /// Number of neurons in the view (at least 1).
    pub fn len(&self) -> usize {
        match &self.members {
            Members::All => self.population.len(),
            Members::Some(m) => m.len(),
        }
    }

    /// Always `false`: an empty view is refused when it is made.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the view holds every neuron of its population.
    pub fn is_whole(&self) -> bool {
        self.members == Members::All
    }

    /// Whether neuron `i` of the population is in the view.
    pub fn contains(&self, i: usize) -> bool {
        match &self.members {
            Members::All => i < self.population.len(),
            Members::Some(m) => m.binary_search(&(i as u32)).is_ok(),
        }
    }

    /// The population indices of the view's neurons, ascending.
    pub fn indices(&self) -> Vec<usize> {
        match &self.members {
            Members::All => (0..self.population.len()).collect(),
            Members::Some(m) => m.iter().map(|&i| i as usize).collect(),
        }
    }

    /// The neurons of both views (PyNN's `Assembly` of views of one population). Overlaps are
    /// allowed and counted once.
    ///
    /// Error: [`Error::InvalidInput`] for views of two populations.
    pub fn union(&self, other: &View<M>) -> Result<View<M>> {
        if self.population != other.population {
            return Err(Error::InvalidInput {
                object: self.population.name.to_string(),
                reason: format!(
                    "a view of `{}` cannot be joined with a view of `{}`",
                    self.population.name, other.population.name
                ),
            });
        }
        let (Members::Some(a), Members::Some(b)) = (&self.members, &other.members) else {
            return Ok(self.population.all());
        };
        let mut joined: Vec<u32> = a.iter().chain(b.iter()).copied().collect();
        joined.sort_unstable();
        joined.dedup();
        self.population.view(joined)
    }

    pub(crate) fn members(&self) -> Option<&[u32]> {
        match &self.members {
            Members::All => None,
            Members::Some(m) => Some(m),
        }
    }
}

/// Some elements of a projection, for a monitor: synapse numbers where the recorded state lives
/// per synapse, presynaptic or postsynaptic neuron indices where it lives per neuron (see
/// [`Network::record`](crate::Network::record)). Checked against the projection when used.
pub struct Elements<S> {
    pub(crate) projection: Projection<S>,
    pub(crate) indices: Arc<[usize]>,
}

impl<S> Clone for Elements<S> {
    fn clone(&self) -> Self {
        Elements {
            projection: self.projection,
            indices: self.indices.clone(),
        }
    }
}

impl<S> fmt::Debug for Elements<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Elements({:?}, {:?})", self.projection, self.indices)
    }
}

impl<S> Projection<S> {
    pub(crate) fn new(net: u32, index: usize) -> Self {
        Projection {
            net,
            index,
            _model: PhantomData,
        }
    }

    /// The elements `indices` (in the order given, which is the order of a trace's columns).
    pub fn elements(&self, indices: &[usize]) -> Elements<S> {
        Elements {
            projection: *self,
            indices: indices.into(),
        }
    }
}

/// Handle of a state monitor ([`Network::record`](crate::Network::record)); its data is a
/// [`Trace`](crate::Trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateMonitor {
    pub(crate) net: u32,
    pub(crate) index: usize,
}

/// Handle of a spike monitor ([`Network::record_spikes`](crate::Network::record_spikes),
/// [`Network::count_spikes`](crate::Network::count_spikes)); its data is
/// [`Spikes`](crate::Spikes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpikeMonitor {
    pub(crate) net: u32,
    pub(crate) index: usize,
}

/// Handle of a population rate monitor ([`Network::record_rate`](crate::Network::record_rate));
/// its data is [`Rate`](crate::Rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateMonitor {
    pub(crate) net: u32,
    pub(crate) index: usize,
}

/// A population or a projection, for what both have (an integration method, parameters by
/// name, a place in the schedule): `net.set_method(exc, Method::Rk4)` takes either.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectId {
    pub(crate) net: u32,
    pub(crate) obj: Obj,
}

/// `Population(#0, network 1)`, as the handles print (the name lives in the network).
impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, index) = match self.obj {
            Obj::Neuron(i) => ("Population", i),
            Obj::Synapse(i) => ("Projection", i),
        };
        write!(f, "{kind}(#{index}, network {})", self.net)
    }
}

impl<M> From<Population<M>> for ObjectId {
    fn from(p: Population<M>) -> Self {
        ObjectId {
            net: p.net,
            obj: Obj::Neuron(p.index),
        }
    }
}

impl<S> From<Projection<S>> for ObjectId {
    fn from(p: Projection<S>) -> Self {
        ObjectId {
            net: p.net,
            obj: Obj::Synapse(p.index),
        }
    }
}

/// What a monitor or a value can be aimed at: a population, a view of one, a projection or some
/// of its elements. `Model` is the model whose typed accessors ([`Var`](crate::Var),
/// [`Param`](crate::Param)) apply.
pub trait Selection: sealed::Sealed {
    /// The model of the population or projection.
    type Model;
    #[doc(hidden)]
    fn resolve(&self) -> Resolved;
    #[doc(hidden)]
    fn set_in(&self, net: &mut Network, var: Var<Self::Model>, values: &Values) -> Result<()>;
}

/// A [`Selection`] as the network sees it.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub enum Resolved {
    /// Neurons of a population: all, or the members.
    Neurons {
        net: u32,
        index: usize,
        members: Option<Arc<[u32]>>,
    },
    /// Elements of a projection: all, or the given ones.
    Synapses {
        net: u32,
        index: usize,
        elements: Option<Arc<[usize]>>,
    },
}

mod sealed {
    pub trait Sealed {}
    impl<M> Sealed for super::Population<M> {}
    impl<M> Sealed for super::View<M> {}
    impl<M> Sealed for &super::View<M> {}
    impl<S> Sealed for super::Projection<S> {}
    impl<S> Sealed for super::Elements<S> {}
    impl<S> Sealed for &super::Elements<S> {}
}

impl<M: NeuronModel> Selection for Population<M> {
    type Model = M;
    fn set_in(&self, net: &mut Network, var: Var<M>, values: &Values) -> Result<()> {
        net.set_neurons(&self.all(), var, values)
    }
    fn resolve(&self) -> Resolved {
        Resolved::Neurons {
            net: self.net,
            index: self.index,
            members: None,
        }
    }
}

impl<M: NeuronModel> Selection for View<M> {
    type Model = M;
    fn set_in(&self, net: &mut Network, var: Var<M>, values: &Values) -> Result<()> {
        net.set_neurons(self, var, values)
    }
    fn resolve(&self) -> Resolved {
        Resolved::Neurons {
            net: self.population.net,
            index: self.population.index,
            members: match &self.members {
                Members::All => None,
                Members::Some(m) => Some(m.clone()),
            },
        }
    }
}

impl<M: NeuronModel> Selection for &View<M> {
    type Model = M;
    fn set_in(&self, net: &mut Network, var: Var<M>, values: &Values) -> Result<()> {
        net.set_neurons(self, var, values)
    }
    fn resolve(&self) -> Resolved {
        (*self).resolve()
    }
}

impl<S: SynapseModel> Selection for Projection<S> {
    type Model = S;
    fn set_in(&self, net: &mut Network, var: Var<S>, values: &Values) -> Result<()> {
        net.set_synapses(*self, None, var, values)
    }
    fn resolve(&self) -> Resolved {
        Resolved::Synapses {
            net: self.net,
            index: self.index,
            elements: None,
        }
    }
}

impl<S: SynapseModel> Selection for Elements<S> {
    type Model = S;
    fn set_in(&self, net: &mut Network, var: Var<S>, values: &Values) -> Result<()> {
        net.set_synapses(self.projection, Some(&self.indices), var, values)
    }
    fn resolve(&self) -> Resolved {
        Resolved::Synapses {
            net: self.projection.net,
            index: self.projection.index,
            elements: Some(self.indices.clone()),
        }
    }
}

impl<S: SynapseModel> Selection for &Elements<S> {
    type Model = S;
    fn set_in(&self, net: &mut Network, var: Var<S>, values: &Values) -> Result<()> {
        net.set_synapses(self.projection, Some(&self.indices), var, values)
    }
    fn resolve(&self) -> Resolved {
        (*self).resolve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testmodels::Acc;

    fn pop(len: usize) -> Population<Acc> {
        Population::new(7, 0, len, "exc")
    }

    #[test]
    fn slices_and_picks_are_sorted_members_or_the_whole() {
        let p = pop(10);
        let v = p.slice(4..8).unwrap();
        assert_eq!(v.indices(), vec![4, 5, 6, 7]);
        assert_eq!((v.len(), v.contains(4), v.contains(8)), (4, true, false));
        assert!(p.slice(..).unwrap().is_whole());
        assert!(p.slice(0..=9).unwrap().is_whole());
        assert_eq!(p.pick(&[7, 1, 3]).unwrap().indices(), vec![1, 3, 7]);
        let u = p
            .slice(0..3)
            .unwrap()
            .union(&p.pick(&[2, 9]).unwrap())
            .unwrap();
        assert_eq!(u.indices(), vec![0, 1, 2, 9]);
        let whole = p
            .slice(0..5)
            .unwrap()
            .union(&p.slice(5..10).unwrap())
            .unwrap();
        assert!(whole.is_whole());
    }

    #[test]
    fn bad_views_are_typed_errors() {
        let p = pop(10);
        assert!(matches!(
            p.slice(5..11),
            Err(Error::IndexOutOfRange {
                index: 10,
                len: 10,
                ..
            })
        ));
        assert!(matches!(p.slice(5..5), Err(Error::EmptyGroup { .. })));
        assert!(matches!(p.pick(&[]), Err(Error::EmptyGroup { .. })));
        assert!(matches!(
            p.pick(&[3, 12]),
            Err(Error::IndexOutOfRange { index: 12, .. })
        ));
        assert!(matches!(p.pick(&[3, 3]), Err(Error::InvalidInput { .. })));
        let other: Population<Acc> = Population::new(7, 1, 10, "inh");
        let e = p.all().union(&other.all()).unwrap_err();
        assert!(e.to_string().contains("`inh`"), "{e}");
    }
}
