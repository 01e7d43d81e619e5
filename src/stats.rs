//! Statistics of recorded activity, defined as the reference scripts in `bench/published/`
//! compute them from Brian2's runs, so that the two can be set side by side: mean rates,
//! the coefficient of variation of the inter-spike intervals, the periodogram of the
//! population rate and its peak, and the Fano factor of the population count.

use neurode_runtime::{Rate, Spikes};

/// Mean over neurons of CV = std(ISI)/mean(ISI) (population std, `ddof = 0`), for each
/// recorded neuron with at least `min_spikes` spikes; also how many qualified. `(NaN, 0)` when
/// none does.
pub fn cv_isi(spikes: &Spikes, min_spikes: usize) -> (f64, usize) {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); spikes.neurons.len()];
    for (&i, &t) in spikes.indices.iter().zip(&spikes.times) {
        if let Ok(k) = spikes.neurons.binary_search(&i) {
            times[k].push(t);
        }
    }
    let cvs: Vec<f64> = times
        .iter()
        .filter(|t| t.len() >= min_spikes.max(2))
        .map(|t| {
            let isi: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
            let mean = isi.iter().sum::<f64>() / isi.len() as f64;
            let var = isi.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / isi.len() as f64;
            var.sqrt() / mean
        })
        .collect();
    if cvs.is_empty() {
        (f64::NAN, 0)
    } else {
        (cvs.iter().sum::<f64>() / cvs.len() as f64, cvs.len())
    }
}

/// The periodogram of a rate sampled every `bin_ms`: `P(f_j) = |Σ_k (r_k − r̄) e^{−2πi jk/n}|²`
/// at `f_j = j / (n · bin)` Hz for `j = 0 ..= n/2` (numpy's `abs(rfft(r − mean(r)))**2` with
/// `rfftfreq`), no taper, no averaging. A direct sum: O(n²), fine for the few thousand bins of
/// a second of activity.
pub fn periodogram(rate: &[f64], bin_ms: f64) -> (Vec<f64>, Vec<f64>) {
    let n = rate.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let mean = rate.iter().sum::<f64>() / n as f64;
    let x: Vec<f64> = rate.iter().map(|r| r - mean).collect();
    let span_s = n as f64 * bin_ms * 1e-3;
    let (mut freqs, mut power) = (Vec::new(), Vec::new());
    for j in 0..=n / 2 {
        let w = -2.0 * std::f64::consts::PI / n as f64;
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &v) in x.iter().enumerate() {
            // The phase reduced modulo n keeps the angle small and the sum accurate.
            let a = w * ((j * k) % n) as f64;
            re += v * a.cos();
            im += v * a.sin();
        }
        freqs.push(j as f64 / span_s);
        power.push(re * re + im * im);
    }
    (freqs, power)
}

/// The peak of a periodogram within `[f_min, f_max]` Hz, and the fraction of the power
/// (over every `f > 0`) within `half` Hz of it: `(peak_hz, relative power)`; `(NaN, NaN)`
/// without power in the band.
pub fn spectral_peak(
    freqs: &[f64],
    power: &[f64],
    (f_min, f_max): (f64, f64),
    half: f64,
) -> (f64, f64) {
    let best = freqs
        .iter()
        .zip(power)
        .filter(|(&f, _)| f >= f_min && f <= f_max)
        .max_by(|a, b| a.1.total_cmp(b.1));
    let Some((&peak, _)) = best else {
        return (f64::NAN, f64::NAN);
    };
    let total: f64 = freqs
        .iter()
        .zip(power)
        .filter(|(&f, _)| f > 0.0)
        .map(|(_, p)| p)
        .sum();
    let near: f64 = freqs
        .iter()
        .zip(power)
        .filter(|(&f, _)| (f - peak).abs() <= half + 1e-9)
        .map(|(_, p)| p)
        .sum();
    if total > 0.0 {
        (peak, near / total)
    } else {
        (f64::NAN, f64::NAN)
    }
}

/// Var(n_k) / mean(n_k) (`ddof = 0`) of the population spike counts of a rate monitor's bins:
/// 1 for independent Poisson neurons, large when they fire together. NaN without spikes.
pub fn fano(rate: &Rate) -> f64 {
    let n = rate.counts.len() as f64;
    let mean = rate.counts.iter().sum::<u64>() as f64 / n;
    if mean.is_nan() || mean <= 0.0 {
        return f64::NAN;
    }
    let var = rate
        .counts
        .iter()
        .map(|&c| (c as f64 - mean) * (c as f64 - mean))
        .sum::<f64>()
        / n;
    var / mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cv_of_regular_and_alternating_trains() {
        let spikes = Spikes {
            neurons: vec![0, 1, 2],
            // Neuron 0: ISIs 10, 10, 10 (CV 0); neuron 1: 5, 15, 5, 15 (mean 10, std 5); neuron
            // 2: two spikes only.
            indices: vec![0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 1],
            times: vec![0.0, 0.0, 10.0, 5.0, 1.0, 20.0, 20.0, 2.0, 30.0, 25.0, 40.0],
            ..Spikes::default()
        };
        let (cv, n) = cv_isi(&spikes, 3);
        assert_eq!(n, 2);
        assert!((cv - 0.25).abs() < 1e-12, "{cv}");
    }

    #[test]
    fn the_periodogram_of_a_sine_peaks_at_its_frequency() {
        // 37 Hz plus 0.5 × 210 Hz, sampled every 0.5 ms for 1 s: the power in the bins of 37
        // and 210 Hz, (n/2)² and (n/4)², nothing elsewhere.
        let w = |f: f64, k: usize| (2.0 * std::f64::consts::PI * f * k as f64 * 0.5e-3).sin();
        let r: Vec<f64> = (0..2000)
            .map(|k| 10.0 + w(37.0, k) + 0.5 * w(210.0, k))
            .collect();
        let (f, p) = periodogram(&r, 0.5);
        assert_eq!(f.len(), 1001);
        assert!((f[1] - 1.0).abs() < 1e-12 && (f[1000] - 1000.0).abs() < 1e-9);
        assert!((p[37] - 1000.0f64.powi(2)).abs() < 1e-6, "{}", p[37]);
        assert!((p[210] - 500.0f64.powi(2)).abs() < 1e-6, "{}", p[210]);
        let rest: f64 = (0..p.len())
            .filter(|&j| j != 37 && j != 210)
            .map(|j| p[j])
            .sum();
        assert!(rest < 1e-12, "{rest}");
        let (peak, rel) = spectral_peak(&f, &p, (5.0, 1000.0), 5.0);
        assert_eq!(peak, 37.0);
        assert!((rel - 0.8).abs() < 1e-9, "{rel}");
    }

    #[test]
    fn fano_of_counts() {
        let rate = Rate {
            n_neurons: 10,
            dt: 0.1,
            bin_steps: 5,
            counts: vec![2, 4, 2, 4],
            ..Rate::default()
        };
        // mean 3, variance 1.
        assert!((fano(&rate) - 1.0 / 3.0).abs() < 1e-12);
    }
}
