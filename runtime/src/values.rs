//! Per-element values: what sets a variable of every neuron or synapse of a group at once, from
//! a constant, a vector, a function of the index, or a seeded distribution.

use std::fmt;
use std::sync::Arc;

use rand_distr::{Distribution, LogNormal};

use crate::error::{Error, Result};
use crate::rng::{domain, Streams};

/// A function of an element's index (a neuron `i`).
pub type IndexFn = Arc<dyn Fn(usize) -> f64 + Send + Sync>;

/// A function of a synapse's presynaptic and postsynaptic neurons `(i, j)`.
pub type PairFn = Arc<dyn Fn(usize, usize) -> f64 + Send + Sync>;

/// Values for every element of a variable (every neuron of a population or a view, every
/// synapse of a projection), set with [`Network::set`](crate::Network::set) (and delays with
/// [`Network::set_delays`](crate::Network::set_delays)). A number converts to
/// [`Values::Constant`], a vector or an array of numbers to [`Values::Vector`].
///
/// Random values are drawn from the network's seed ([`Network::set_seed`](crate::Network::set_seed)),
/// one stream per element keyed by the object's name, the variable's name and the element's
/// index: the same values on any number of threads and whatever else was drawn before. Normal
/// numbers are drawn by the ziggurat method (`rand_distr::StandardNormal`).
///
/// NEST's two ways of bounding a normal distribution are both here: [`Values::NormalClipped`]
/// moves a value outside the range onto its nearest end (NEST's `clip`, which puts mass on the
/// ends), [`Values::NormalRedraw`] draws again until the value falls inside (NEST's `redraw`, a
/// truncated normal).
#[derive(Clone)]
pub enum Values {
    /// The same value everywhere.
    Constant(f64),
    /// One value per element, in element order.
    Vector(Vec<f64>),
    /// `f(i)` for element `i` (a neuron; for synapses, the synapse's number).
    Fn(IndexFn),
    /// `f(i, j)` for the synapse from presynaptic neuron `i` to postsynaptic neuron `j`
    /// (synapses only).
    PairFn(PairFn),
    /// Uniform in `[low, high)`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end (above `low`).
        high: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd` (non-negative).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Normal, a value below `low` set to `low` and one above `high` set to `high`.
    NormalClipped {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower end (`f64::NEG_INFINITY` for none).
        low: f64,
        /// Upper end (`f64::INFINITY` for none).
        high: f64,
    },
    /// Normal, drawn again until within `[low, high]` (at most 1000 draws per element).
    NormalRedraw {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower end (`f64::NEG_INFINITY` for none).
        low: f64,
        /// Upper end (`f64::INFINITY` for none).
        high: f64,
    },
    /// Lognormal: `e^X` with `X` normal of mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Values::Constant(x) => write!(f, "Constant({x})"),
            Values::Vector(v) => write!(f, "Vector(len {})", v.len()),
            Values::Fn(_) => f.write_str("Fn(..)"),
            Values::PairFn(_) => f.write_str("PairFn(..)"),
            Values::Uniform { low, high } => write!(f, "Uniform({low}, {high})"),
            Values::Normal { mean, sd } => write!(f, "Normal({mean}, {sd})"),
            Values::NormalClipped {
                mean,
                sd,
                low,
                high,
            } => write!(f, "NormalClipped({mean}, {sd}, [{low}, {high}])"),
            Values::NormalRedraw {
                mean,
                sd,
                low,
                high,
            } => write!(f, "NormalRedraw({mean}, {sd}, [{low}, {high}])"),
            Values::LogNormal { mu, sigma } => write!(f, "LogNormal({mu}, {sigma})"),
        }
    }
}

impl From<f64> for Values {
    /// The same value everywhere.
    fn from(x: f64) -> Self {
        Values::Constant(x)
    }
}

impl From<Vec<f64>> for Values {
    /// One value per element.
    fn from(v: Vec<f64>) -> Self {
        Values::Vector(v)
    }
}

impl From<&[f64]> for Values {
    /// One value per element.
    fn from(v: &[f64]) -> Self {
        Values::Vector(v.to_vec())
    }
}

impl<const N: usize> From<[f64; N]> for Values {
    /// One value per element.
    fn from(v: [f64; N]) -> Self {
        Values::Vector(v.to_vec())
    }
}

impl<const N: usize> From<&[f64; N]> for Values {
    /// One value per element.
    fn from(v: &[f64; N]) -> Self {
        Values::Vector(v.to_vec())
    }
}

impl From<&Vec<f64>> for Values {
    /// One value per element.
    fn from(v: &Vec<f64>) -> Self {
        Values::Vector(v.clone())
    }
}

impl From<&Values> for Values {
    fn from(v: &Values) -> Self {
        v.clone()
    }
}

impl Values {
    /// `f(i)` for element `i`.
    pub fn of_index(f: impl Fn(usize) -> f64 + Send + Sync + 'static) -> Values {
        Values::Fn(Arc::new(f))
    }

    /// `f(i, j)` for the synapse from neuron `i` to neuron `j`.
    pub fn of_pair(f: impl Fn(usize, usize) -> f64 + Send + Sync + 'static) -> Values {
        Values::PairFn(Arc::new(f))
    }
}

/// Where values go: the object and variable (for errors and the random streams' key), and the
/// elements.
pub(crate) struct Target<'a> {
    pub(crate) object: &'a str,
    pub(crate) variable: &'a str,
    /// Number of elements.
    pub(crate) len: usize,
    /// For synapses: the `(pre, post)` of each element (the storage's elements are synapses).
    pub(crate) pairs: Option<&'a dyn Fn(usize) -> (usize, usize)>,
    /// For the members of a view: the population index of each element, which keys its draw
    /// and is the argument of a function of the index (`None`: element `k` is index `k`).
    pub(crate) keys: Option<&'a [u32]>,
}

/// The domain of the random streams of `object`'s `variable`: an FNV-1a hash of both names.
fn domain_of(object: &str, variable: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in object.bytes().chain([0u8]).chain(variable.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ domain::VALUES
}

impl Values {
    /// One value per element of `target`, drawn from `streams` where random.
    ///
    /// Errors: [`Error::SizeMismatch`] for a vector of another length; [`Error::InvalidInput`]
    /// naming the object, the variable and the element for a value that is not finite, for
    /// distribution parameters out of their domain (a negative standard deviation, an empty
    /// range), for [`Values::PairFn`] on neurons, and for a redraw range that 1000 draws
    /// never hit.
    pub(crate) fn draw(&self, target: &Target<'_>, streams: Streams) -> Result<Vec<f64>> {
        let bad = |reason: String| Error::InvalidInput {
            object: format!("{} ({})", target.object, target.variable),
            reason,
        };
        let key = domain_of(target.object, target.variable);
        let keyer = streams.keyer(key);
        let keys = target.keys;
        let key_of = |k: usize| keys.map_or(k, |m| m[k] as usize);
        let stream = |k: usize| keyer.stream(key_of(k) as u64);
        let check_sd = |sd: f64| {
            if sd.is_finite() && sd >= 0.0 {
                Ok(())
            } else {
                Err(bad(format!(
                    "standard deviation {sd} is not finite and non-negative"
                )))
            }
        };
        let check_range = |low: f64, high: f64| {
            if low <= high && !low.is_nan() && !high.is_nan() {
                Ok(())
            } else {
                Err(bad(format!("the range [{low}, {high}] is empty")))
            }
        };
        let n = target.len;
        let values: Vec<f64> = match self {
            Values::Constant(x) => vec![*x; n],
            Values::Vector(v) => {
                if v.len() != n {
                    return Err(Error::SizeMismatch {
                        object: format!("{} ({})", target.object, target.variable),
                        expected: n,
                        got: v.len(),
                    });
                }
                v.clone()
            }
            Values::Fn(f) => (0..n).map(|k| f(key_of(k))).collect(),
            Values::PairFn(f) => {
                let Some(pairs) = target.pairs else {
                    return Err(bad(
                        "a function of (pre, post) sets synapses, not neurons".into()
                    ));
                };
                (0..n)
                    .map(|k| {
                        let (i, j) = pairs(k);
                        f(i, j)
                    })
                    .collect()
            }
            Values::Uniform { low, high } => {
                if !(low.is_finite() && high.is_finite() && low < high) {
                    return Err(bad(format!(
                        "uniform range [{low}, {high}) is empty or infinite"
                    )));
                }
                crate::par::map(n, |i| low + (high - low) * stream(i).uniform())
            }
            Values::Normal { mean, sd } => {
                check_sd(*sd)?;
                crate::par::map(n, |i| mean + sd * normal(&mut stream(i)))
            }
            Values::NormalClipped {
                mean,
                sd,
                low,
                high,
            } => {
                check_sd(*sd)?;
                check_range(*low, *high)?;
                crate::par::map(n, |i| {
                    (mean + sd * normal(&mut stream(i))).clamp(*low, *high)
                })
            }
            Values::NormalRedraw {
                mean,
                sd,
                low,
                high,
            } => {
                check_sd(*sd)?;
                check_range(*low, *high)?;
                // NaN marks an element whose 1000 draws all fell outside.
                let out = crate::par::map(n, |i| {
                    let mut s = stream(i);
                    (0..1000)
                        .map(|_| mean + sd * normal(&mut s))
                        .find(|x| (*low..=*high).contains(x))
                        .unwrap_or(f64::NAN)
                });
                if out.iter().any(|x| x.is_nan()) {
                    return Err(bad(format!(
                        "1000 draws of a normal ({mean}, {sd}) never fell in [{low}, {high}]"
                    )));
                }
                out
            }
            Values::LogNormal { mu, sigma } => {
                check_sd(*sigma)?;
                let d = LogNormal::new(*mu, *sigma)
                    .map_err(|e| bad(format!("lognormal ({mu}, {sigma}): {e}")))?;
                (0..n).map(|i| d.sample(&mut stream(i))).collect()
            }
        };
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!(
                "value {} at element {k} is not finite",
                values[k]
            )));
        }
        Ok(values)
    }
}

/// A standard normal number from `s` by the ziggurat method (`rand_distr::StandardNormal`):
/// a table lookup and one draw for nearly every number, where Box–Muller takes a logarithm and
/// a cosine (drawing 2 × 299 million per-synapse values builds the full microcircuit).
#[inline]
fn normal(s: &mut crate::rng::Stream) -> f64 {
    rand_distr::Distribution::sample(&rand_distr::StandardNormal, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(len: usize) -> Target<'static> {
        Target {
            object: "g",
            variable: "w",
            len,
            pairs: None,
            keys: None,
        }
    }

    fn moments(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0),
        )
    }

    #[test]
    fn large_draws_split_across_threads_give_the_same_numbers() {
        let n = 300_000;
        let s = Streams::new(9);
        let key = domain_of("g", "w");
        let redraw = Values::NormalRedraw {
            mean: 1.0,
            sd: 0.5,
            low: 0.0,
            high: f64::INFINITY,
        };
        let x = redraw.draw(&target(n), s).unwrap();
        for i in (0..n).step_by(997).chain([n / 2 - 1, n / 2, n - 1]) {
            let mut st = s.keyed(key, i as u64);
            let want = (0..1000)
                .map(|_| 1.0 + 0.5 * normal(&mut st))
                .find(|v| *v >= 0.0)
                .unwrap();
            assert_eq!(x[i].to_bits(), want.to_bits(), "element {i}");
        }
    }

    #[test]
    fn distributions_have_their_moments() {
        let s = Streams::new(4);
        let n = 20_000;
        let x = Values::Normal { mean: 2.0, sd: 0.5 }
            .draw(&target(n), s)
            .unwrap();
        let (m, v) = moments(&x);
        assert!((m - 2.0).abs() < 4.0 * 0.5 / (n as f64).sqrt(), "{m}");
        assert!(
            (v - 0.25).abs() < 4.0 * 0.25 * (2.0 / n as f64).sqrt(),
            "{v}"
        );
        let x = Values::Uniform {
            low: -1.0,
            high: 3.0,
        }
        .draw(&target(n), s)
        .unwrap();
        assert!(x.iter().all(|v| (-1.0..3.0).contains(v)));
        let (m, v) = moments(&x);
        assert!(
            (m - 1.0).abs() < 0.05 && (v - 16.0 / 12.0).abs() < 0.05,
            "{m} {v}"
        );
        let x = Values::LogNormal {
            mu: 0.0,
            sigma: 0.5,
        }
        .draw(&target(n), s)
        .unwrap();
        let (m, _) = moments(&x);
        assert!((m - (0.125f64).exp()).abs() < 0.02, "{m}");
    }

    #[test]
    fn clipping_and_redrawing_bound_a_normal_differently() {
        let s = Streams::new(9);
        let n = 10_000;
        let (mean, sd, low, high) = (0.0, 1.0, 0.0, f64::INFINITY);
        let clipped = Values::NormalClipped {
            mean,
            sd,
            low,
            high,
        }
        .draw(&target(n), s)
        .unwrap();
        let redrawn = Values::NormalRedraw {
            mean,
            sd,
            low,
            high,
        }
        .draw(&target(n), s)
        .unwrap();
        assert!(clipped.iter().chain(&redrawn).all(|&v| v >= 0.0));
        // Clipping puts half of the mass on 0; redrawing gives the half-normal, mean √(2/π).
        let at_zero = clipped.iter().filter(|&&v| v == 0.0).count() as f64 / n as f64;
        assert!((at_zero - 0.5).abs() < 0.03, "{at_zero}");
        assert!(!redrawn.contains(&0.0));
        let (m, _) = moments(&redrawn);
        assert!(
            (m - (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.03,
            "{m}"
        );
    }

    #[test]
    fn the_same_values_for_the_same_key_only() {
        let s = Streams::new(1);
        let v = Values::Normal { mean: 0.0, sd: 1.0 };
        let a = v.draw(&target(10), s).unwrap();
        assert_eq!(v.draw(&target(10), s).unwrap(), a);
        // A longer group keeps the first elements' values (one stream per element).
        assert_eq!(v.draw(&target(20), s).unwrap()[..10], a[..]);
        let other = Target {
            variable: "u",
            ..target(10)
        };
        assert_ne!(v.draw(&other, s).unwrap(), a);
        assert_ne!(v.draw(&target(10), Streams::new(2)).unwrap(), a);
    }

    #[test]
    fn members_of_a_view_draw_what_they_draw_in_the_whole_population() {
        let s = Streams::new(3);
        let keys = [2u32, 5, 9];
        let part = Target {
            len: 3,
            keys: Some(&keys),
            ..target(10)
        };
        for v in [
            Values::Normal { mean: 0.0, sd: 1.0 },
            Values::Uniform {
                low: -1.0,
                high: 1.0,
            },
            Values::Fn(Arc::new(|i| i as f64 * 0.5)),
        ] {
            let whole = v.draw(&target(10), s).unwrap();
            assert_eq!(
                v.draw(&part, s).unwrap(),
                vec![whole[2], whole[5], whole[9]]
            );
        }
    }

    #[test]
    fn bad_values_name_the_object_variable_and_element() {
        let s = Streams::new(0);
        let e = Values::Vector(vec![1.0; 3])
            .draw(&target(4), s)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::SizeMismatch {
                    expected: 4,
                    got: 3,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = Values::of_index(|i| if i == 2 { f64::NAN } else { 1.0 })
            .draw(&target(4), s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("g (w)") && e.contains("element 2"), "{e}");
        let e = Values::Normal {
            mean: 0.0,
            sd: -1.0,
        }
        .draw(&target(4), s)
        .unwrap_err()
        .to_string();
        assert!(e.contains("standard deviation -1"), "{e}");
        let e = Values::NormalRedraw {
            mean: 0.0,
            sd: 1.0,
            low: 50.0,
            high: 51.0,
        }
        .draw(&target(1), s)
        .unwrap_err()
        .to_string();
        assert!(e.contains("never fell in [50, 51]"), "{e}");
        let e = Values::of_pair(|i, j| (i + j) as f64)
            .draw(&target(2), s)
            .unwrap_err()
            .to_string();
        assert!(e.contains("sets synapses"), "{e}");
    }
}
