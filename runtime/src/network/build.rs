//! Building: populations, projections, the bindings of postsynaptic variables, the schedule.

use std::any::TypeId;

use super::*;
use crate::connect::{Connect, Side};
use crate::fuse::fuse;
use crate::group::NeuronGroup;
use crate::info::{OutputKind, PostWrite, Target};
use crate::memory::Purpose;
use crate::model::{NeuronModel, SynapseModel};
use crate::synapse::{Binding, SynapseGroup};

impl Network {
    /// Adds a population of `n` neurons of `model`, scheduled after every object added before
    /// it. State columns are initialised by the model; the integration method is the model's
    /// default.
    ///
    /// Errors: [`Error::DuplicateName`], [`Error::InvalidInput`] for an empty name or more than
    /// `u32::MAX` neurons.
    pub fn add_population<M: NeuronModel>(
        &mut self,
        name: &str,
        n: usize,
        model: M,
    ) -> Result<Population<M>> {
        self.check_name(name)?;
        if n > u32::MAX as usize {
            return Err(Error::InvalidInput {
                object: name.to_string(),
                reason: format!("{n} neurons exceed the limit of {}", u32::MAX),
            });
        }
        model.check(self.dt).map_err(|e| e.in_object(name))?;
        model.check_len(n).map_err(|e| e.in_object(name))?;
        let bytes = NeuronGroup::<M>::bytes_for(n);
        let purpose = Purpose {
            object: name,
            what: "the neuron buffers",
        };
        self.budget.check(bytes, purpose)?;
        let init_key = crate::rng::key_prefix(
            self.seed,
            crate::rng::domain::INIT ^ self.neurons.len() as u64,
        );
        let group = NeuronGroup::new(name.to_string(), n, model, init_key)?;
        self.budget.charge(bytes, purpose)?;
        let index = self.neurons.len();
        self.neurons.push(Box::new(group));
        self.schedule.push(Slot::new(Obj::Neuron(index)));
        Ok(Population::new(self.id, index, n, name))
    }

