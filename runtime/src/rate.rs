//! Population rate: spikes of a population or view counted in bins of whole steps, as Hz, with
//! the smoothing windows of Brian2's `PopulationRateMonitor.smooth_rate`.

use std::io::{self, Write};

use crate::error::{Error, Result};

/// The population rate a rate monitor recorded ([`Network::record_rate`](crate::Network::record_rate)).
///
/// Bin `k` covers the steps `start + k·b .. start + (k+1)·b` (`b` = [`Rate::bin_steps`], `start`
/// = [`Rate::start_step`]), and is labelled with the time its first step starts,
/// `(start + k·b)·dt`: with a bin of one step, bin `k` holds the spikes of the step starting at
/// `t_k` and `t_k` is its label, as in Brian2's `PopulationRateMonitor` (`t`, `rate`). Only
/// complete bins are listed; the spikes of a bin a run ends inside are kept and the bin
/// completes when a later run goes on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rate {
    /// Name of the recorded population.
    pub object: String,
    /// Number of neurons counted (the population's, or the view's members).
    pub n_neurons: usize,
    /// Step (ms).
    pub dt: f64,
    /// Steps per bin (≥ 1).
    pub bin_steps: u64,
    /// Network step at which the first bin starts (the step the monitor was added before).
    pub start_step: u64,
    /// Spikes of the counted neurons in each complete bin.
    pub counts: Vec<u64>,
}

/// A smoothing window for [`Rate::smooth`], Brian2's `smooth_rate(window, width)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smoothing {
    /// A flat window of `width` (ms): `round(width / bin)` bins, made odd by adding one if
    /// even, each weighing the same.
    Flat {
        /// Width (ms).
        width: f64,
    },
    /// A gaussian of standard deviation `sigma` (ms), cut at ±2σ: weights
    /// `exp(−k² / (2 (σ/bin)²))` for `k = −round(2σ/bin) ..= round(2σ/bin)`, normalised.
    Gaussian {
        /// Standard deviation (ms).
        sigma: f64,
    },
}

impl Rate {
    /// Bin width (ms): `bin_steps · dt`.
    pub fn bin(&self) -> f64 {
        self.bin_steps as f64 * self.dt
    }

    /// Label of each bin (ms): the time its first step starts.
    pub fn times(&self) -> Vec<f64> {
        (0..self.counts.len() as u64)
            .map(|k| (self.start_step + k * self.bin_steps) as f64 * self.dt)
            .collect()
    }

    /// Rate of each bin (Hz): spikes / (neurons × bin width).
    pub fn rates(&self) -> Vec<f64> {
        let per = 1.0 / (self.n_neurons as f64 * self.bin() * 1e-3);
        self.counts.iter().map(|&c| c as f64 * per).collect()
    }

    /// Mean rate over all complete bins (Hz); 0 before any bin completes.
    pub fn mean(&self) -> f64 {
        if self.counts.is_empty() {
            return 0.0;
        }
        let total: u64 = self.counts.iter().sum();
        total as f64 / (self.n_neurons as f64 * self.counts.len() as f64 * self.bin() * 1e-3)
    }

