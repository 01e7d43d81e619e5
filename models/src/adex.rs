//! The adaptive exponential integrate-and-fire neuron (AdEx) and its firing patterns.

use neurode_macros::neuron;

/// Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005), in the paper's
/// units (pF, nS, pA):
///
/// C·dV/dt = −g_L·(V − E_L) + g_L·Δ_T·exp((V − V_T)/Δ_T) − w + I_e + I;
/// τ_w·dw/dt = a·(V − E_L) − w.
///
/// A spike where V ≥ V_peak, then V ← V_r and w ← w + b. During `t_ref` after a spike (0 by
/// default; from the located crossing, in continuous time) V is held at V_r while w keeps
/// integrating (`unless_refractory`). `I_e` is a
/// constant bias current; `I` the input of the step (synapses and inputs add nA, read here in
/// pA).
///
/// Defaults: the `tonic` pattern of Naud et al. (2008) without its current (C 200 pF, g_L
/// 10 nS, E_L −70 mV, V_T −50 mV, Δ_T 2 mV, a 2 nS, τ_w 30 ms, b 0 pA, V_r −58 mV), V_peak
/// 0 mV (NEST's `aeif` default), t_ref 0 ms, I_e 0 pA. The firing patterns of Naud et al.
/// (2008, Table 1) with their currents: [`AdEx::tonic`], [`AdEx::adapting`],
/// [`AdEx::initial_burst`], [`AdEx::bursting`], [`AdEx::irregular`].
///
/// The equation is nonlinear, and neurode integrates it with rk4 unless told otherwise. Above
/// V_T it is stiff (∂V̇/∂V ≈ g_L/C·e^{(V−V_T)/Δ_T}, 3.6e9/ms at 0 mV): with the exponential
/// evaluated at the raw stage values, the rk4 step that crosses V_T lands one stage far beyond
/// any V_peak and `exp` overflows (the `tonic` run at dt = 0.1 ms reaches +inf at its 143rd
/// step, with V_peak 20 mV or 0 mV alike; dt = 0.01 ms does not cure it). The remedy used here
/// is NEST's: the exponential is evaluated at min(V, V_peak), which leaves the equation below
/// V_peak unchanged and keeps every method finite, so Brette & Gerstner's V_peak = 20 mV runs as
/// well as 0 mV (the spike times move by nanoseconds). Where that clamp is not wanted (a copy
/// of the model without it), only methods that evaluate the right-hand side at the step's start
/// stay finite (euler; exp_euler until φ overflows near V_peak).
///
/// A spike is detected at the step in which V reaches V_peak, and reset inside that step
/// (`within_step = integrated`): the crossing is located on the integrated trajectory (the
/// step searched in substeps that follow the exponential upswing), V and w are reset there and
/// the rest of the step is integrated from the reset state, as NEST's adaptive `aeif` models do;
/// the first 10 located crossings of the regular patterns are within 2.2e-5 ms of the exact
/// solution at dt = 0.1 ms and 1.8e-6 ms at dt = 0.01 ms (docs/neurons.md).
///
/// Reference: Brette & Gerstner, J. Neurophysiol. 94:3637 (2005); Naud, Marcille, Clopath &
/// Gerstner, Biol. Cybern. 99:335 (2008).
#[neuron(crate = ::neurode_runtime)]
#[threshold(V >= V_peak, within_step = integrated)]
#[reset(V = V_r, w += b)]
#[refractory(t_ref)]
#[require(V_peak > V_r, V_peak > V_T)]
pub struct AdEx {
    /// Membrane capacitance.
    #[param(default = 200.0, unit = "pF", domain = positive)]
    pub C: f64,
    /// Leak conductance.
    #[param(default = 10.0, unit = "nS", domain = non_negative)]
    pub g_L: f64,
    /// Leak reversal potential (also the initial V).
    #[param(default = -70.0, unit = "mV")]
    pub E_L: f64,
    /// Threshold of the exponential term.
    #[param(default = -50.0, unit = "mV")]
    pub V_T: f64,
    /// Slope factor of the exponential term.
    #[param(default = 2.0, unit = "mV", domain = positive)]
    pub Delta_T: f64,
    /// Subthreshold adaptation.
    #[param(default = 2.0, unit = "nS")]
    pub a: f64,
    /// Adaptation time constant.
    #[param(default = 30.0, unit = "ms", domain = positive)]
    pub tau_w: f64,
    /// Spike-triggered adaptation.
    #[param(default = 0.0, unit = "pA")]
    pub b: f64,
    /// Reset potential.
    #[param(default = -58.0, unit = "mV")]
    pub V_r: f64,
    /// Spike detection potential.
    #[param(default = 0.0, unit = "mV")]
    pub V_peak: f64,
    /// Refractory period (V held at V_r).
    #[param(default = 0.0, unit = "ms", domain = non_negative)]
    pub t_ref: f64,
    /// Constant bias current.
    #[param(default = 0.0, unit = "pA")]
    pub I_e: f64,
    /// Membrane potential.
    #[state(init = E_L, unit = "mV", membrane, unless_refractory,
            ode = (-g_L * (V - E_L) + g_L * Delta_T * exp((min(V, V_peak) - V_T) / Delta_T) - w + I_e + I) / C)]
    pub V: f64,
    /// Adaptation current.
    #[state(init = 0.0, unit = "pA", ode = (a * (V - E_L) - w) / tau_w)]
    pub w: f64,
    /// Input of the step.
    #[input(unit = "pA")]
    pub I: f64,
}

