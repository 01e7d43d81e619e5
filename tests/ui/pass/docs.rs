// Doc comments of the struct and of every kind of field are carried into the model's INFO (and
// the struct keeps them for rustdoc).

use neurode::prelude::*;

/// A first-order synapse.
///
/// Its second paragraph.
#[synapse]
#[output(current = w * s)]
pub struct Documented {
    /// Weight of a spike.
    #[param(default = 0.5, unit = "nA")]
    pub w: f64,
    /// Decay time constant.
    /// On two lines.
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    /// Gating variable.
    #[state(init = 0.0, unit = "1", ode = -s / tau, on_pre += 1.0)]
    pub s: f64,
    /// Twice the gating variable.
    #[expr(2.0 * s, unit = "1")]
    pub twice: f64,
}

/// A neuron without much to it.
#[neuron]
#[threshold(V >= V_th)]
#[reset(V = 0.0)]
pub struct DocumentedNeuron {
    /// Threshold.
    #[param(default = 1.0, unit = "mV")]
    pub V_th: f64,
    /// Capacitance.
    #[param(default = 1.0, unit = "nF")]
    pub C: f64,
    /// Membrane potential.
    #[state(init = 0.0, unit = "mV", ode = I / C)]
    pub V: f64,
    /// Input current.
    #[input(unit = "nA")]
    pub I: f64,
}

fn main() {
    let info = Documented::INFO;
    assert!(info.doc.starts_with("A first-order synapse."), "{:?}", info.doc);
    assert!(info.doc.contains("Its second paragraph."), "{:?}", info.doc);
    assert_eq!(info.params[0].doc, "Weight of a spike.");
    assert_eq!(info.params[1].doc, "Decay time constant.\nOn two lines.");
    assert_eq!(info.states[0].doc, "Gating variable.");
    assert_eq!(info.states[1].doc, "Twice the gating variable.");
    let info = DocumentedNeuron::INFO;
    assert_eq!(info.doc, "A neuron without much to it.");
    assert_eq!(info.states[0].doc, "Membrane potential.");
    let _ = (Documented::twice, DocumentedNeuron::V, DocumentedNeuron::default().C);
}