    /// The rates convolved with `window` (Hz), one value per bin, as Brian2's `smooth_rate`
    /// computes them (numpy's `convolve(rate, window / sum(window), mode='same')`): the rate
    /// is taken as 0 outside the recorded bins, so the first and last half-window read low.
    ///
    /// Error: [`Error::InvalidInput`] for a width that is not finite and positive, or a window
    /// wider than 2²⁰ bins.
    pub fn smooth(&self, window: Smoothing) -> Result<Vec<f64>> {
        let bin = self.bin();
        let fail = |reason: String| Error::InvalidInput {
            object: self.object.clone(),
            reason,
        };
        let (w, name) = match window {
            Smoothing::Flat { width } => (width, "flat window's width"),
            Smoothing::Gaussian { sigma } => (sigma, "gaussian window's sigma"),
        };
        if !(w.is_finite() && w > 0.0) {
            return Err(fail(format!(
                "the {name} must be finite and > 0 ms, got {w} ms"
            )));
        }
        let too_wide = || {
            fail(format!(
                "the {name} of {w} ms spans more than 2^20 bins of {bin} ms"
            ))
        };
        let weights: Vec<f64> = match window {
            Smoothing::Flat { .. } => {
                let n = (w / bin).round();
                if n > (1u64 << 20) as f64 {
                    return Err(too_wide());
                }
                let n = (n as usize).max(1) | 1;
                vec![1.0; n]
            }
            Smoothing::Gaussian { .. } => {
                let half = (2.0 * w / bin).round();
                if half > (1u64 << 19) as f64 {
                    return Err(too_wide());
                }
                let (half, s) = (half as i64, w / bin);
                (-half..=half)
                    .map(|k| (-((k * k) as f64) / (2.0 * s * s)).exp())
                    .collect()
            }
        };
        let total: f64 = weights.iter().sum();
        let rates = self.rates();
        let half = (weights.len() - 1) / 2;
        let n = rates.len();
        Ok((0..n)
            .map(|i| {
                // out[i] = Σ_m rates[m] · w[i + half − m] for the m that exist.
                let lo = (i + half + 1).saturating_sub(weights.len());
                let hi = (i + half).min(n.saturating_sub(1));
                (lo..=hi)
                    .map(|m| rates[m] * weights[i + half - m])
                    .sum::<f64>()
                    / total
            })
            .collect())
    }

    /// Writes the rate as CSV: a header `t,rate` (ms, Hz), then one row per bin.
    pub fn write_csv<W: Write>(&self, mut out: W) -> io::Result<()> {
        writeln!(out, "t,rate")?;
        for (t, r) in self.times().iter().zip(self.rates()) {
            writeln!(out, "{t},{r}")?;
        }
        Ok(())
    }

    /// Writes the rate as a NumPy `.npy` file (format 1.0, little-endian `f8`): shape
    /// `(bins, 2)`, columns the bin's label (ms) and its rate (Hz).
    pub fn write_npy<W: Write>(&self, mut out: W) -> io::Result<()> {
        crate::monitor::write_npy_header(&mut out, self.counts.len(), 2)?;
        for (t, r) in self.times().iter().zip(self.rates()) {
            out.write_all(&t.to_le_bytes())?;
            out.write_all(&r.to_le_bytes())?;
        }
        Ok(())
    }
}

/// Bins spikes as they are recorded: the partial bin's count and length.
#[derive(Clone, Debug, Default)]
pub(crate) struct Binner {
    pub(crate) rate: Rate,
    /// Spikes in the bin being filled.
    pending: u64,
    /// Steps of the bin being filled.
    filled: u64,
}

impl Binner {
    pub(crate) fn new(object: &str, n_neurons: usize, dt: f64, bin_steps: u64, start: u64) -> Self {
        Binner {
            rate: Rate {
                object: object.to_string(),
                n_neurons,
                dt,
                bin_steps,
                start_step: start,
                counts: Vec::new(),
            },
            pending: 0,
            filled: 0,
        }
    }

    /// Adds one step with `spikes` spikes of the counted neurons.
    #[inline]
    pub(crate) fn step(&mut self, spikes: u64) {
        self.pending += spikes;
        self.filled += 1;
        if self.filled == self.rate.bin_steps {
            self.rate.counts.push(self.pending);
            (self.pending, self.filled) = (0, 0);
        }
    }

    /// Writes the bins and the partial bin (see [`crate::checkpoint`]).
    pub(crate) fn save(&self, w: &mut crate::checkpoint::Writer) {
        w.u64(self.rate.start_step);
        w.u64s(&self.rate.counts);
        w.u64(self.pending);
        w.u64(self.filled);
    }

