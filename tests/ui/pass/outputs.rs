// Every output kind: a current (nA), a conductance (uS) with its reversal potential (mV), a
// voltage jump (mV); onto the postsynaptic group (the default, or `target = post`) or the
// presynaptic one (`target = pre`); with or without a delay; several outputs on one synapse;
// a synapse without any state.

use neurode::prelude::*;

#[synapse]
#[output(current = w * s)]
pub struct CurrentOut {
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

#[synapse]
#[output(conductance = g_max * s, reversal = E, delay = delay)]
pub struct ConductanceOut {
    #[param(default = 0.01, unit = "uS")]
    pub g_max: f64,
    #[param(default = -80.0, unit = "mV")]
    pub E: f64,
    #[param(default = 1.5, unit = "ms")]
    pub delay: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

/// A conductance given in nS, converted to uS in the output; reversal and delay are expressions
/// over parameters.
#[synapse]
#[output(conductance = g_nS * s / nS_per_uS, reversal = E_0 + dE, delay = 2.0 * d)]
pub struct ConductanceExpressions {
    #[param(default = 10.0, unit = "nS")]
    pub g_nS: f64,
    #[param(default = 1000.0, unit = "nS/uS")]
    pub nS_per_uS: f64,
    #[param(default = -70.0, unit = "mV")]
    pub E_0: f64,
    #[param(default = -10.0, unit = "mV")]
    pub dE: f64,
    #[param(default = 0.5, unit = "ms")]
    pub d: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

/// No state at all: a voltage jump per presynaptic spike.
#[synapse]
#[output(voltage = w * spike_pre, delay = delay, target = post)]
pub struct VoltageOut {
    #[param(default = 1.0, unit = "mV")]
    pub w: f64,
    #[param(default = 0.0, unit = "ms")]
    pub delay: f64,
}

/// Symmetric coupling: one current onto each side.
#[synapse]
#[output(current = w * (v_pre - v_post))]
#[output(current = w * (v_post - v_pre), target = pre)]
pub struct TwoSided {
    #[param(default = 0.01, unit = "uS")]
    pub w: f64,
}

/// Three outputs of three kinds.
#[synapse]
#[output(current = w_i * s)]
#[output(conductance = w_g * s, reversal = E, delay = delay)]
#[output(voltage = w_v * spike_pre, target = pre)]
pub struct ThreeOutputs {
    #[param(default = 0.1, unit = "nA")]
    pub w_i: f64,
    #[param(default = 0.001, unit = "uS")]
    pub w_g: f64,
    #[param(default = 0.1, unit = "mV")]
    pub w_v: f64,
    #[param(default = 0.0, unit = "mV")]
    pub E: f64,
    #[param(default = 1.0, unit = "ms")]
    pub delay: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
}

fn main() {
    let info = CurrentOut::INFO;
    assert_eq!(info.outputs.len(), 1);
    assert_eq!(info.outputs[0].kind, OutputKind::Current);
    assert_eq!(info.outputs[0].target, Target::Post);
    assert_eq!((info.outputs[0].reversal, info.outputs[0].delay), (None, None));

    let info = ConductanceOut::INFO;
    assert_eq!(info.outputs[0].kind, OutputKind::Conductance);
    assert!(info.outputs[0].reversal.is_some());
    assert!(info.outputs[0].delay.is_some());
    assert_eq!(ConductanceExpressions::INFO.outputs[0].kind, OutputKind::Conductance);

    let info = VoltageOut::INFO;
    assert_eq!(info.outputs[0].kind, OutputKind::Voltage);
    assert_eq!(info.outputs[0].target, Target::Post);
    assert!(info.states.is_empty());

    let info = TwoSided::INFO;
    assert_eq!(info.outputs.iter().map(|o| o.target).collect::<Vec<_>>(), [Target::Post, Target::Pre]);

    let kinds: Vec<OutputKind> = ThreeOutputs::INFO.outputs.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [OutputKind::Current, OutputKind::Conductance, OutputKind::Voltage]);
    assert_eq!(ThreeOutputs::INFO.outputs[2].target, Target::Pre);
    let _ = (ThreeOutputs::s, ThreeOutputs::default().w_g, ConductanceExpressions::s);
}
