// Functions (as calls and as method calls), `if`/`else if`/`else`, comparisons, `&&`, `||`, `!`,
// every built-in name of a synapse, boolean built-ins in arithmetic, and the literal `0.0`
// standing for zero of any unit.

use neurode::prelude::*;

#[synapse]
#[output(current = g * s * gate)]
pub struct Functions {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 10.0, unit = "mV")]
    pub V_s: f64,
    #[param(default = -50.0, unit = "mV")]
    pub V_th: f64,
    #[param(default = 2.0, unit = "mM")]
    pub c: f64,
    #[param(default = 1.0, unit = "mM")]
    pub c_0: f64,
    #[param(default = 100.0, unit = "mV^2")]
    pub q: f64,
    #[param(default = 0.5, unit = "1")]
    pub n: f64,
    #[param(default = 0.5, unit = "1")]
    pub w: f64,
    #[param(default = 0.1, unit = "1/ms")]
    pub omega: f64,
    #[state(init = 0.0, unit = "1", ode = (e_call + e_method + l_call + l_log + p_sum + trig + th) * 0.01 / tau - s / tau, on_pre += w * spike_pre)]
    pub s: f64,
    #[expr(exp(-v_post / V_s), unit = "1")]
    pub e_call: f64,
    #[expr((v_pre / V_s).exp(), unit = "1")]
    pub e_method: f64,
    #[expr(ln(c / c_0), unit = "1")]
    pub l_call: f64,
    #[expr(log(c / c_0) + (c / c_0).ln(), unit = "1")]
    pub l_log: f64,
    #[expr(sqrt(q) + q.sqrt(), unit = "mV")]
    pub root: f64,
    #[expr(powi(c, 2) / powi(c_0, 2) + c.powi(3) / c_0.powi(3) + powi(c, 0) + powi(c, -1) * c_0, unit = "1")]
    pub p_int: f64,
    #[expr(powf(c / c_0, 0.5) + (c / c_0).powf(n) + pow(c / c_0, n) + powf(V_s, 2.0) / q + powf(V_s, -2.0) * q)]
    pub p_float: f64,
    #[expr(p_int + p_float + root / V_s)]
    pub p_sum: f64,
    #[expr(min(v_pre, v_post) + v_pre.max(v_post) + abs(v_pre - v_post) + (v_pre - v_post).abs(), unit = "mV")]
    pub extremes: f64,
    #[expr(sin(omega * t) + cos(omega * t) + (omega * dt).sin() + (omega * dt).cos())]
    pub trig: f64,
    #[expr(tanh((v_pre - v_post) / V_s) + ((v_pre - v_post) / V_s).tanh())]
    pub th: f64,
    #[expr(if v_post > V_th && !refractory_post { 1.0 } else if v_post < V_th || refractory_pre { 0.5 } else { 0.0 }, unit = "1")]
    pub gate: f64,
    #[expr(if extremes >= root { extremes } else { 0.0 }, unit = "mV")]
    pub clamped: f64,
    #[expr(w * spike_pre + refractory_pre * refractory_post + !spike_pre * 1.0 + (v_pre == v_post) * w + (v_pre != v_post) * 1.0)]
    pub flags: f64,
    #[expr(if spike_pre { -1.0 } else { 1.0 } * -w)]
    pub signs: f64,
}

fn main() {
    let info = Functions::INFO;
    assert_eq!(info.states.len(), 16);
    let _ = (Functions::flags, Functions::clamped, Functions::default().omega);
}
