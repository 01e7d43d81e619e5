//! Configuring what was built: methods, parameters, storage, delays and per-element values.

use super::*;
use crate::columns::check_domain;
use crate::connect::Csr;
use crate::info::{Method, Param, Storage, Var};
use crate::model::{NeuronModel, SynapseModel};
use crate::monitor::Owner;
use crate::rng::Streams;
use crate::values::{Target as ValuesTarget, Values};

impl Network {
    /// Chooses the integration method of a population or projection.
    ///
    /// Errors: [`Error::MethodNotSupported`] unless the model's generated code supports it;
    /// [`Error::UnknownObject`].
    pub fn set_method(&mut self, id: impl Into<ObjectId>, method: Method) -> Result<()> {
        match self.object(id.into())? {
            Obj::Neuron(g) => self.neurons[g].set_method(method),
            Obj::Synapse(s) => self.synapses[s].set_method(method),
        }
    }

    /// Integration method of a population or projection.
    ///
    /// Error: [`Error::UnknownObject`].
    pub fn method(&self, id: impl Into<ObjectId>) -> Result<Method> {
        Ok(match self.object(id.into())? {
            Obj::Neuron(g) => self.neurons[g].method(),
            Obj::Synapse(s) => self.synapses[s].method(),
        })
    }

    /// Sets the shared parameter `param` (`Lif::tau`, `Ampa::g_max`) of a population or
    /// projection; takes effect at the next run. A parameter declared per element is a
    /// variable: set it with [`Network::set`]. (Where a parameter's name comes from a user at
    /// run time, [`NeuronGroup::set_param`](crate::NeuronGroup::set_param) and
    /// [`SynapseGroup::set_param`](crate::SynapseGroup::set_param) take it by name.)
    ///
    /// Errors: [`Error::InvalidParameter`] for a value outside the parameter's domain;
    /// [`Error::InvalidInput`] for a view of part of a population (a shared parameter holds for
    /// all of it); [`Error::UnknownObject`].
    pub fn set_param<T: Selection>(
        &mut self,
        target: T,
        param: Param<T::Model>,
        value: f64,
    ) -> Result<()> {
        match self.whole_object(&target.resolve(), param.name())? {
            Obj::Neuron(g) => self.neurons[g].set_param(param.name(), value),
            Obj::Synapse(s) => self.synapses[s].set_param(param.name(), value),
        }
    }

    /// The shared parameter `param` of a population or projection.
    ///
    /// Errors: as [`Network::set_param`].
    pub fn param<T: Selection>(&self, target: T, param: Param<T::Model>) -> Result<f64> {
        let (value, info) = match self.whole_object(&target.resolve(), param.name())? {
            Obj::Neuron(g) => (
                self.neurons[g].get_param(param.name()),
                self.neurons[g].info(),
            ),
            Obj::Synapse(s) => (
                self.synapses[s].get_param(param.name()),
                self.synapses[s].info(),
            ),
        };
        value.ok_or_else(|| info.unknown_parameter(param.name()))
    }

    /// The object of a selection that must be all of it (for a shared parameter).
    pub(super) fn whole_object(&self, target: &Resolved, param: &str) -> Result<Obj> {
        let (obj, part) = match target {
            Resolved::Neurons {
                net,
                index,
                members,
            } => (
                ObjectId {
                    net: *net,
                    obj: Obj::Neuron(*index),
                },
                members.is_some(),
            ),
            Resolved::Synapses {
                net,
                index,
                elements,
            } => (
                ObjectId {
                    net: *net,
                    obj: Obj::Synapse(*index),
                },
                elements.is_some(),
            ),
        };
        let obj = self.object(obj)?;
        if part {
            return Err(Error::InvalidInput {
                object: self.object_name(obj).to_string(),
                reason: format!(
                    "`{param}` is a parameter shared by the whole object: it cannot be set for \
                     part of it (declare it per element to give each its own value)"
                ),
            });
        }
        Ok(obj)
    }