    /// Reads what [`Binner::save`] wrote; sets it if `apply`.
    pub(crate) fn load(
        &mut self,
        r: &mut crate::checkpoint::Reader<'_>,
        apply: bool,
    ) -> Result<()> {
        let what = format!("the rate monitor of `{}`", self.rate.object);
        let start = r.u64(&what)?;
        let counts = r.any_u64s(&format!("the bins of {what}"))?;
        let pending = r.u64(&what)?;
        let filled = r.u64(&what)?;
        if filled >= self.rate.bin_steps {
            return Err(Error::Checkpoint {
                reason: format!(
                    "{what} holds a partial bin of {filled} steps, but its bins have {}",
                    self.rate.bin_steps
                ),
            });
        }
        if apply {
            self.rate.start_step = start;
            self.rate.counts = counts;
            (self.pending, self.filled) = (pending, filled);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(counts: Vec<u64>, bin_steps: u64) -> Rate {
        Rate {
            object: "g".into(),
            n_neurons: 10,
            dt: 0.1,
            bin_steps,
            start_step: 20,
            counts,
        }
    }

    #[test]
    fn bins_label_their_first_step_and_count_in_hz() {
        let mut b = Binner::new("g", 10, 0.1, 5, 20);
        for k in 0..12u64 {
            b.step(k);
        }
        // Bins of steps 0..5 and 5..10 (0+1+2+3+4, 5+..+9); steps 10 and 11 are pending.
        assert_eq!(b.rate.counts, vec![10, 35]);
        let r = &b.rate;
        assert!((r.bin() - 0.5).abs() < 1e-15);
        assert_eq!(r.times(), vec![2.0, 2.5]);
        // 10 spikes of 10 neurons in 0.5 ms: 2000 Hz.
        let hz = r.rates();
        assert!((hz[0] - 2000.0).abs() < 1e-9 && (hz[1] - 7000.0).abs() < 1e-9);
        assert!((r.mean() - 4500.0).abs() < 1e-9);
    }

    #[test]
    fn smoothing_is_numpys_same_convolution() {
        // A single bin of 1000 Hz: a flat window of 3 bins spreads it into thirds; 4 bins'
        // width is made odd (5).
        let r = rate(vec![0, 0, 1, 0, 0, 0], 1);
        let one = 1.0 / (10.0 * 0.1e-3);
        let flat = r.smooth(Smoothing::Flat { width: 0.3 }).unwrap();
        let third = one / 3.0;
        let want = [0.0, third, third, third, 0.0, 0.0];
        for (a, b) in flat.iter().zip(want) {
            assert!((a - b).abs() < 1e-9, "{flat:?}");
        }
        let five = r.smooth(Smoothing::Flat { width: 0.4 }).unwrap();
        assert!((five[0] - one / 5.0).abs() < 1e-9 && (five[4] - one / 5.0).abs() < 1e-9);
        assert_eq!(five[5], 0.0);
        // A gaussian of sigma 1 bin: weights exp(-k²/2) for k = -2..=2.
        let g = r.smooth(Smoothing::Gaussian { sigma: 0.1 }).unwrap();
        let w: Vec<f64> = (-2i32..=2).map(|k| (-(k * k) as f64 / 2.0).exp()).collect();
        let total: f64 = w.iter().sum();
        for (i, &v) in g.iter().enumerate().take(5) {
            assert!((v - one * w[i] / total).abs() < 1e-9, "{g:?}");
        }
        // A constant rate keeps its value away from the edges.
        let c = rate(vec![3; 50], 1);
        let s = c.smooth(Smoothing::Gaussian { sigma: 0.5 }).unwrap();
        assert!((s[25] - c.rates()[25]).abs() < 1e-9);
        assert!(s[0] < c.rates()[0]);
    }

    #[test]
    fn bad_windows_are_refused() {
        let r = rate(vec![1, 2], 1);
        for w in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                r.smooth(Smoothing::Flat { width: w }),
                Err(Error::InvalidInput { .. })
            ));
            assert!(matches!(
                r.smooth(Smoothing::Gaussian { sigma: w }),
                Err(Error::InvalidInput { .. })
            ));
        }
        assert!(r.smooth(Smoothing::Flat { width: 1e9 }).is_err());
    }

    #[test]
    fn csv_and_npy() {
        let r = rate(vec![1, 0], 2);
        let mut csv = Vec::new();
        r.write_csv(&mut csv).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "t,rate\n2,500\n2.2,0\n");
        let mut npy = Vec::new();
        r.write_npy(&mut npy).unwrap();
        let header = usize::from(u16::from_le_bytes([npy[8], npy[9]]));
        let values: Vec<f64> = npy[10 + header..]
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(values, vec![2.0, 500.0, 2.2, 0.0]);
    }
}
