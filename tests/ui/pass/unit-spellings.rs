// Every way of writing a unit: named units and their prefixes, products, quotients, parenthesised
// denominators, powers (`^n`, `^-n`, `^(-n)`, `**n`), `1`, `dimensionless`, the empty string,
// micro and ohm signs. Each parameter is used in an equation whose units must agree, so a unit
// parsed wrongly would be reported.

use neurode::prelude::*;

#[synapse]
#[output(current = I_unit * (s + hill + block + drive + ohmic + spelled))]
pub struct Spellings {
    #[param(default = 1.0, unit = "nA")]
    pub I_unit: f64,
    // 1/(mM*ms) times mM is 1/ms.
    #[param(default = 0.5, unit = "1/(mM*ms)")]
    pub k_on: f64,
    #[param(default = 1.0, unit = "mM")]
    pub c: f64,
    // ms^-1, ms**-1, ms^(-1), 1/ms and kHz are all 1/ms.
    #[param(default = 0.1, unit = "ms^-1")]
    pub k_off: f64,
    #[param(default = 0.1, unit = "ms**-1")]
    pub k_2: f64,
    #[param(default = 0.1, unit = "ms^(-1)")]
    pub k_3: f64,
    #[param(default = 0.1, unit = "kHz")]
    pub k_4: f64,
    #[param(default = 100.0, unit = "Hz")]
    pub rate_Hz: f64,
    #[param(default = 1000.0, unit = "Hz*ms")]
    pub Hz_in_kHz: f64,
    // uM^4 over uM^4: a Hill function.
    #[param(default = 0.5, unit = "uM")]
    pub ca: f64,
    #[param(default = 1.0, unit = "uM^4")]
    pub K_d: f64,
    // mV/ms, mV, s and V with their scales.
    #[param(default = 1.0, unit = "mV/ms")]
    pub slope: f64,
    #[param(default = 10.0, unit = "mV")]
    pub V_half: f64,
    #[param(default = 0.01, unit = "V")]
    pub V_volts: f64,
    #[param(default = 1000.0, unit = "mV/V")]
    pub mV_per_V: f64,
    #[param(default = 0.01, unit = "s")]
    pub tau_s: f64,
    #[param(default = 1000.0, unit = "ms/s")]
    pub ms_per_s: f64,
    // MOhm, MΩ, nA, pA, nS, µS, uS, pF, nF.
    #[param(default = 100.0, unit = "MOhm")]
    pub R: f64,
    #[param(default = 100.0, unit = "MΩ")]
    pub R_sign: f64,
    #[param(default = 0.1, unit = "nA")]
    pub I_0: f64,
    #[param(default = 10.0, unit = "pA")]
    pub I_pA: f64,
    #[param(default = 200.0, unit = "pF")]
    pub C_pF: f64,
    #[param(default = 10.0, unit = "nS")]
    pub g_nS: f64,
    #[param(default = 1000.0, unit = "nS/uS")]
    pub nS_per_uS: f64,
    #[param(default = 0.01, unit = "µS")]
    pub g_micro: f64,
    #[param(default = 0.2, unit = "nF")]
    pub C_nF: f64,
    #[param(default = 0.01, unit = "uS")]
    pub g_uS: f64,
    // Dimensionless: 1, dimensionless, the empty string, and a quotient that cancels.
    #[param(default = 1.0, unit = "1")]
    pub one: f64,
    #[param(default = 1.0, unit = "dimensionless")]
    pub other: f64,
    #[param(default = 1.0, unit = "")]
    pub empty: f64,
    #[param(default = 1.0, unit = "mV / mV")]
    pub cancels: f64,
    // Powers and products: mM**2, mV^2, nA*MOhm, uS*mV, mV*ms.
    #[param(default = 1.0, unit = "mM**2")]
    pub c_sq: f64,
    #[param(default = 100.0, unit = "mV^2")]
    pub V_sq: f64,
    #[param(default = 1.0, unit = "nA*MOhm")]
    pub IR: f64,
    #[param(default = 1.0, unit = "uS*mV")]
    pub gV: f64,
    #[param(default = 1.0, unit = "mV*ms")]
    pub flux: f64,
    #[param(default = 1.0, unit = "1/mM/ms")]
    pub k_chained: f64,
    #[state(init = 0.0, unit = "1", ode = (k_on + k_chained) * c * (1.0 - s) - (k_off + k_2 + k_3 + k_4 + rate_Hz / Hz_in_kHz) * s)]
    pub s: f64,
    #[state(init = 0.0, unit = "mV", ode = slope - v / (tau_s * ms_per_s) + V_volts * mV_per_V / (tau_s * ms_per_s))]
    pub v: f64,
    #[state(init = 0.0, unit = "mV", ode = I_pA / C_pF - w / (R * C_nF) + (I_0 * R_sign - w) / (R * C_nF) + gV / C_nF)]
    pub w: f64,
    #[expr(powi(ca, 4) / (powi(ca, 4) + K_d), unit = "1")]
    pub hill: f64,
    #[expr(one * other * empty * cancels / (1.0 + c_sq / (c * c)), unit = "dimensionless")]
    pub block: f64,
    #[expr((v + V_half) * (v + V_half) / V_sq + flux / (v + V_half) / tau_s / ms_per_s)]
    pub drive: f64,
    #[expr(g_nS / g_uS / nS_per_uS * (g_micro / g_uS) * (w / IR), unit = "1")]
    pub spelled: f64,
    #[expr(w / R / I_0)]
    pub ohmic: f64,
}

fn main() {
    let units: Vec<&str> = Spellings::INFO.params.iter().map(|p| p.unit).collect();
    assert!(units.contains(&"1/(mM*ms)") && units.contains(&"uM^4") && units.contains(&"MΩ"));
    let _ = (Spellings::s, Spellings::hill, Spellings::default().K_d);
}
