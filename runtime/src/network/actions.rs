//! Protocols within one run: actions at given times ([`Network::at`]) and inputs switched on and
//! off ([`Network::switch_input`]).
//!
//! A run stops at every step an action is scheduled for, applies it and goes on: what a user
//! would do by splitting the run by hand at that time, with the same numbers bit for bit.

use super::*;
use crate::info::Param;
use crate::input::grid_step;

/// Handle of an external input of a population: an [`Input`](crate::Input) added by
/// [`Network::add_input`] or a [`PoissonInput`](crate::PoissonInput) added by
/// [`Network::add_poisson_input`]. Switch it on and off with [`Network::switch_input`] or an
/// [`Action::switch_input`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InputId {
    pub(super) net: u32,
    pub(super) group: usize,
    pub(super) poisson: bool,
    pub(super) index: usize,
}

impl InputId {
    pub(super) fn new(net: u32, group: usize, poisson: bool, index: usize) -> Self {
        InputId {
            net,
            group,
            poisson,
            index,
        }
    }
}

/// Something done to the network at a given time of a run ([`Network::at`]): set a shared
/// parameter, switch an input on or off, or anything a user does between two runs.
pub struct Action {
    kind: Kind,
}

/// A closure run as an action.
type Call = Box<dyn FnOnce(&mut Network) -> Result<()> + Send + Sync>;

enum Kind {
    SetParam {
        target: Resolved,
        name: &'static str,
        value: f64,
    },
    Switch {
        input: InputId,
        on: bool,
    },
    Call(Call),
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::SetParam { name, value, .. } => write!(f, "Action::set_param({name} = {value})"),
            Kind::Switch { input, on } => write!(f, "Action::switch_input({input:?}, {on})"),
            Kind::Call(_) => f.write_str("Action::call(..)"),
        }
    }
}

impl Action {
    /// Sets the shared parameter `param` of `target` (a population or projection, all of it) to
    /// `value`, as [`Network::set_param`] does.
    pub fn set_param<T: Selection>(target: T, param: Param<T::Model>, value: f64) -> Self {
        Action {
            kind: Kind::SetParam {
                target: target.resolve(),
                name: param.name(),
                value,
            },
        }
    }

    /// Switches `input` on (`true`) or off (`false`), as [`Network::switch_input`] does.
    pub fn switch_input(input: InputId, on: bool) -> Self {
        Action {
            kind: Kind::Switch { input, on },
        }
    }

    /// Calls `f` with the network: anything a user does between two runs (set values with
    /// [`Network::set`], a reset of the state for one; parameters; inputs; further actions at
    /// the current time or later, applied before the same step). Its error stops the run.
    pub fn call(f: impl FnOnce(&mut Network) -> Result<()> + Send + Sync + 'static) -> Self {
        Action {
            kind: Kind::Call(Box::new(f)),
        }
    }
}

/// An action and the step it is applied before.
pub(super) struct Scheduled {
    step: u64,
    action: Action,
}

impl Network {
    /// Applies `action` at time `t_ms` (ms, from the network's step 0) of a run: the run stops
    /// before the step starting at `t_ms` (step `t_ms / dt`), applies the action and goes on,
    /// which gives bit for bit what running to `t_ms`, doing the same by hand and running on
    /// gives. An action at the end of a run is applied when the next run starts; one at the
    /// current time, before the next run's first step.
    ///
    /// Actions at the same step are applied in the order they were scheduled, all before that
    /// step (before its inputs, updates and monitors). An action is applied once; a
    /// [`Network::restore`] does not bring back actions already applied, and actions left
    /// behind by a restore to a later time are applied before the next step.
    ///
    /// Errors, before anything is scheduled: [`Error::InvalidInput`] (naming `network`) for a
    /// time that is negative, not finite, off the step grid (a whole number of steps within
    /// [`STEP_TOLERANCE`], as run durations; the error names the grid times on either side) or
    /// before the network's time ([`Network::time`]); for [`Action::set_param`], the errors of
    /// [`Network::set_param`] that can be known now (a value outside the parameter's domain, a
    /// view of part of a population, [`Error::UnknownObject`]); for [`Action::switch_input`],
    /// [`Error::UnknownObject`]. Other errors (those of [`Action::call`], a model's
    /// requirements between parameters) come from the run, which stops before the action's
    /// step with the step counter there.
    pub fn at(&mut self, t_ms: f64, action: Action) -> Result<()> {
        let object = "network";
        if !(t_ms.is_finite() && t_ms >= 0.0) {
            return Err(Error::InvalidInput {
                object: object.into(),
                reason: format!(
                    "action time {} ms is not a finite non-negative time",
                    crate::error::num(t_ms)
                ),
            });
        }
        let step = grid_step(object, "action time", t_ms, self.dt)?;
        if step < self.step {
            return Err(Error::InvalidInput {
                object: object.into(),
                reason: format!(
                    "action time {} ms is in the past: the network is at {} ms (step {})",
                    crate::error::num(t_ms),
                    crate::error::num(self.time()),
                    self.step
                ),
            });
        }
        self.check_action(&action)?;
        let pos = self.actions.partition_point(|a| a.step <= step);
        self.actions.insert(pos, Scheduled { step, action });
        Ok(())
    }

