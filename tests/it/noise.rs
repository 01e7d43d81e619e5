//! White noise `xi` in neuron ODEs (Euler–Maruyama): the Ornstein–Uhlenbeck process reaches
//! its stationary mean and variance, and the noise is keyed by seed, neuron and step, so any
//! thread count draws the same numbers.

use neurode::prelude::*;

/// The Ornstein–Uhlenbeck process dV = (μ − V)/τ·dt + σ·√(2/τ)·dW: stationary mean μ and
/// variance σ² (σ²/(1 − dt/(2τ)) for the Euler–Maruyama chain at step dt).
#[neuron]
#[threshold(V >= V_th)]
pub struct Ou {
    /// Mean.
    #[param(default = -60.0, unit = "mV")]
    pub mu: f64,
    /// Correlation time.
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    /// Stationary standard deviation.
    #[param(default = 2.0, unit = "mV")]
    pub sigma: f64,
    /// Out of reach: no spikes.
    #[param(default = 1e9, unit = "mV")]
    pub V_th: f64,
    /// The process.
    #[state(init = mu, unit = "mV", membrane,
            ode = (mu - V) / tau + sigma * sqrt(2.0 / tau) * xi)]
    pub V: f64,
    /// Input (unused).
    #[input(unit = "nA")]
    pub I: f64,
}

/// V of `n` processes after `ms`, on `threads` threads with `seed`.
fn final_v(n: usize, ms: f64, threads: usize, seed: u64) -> Vec<f64> {
    let mut net = Network::new(0.1).unwrap();
    net.set_seed(seed);
    net.set_threads(threads).unwrap();
    let g = net.add_population("ou", n, Ou::default()).unwrap();
    net.run(ms).unwrap();
    net.population(g).unwrap().column(Ou::V).to_vec()
}

#[test]
fn ornstein_uhlenbeck_reaches_its_stationary_mean_and_variance() {
    assert_eq!(<Ou as Model>::INFO.method, Method::Euler);
    let n = 20_000;
    let v = final_v(n, 200.0, 1, 1);
    let m = Ou::default();
    let mean = v.iter().sum::<f64>() / n as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    // The Euler–Maruyama chain's stationary variance, 0.5 % above σ² at dt = τ/100.
    let expected_var = m.sigma.powi(2) / (1.0 - 0.1 / (2.0 * m.tau));
    let se_mean = (expected_var / n as f64).sqrt();
    let se_var = expected_var * (2.0 / (n - 1) as f64).sqrt();
    assert!(
        (mean - m.mu).abs() < 3.0 * se_mean,
        "mean {mean}, SE {se_mean}"
    );
    assert!(
        (var - expected_var).abs() < 3.0 * se_var,
        "variance {var} vs {expected_var}, SE {se_var}"
    );
    // Every neuron has its own noise: the values differ.
    assert!(v.windows(2).all(|w| w[0] != w[1]));
}

#[test]
fn noise_is_the_same_on_any_thread_count_and_changes_with_the_seed() {
    let one = final_v(3000, 20.0, 1, 7);
    let two = final_v(3000, 20.0, 2, 7);
    assert!(one
        .iter()
        .zip(&two)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    let other = final_v(3000, 20.0, 1, 8);
    assert!(one.iter().zip(&other).all(|(a, b)| a != b));
}

#[test]
fn noise_is_integrated_by_euler_maruyama_only() {
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("ou", 1, Ou::default()).unwrap();
    assert!(net.set_method(g, Method::Rk4).is_err());
    assert!(net.set_method(g, Method::Euler).is_ok());
}

/// Initial values drawn per neuron: V uniform in [V_r, V_th), w normal around w0.
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = V_r)]
pub struct Drawn {
    /// Reset.
    #[param(default = -70.0, unit = "mV")]
    pub V_r: f64,
    /// Threshold.
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    /// Mean of w.
    #[param(default = 3.0, unit = "nA")]
    pub w0: f64,
    /// Time constant.
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    /// Potential, uniform in [V_r, V_th).
    #[state(init = V_r + (V_th - V_r) * (1.0 - rand()), unit = "mV", membrane, ode = (V_r - V) / tau)]
    pub V: f64,
    /// A variable around w0 with standard deviation 0.5 nA; and a second, independent draw.
    #[state(init = w0 + 0.5[nA] * randn(), unit = "nA", ode = -w / tau)]
    pub w: f64,
    /// Input.
    #[input(unit = "nA")]
    pub I: f64,
}

/// V and w of `n` neurons of [`Drawn`] as added with `seed`.
fn drawn(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut net = Network::new(0.1).unwrap();
    net.set_seed(seed);
    let g = net.add_population("g", n, Drawn::default()).unwrap();
    let group = net.population(g).unwrap();
    (
        group.column(Drawn::V).to_vec(),
        group.column(Drawn::w).to_vec(),
    )
}

#[test]
fn rand_and_randn_draw_initial_values_per_neuron() {
    let n = 20_000;
    let (v, w) = drawn(n, 3);
    let m = Drawn::default();
    assert!(v.iter().all(|&x| (m.V_r..m.V_th).contains(&x)));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let var = |x: &[f64]| {
        let mu = mean(x);
        x.iter().map(|y| (y - mu).powi(2)).sum::<f64>() / (x.len() - 1) as f64
    };
    // Uniform on 20 mV: mean −60, variance 400/12; normal: mean 3, variance 0.25.
    let (uv, vv) = (400.0 / 12.0, 0.25);
    assert!(
        (mean(&v) + 60.0).abs() < 3.0 * (uv / n as f64).sqrt(),
        "{}",
        mean(&v)
    );
    assert!(
        (var(&v) - uv).abs() < 3.0 * uv * (0.8 / n as f64).sqrt(),
        "{}",
        var(&v)
    );
    assert!(
        (mean(&w) - 3.0).abs() < 3.0 * (vv / n as f64).sqrt(),
        "{}",
        mean(&w)
    );
    assert!(
        (var(&w) - vv).abs() < 3.0 * vv * (2.0 / n as f64).sqrt(),
        "{}",
        var(&w)
    );
    // The two draws of a neuron are independent.
    let cov = v
        .iter()
        .zip(&w)
        .map(|(a, b)| (a + 60.0) * (b - 3.0))
        .sum::<f64>()
        / n as f64;
    assert!(cov.abs() < 3.0 * (uv * vv / n as f64).sqrt(), "{cov}");
    // The network's seed at the time the group is added decides them.
    assert_eq!(drawn(100, 3), (v[..100].to_vec(), w[..100].to_vec()));
    assert_ne!(drawn(100, 4).0, v[..100].to_vec());
}
