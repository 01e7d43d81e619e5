//! The stored columns of a neuron or synapse group (one `Vec<f64>` per variable: one length for
//! a neuron group; for a synapse group, the length of its storage, and one value per synapse
//! in the per-synapse columns), with the checks every access shares: typed accessors, sizes,
//! finiteness.

use crate::error::{Error, Result};
use crate::info::{Method, ModelInfo, Var};
use crate::model::{ColumnsMut, Model};

/// The columns of one group: one per entry of [`ModelInfo::states`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Columns {
    cols: Vec<Vec<f64>>,
}

impl Columns {
    /// `width` columns of `len` zeros.
    pub(crate) fn zeros(width: usize, len: usize) -> Self {
        Columns {
            cols: vec![vec![0.0; len]; width],
        }
    }

    /// `width` columns of `len` elements initialised by `model` (its draws from `key`).
    pub(crate) fn init<M: Model>(model: &M, len: usize, key: u64) -> Self {
        let mut c = Columns::zeros(M::INFO.states.len(), len);
        model.init(&mut c.cols);
        model.init_random(&mut c.cols, key);
        c
    }

    /// As [`Columns::init`], reserved fallibly: [`Error::OutOfMemory`](crate::Error::OutOfMemory)
    /// naming `object` when the columns cannot be had.
    pub(crate) fn try_init<M: Model>(
        model: &M,
        len: usize,
        key: u64,
        object: &str,
    ) -> crate::Result<Self> {
        Columns::try_init_synapses(model, (len, 0), key, object)
    }

    /// As [`Columns::init_synapses`], reserved fallibly (see [`Columns::try_init`]).
    pub(crate) fn try_init_synapses<M: Model>(
        model: &M,
        (len, n_syn): (usize, usize),
        key: u64,
        object: &str,
    ) -> crate::Result<Self> {
        let purpose = crate::memory::Purpose {
            object,
            what: "the state columns",
        };
        let cols = M::INFO
            .states
            .iter()
            .map(|s| crate::memory::filled(if s.per_synapse { n_syn } else { len }, 0.0, purpose))
            .collect::<crate::Result<Vec<_>>>()?;
        let mut c = Columns { cols };
        model.init(&mut c.cols);
        model.init_random(&mut c.cols, key);
        Ok(c)
    }

    /// The columns of a synapse group of model `M`: `len` elements in each column that follows
    /// the group's storage, `n_syn` in each per-synapse one
    /// ([`StateInfo::per_synapse`](crate::StateInfo::per_synapse)); initialised by `model`.
    pub(crate) fn init_synapses<M: Model>(model: &M, len: usize, n_syn: usize, key: u64) -> Self {
        let mut c = Columns {
            cols: M::INFO
                .states
                .iter()
                .map(|s| vec![0.0; if s.per_synapse { n_syn } else { len }])
                .collect(),
        };
        model.init(&mut c.cols);
        model.init_random(&mut c.cols, key);
        c
    }

    /// The first `at` columns and the others, for kernels (each part of one length).
    pub(crate) fn split_mut(&mut self, at: usize) -> (ColumnsMut<'_>, ColumnsMut<'_>) {
        let at = at.min(self.cols.len());
        let (a, b) = self.cols.split_at_mut(at);
        (ColumnsMut::of(a), ColumnsMut::of(b))
    }

    /// Every column.
    pub(crate) fn all(&self) -> &[Vec<f64>] {
        &self.cols
    }

    /// Column `j`.
    pub(crate) fn get(&self, j: usize) -> &[f64] {
        &self.cols[j]
    }

    /// Column `j`, mutably.
    pub(crate) fn get_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self.cols[j]
    }

    /// After parameter `name` of model `M` was set to `value`: if it has one value per element,
    /// every element of its column takes it.
    pub(crate) fn follow_param<M: Model>(&mut self, name: &str, value: f64) {
        let per_element = M::INFO
            .params
            .iter()
            .any(|p| p.name == name && p.per_element);
        if let Some(j) = M::INFO.column(name).filter(|_| per_element) {
            self.cols[j].fill(value);
        }
    }

    /// Column `j` itself, to replace it.
    pub(crate) fn get_vec_mut(&mut self, j: usize) -> &mut Vec<f64> {
        &mut self.cols[j]
    }

    /// The column of `var` (a panic for a `Var` that is not `M`'s: impossible with the
    /// generated accessors).
    pub(crate) fn var<M: Model>(&self, var: Var<M>) -> &[f64] {
        &self.cols[checked::<M>(var)]
    }

    /// The column of `var`, mutably.
    pub(crate) fn var_mut<M: Model>(&mut self, var: Var<M>) -> &mut [f64] {
        &mut self.cols[checked::<M>(var)]
    }

    /// Copies `values` into the column of `var` of `object`. Errors: [`Error::SizeMismatch`]
    /// unless one value per element, [`Error::InvalidInput`] for a value that is not finite.
    pub(crate) fn set<M: Model>(
        &mut self,
        object: &str,
        var: Var<M>,
        values: &[f64],
    ) -> Result<()> {
        let col = column_index(object, M::INFO, var.index())?;
        let expected = self.cols[col].len();
        if values.len() != expected {
            return Err(Error::SizeMismatch {
                object: object.to_string(),
                expected,
                got: values.len(),
            });
        }
        check_values(object, var.name(), values)?;
        self.cols[col].copy_from_slice(values);
        Ok(())
    }

    /// Sets every element of the column of `var` to `value`. Error: [`Error::InvalidInput`]
    /// if `value` is not finite.
    pub(crate) fn fill<M: Model>(&mut self, object: &str, var: Var<M>, value: f64) -> Result<()> {
        let col = column_index(object, M::INFO, var.index())?;
        check_values(object, var.name(), &[value])?;
        self.cols[col].fill(value);
        Ok(())
    }
}