    /// Adds a projection: synapses of `model` from `pre` to `post` laid out by `conn`, scheduled
    /// after every object added before it. `pre` and `post` are populations or views of them
    /// ([`Population::slice`]), possibly of the same population; what each rule gives between
    /// views is written at [`Connect`] (the rules of independent pairs give the synapses they
    /// give between the whole populations, restricted to the views). Synapses keep the
    /// population indices of their neurons. The presynaptic side may be an erased handle
    /// ([`View::erased`]): only its population and members are read.
    ///
    /// A variable `x_post` the model's spike rules add to is bound to the postsynaptic group's
    /// variable `x` (see [`Network::set_post_variable`] to bind it to another), converting
    /// between scales of one unit (a rule adding nS into a variable in µS adds 10⁻³ times as
    /// much).
    ///
    /// Errors: [`Error::DuplicateName`]; [`Error::UnknownObject`] for a handle of another network;
    /// the connector's errors ([`Connect::build`]); [`Error::InvalidInput`] when a conductance or
    /// voltage output targets a group whose model has no membrane potential. A rule's
    /// postsynaptic variable that cannot be bound (see [`Network::set_post_variable`]) stays
    /// unbound: the next run refuses to start, naming it, unless it is bound to another
    /// variable or ignored ([`Network::ignore_post_variable`]).
    pub fn add_projection<S: SynapseModel, A, B: NeuronModel>(
        &mut self,
        name: &str,
        model: S,
        pre: impl Into<View<A>>,
        post: impl Into<View<B>>,
        conn: &Connect,
    ) -> Result<Projection<S>> {
        let (pre_view, post_view) = (pre.into(), post.into());
        self.check_name(name)?;
        model.check(self.dt).map_err(|e| e.in_object(name))?;
        let pre = self.pop_index(pre_view.population())?;
        let post = self.pop_index(post_view.population())?;
        for (o, out) in S::INFO.outputs.iter().enumerate() {
            let g = match out.target {
                Target::Pre => pre,
                Target::Post => post,
            };
            let target = &self.neurons[g];
            if matches!(out.kind, OutputKind::Conductance | OutputKind::Voltage)
                && target.info().membrane.is_none()
            {
                return Err(Error::InvalidInput {
                    object: name.to_string(),
                    reason: format!(
                        "output {o} ({:?}) needs a membrane potential, but model `{}` of group \
                         `{}` has none",
                        out.kind,
                        target.info().name,
                        target.name()
                    ),
                });
            }
            if matches!(out.kind, OutputKind::Current | OutputKind::Conductance)
                && target.info().input.is_none()
            {
                return Err(Error::InvalidInput {
                    object: name.to_string(),
                    reason: format!(
                        "output {o} ({:?}) adds to the input current, but model `{}` of group \
                         `{}` has no `#[input]` field",
                        out.kind,
                        target.info().name,
                        target.name()
                    ),
                });
            }
        }
        let summed = S::INFO
            .outputs
            .iter()
            .map(|out| {
                let g = match out.target {
                    Target::Pre => pre,
                    Target::Post => post,
                };
                match (out.kind, out.variable) {
                    (OutputKind::Summed, Some(variable)) => {
                        self.bind_summed(name, (variable, out.dims), g).map(Some)
                    }
                    _ => Ok(None),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        // A variable the postsynaptic model lacks stays unbound until a run, so that it can
        // still be bound to another or dropped.
        let targets = S::INFO
            .post_writes
            .iter()
            .map(
                |w| match bind_target(name, w, w.name, &*self.neurons[post]) {
                    Ok((column, factor)) => Binding::Column { column, factor },
                    Err(Error::InvalidInput { reason, .. }) => Binding::Missing(reason),
                    Err(e) => Binding::Missing(e.to_string()),
                },
            )
            .collect::<Vec<_>>();
        let (n_pre, n_post) = (self.neurons[pre].len(), self.neurons[post].len());
        let purpose = Purpose {
            object: name,
            what: "the synapses",
        };
        let expected = conn.expected_synapses(pre_view.len(), post_view.len());
        self.budget
            .check(SynapseGroup::<S>::bytes_for(expected), purpose)?;
        let pre_side = Side {
            n: n_pre,
            members: pre_view.members(),
        };
        let post_side = Side {
            n: n_post,
            members: post_view.members(),
        };
        let room = crate::connect::Room {
            object: name,
            per_synapse: SynapseGroup::<S>::bytes_for(1),
            budget: self.budget.limit.map(|l| (l, self.budget.charged)),
        };
        let csr = conn.build_on(pre_side, post_side, room)?;
        let bytes = SynapseGroup::<S>::bytes_for(csr.n_syn() as u64);
        self.budget.check(bytes, purpose)?;
        let index = self.synapses.len();
        let init_key = crate::rng::key_prefix(
            self.seed,
            crate::rng::domain::INIT_SYNAPSES ^ self.synapses.len() as u64,
        );
        let mut group = SynapseGroup::new(
            name.to_string(),
            model,
            (pre, n_pre),
            (post, n_post),
            csr,
            init_key,
        )?;
        self.budget.charge(bytes, purpose)?;
        group.set_targets(targets);
        group.set_summed(summed);
        self.synapses.push(Box::new(group));
        self.schedule.push(Slot::new(Obj::Synapse(index)));
        let types = (
            TypeId::of::<SynapseGroup<S>>(),
            TypeId::of::<NeuronGroup<B>>(),
        );
        if S::INFO.tile && !self.fusers.iter().any(|&(s, b, _)| (s, b) == types) {
            self.fusers.push((types.0, types.1, fuse::<S, B>));
        }
        Ok(Projection::new(self.id, index))
    }

    /// Binds the postsynaptic variable `name` of the projection's spike rules (`name_post +=
    /// ...`) to the postsynaptic group's variable `variable`: synapse groups of one model can
    /// then add to different variables (`I_ex` and `I_in`).
    ///
    /// Errors: [`Error::InvalidInput`] when the rules write no `name_post`, or `variable` is
    /// not a state of the postsynaptic group's model, is an `#[expr]`, or has a unit of
    /// another dimension (the membrane potential is a valid target: `V_post += w`);
    /// [`Error::UnknownObject`].
    pub fn set_post_variable<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
        name: &str,
        variable: &str,
    ) -> Result<()> {
        let s = self.proj_index(id)?;
        let syn = &self.synapses[s];
        let Some(k) = S::INFO.post_writes.iter().position(|w| w.name == name) else {
            let known: Vec<String> = S::INFO
                .post_writes
                .iter()
                .map(|w| format!("{}_post", w.name))
                .collect();
            return Err(Error::InvalidInput {
                object: syn.name().to_string(),
                reason: format!(
                    "the spike rules of model `{}` add to no `{name}_post` (they add to: {})",
                    S::INFO.name,
                    if known.is_empty() {
                        "nothing".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        };
        let write = &S::INFO.post_writes[k];
        let (column, factor) = bind_target(
            syn.name(),
            write,
            variable,
            &*self.neurons[syn.endpoints().1],
        )?;
        let mut targets = syn.targets().to_vec();
        targets[k] = Binding::Column { column, factor };
        self.synapses[s].set_targets(targets);
        Ok(())
    }

    /// Drops what the synapse group's rules add to the postsynaptic variable `name`
    /// (`name_post += ...`): for a postsynaptic group that has no such variable, such as a
    /// [`SpikeTrain`](crate::SpikeTrain) whose spikes drive an STDP rule.
    ///
    /// Errors: [`Error::InvalidInput`] when the rules write no `name_post`;
    /// [`Error::UnknownObject`].
    pub fn ignore_post_variable<S: SynapseModel>(
        &mut self,
        id: Projection<S>,
        name: &str,
    ) -> Result<()> {
        let s = self.proj_index(id)?;
        let Some(k) = S::INFO.post_writes.iter().position(|w| w.name == name) else {
            return Err(Error::InvalidInput {
                object: self.synapses[s].name().to_string(),
                reason: format!(
                    "the spike rules of model `{}` add to no `{name}_post`",
                    S::INFO.name
                ),
            });
        };
        let mut targets = self.synapses[s].targets().to_vec();
        targets[k] = Binding::Ignored;
        self.synapses[s].set_targets(targets);
        Ok(())
    }

    /// Sets the schedule: `order` must name every population and projection of the network
    /// exactly once (e.g. `net.set_order(&[pre.into(), syn.into(), post.into()])`, the tutorial's
    /// order, as a projection can only be added after both of its populations). Monitors stay
    /// with their objects.
    ///
    /// Errors: [`Error::InvalidInput`] for a missing or repeated object, [`Error::UnknownObject`].
    pub fn set_order(&mut self, order: &[ObjectId]) -> Result<()> {
        let mut objs = Vec::with_capacity(order.len());
        for &id in order {
            let obj = self.object(id)?;
            if objs.contains(&obj) {
                return Err(Error::InvalidInput {
                    object: self.object_name(obj).to_string(),
                    reason: "the object appears twice in the schedule".to_string(),
                });
            }
            objs.push(obj);
        }
        if let Some(missing) = self.schedule.iter().find(|s| !objs.contains(&s.obj)) {
            return Err(Error::InvalidInput {
                object: self.object_name(missing.obj).to_string(),
                reason: "the object is missing from the schedule".to_string(),
            });
        }
        let mut old = std::mem::take(&mut self.schedule);
        for obj in objs {
            if let Some(k) = old.iter().position(|s| s.obj == obj) {
                self.schedule.push(old.swap_remove(k));
            }
        }
        Ok(())
    }
}

impl Network {
    /// The column of group `g` that a summed output of synapse group `object` assigns
    /// (`variable`, of unit `dims`), and the factor converting into its unit: a
    /// `#[state(summed)]` of the group's model, of the output's dimension, that no other synapse
    /// group sums into.
    fn bind_summed(
        &self,
        object: &str,
        (variable, dims): (&str, Option<crate::info::Dims>),
        g: usize,
    ) -> Result<(usize, f64)> {
        let group = &*self.neurons[g];
        let info = group.info();
        let fail = |reason: String| Error::InvalidInput {
            object: object.to_string(),
            reason,
        };
        let summed: Vec<&str> = info
            .states
            .iter()
            .filter(|s| s.summed)
            .map(|s| s.name)
            .collect();
        let list = if summed.is_empty() {
            "none".to_string()
        } else {
            summed.join(", ")
        };
        let Some(j) = info.column(variable).filter(|&j| info.states[j].summed) else {
            return Err(fail(format!(
                "the synapses sum into `{variable}_post`, but model `{}` of group `{}` has no \
                 summed variable `{variable}` (declared `#[state(summed, ...)]`; its summed \
                 variables: {list})",
                info.name,
                group.name()
            )));
        };
        let state = &info.states[j];
        let what = format!("the synapses sum into `{variable}_post`");
        let factor = unit_factor(dims, (variable, state), group.name(), &what).map_err(fail)?;
        for other in &self.synapses {
            let info = other.info();
            let taken = (0..info.outputs.len())
                .any(|o| other.output_group(o) == g && other.summed_column(o) == Some(j));
            if taken {
                return Err(fail(format!(
                    "synapse group `{}` sums into `{variable}` of group `{}` already: one synapse \
                     group per summed variable (Brian2's rule); declare one summed variable per \
                     synapse group and add them in the neuron's equations",
                    other.name(),
                    group.name()
                )));
            }
        }
        Ok((j, factor))
    }
}

/// The column of `group` that the rules of synapse group `object` add to as `write` (named
/// `variable` in the group's model), and the factor converting into its unit.
pub(super) fn bind_target(
    object: &str,
    write: &PostWrite,
    variable: &str,
    group: &dyn AnyGroup,
) -> Result<(usize, f64)> {
    let info = group.info();
    let fail = |reason: String| Error::InvalidInput {
        object: object.to_string(),
        reason,
    };
    let rule = format!("`{}_post`", write.name);
    let Some(j) = info.column(variable) else {
        let names: Vec<&str> = info
            .states
            .iter()
            .filter(|s| !s.derived)
            .map(|s| s.name)
            .collect();
        return Err(fail(format!(
            "the spike rules add to {rule}, but model `{}` of group `{}` has no variable \
             `{variable}` (its variables: {})",
            info.name,
            group.name(),
            names.join(", ")
        )));
    };
    let state = &info.states[j];
    if state.derived {
        return Err(fail(format!(
            "the spike rules add to {rule}, bound to `{variable}` of group `{}`, an `#[expr]` \
             recomputed every step: bind it to a `#[state]`",
            group.name()
        )));
    }
    let what = format!("the spike rules add to {rule}");
    let factor = unit_factor(write.dims, (variable, state), group.name(), &what).map_err(fail)?;
    Ok((j, factor))
}

/// The factor converting a value of unit `from` into the unit of `variable` (`state`) of group
/// `group` (1 where either is unitless); else the reason, starting with `what` (the rule or sum
/// that writes it).
fn unit_factor(
    from: Option<crate::info::Dims>,
    (variable, state): (&str, &crate::info::StateInfo),
    group: &str,
    what: &str,
) -> std::result::Result<f64, String> {
    match (from, state.dims) {
        (Some(from), Some(to)) => from.factor_to(to).ok_or_else(|| {
            format!(
                "{what} a value whose unit is not of the dimension of `{variable}` ({}) of \
                 group `{group}`",
                state.unit
            )
        }),
        _ => Ok(1.0),
    }
}
