//! Fallible memory: the large buffers of a network (group columns, connectivity, delay rings,
//! monitors) are reserved with `try_reserve`, and an optional budget is checked before they
//! are, so that running out of memory is an [`Error::OutOfMemory`] naming the object, never an
//! abort of the process.

use crate::error::{Error, Result};

/// What a reservation is for: the object and the buffer, for the error.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Purpose<'a> {
    pub(crate) object: &'a str,
    pub(crate) what: &'a str,
}

impl Purpose<'_> {
    /// The error for `bytes` that could not be had (`budget`: the limit that refused them and
    /// what was used of it).
    pub(crate) fn error(self, bytes: u64, budget: Option<(u64, u64)>) -> Error {
        Error::OutOfMemory {
            object: self.object.to_string(),
            what: self.what.to_string(),
            bytes,
            budget: budget.map(|b| b.0),
            used: budget.map_or(0, |b| b.1),
        }
    }
}

/// Bytes of `len` values of `T` (saturating).
pub(crate) fn bytes_of<T>(len: usize) -> u64 {
    (len as u64).saturating_mul(std::mem::size_of::<T>() as u64)
}

/// Reserves room for `additional` more elements of `v`, or the error naming `purpose`.
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize, purpose: Purpose<'_>) -> Result<()> {
    v.try_reserve_exact(additional)
        .map_err(|_| purpose.error(bytes_of::<T>(additional), None))
}

/// `len` copies of `value`, or the error naming `purpose`.
pub(crate) fn filled<T: Clone>(len: usize, value: T, purpose: Purpose<'_>) -> Result<Vec<T>> {
    let mut v = Vec::new();
    reserve(&mut v, len, purpose)?;
    v.resize(len, value);
    Ok(v)
}

/// The network's memory budget: what it has charged so far against an optional limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Budget {
    pub(crate) limit: Option<u64>,
    pub(crate) charged: u64,
}

impl Budget {
    /// Checks that `bytes` more fit the limit, without charging them.
    pub(crate) fn check(&self, bytes: u64, purpose: Purpose<'_>) -> Result<()> {
        match self.limit {
            Some(limit) if self.charged.saturating_add(bytes) > limit => {
                Err(purpose.error(bytes, Some((limit, self.charged))))
            }
            _ => Ok(()),
        }
    }

    /// Gives back `bytes` charged for a buffer that was freed or replaced.
    pub(crate) fn release(&mut self, bytes: u64) {
        self.charged = self.charged.saturating_sub(bytes);
    }

    /// Checks `bytes` against the limit and charges them.
    pub(crate) fn charge(&mut self, bytes: u64, purpose: Purpose<'_>) -> Result<()> {
        self.check(bytes, purpose)?;
        self.charged = self.charged.saturating_add(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_reservation_is_an_error_naming_the_buffer() {
        let p = Purpose {
            object: "big",
            what: "the state columns",
        };
        let e = filled(usize::MAX / 8, 0.0f64, p).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "out of memory in `big`: cannot reserve {} bytes for the state columns",
                (usize::MAX / 8) as u64 * 8
            )
        );
        assert_eq!(filled(3, 1u8, p).unwrap(), vec![1, 1, 1]);
    }

    #[test]
    fn the_budget_refuses_what_exceeds_it_and_charges_the_rest() {
        let p = Purpose {
            object: "mon",
            what: "the trace",
        };
        let mut b = Budget {
            limit: Some(1000),
            charged: 0,
        };
        b.charge(600, p).unwrap();
        let e = b.charge(500, p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "out of memory in `mon`: cannot reserve 500 bytes for the trace (600 of the network's \
             budget of 1000 bytes already used)"
        );
        b.charge(400, p).unwrap();
        assert_eq!(b.charged, 1000);
        assert!(Budget::default().check(u64::MAX, p).is_ok());
    }
}
