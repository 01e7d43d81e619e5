// A model that declares no unit at all is accepted and not unit-checked: equations mixing what
// would be different units compile.

use neurode::prelude::*;

#[neuron]
#[threshold(v >= v_th)]
#[reset(v = c, u += d)]
pub struct Izhikevich {
    #[param(default = 0.02)]
    pub a: f64,
    #[param(default = 0.2)]
    pub b: f64,
    #[param(default = -65.0)]
    pub c: f64,
    #[param(default = 8.0)]
    pub d: f64,
    #[param(default = 30.0)]
    pub v_th: f64,
    #[state(init = -65.0, ode = 0.04 * v * v + 5.0 * v + 140.0 - u + I)]
    pub v: f64,
    #[state(init = b * c, ode = a * (b * v - u))]
    pub u: f64,
    #[input]
    pub I: f64,
}

#[synapse]
#[output(current = w * s + v_post * 0.0)]
pub struct Plain {
    #[param(default = 1.0)]
    pub w: f64,
    #[param(default = 5.0)]
    pub tau: f64,
    #[state(init = 0.0, ode = -s / tau + exp(v_pre) * 0.0, on_pre += 1.0)]
    pub s: f64,
    #[expr(s + t + w)]
    pub mixed: f64,
}

fn main() {
    let info = Izhikevich::INFO;
    assert!(info.params.iter().all(|p| p.unit.is_empty()));
    assert!(info.states.iter().all(|s| s.unit.is_empty()));
    assert_eq!(info.membrane, Some(0), "a state named `v` is the membrane potential");
    assert_eq!(info.input, Some("I"));
    assert!(Plain::INFO.params.iter().all(|p| p.unit.is_empty()));
    let _ = (Izhikevich::v, Izhikevich::u, Plain::s, Plain::mixed, Plain::default().tau);
}
