//! What crosses the boundary: the runtime's errors as Python exceptions, and the Python forms
//! of values, connection rules, inputs and models as the runtime's types.

use neurode::runtime::{
    Connect, Error, Input, Model, ModelInfo, Param, PoissonInput, TimedArray, Values, Var,
};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::{PyKeyError, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The exception a runtime error raises, with the runtime's message: `MemoryError` for the
/// memory budget, `KeyError` for an unknown name or object, `ValueError` for a bad value,
/// `OSError` for a file, `RuntimeError` otherwise.
pub(crate) fn error(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::OutOfMemory { .. } => PyMemoryError::new_err(message),
        Error::UnknownParameter { .. }
        | Error::UnknownObject { .. }
        | Error::NoSuchObject { .. } => PyKeyError::new_err(message),
        Error::Write { .. } => pyo3::exceptions::PyOSError::new_err(message),
        Error::Checkpoint { .. } => PyRuntimeError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// `KeyError` naming the model, the unknown name and the names it has.
pub(crate) fn unknown(info: &ModelInfo, what: &str, name: &str, known: Vec<&str>) -> PyErr {
    PyKeyError::new_err(format!(
        "model `{}` has no {what} `{name}`; its {what}s: {}",
        info.name,
        known.join(", ")
    ))
}

/// The stored column (state, `#[expr]` or per-element parameter) named `name` of model `M`.
pub(crate) fn var<M: Model>(name: &str) -> PyResult<Var<M>> {
    let info = M::INFO;
    match info.column(name) {
        Some(c) => Ok(Var::new(c, info.states[c].name)),
        None => Err(unknown(
            info,
            "variable",
            name,
            info.states.iter().map(|s| s.name).collect(),
        )),
    }
}

/// The parameter named `name` of model `M`.
pub(crate) fn param<M: Model>(name: &str) -> PyResult<Param<M>> {
    let info = M::INFO;
    match info.param(name) {
        Some(i) => Ok(Param::new(i, info.params[i].name)),
        None => Err(unknown(
            info,
            "parameter",
            name,
            info.params.iter().map(|p| p.name).collect(),
        )),
    }
}

/// `model` with the parameters of `params` (names in the model's declared units) set.
pub(crate) fn with_params<M: Model>(mut model: M, params: &Bound<'_, PyDict>) -> PyResult<M> {
    for (k, v) in params.iter() {
        let name: String = k.extract()?;
        let value: f64 = v.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "parameter `{name}` of `{}` must be a number (in its declared unit)",
                M::INFO.name
            ))
        })?;
        param::<M>(&name)?;
        model.set_param(&name, value).map_err(error)?;
    }
    Ok(model)
}

/// A float vector from a numpy array of float64 (no conversion) or any sequence of numbers.
pub(crate) fn floats(v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if let Ok(a) = v.extract::<PyReadonlyArray1<'_, f64>>() {
        return Ok(a.as_slice()?.to_vec());
    }
    v.extract::<Vec<f64>>()
}

/// An index vector from a numpy array or a sequence of non-negative integers.
pub(crate) fn indices(v: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    if let Ok(a) = v.extract::<PyReadonlyArray1<'_, i64>>() {
        return a
            .as_array()
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .map_err(|_| PyValueError::new_err(format!("index {i} is negative")))
            })
            .collect();
    }
    v.extract::<Vec<usize>>()
}

/// Values from Python: a number, a sequence or array of numbers, or a distribution given as
/// `(kind, parameters)` by the package (`("normal", (mean, sd))`).
pub(crate) fn values(v: &Bound<'_, PyAny>) -> PyResult<Values> {
    if let Ok(x) = v.extract::<f64>() {
        return Ok(Values::Constant(x));
    }
    if let Ok(t) = v.downcast::<PyTuple>() {
        if t.len() == 2 {
            if let (Ok(kind), Ok(p)) = (
                t.get_item(0)?.extract::<String>(),
                t.get_item(1)?.extract::<Vec<f64>>(),
            ) {
                return distribution(&kind, &p);
            }
        }
    }
    Ok(Values::Vector(floats(v)?))
}

fn distribution(kind: &str, p: &[f64]) -> PyResult<Values> {
    let want = |n: usize| {
        if p.len() == n {
            Ok(())
        } else {
            Err(PyValueError::new_err(format!(
                "distribution `{kind}` takes {n} parameters, got {}",
                p.len()
            )))
        }
    };
    Ok(match kind {
        "uniform" => {
            want(2)?;
            Values::Uniform {
                low: p[0],
                high: p[1],
            }
        }
        "normal" => {
            want(2)?;
            Values::Normal {
                mean: p[0],
                sd: p[1],
            }
        }
        "normal_clipped" => {
            want(4)?;
            Values::NormalClipped {
                mean: p[0],
                sd: p[1],
                low: p[2],
                high: p[3],
            }
        }
        "normal_redraw" => {
            want(4)?;
            Values::NormalRedraw {
                mean: p[0],
                sd: p[1],
                low: p[2],
                high: p[3],
            }
        }
        "lognormal" => {
            want(2)?;
            Values::LogNormal {
                mu: p[0],
                sigma: p[1],
            }
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown distribution `{other}`; known: uniform, normal, normal_clipped, \
                 normal_redraw, lognormal"
            )))
        }
    })
}

/// An item of a dictionary the package built, with a clear error when it is missing.
fn item<'py, T: FromPyObject<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    match d.get_item(key)? {
        Some(v) => v.extract(),
        None => Err(PyValueError::new_err(format!("missing `{key}`"))),
    }
}

