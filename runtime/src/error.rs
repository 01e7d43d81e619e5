//! Typed run-time errors.
//!
//! Every user mistake the runtime can detect (a bad step, a bad duration, an index out of range, a NaN
//! in a state variable, ...) is one variant of [`Error`], with structured fields naming the object
//! concerned and the offending value. Messages are lower case without a trailing period, so they
//! compose with context added by callers.

use thiserror::Error as ThisError;

/// An error of the runtime: always names the object (group, synapse group, model, monitor) and the
/// offending value.
#[derive(Clone, Debug, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The integration step is not finite and positive, or exceeds
    /// [`MAX_DT`](crate::MAX_DT).
    #[error(
        "invalid time step dt = {} ms: it must be finite, positive and at most {} ms",
        num(*.dt), num(crate::MAX_DT)
    )]
    InvalidDt {
        /// The rejected step (ms).
        dt: f64,
    },

    /// A run duration that is not a whole number of steps (within
    /// [`STEP_TOLERANCE`](crate::STEP_TOLERANCE)): a run never rounds the time asked for.
    #[error(
        "invalid run duration {} ms: it is {} steps of dt = {} ms, not a whole number; \
         give {below} steps ({} ms) or {above} steps ({} ms)",
        num(*.duration), num(*.duration / *.dt), num(*.dt),
        num(*.below as f64 * *.dt), num(*.above as f64 * *.dt)
    )]
    DurationNotWhole {
        /// The rejected duration (ms).
        duration: f64,
        /// The network's step (ms).
        dt: f64,
        /// The whole number of steps just below the duration.
        below: u64,
        /// The whole number of steps just above the duration.
        above: u64,
    },

    /// A run duration is negative, not finite, or needs an absurd number of steps.
    #[error(
        "invalid run duration {} ms: it must be finite, non-negative and at most 1e9 steps", num(*.duration)
    )]
    InvalidDuration {
        /// The rejected duration (ms).
        duration: f64,
    },

    /// Two objects of one network have the same name.
    #[error("duplicate object name `{name}`: every group and synapse group needs its own name")]
    DuplicateName {
        /// The name used twice.
        name: String,
    },

    /// A model has no parameter of that name.
    #[error("model `{model}` has no parameter `{name}` (known parameters: {known})")]
    UnknownParameter {
        /// The model's name.
        model: String,
        /// The unknown parameter name.
        name: String,
        /// The model's parameters, comma-separated.
        known: String,
    },

    /// A parameter value is not acceptable (not finite, or outside its domain).
    #[error("invalid value {} for parameter `{name}` of model `{model}`: it must be {domain}", num(*.value))]
    InvalidParameter {
        /// The model's name.
        model: String,
        /// The parameter.
        name: String,
        /// The rejected value.
        value: f64,
        /// What the value must be (`positive`, `0 or 1`, `in [0, 1]`, `finite`).
        domain: String,
    },

    /// A synaptic delay is negative or not finite.
    #[error("invalid delay {} ms in `{object}`: delays must be finite and non-negative", num(*.delay))]
    NegativeDelay {
        /// The synapse group.
        object: String,
        /// The rejected delay (ms).
        delay: f64,
    },

    /// An element index is out of range.
    #[error("index {index} out of range for `{object}` of length {len}")]
    IndexOutOfRange {
        /// The group, synapse group or connector concerned.
        object: String,
        /// The rejected index.
        index: usize,
        /// The number of elements.
        len: usize,
    },

    /// An operation needs at least one element (e.g. a monitor on an empty group).
    #[error("`{object}` is empty: nothing to record or select")]
    EmptyGroup {
        /// The group or synapse group concerned.
        object: String,
    },

    /// The model's generated code has no integrator for that method.
    #[error("`{object}` does not support method `{method}` (supported: {supported})")]
    MethodNotSupported {
        /// The group or synapse group concerned.
        object: String,
        /// The requested method's name.
        method: String,
        /// The supported methods, comma-separated.
        supported: String,
    },

    /// The synapse model's generated code cannot keep its state in that storage class.
    #[error("`{object}` does not support storage `{storage}` (supported: {supported})")]
    StorageNotSupported {
        /// The synapse group concerned.
        object: String,
        /// The requested storage's name.
        storage: String,
        /// The supported storage classes, comma-separated.
        supported: String,
    },

    /// A state variable became NaN or infinite during a run.
    #[error("non-finite value {value} in `{object}`.{variable}[{index}] at step {step}")]
    NonFinite {
        /// The group or synapse group concerned.
        object: String,
        /// The state variable.
        variable: String,
        /// The element (neuron, synapse, or pre/post neuron, per storage).
        index: usize,
        /// The step at which it was detected (the value was produced by that step's update).
        step: u64,
        /// The offending value.
        value: f64,
    },

    /// A connection probability outside `[0, 1]`.
    #[error("invalid connection probability {p} for `{object}`: it must lie in [0, 1]")]
    InvalidProbability {
        /// The synapse group concerned.
        object: String,
        /// The rejected probability.
        p: f64,
    },

    /// Two sizes that must agree do not.
    #[error("size mismatch in `{object}`: expected {expected}, got {got}")]
    SizeMismatch {
        /// The object concerned.
        object: String,
        /// The size required.
        expected: usize,
        /// The size given.
        got: usize,
    },

    /// A handle that does not belong to this network (created by another one).
    #[error("unknown object handle {handle}: it was created by another network")]
    UnknownObject {
        /// The handle, as printed by `Debug`.
        handle: String,
    },

    /// No object of that name and model in the network.
    #[error("the network has no {kind} named `{name}` of model `{model}`")]
    NoSuchObject {
        /// `population` or `projection`.
        kind: String,
        /// The name asked for.
        name: String,
        /// The model asked for.
        model: String,
    },

    /// A buffer could not be reserved: the allocator refused it, or it would exceed the
    /// network's memory budget ([`Network::set_memory_budget`](crate::Network::set_memory_budget)).
    #[error("out of memory in `{object}`: cannot reserve {bytes} bytes for {what}{}", budget_note(*.budget, *.used))]
    OutOfMemory {
        /// The object the buffer belongs to.
        object: String,
        /// The buffer (e.g. "the trace of `V`").
        what: String,
        /// Bytes asked for.
        bytes: u64,
        /// The budget that refused them (bytes), if it was the budget.
        budget: Option<u64>,
        /// Bytes of the budget already used when it refused them (0 without a budget).
        used: u64,
    },

    /// A streamed monitor could not write its rows ([`Network::stream_trace`](crate::Network::stream_trace)).
    #[error("cannot write the stream of `{object}`: {reason}")]
    Write {
        /// The monitored object and variable.
        object: String,
        /// The I/O error.
        reason: String,
    },

    /// A checkpoint cannot be restored: not a checkpoint, another format version, truncated,
    /// corrupted, or made by a network built otherwise.
    #[error("cannot restore the checkpoint: {reason}")]
    Checkpoint {
        /// What is wrong with it.
        reason: String,
    },

    /// Any other invalid argument, with the reason.
    #[error("invalid input for `{object}`: {reason}")]
    InvalidInput {
        /// The object concerned.
        object: String,
        /// What is wrong, in lower case.
        reason: String,
    },
}

