//! The Izhikevich (2003) neuron and its firing patterns.

use neurode_macros::neuron;

/// The simple model of Izhikevich (2003), as the paper writes it (v in mV, t in ms):
///
/// dv/dt = 0.04·v² + 5·v + 140 − u + (I_e + I)/(1 pF);  du/dt = a·(b·v − u).
///
/// A spike where v ≥ v_peak (30 mV), then v ← c and u ← u + d. The paper's input `I` is in
/// mV/ms; here it is a current divided by 1 pF (a unit literal in the equation, not a
/// parameter), so a current in pA is the paper's number (`I_e = 10` pA is the paper's I = 10). `I` is the input of the step (synapses and inputs add
/// nA, read here in pA). Starts at v = v_init, u = b·v_init.
///
/// Defaults: the regular-spiking cell `rs` (a 0.02/ms, b 0.2/ms, c −65 mV, d 8 mV/ms),
/// v_peak 30 mV, v_init −65 mV, I_e 0 pA. The paper's Fig. 2 patterns, with I_e =
/// 10 pA: [`Izhikevich::rs`], [`Izhikevich::ib`] (intrinsically bursting), [`Izhikevich::ch`]
/// (chattering), [`Izhikevich::fs`] (fast spiking), [`Izhikevich::lts`] (low-threshold
/// spiking). Integrated with rk4 unless told otherwise (the paper's code used two Euler half
/// steps of 0.5 ms). The reset falls inside the step where v crosses v_peak, at the crossing of
/// the integrated trajectory (`within_step = integrated`; on the step's straight segment the
/// convex upswing would cross early at every spike).
///
/// Reference: Izhikevich, *Simple model of spiking neurons*, IEEE Trans. Neural Netw. 14:1569
/// (2003).
#[neuron(crate = ::neurode_runtime)]
#[threshold(v >= v_peak, within_step = integrated)]
#[reset(v = c, u += d)]
#[require(v_peak > c)]
pub struct Izhikevich {
    /// Time scale of the recovery variable.
    #[param(default = 0.02, unit = "1/ms", domain = positive)]
    pub a: f64,
    /// Sensitivity of the recovery variable to v.
    #[param(default = 0.2, unit = "1/ms")]
    pub b: f64,
    /// Reset potential.
    #[param(default = -65.0, unit = "mV")]
    pub c: f64,
    /// Reset increment of the recovery variable.
    #[param(default = 8.0, unit = "mV/ms")]
    pub d: f64,
    /// Spike cutoff.
    #[param(default = 30.0, unit = "mV")]
    pub v_peak: f64,
    /// Initial membrane potential.
    #[param(default = -65.0, unit = "mV")]
    pub v_init: f64,
    /// Constant bias current.
    #[param(default = 0.0, unit = "pA")]
    pub I_e: f64,
    /// Membrane potential.
    #[state(init = v_init, unit = "mV", membrane,
            ode = 0.04[1/(mV*ms)] * v * v + 5.0[1/ms] * v + 140.0[mV/ms] - u + (I_e + I) / 1.0[pF])]
    pub v: f64,
    /// Recovery variable.
    #[state(init = b * v_init, unit = "mV/ms", ode = a * (b * v - u))]
    pub u: f64,
    /// Input of the step.
    #[input(unit = "pA")]
    pub I: f64,
}

impl Izhikevich {
    /// The names of the presets, as [`Izhikevich::preset`] takes them.
    pub const PRESETS: [&'static str; 5] = ["rs", "ib", "ch", "fs", "lts"];

    /// The preset named `name` (one of [`Izhikevich::PRESETS`]), or `None`.
    pub fn preset(name: &str) -> Option<Izhikevich> {
        match name {
            "rs" => Some(Izhikevich::rs()),
            "ib" => Some(Izhikevich::ib()),
            "ch" => Some(Izhikevich::ch()),
            "fs" => Some(Izhikevich::fs()),
            "lts" => Some(Izhikevich::lts()),
            _ => None,
        }
    }

    /// A pattern of the paper's Fig. 2, driven by I_e = 10 pA.
    fn pattern(a: f64, b: f64, c: f64, d: f64) -> Izhikevich {
        Izhikevich {
            a,
            b,
            c,
            d,
            I_e: 10.0,
            ..Izhikevich::default()
        }
    }

    /// Regular spiking (a 0.02, b 0.2, c −65, d 8).
    pub fn rs() -> Izhikevich {
        Izhikevich::pattern(0.02, 0.2, -65.0, 8.0)
    }

    /// Intrinsically bursting (a 0.02, b 0.2, c −55, d 4).
    pub fn ib() -> Izhikevich {
        Izhikevich::pattern(0.02, 0.2, -55.0, 4.0)
    }

    /// Chattering (a 0.02, b 0.2, c −50, d 2).
    pub fn ch() -> Izhikevich {
        Izhikevich::pattern(0.02, 0.2, -50.0, 2.0)
    }

    /// Fast spiking (a 0.1, b 0.2, c −65, d 2).
    pub fn fs() -> Izhikevich {
        Izhikevich::pattern(0.1, 0.2, -65.0, 2.0)
    }

    /// Low-threshold spiking (a 0.02, b 0.25, c −65, d 2).
    pub fn lts() -> Izhikevich {
        Izhikevich::pattern(0.02, 0.25, -65.0, 2.0)
    }
}