/// Column index of `var`, or a panic naming the model (a `Var` not generated for `M`).
fn checked<M: Model>(var: Var<M>) -> usize {
    let index = var.index();
    assert!(
        index < M::INFO.states.len(),
        "neurode: Var `{}` (column {index}) does not belong to model `{}`",
        var.name(),
        M::INFO.name
    );
    index
}

/// `index` if `info` has that many columns, else [`Error::IndexOutOfRange`].
pub(crate) fn column_index(object: &str, info: &ModelInfo, index: usize) -> Result<usize> {
    if index < info.states.len() {
        Ok(index)
    } else {
        Err(Error::IndexOutOfRange {
            object: format!("{object} (columns of {})", info.name),
            index,
            len: info.states.len(),
        })
    }
}

/// [`Error::InvalidInput`] naming the first value of `values` that is not finite.
pub(crate) fn check_values(object: &str, variable: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(k) => Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!("value {} for `{variable}`[{k}] is not finite", values[k]),
        }),
    }
}

/// Checks values for the variable `variable` of a group of model `info` named `object`: a
/// per-element parameter against its domain, and any stored variable against the model's
/// requirements that name it, the other operand a number or a parameter whose value `param`
/// gives (a requirement on a parameter `param` does not know is not checked). The error names
/// the object, the variable, the element, the value and what it must be.
pub(crate) fn check_domain(
    info: &ModelInfo,
    object: &str,
    variable: &str,
    values: &[f64],
    param: &dyn Fn(&str) -> Option<f64>,
) -> Result<()> {
    let refuse = |k: usize, must: String| Error::InvalidInput {
        object: object.to_string(),
        reason: format!(
            "`{variable}` of element {k} would be {}: it must be {must}",
            crate::error::num(values[k])
        ),
    };
    if let Some(p) = info.params.iter().find(|p| p.name == variable) {
        if let Some(k) = values.iter().position(|&x| !p.domain.contains(x)) {
            return Err(refuse(k, p.domain.to_string()));
        }
    }
    for r in info.requires.iter().filter(|r| r.mentions(variable)) {
        for (k, &x) in values.iter().enumerate() {
            let value = |n: &str| if n == variable { Some(x) } else { param(n) };
            if let Some(must) = info.unmet(r, variable, value) {
                return Err(refuse(k, must));
            }
        }
    }
    Ok(())
}

/// Checks column `j` of a group of model `info` named `object` as setting it would
/// ([`Network::set`](crate::Network::set)): every value finite ([`check_values`]) and, for a
/// per-element parameter, in its domain, and the model's requirements against numbers
/// ([`check_domain`]; the group's parameters are not at hand here).
pub(crate) fn check_column(object: &str, info: &ModelInfo, j: usize, values: &[f64]) -> Result<()> {
    let variable = info.states.get(j).map_or("?", |s| s.name);
    check_values(object, variable, values)?;
    check_domain(info, object, variable, values, &|_| None)
}

/// [`Error::MethodNotSupported`] unless the model supports `method`.
pub(crate) fn check_method(object: &str, info: &ModelInfo, method: Method) -> Result<()> {
    if info.methods.contains(&method) {
        Ok(())
    } else {
        Err(Error::MethodNotSupported {
            object: object.to_string(),
            method: method.name().to_string(),
            supported: info.method_names(),
        })
    }
}

/// `true` when every element is finite: a branch-free fold over eight lanes that the compiler
/// vectorises (`x·0` is 0 for finite `x`, NaN for NaN and ±∞).
#[inline]
fn all_finite(x: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, v) in acc.iter_mut().zip(chunk) {
            *a += v * 0.0;
        }
    }
    let mut sum: f64 = acc.iter().sum();
    for v in rest {
        sum += v * 0.0;
    }
    sum == 0.0
}

/// The first non-finite element of the columns `column(0..width)`: `(column, index, value)`.
pub(crate) fn first_non_finite<'a>(
    width: usize,
    column: impl Fn(usize) -> &'a [f64],
) -> Option<(usize, usize, f64)> {
    (0..width).find_map(|c| {
        let col = column(c);
        if all_finite(col) {
            None
        } else {
            col.iter()
                .position(|v| !v.is_finite())
                .map(|i| (c, i, col[i]))
        }
    })
}

/// The error for a non-finite value found after step `step`.
pub(crate) fn non_finite(
    object: &str,
    info: &ModelInfo,
    (col, index, value): (usize, usize, f64),
    step: u64,
) -> Error {
    Error::NonFinite {
        object: object.to_string(),
        variable: info.states.get(col).map_or("?", |s| s.name).to_string(),
        index,
        step,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finiteness_fold() {
        let mut x: Vec<f64> = (0..37).map(|i| i as f64 - 18.0).collect();
        assert!(all_finite(&x));
        assert!(all_finite(&[]));
        let ones = vec![1.0; 3];
        assert_eq!(
            first_non_finite(2, |c| if c == 0 { &ones } else { &x }),
            None
        );
        for (k, bad) in [(3, f64::NAN), (16, f64::INFINITY), (36, f64::NEG_INFINITY)] {
            let keep = x[k];
            x[k] = bad;
            assert!(!all_finite(&x));
            let (c, i, v) = first_non_finite(2, |c| if c == 0 { &ones } else { &x }).unwrap();
            assert_eq!((c, i), (1, k));
            assert!(v.is_nan() == bad.is_nan() && (v.is_nan() || v == bad));
            x[k] = keep;
        }
        assert!(all_finite(&[-0.0, f64::MAX, f64::MIN_POSITIVE]));
    }
}