    /// Forces the storage class of a projection (normally the model's most compact one, or per
    /// synapse once a monitor records it). The per-synapse values (weights, `per_synapse`
    /// parameters) keep what was set; the states that follow the storage start from their
    /// initial values.
    ///
    /// Errors: [`Error::StorageNotSupported`]; [`Error::InvalidInput`] after the first step,
    /// when a monitor records the group in another storage, or when a state that follows the
    /// storage was set (its values would be lost: switch first, then set);
    /// [`Error::UnknownObject`].
    pub fn set_storage<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
        storage: Storage,
    ) -> Result<()> {
        let s = self.proj_index(id)?;
        if !S::INFO.storages.contains(&storage) {
            return Err(Error::StorageNotSupported {
                object: self.synapses[s].name().to_string(),
                storage: storage.name().to_string(),
                supported: S::INFO.storage_names(),
            });
        }
        self.switch_storage(s, storage)
    }

    pub(super) fn switch_storage(&mut self, s: usize, storage: Storage) -> Result<()> {
        let syn = &self.synapses[s];
        if syn.storage() == storage {
            return Ok(());
        }
        let reason = if self.step > 0 {
            Some("the storage cannot change once the network has run")
        } else if self.monitors.iter().any(|m| m.owner == Owner::Synapse(s)) {
            Some("the storage cannot change once a monitor records the group")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidInput {
                object: syn.name().to_string(),
                reason: format!("cannot switch to {storage}: {reason}"),
            });
        }
        self.synapses[s]
            .switch_storage(storage)
            .map_err(|state| Error::InvalidInput {
                object: self.synapses[s].name().to_string(),
                reason: format!(
                    "cannot switch to {storage}: `{state}` was set, and its values have no \
                     place in the other layout; switch the storage before setting it"
                ),
            })
    }

    /// Sets a delay per synapse of projection `id` from `values` (ms; a vector gives one per
    /// synapse in synapse order, a distribution is drawn as [`Network::set`] draws, under the
    /// variable name `delay`; NEST's microcircuit, for one, draws its delays from a normal
    /// distribution redrawn below the step): a spike of a presynaptic neuron produced at step
    /// `k` acts through synapse `i` at step `k + dᵢ`, whatever the order of the objects, `dᵢ`
    /// being the delay rounded to the nearest step and at least one step (NEST's rule; an
    /// `#[output(delay = ...)]` of the DSL keeps its own rule, `ceil(d/dt)` steps on the pushed
    /// quantity). Rows are then sorted by (delay, postsynaptic neuron), which renumbers the
    /// synapses within each row. Allowed before the first run.
    ///
    /// Errors: those of [`Values`] (as [`Network::set`]), [`Error::InvalidInput`] (a bad delay,
    /// a model that does not take them, a network that has run), [`Error::UnknownObject`].
    pub fn set_delays<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
        values: impl Into<Values>,
    ) -> Result<()> {
        let values = values.into();
        let s = self.proj_index(id)?;
        if self.step > 0 {
            return Err(Error::InvalidInput {
                object: self.synapses[s].name().to_string(),
                reason: "per-synapse delays are set before the network first runs".to_string(),
            });
        }
        let seed = Streams::new(self.seed);
        let (dt, group) = (self.dt, self.projection_mut(id)?);
        let conn = group.conn();
        let pair = |k: usize| (pre_of_synapse(conn, k), conn.post.get(k));
        let target = ValuesTarget {
            object: group.name(),
            variable: "delay",
            len: group.n_syn(),
            pairs: Some(&pair),
            keys: None,
        };
        let delays = values.draw(&target, seed)?;
        group.set_delays(&delays, dt)
    }

    /// Sets the seed of the values drawn by [`Network::set`] and [`Network::set_delays`]
    /// (default 0). Each draw is keyed by this seed, the object's and variable's names and the
    /// element's index (a neuron's population index, a synapse's number), so the values do not
    /// depend on the order of the calls, on the views they are set through or on the number of
    /// threads.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// The seed of drawn values (see [`Network::set_seed`]).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Sets the variable `var` of the elements of `target` from `values` (a constant, a vector,
    /// a function of the element's index, or a distribution drawn from the network's seed; a
    /// number or a vector of numbers converts: `net.set(exc, Lif::V, -65.0)`).
    ///
    /// - A population or a view: each member neuron (a vector has one value per member, in
    ///   ascending order; a function and a draw are keyed by the population index, so a neuron
    ///   gets the same value through any view).
    /// - A projection: every synapse for a variable stored per synapse (a function of pairs gets
    ///   each synapse's presynaptic and postsynaptic neuron), every neuron the state is kept per
    ///   otherwise (see [`Network::set_storage`]); or the given [`Elements`].
    ///
    /// Errors: those of [`Values`] (a vector of another length, a value that is not finite,
    /// distribution parameters out of range, a function of pairs for neurons), naming the object
    /// and the variable; [`Error::IndexOutOfRange`] for an element that does not exist;
    /// [`Error::UnknownObject`].
    pub fn set<T: Selection>(
        &mut self,
        target: T,
        var: Var<T::Model>,
        values: impl Into<Values>,
    ) -> Result<()> {
        target.set_in(self, var, &values.into())
    }

    pub(super) fn set_neurons<M: NeuronModel>(
        &mut self,
        view: &View<M>,
        var: Var<M>,
        values: &Values,
    ) -> Result<()> {
        let seed = Streams::new(self.seed);
        let group = self.population_mut(view.population())?;
        let target = ValuesTarget {
            object: group.name(),
            variable: var.name(),
            len: view.len(),
            pairs: None,
            keys: view.members(),
        };
        let drawn = values.draw(&target, seed)?;
        check_domain(M::INFO, group.name(), var.name(), &drawn, &|n| {
            group.model().get_param(n)
        })?;
        match view.members() {
            None => group.set(var, &drawn),
            Some(members) => {
                let mut column = group.column(var).to_vec();
                for (&i, &x) in members.iter().zip(&drawn) {
                    column[i as usize] = x;
                }
                group.set(var, &column)
            }
        }
    }

    pub(super) fn set_synapses<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
        elements: Option<&[usize]>,
        var: Var<S>,
        values: &Values,
    ) -> Result<()> {
        let seed = Streams::new(self.seed);
        let group = self.projection_mut(id)?;
        let per_synapse = S::INFO
            .states
            .get(var.index())
            .is_some_and(|s| s.per_synapse)
            || group.storage() == Storage::PerSynapse;
        let all = if per_synapse {
            group.n_syn()
        } else {
            group.len()
        };
        let keys: Option<Vec<u32>> = match elements {
            None => None,
            Some(e) => {
                if let Some(&bad) = e.iter().find(|&&k| k >= all) {
                    return Err(Error::IndexOutOfRange {
                        object: group.name().to_string(),
                        index: bad,
                        len: all,
                    });
                }
                let mut seen = vec![false; all];
                if let Some(&twice) = e.iter().find(|&&k| std::mem::replace(&mut seen[k], true)) {
                    return Err(Error::InvalidInput {
                        object: group.name().to_string(),
                        reason: format!(
                            "element {twice} of `{}` is given twice: which value it gets would be arbitrary",
                            var.name()
                        ),
                    });
                }
                Some(e.iter().map(|&k| k as u32).collect())
            }
        };
        let conn = group.conn();
        let key = |k: usize| keys.as_ref().map_or(k, |m| m[k] as usize);
        let pair = |k: usize| {
            let k = key(k);
            (pre_of_synapse(conn, k), conn.post.get(k))
        };
        let target = ValuesTarget {
            object: group.name(),
            variable: var.name(),
            len: keys.as_ref().map_or(all, Vec::len),
            pairs: per_synapse.then_some(&pair as &dyn Fn(usize) -> (usize, usize)),
            keys: keys.as_deref(),
        };
        let drawn = values.draw(&target, seed)?;
        check_domain(S::INFO, group.name(), var.name(), &drawn, &|n| {
            group.model().get_param(n)
        })?;
        match &keys {
            None => group.set(var, &drawn),
            Some(keys) => {
                let mut column = group.column(var).to_vec();
                for (&k, &x) in keys.iter().zip(&drawn) {
                    column[k as usize] = x;
                }
                group.set(var, &column)
            }
        }
    }
}

/// The presynaptic neuron of synapse `k` of `conn` (a binary search of the row starts: only
/// functions of (pre, post) ask, so no table of every synapse's row is kept).
pub(super) fn pre_of_synapse(conn: &Csr, k: usize) -> usize {
    conn.row_ptr.partition_point(|&start| start <= k) - 1
}
