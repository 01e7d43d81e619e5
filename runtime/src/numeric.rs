//! Numerical helpers called by generated integrators: the exponential-Euler factor and the exact
//! propagator of a linear system.

use nalgebra::DMatrix;

use crate::info::Method;

/// `(e^x − 1)/x`, the exponential-Euler factor (with `x = a·dt`), accurate for small `|x|`
/// (computed as `x.exp_m1() / x`); exactly 1 at `x == 0`.
#[inline]
pub fn phi(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        x.exp_m1() / x
    }
}

/// Propagators of the linear system `y' = A·y + r` over one step `dt` (ms).
///
/// `a` is the `n × n` matrix `A` in row-major order. Returns `(Φ, Γ)`, both row-major `n × n`:
/// `Φ = e^{A·dt}` and `Γ = ∫₀^dt e^{A·s} ds`, so that `y(t + dt) = Φ·y(t) + Γ·r` for `r` constant over
/// the step. Both come from a single matrix exponential of the `2n × 2n` block matrix
/// `[[A·dt, I·dt], [0, 0]]` (top-left block `Φ`, top-right block `Γ`), which stays finite and exact
/// when `A` has repeated eigenvalues (coinciding time constants) or is singular.
///
/// If `A·dt` has a NaN or infinite entry (e.g. a time constant of 0), every entry of both results is
/// NaN, which the runtime's finiteness check then reports against the state it reaches.
///
/// # Panics
///
/// If `a.len() != n * n` (generated code always passes a square matrix).
pub fn propagator(n: usize, a: &[f64], dt: f64) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(
        a.len(),
        n * n,
        "neurode internal error: propagator of a {n} x {n} system given {} coefficients",
        a.len()
    );
    if !dt.is_finite() || a.iter().any(|x| !(x * dt).is_finite()) {
        // The scaling-and-squaring loop would not terminate on an infinite norm.
        return (vec![f64::NAN; n * n], vec![f64::NAN; n * n]);
    }
    let m = DMatrix::from_fn(2 * n, 2 * n, |r, c| {
        if r >= n {
            0.0
        } else if c < n {
            a[r * n + c] * dt
        } else if c - n == r {
            dt
        } else {
            0.0
        }
    });
    let e = m.exp();
    let mut phi = Vec::with_capacity(n * n);
    let mut gamma = Vec::with_capacity(n * n);
    for r in 0..n {
        for c in 0..n {
            phi.push(e[(r, c)]);
            gamma.push(e[(r, c + n)]);
        }
    }
    (phi, gamma)
}