    /// The times (ms) of the actions not yet applied, in the order they will be.
    pub fn pending_actions(&self) -> Vec<f64> {
        self.actions
            .iter()
            .map(|a| a.step as f64 * self.dt)
            .collect()
    }

    /// Drops every action not yet applied.
    pub fn cancel_actions(&mut self) {
        self.actions.clear();
    }

    /// Switches `input` on (`true`, as every input starts) or off (`false`) from the next step
    /// on. An input switched off adds nothing; its values keep their clock (a table or a
    /// window is indexed by the network's step, not by the time since it was switched on) and
    /// a Poisson input's events at a step stay those it would have drawn. Switching is not
    /// part of a [`Checkpoint`](crate::Checkpoint) (inputs are what the code that built the
    /// network decides).
    ///
    /// Error: [`Error::UnknownObject`] for a handle of another network.
    pub fn switch_input(&mut self, input: InputId, on: bool) -> Result<()> {
        self.check_input(input)?;
        self.neurons[input.group].switch_input(input.poisson, input.index, on);
        Ok(())
    }

    fn check_input(&self, input: InputId) -> Result<()> {
        let ok = input.net == self.id
            && input.group < self.neurons.len()
            && self.neurons[input.group].has_input(input.poisson, input.index);
        if ok {
            Ok(())
        } else {
            Err(self.foreign(&input))
        }
    }

    /// The errors of `action` that are known before it is applied.
    fn check_action(&self, action: &Action) -> Result<()> {
        match &action.kind {
            Kind::SetParam {
                target,
                name,
                value,
            } => {
                let info = match self.whole_object(target, name)? {
                    Obj::Neuron(g) => self.neurons[g].info(),
                    Obj::Synapse(s) => self.synapses[s].info(),
                };
                info.check_param(name, *value)
            }
            Kind::Switch { input, .. } => self.check_input(*input),
            Kind::Call(_) => Ok(()),
        }
    }

    fn apply(&mut self, action: Action) -> Result<()> {
        match action.kind {
            Kind::SetParam {
                target,
                name,
                value,
            } => match self.whole_object(&target, name)? {
                Obj::Neuron(g) => self.neurons[g].set_param(name, value),
                Obj::Synapse(s) => self.synapses[s].set_param(name, value),
            },
            Kind::Switch { input, on } => self.switch_input(input, on),
            Kind::Call(f) => f(self),
        }
    }

    /// Applies, in order, every action scheduled at or before the current step.
    fn apply_due(&mut self) -> Result<()> {
        while self.actions.first().is_some_and(|a| a.step <= self.step) {
            let Scheduled { action, .. } = self.actions.remove(0);
            self.apply(action)?;
        }
        Ok(())
    }

    /// Runs `steps` steps, stopping before every step an action is scheduled for to apply it.
    pub(super) fn run_with_actions(&mut self, steps: u64) -> Result<()> {
        let end = self.step + steps;
        while self.step < end {
            self.apply_due()?;
            // An action may have run the network itself.
            if self.step >= end {
                break;
            }
            let next = self.actions.first().map_or(end, |a| a.step.min(end));
            self.run_streamed(next - self.step)?;
        }
        Ok(())
    }
}
