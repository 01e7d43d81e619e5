// Every integration method can be named, and leaving `method` out lets neurode choose one from
// the equations: `exact` for a linear system with constant coefficients, `exp_euler` when each
// equation is linear in its own variable, `rk4` otherwise.

use neurode::prelude::*;

#[synapse(method = euler)]
#[output(current = g * s)]
pub struct WithEuler {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

#[synapse(method = rk2)]
#[output(current = g * s)]
pub struct WithRk2 {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s * s / tau, on_pre += 1.0)]
    pub s: f64,
}

#[synapse(method = rk4)]
#[output(current = g * s)]
pub struct WithRk4 {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

#[synapse(method = exp_euler)]
#[output(current = g * s)]
pub struct WithExpEuler {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

/// Two coupled linear equations with constant coefficients: `exact` propagates them jointly.
#[synapse(method = exact)]
#[output(current = g * s)]
pub struct WithExact {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 1.0, unit = "ms")]
    pub tau_rise: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau_decay: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau_decay + x / tau_rise)]
    pub s: f64,
    #[state(init = 0.0, unit = "1", ode = -x / tau_rise, on_pre += 1.0)]
    pub x: f64,
}

#[synapse]
#[output(current = g * s)]
pub struct AutoLinear {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

/// Linear in `s`, but the coefficient switches with the presynaptic spike train.
#[synapse]
#[output(current = g * s)]
pub struct AutoOwnLinear {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 1.0, unit = "1/ms")]
    pub rate: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = rate * open * (1.0 - s) - s / tau)]
    pub s: f64,
    #[state(init = 0.0, unit = "1", ode = -open / tau, on_pre = 1.0)]
    pub open: f64,
}

/// Quadratic in its own variable.
#[synapse]
#[output(current = g * s)]
pub struct AutoNonlinear {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s * s / tau, on_pre += 1.0)]
    pub s: f64,
}

fn named<M: Model>(method: Method) {
    assert_eq!(M::INFO.method, method, "{}", M::INFO.name);
    assert!(!M::INFO.method_auto, "{}", M::INFO.name);
    assert!(M::INFO.methods.contains(&method), "{}", M::INFO.name);
}

fn chosen<M: Model>(method: Method) {
    assert_eq!(M::INFO.method, method, "{}", M::INFO.name);
    assert!(M::INFO.method_auto, "{}", M::INFO.name);
}

fn main() {
    named::<WithEuler>(Method::Euler);
    named::<WithRk2>(Method::Rk2);
    named::<WithRk4>(Method::Rk4);
    named::<WithExpEuler>(Method::ExpEuler);
    named::<WithExact>(Method::Exact);
    chosen::<AutoLinear>(Method::Exact);
    chosen::<AutoOwnLinear>(Method::ExpEuler);
    chosen::<AutoNonlinear>(Method::Rk4);
    assert!(!AutoNonlinear::INFO.methods.contains(&Method::Exact));
    let _ = (WithExact::s, WithExact::x, WithExact::default().tau_rise);
}