/// One step of `method` on the homogeneous linear system `y' = A·y` as a matrix: `y ← M·y`.
///
/// `a` is `A` (row-major `n × n`), `h` the step (ms). `M` is what the method computes stage by
/// stage, multiplied out once: `I + hA` (Euler), `I + hA + (hA)²/2` (Heun), the fourth-order
/// Taylor polynomial of `e^{hA}` (classical Runge–Kutta), `I + D·A` with
/// `D = diag(h·φ(A_ii·h))` (exponential Euler, per variable) and `e^{hA}` (exact). Results differ
/// from the stage-by-stage evaluation by rounding only. Row-major `n × n`.
///
/// # Panics
///
/// If `a.len() != n * n`.
pub fn step_matrix(method: Method, n: usize, a: &[f64], h: f64) -> Vec<f64> {
    assert_eq!(
        a.len(),
        n * n,
        "neurode internal error: step matrix of a {n} x {n} system given {} coefficients",
        a.len()
    );
    let ha = DMatrix::from_fn(n, n, |r, c| a[r * n + c] * h);
    let id = DMatrix::<f64>::identity(n, n);
    let m = match method {
        Method::Euler => &id + &ha,
        Method::Rk2 => &id + &ha + &ha * &ha * 0.5,
        Method::Rk4 => {
            // Horner: I + hA·(I + hA/2·(I + hA/3·(I + hA/4))).
            let mut p = &id + &ha * 0.25;
            p = &id + &ha * (1.0 / 3.0) * p;
            p = &id + &ha * 0.5 * p;
            &id + &ha * p
        }
        Method::ExpEuler => {
            let d = DMatrix::from_fn(n, n, |r, c| {
                if r == c {
                    h * phi(a[r * n + r] * h)
                } else {
                    0.0
                }
            });
            &id + d * DMatrix::from_fn(n, n, |r, c| a[r * n + c])
        }
        Method::Exact => return propagator(n, a, h).0,
    };
    (0..n * n).map(|k| m[(k / n, k % n)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn phi_values() {
        assert_eq!(phi(0.0), 1.0);
        assert!(close(phi(1e-12), 1.0 + 0.5e-12, 1e-15));
        assert!(close(phi(-0.1), (1.0 - (-0.1f64).exp()) / 0.1, 1e-15));
        assert!(close(phi(2.0), (2.0f64.exp() - 1.0) / 2.0, 1e-14));
    }

    #[test]
    fn scalar_decay() {
        for (tau, dt) in [
            (10.0, 0.1),
            (8.0, 0.1),
            (0.5, 0.1),
            (100.0, 0.01),
            (3.0, 5.0),
        ] {
            let (p, g) = propagator(1, &[-1.0 / tau], dt);
            let f: f64 = (-dt / tau).exp();
            assert!(close(p[0], f, 1e-12), "tau {tau}: {} vs {f}", p[0]);
            let want = -tau * (-dt / tau).exp_m1();
            assert!(close(g[0], want, 1e-12), "tau {tau}: {} vs {want}", g[0]);
        }
    }

    /// `A = [[0, 1], [−λ², 2λ]]` with `λ = −1/τ`: a Jordan block (alpha synapse, or two
    /// exponentials with τ1 = τ2), where eigen-decomposition would divide by zero.
    #[test]
    fn critically_damped_alpha() {
        for (tau, dt) in [(3.0, 0.1), (2.0, 0.1), (1.0, 0.05), (20.0, 1.0)] {
            let l: f64 = -1.0 / tau;
            let a = [0.0, 1.0, -l * l, 2.0 * l];
            let (p, g) = propagator(2, &a, dt);
            let e = (l * dt).exp();
            let phi_want = [
                e * (1.0 - l * dt),
                e * dt,
                -e * l * l * dt,
                e * (1.0 + l * dt),
            ];
            // I0 = ∫ e^{λs}, I1 = ∫ s·e^{λs} over [0, dt].
            let i0 = (l * dt).exp_m1() / l;
            let i1 = e * (dt / l - 1.0 / (l * l)) + 1.0 / (l * l);
            let gamma_want = [i0 - l * i1, i1, -l * l * i1, i0 + l * i1];
            for k in 0..4 {
                assert!(p[k].is_finite() && g[k].is_finite());
                assert!(
                    close(p[k], phi_want[k], 1e-12),
                    "Φ[{k}] {} vs {}",
                    p[k],
                    phi_want[k]
                );
                assert!(
                    close(g[k], gamma_want[k], 1e-12),
                    "Γ[{k}] {} vs {}",
                    g[k],
                    gamma_want[k]
                );
            }
        }
    }

    /// The alpha synapse driven by one unit kick on x: s(t) = t·e^{−t/τ}, step by step.
    #[test]
    fn alpha_trajectory() {
        let (tau, dt) = (3.0, 0.1);
        let a = [0.0, 1.0, -1.0 / (tau * tau), -2.0 / tau];
        let (p, _) = propagator(2, &a, dt);
        let (mut s, mut x) = (0.0, 1.0);
        for k in 1..=300 {
            (s, x) = (p[0] * s + p[1] * x, p[2] * s + p[3] * x);
            let t = k as f64 * dt;
            assert!(close(s, t * (-t / tau).exp(), 1e-12), "step {k}");
        }
    }

    #[test]
    fn singular_matrix_and_empty_system() {
        // A = 0: Φ = I, Γ = dt·I.
        let (p, g) = propagator(2, &[0.0; 4], 0.1);
        assert_eq!(p, vec![1.0, 0.0, 0.0, 1.0]);
        assert!(g
            .iter()
            .zip([0.1, 0.0, 0.0, 0.1])
            .all(|(x, y)| close(*x, y, 1e-15)));
        let (p, g) = propagator(0, &[], 0.1);
        assert!(p.is_empty() && g.is_empty());
    }

    #[test]
    fn non_finite_matrix_gives_nan() {
        let (p, g) = propagator(1, &[f64::NEG_INFINITY], 0.1);
        assert!(p[0].is_nan() && g[0].is_nan());
        let (p, _) = propagator(1, &[-1.0], f64::NAN);
        assert!(p[0].is_nan());
    }

    /// Each method's matrix, applied to y, equals the method's stages evaluated on y' = A·y.
    #[test]
    fn step_matrices_are_the_stages_multiplied_out() {
        let a = [-0.5, 0.2, 0.1, -0.3];
        let h = 0.1;
        let f = |y: [f64; 2]| [a[0] * y[0] + a[1] * y[1], a[2] * y[0] + a[3] * y[1]];
        let add = |y: [f64; 2], k: [f64; 2], c: f64| [y[0] + c * k[0], y[1] + c * k[1]];
        let y = [1.3, -0.7];
        let apply = |m: &[f64]| [m[0] * y[0] + m[1] * y[1], m[2] * y[0] + m[3] * y[1]];
        let k1 = f(y);
        let euler = add(y, k1, h);
        let k2 = f(add(y, k1, h));
        let heun = [
            y[0] + 0.5 * h * (k1[0] + k2[0]),
            y[1] + 0.5 * h * (k1[1] + k2[1]),
        ];
        let r2 = f(add(y, k1, 0.5 * h));
        let r3 = f(add(y, r2, 0.5 * h));
        let r4 = f(add(y, r3, h));
        let rk4 = [
            y[0] + h / 6.0 * (k1[0] + 2.0 * r2[0] + 2.0 * r3[0] + r4[0]),
            y[1] + h / 6.0 * (k1[1] + 2.0 * r2[1] + 2.0 * r3[1] + r4[1]),
        ];
        let e0 = y[0] + k1[0] * h * phi(a[0] * h);
        let e1 = y[1] + k1[1] * h * phi(a[3] * h);
        for (method, want) in [
            (Method::Euler, euler),
            (Method::Rk2, heun),
            (Method::Rk4, rk4),
            (Method::ExpEuler, [e0, e1]),
        ] {
            let got = apply(&step_matrix(method, 2, &a, h));
            for k in 0..2 {
                assert!(
                    close(got[k], want[k], 1e-15),
                    "{method}: {got:?} vs {want:?}"
                );
            }
        }
        let (phi_m, _) = propagator(2, &a, h);
        assert_eq!(step_matrix(Method::Exact, 2, &a, h), phi_m);
    }
}