/// A connection rule from its dictionary (`{"rule": "fixed_prob", "p": 0.02, "seed": 1}`).
pub(crate) fn connect(d: &Bound<'_, PyDict>) -> PyResult<Connect> {
    let rule: String = item(d, "rule")?;
    Ok(match rule.as_str() {
        "all_to_all" => Connect::AllToAll,
        "all_to_all_no_self" => Connect::AllToAllNoSelf,
        "one_to_one" => Connect::OneToOne,
        "fixed_prob" => Connect::FixedProb {
            p: item(d, "p")?,
            seed: item(d, "seed")?,
        },
        "pairwise_bernoulli" => Connect::PairwiseBernoulli {
            p: item(d, "p")?,
            seed: item(d, "seed")?,
            autapses: item(d, "autapses")?,
        },
        "fixed_in_degree" => Connect::FixedInDegree {
            k: item(d, "k")?,
            seed: item(d, "seed")?,
            autapses: item(d, "autapses")?,
            multapses: item(d, "multapses")?,
        },
        "fixed_out_degree" => Connect::FixedOutDegree {
            k: item(d, "k")?,
            seed: item(d, "seed")?,
            autapses: item(d, "autapses")?,
            multapses: item(d, "multapses")?,
        },
        "fixed_total_number" => Connect::FixedTotalNumber {
            n: item(d, "n")?,
            seed: item(d, "seed")?,
            autapses: item(d, "autapses")?,
            multapses: item(d, "multapses")?,
        },
        "probability" => {
            // The probabilities of every pair, evaluated in Python beforehand: row-major
            // `n_pre x n_post` of the whole populations.
            let p = floats(&item::<Bound<'_, PyAny>>(d, "p")?)?;
            let n_post: usize = item(d, "n_post")?;
            let table = std::sync::Arc::new(p);
            Connect::Probability {
                p: neurode::runtime::ProbabilityFn::new(move |i, j| {
                    table.get(i * n_post + j).copied().unwrap_or(f64::NAN)
                }),
                seed: item(d, "seed")?,
            }
        }
        "pairs" => {
            let pre = indices(&item::<Bound<'_, PyAny>>(d, "pre")?)?;
            let post = indices(&item::<Bound<'_, PyAny>>(d, "post")?)?;
            if pre.len() != post.len() {
                return Err(PyValueError::new_err(format!(
                    "Pairs: {} presynaptic and {} postsynaptic indices",
                    pre.len(),
                    post.len()
                )));
            }
            let narrow = |i: usize| {
                u32::try_from(i)
                    .map_err(|_| PyValueError::new_err(format!("index {i} exceeds u32::MAX")))
            };
            Connect::Pairs(
                pre.into_iter()
                    .zip(post)
                    .map(|(i, j)| Ok((narrow(i)?, narrow(j)?)))
                    .collect::<PyResult<_>>()?,
            )
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown connection rule `{other}`"
            )))
        }
    })
}

/// A window `(t0, t1)` in ms; `None` for either end leaves it open.
fn window(d: &Bound<'_, PyDict>) -> PyResult<Option<(Option<f64>, Option<f64>)>> {
    match d.get_item("during")? {
        None => Ok(None),
        Some(w) if w.is_none() => Ok(None),
        Some(w) => Ok(Some(w.extract()?)),
    }
}

fn bounds(t0: Option<f64>, t1: Option<f64>) -> (std::ops::Bound<f64>, std::ops::Bound<f64>) {
    use std::ops::Bound::{Excluded, Included, Unbounded};
    (
        t0.map_or(Unbounded, Included),
        t1.map_or(Unbounded, Excluded),
    )
}

/// An input current from its dictionary (`{"kind": "constant", "value": 35.0, "during": None}`).
pub(crate) fn input(d: &Bound<'_, PyDict>) -> PyResult<Input> {
    let kind: String = item(d, "kind")?;
    let values = |key| -> PyResult<Vec<f64>> { floats(&item::<Bound<'_, PyAny>>(d, key)?) };
    let input = match kind.as_str() {
        "constant" => Input::Constant(item(d, "value")?),
        "per_neuron" => Input::PerNeuron(values("values")?),
        "steps" => Input::Steps(values("values")?),
        "sections" => Input::Sections(item(d, "sections")?),
        "timed" => Input::Timed(TimedArray::new(values("values")?, item(d, "dt")?)),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown input `{other}`; known: constant, per_neuron, steps, sections, timed"
            )))
        }
    };
    Ok(match window(d)? {
        None => input,
        Some((t0, t1)) => input.during(bounds(t0, t1)),
    })
}

/// A Poisson input from its dictionary (`{"rate_hz": 8.0, "weight": 0.1, "seed": 1,
/// "sources": None, "during": None}`).
pub(crate) fn poisson(d: &Bound<'_, PyDict>) -> PyResult<PoissonInput> {
    let (rate, weight, seed) = (item(d, "rate_hz")?, item(d, "weight")?, item(d, "seed")?);
    let sources: Option<u64> = item(d, "sources")?;
    let input = match sources {
        None => PoissonInput::poisson(rate, weight, seed),
        Some(n) => PoissonInput::binomial(n, rate, weight, seed),
    };
    Ok(match window(d)? {
        None => input,
        Some((t0, t1)) => input.during(bounds(t0, t1)),
    })
}