impl Error {
    /// The error as seen from object `name` (a group or synapse group): an
    /// [`Error::InvalidInput`] about a part of the object (`PoissonSource neuron 3`) names the
    /// object first (`inputs: PoissonSource neuron 3`); other errors are returned as they are.
    pub fn in_object(self, name: &str) -> Error {
        match self {
            Error::InvalidInput { object, reason } if object != name => Error::InvalidInput {
                object: format!("{name}: {object}"),
                reason,
            },
            other => other,
        }
    }
}

/// The tail of an [`Error::OutOfMemory`] message refused by a budget.
fn budget_note(budget: Option<u64>, used: u64) -> String {
    budget.map_or(String::new(), |b| {
        format!(" ({used} of the network's budget of {b} bytes already used)")
    })
}

/// A number as messages print it: the shortest form that reads back the same value, in
/// scientific notation when it is very large or very small (`1e-300`, not 300 digits).
pub fn num(x: f64) -> String {
    let a = x.abs();
    if x != 0.0 && x.is_finite() && !(1e-4..1e9).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Result of every fallible runtime operation.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_object_and_value() {
        let e = Error::NonFinite {
            object: "post".into(),
            variable: "V".into(),
            index: 2,
            step: 17,
            value: f64::NAN,
        };
        assert_eq!(
            e.to_string(),
            "non-finite value NaN in `post`.V[2] at step 17"
        );
        let e = Error::UnknownParameter {
            model: "Lif".into(),
            name: "tua".into(),
            known: "tau, v_th".into(),
        };
        assert_eq!(
            e.to_string(),
            "model `Lif` has no parameter `tua` (known parameters: tau, v_th)"
        );
        let e = Error::InvalidDt { dt: -0.1 };
        assert!(e.to_string().contains("-0.1"));
    }

    #[test]
    fn numbers_print_readably() {
        assert_eq!(num(1e-300), "1e-300");
        assert_eq!(num(-2.5e12), "-2.5e12");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(-65.0), "-65");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::NAN), "NaN");
        let e = Error::InvalidDt { dt: 1e-300 };
        assert_eq!(
            e.to_string(),
            "invalid time step dt = 1e-300 ms: it must be finite, positive and at most 1000 ms"
        );
    }

    #[test]
    fn messages_are_lower_case_without_period() {
        let all = [
            Error::InvalidDt { dt: 0.0 },
            Error::InvalidDuration { duration: -1.0 },
            Error::DuplicateName { name: "a".into() },
            Error::InvalidParameter {
                model: "M".into(),
                name: "x".into(),
                value: f64::INFINITY,
                domain: "finite".into(),
            },
            Error::NegativeDelay {
                object: "s".into(),
                delay: -1.0,
            },
            Error::IndexOutOfRange {
                object: "g".into(),
                index: 3,
                len: 3,
            },
            Error::EmptyGroup { object: "g".into() },
            Error::MethodNotSupported {
                object: "g".into(),
                method: "rk4".into(),
                supported: "euler".into(),
            },
            Error::InvalidProbability {
                object: "s".into(),
                p: 1.5,
            },
            Error::SizeMismatch {
                object: "g".into(),
                expected: 3,
                got: 2,
            },
            Error::UnknownObject {
                handle: "Population(0)".into(),
            },
            Error::InvalidInput {
                object: "g".into(),
                reason: "bad".into(),
            },
        ];
        for e in all {
            let m = e.to_string();
            assert!(!m.starts_with(|c: char| c.is_uppercase()), "{m}");
            assert!(!m.ends_with('.'), "{m}");
        }
    }
}