impl AdEx {
    /// The names of the presets, as [`AdEx::preset`] takes them.
    pub const PRESETS: [&'static str; 5] = [
        "tonic",
        "adapting",
        "initial_burst",
        "bursting",
        "irregular",
    ];

    /// The preset named `name` (one of [`AdEx::PRESETS`]), or `None`.
    pub fn preset(name: &str) -> Option<AdEx> {
        match name {
            "tonic" => Some(AdEx::tonic()),
            "adapting" => Some(AdEx::adapting()),
            "initial_burst" => Some(AdEx::initial_burst()),
            "bursting" => Some(AdEx::bursting()),
            "irregular" => Some(AdEx::irregular()),
            _ => None,
        }
    }

    /// A pattern of Naud et al. (2008, Table 1): (C, g_L, E_L, a, τ_w, b, V_r, I), V_T −50 mV
    /// and Δ_T 2 mV.
    #[allow(clippy::too_many_arguments, reason = "one row of the paper's table")]
    fn naud(c: f64, g_l: f64, e_l: f64, a: f64, tau_w: f64, b: f64, v_r: f64, i: f64) -> AdEx {
        AdEx {
            C: c,
            g_L: g_l,
            E_L: e_l,
            a,
            tau_w,
            b,
            V_r: v_r,
            I_e: i,
            ..AdEx::default()
        }
    }

    /// Tonic spiking: regular spikes (I_e 500 pA).
    pub fn tonic() -> AdEx {
        AdEx::naud(200.0, 10.0, -70.0, 2.0, 30.0, 0.0, -58.0, 500.0)
    }

    /// Adaptation: intervals that lengthen to a steady rate (I_e 500 pA).
    pub fn adapting() -> AdEx {
        AdEx::naud(200.0, 12.0, -70.0, 2.0, 300.0, 60.0, -58.0, 500.0)
    }

    /// Initial burst, then regular spikes (I_e 400 pA).
    pub fn initial_burst() -> AdEx {
        AdEx::naud(130.0, 18.0, -58.0, 4.0, 150.0, 120.0, -50.0, 400.0)
    }

    /// Regular bursting (I_e 210 pA).
    pub fn bursting() -> AdEx {
        AdEx::naud(200.0, 10.0, -58.0, 2.0, 120.0, 100.0, -46.0, 210.0)
    }

    /// Irregular spiking (chaotic; I_e 160 pA).
    pub fn irregular() -> AdEx {
        AdEx::naud(100.0, 12.0, -60.0, -11.0, 130.0, 30.0, -48.0, 160.0)
    }
}
