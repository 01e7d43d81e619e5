//! The cortical microcircuit of Potjans & Diesmann (2014), as NEST's PyNEST example builds it:
//! eight populations of [`IafPscExp`] neurons (layers 2/3, 4, 5 and 6, excitatory and
//! inhibitory) connected by [`StaticSynapse`]s, with Poisson background input. The parameters
//! are the example's (`network_params.py`), restated in docs/microcircuit.md; the derived
//! numbers (neurons and synapses per population, weights, DC input at reduced scale) follow its
//! formulas (`helpers.py`), checked against its output in the tests.

use neurode_models::{IafPscExp, StaticSynapse};
use neurode_runtime::{
    Connect, Error, Network, PoissonInput, Population, Projection, SpikeMonitor, Values,
};

/// The populations, in NEST's order.
pub const POPULATIONS: [&str; 8] = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"];

/// Neurons per population at full scale.
pub const FULL_NUM_NEURONS: [f64; 8] = [
    20683.0, 5834.0, 21915.0, 5479.0, 4850.0, 1065.0, 14395.0, 2948.0,
];

/// Mean rates of the full-scale network (Hz), used only to compensate reduced in-degrees.
pub const FULL_MEAN_RATES: [f64; 8] = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829];

/// Connection probabilities, target (row) × source (column).
pub const CONN_PROBS: [[f64; 8]; 8] = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [
        0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252,
    ],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
];

/// External (Poisson) in-degrees at full scale.
pub const K_EXT: [f64; 8] = [
    1600.0, 1500.0, 2100.0, 1900.0, 2000.0, 1900.0, 2900.0, 2100.0,
];

/// Rate of each external source (Hz).
pub const BG_RATE: f64 = 8.0;
/// Mean excitatory PSP (mV); inhibitory ones are `G` times it; L4E → L2/3E doubled.
pub const PSP_EXC: f64 = 0.15;
/// Relative inhibition.
pub const G: f64 = -4.0;
/// Relative standard deviation of the weights.
pub const WEIGHT_REL_SD: f64 = 0.1;
/// Mean delays (ms), excitatory and inhibitory, and their relative standard deviation.
pub const DELAY_EXC: f64 = 1.5;
/// Mean inhibitory delay (ms).
pub const DELAY_INH: f64 = 0.75;
/// Relative standard deviation of the delays.
pub const DELAY_REL_SD: f64 = 0.5;
/// Mean and standard deviation of the initial membrane potential per population (mV; the
/// example's "optimized" values).
pub const V0: [(f64, f64); 8] = [
    (-68.28, 5.36),
    (-63.16, 4.57),
    (-63.33, 4.74),
    (-63.45, 4.94),
    (-63.11, 4.94),
    (-61.66, 4.55),
    (-66.72, 5.46),
    (-61.43, 4.48),
];

/// The neuron (NEST's defaults of the example: C_m 250 pF, τ_m 10 ms, τ_syn 0.5 ms).
fn neuron() -> IafPscExp {
    IafPscExp::default()
}

/// PSC amplitude (pA) per PSP amplitude (mV) of [`IafPscExp`] (the example's
/// `postsynaptic_potential_to_current`): the peak of the PSP of a unit current.
pub fn psc_over_psp() -> f64 {
    let n = neuron();
    let (c_m, tau_m, tau_syn) = (n.C_m * 1000.0, n.tau_m, n.tau_ex);
    let sub = 1.0 / (tau_syn - tau_m);
    let pre = tau_m * tau_syn / c_m * sub;
    let frac = (tau_m / tau_syn).powf(sub);
    1.0 / (pre * (frac.powf(tau_m) - frac.powf(tau_syn)))
}

/// Everything derived from the parameters at one scale (the example's `__derive_parameters`).
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// Neurons per population.
    pub num_neurons: [usize; 8],
    /// Synapses, target × source.
    pub num_synapses: [[usize; 8]; 8],
    /// External in-degree per population.
    pub ext_indegree: [usize; 8],
    /// Mean weight (pA), target × source.
    pub weight: [[f64; 8]; 8],
    /// Weight of the external input (pA).
    pub weight_ext: f64,
    /// DC input per population (pA): what keeps mean input at reduced in-degrees.
    pub dc: [f64; 8],
}

/// The number of synapses that gives connection probability `p` between `n_pre · n_post`
/// pairs with multapses (the example's `num_synapses_from_conn_probs`).
fn synapses_for(p: f64, n_post: f64, n_pre: f64) -> f64 {
    let prod = n_post * n_pre;
    (1.0 - p).ln() / ((prod - 1.0) / prod).ln()
}

/// NumPy's `round` (half to even), for the derived counts.
fn round_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

impl Derived {
    /// The numbers at `scale` (neurons and in-degrees scaled alike, as the example's `--scale`).
    pub fn at(scale: f64) -> Derived {
        let psc = psc_over_psp();
        let tau_syn = neuron().tau_ex;
        let mut num_neurons = [0usize; 8];
        let mut ext_indegree = [0usize; 8];
        let mut num_synapses = [[0usize; 8]; 8];
        let mut weight = [[0.0; 8]; 8];
        let mut dc = [0.0; 8];
        let weight_ext_full = PSP_EXC * psc;
        for t in 0..8 {
            num_neurons[t] = round_even(FULL_NUM_NEURONS[t] * scale) as usize;
            ext_indegree[t] = round_even(K_EXT[t] * scale) as usize;
            let mut input_rec = 0.0;
            for s in 0..8 {
                let full = synapses_for(CONN_PROBS[t][s], FULL_NUM_NEURONS[t], FULL_NUM_NEURONS[s]);
                num_synapses[t][s] = round_even(full * scale * scale) as usize;
                let psp = if s % 2 == 0 { PSP_EXC } else { G * PSP_EXC };
                let psp = if (t, s) == (0, 2) { 2.0 * psp } else { psp };
                weight[t][s] = psp * psc / scale.sqrt();
                input_rec += psp * psc * full / FULL_NUM_NEURONS[t] * FULL_MEAN_RATES[s];
            }
            let input_ext = weight_ext_full * K_EXT[t] * BG_RATE;
            dc[t] = 0.001 * tau_syn * (1.0 - scale.sqrt()) * (input_rec + input_ext);
        }
        Derived {
            num_neurons,
            num_synapses,
            ext_indegree,
            weight,
            weight_ext: weight_ext_full / scale.sqrt(),
            dc,
        }
    }
}

/// A built microcircuit.
pub struct Microcircuit {
    /// The network, ready to run.
    pub net: Network,
    /// The populations, in [`POPULATIONS`] order.
    pub populations: Vec<Population<IafPscExp>>,
    /// Their spike counters.
    pub spikes: Vec<SpikeMonitor>,
    /// The recurrent synapse groups.
    pub synapses: Vec<Projection<StaticSynapse>>,
    /// The derived numbers it was built with.
    pub derived: Derived,
}

impl Microcircuit {
    /// Builds the microcircuit at `scale` (neurons and in-degrees; 1 is the full model of
    /// 77 169 neurons and 299 million synapses), every random number from `seed`.
    ///
    /// Errors: [`Error::InvalidInput`] for a scale that is not a finite number above 0; those
    /// of building a network (none with valid arguments), and running out of memory as an
    /// error of the connectors.
    pub fn new(scale: f64, seed: u64) -> Result<Microcircuit, Error> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::InvalidInput {
                object: "microcircuit".to_string(),
                reason: format!("scale {scale} must be a finite number above 0"),
            });
        }
        let d = Derived::at(scale);
        let mut net = Network::new(0.1)?;
        net.set_seed(seed);
        let mut populations = Vec::with_capacity(8);
        let mut spikes = Vec::with_capacity(8);
        for (t, name) in POPULATIONS.iter().enumerate() {
            let cells = IafPscExp {
                I_e: d.dc[t] / 1000.0,
                ..neuron()
            };
            let g = net.add_population(name, d.num_neurons[t], cells)?;
            let (mean, sd) = V0[t];
            net.set(g, IafPscExp::V, &Values::Normal { mean, sd })?;
            let rate = BG_RATE * d.ext_indegree[t] as f64;
            let input = PoissonInput::poisson(rate, d.weight_ext / 1000.0, seed ^ (t as u64 + 1));
            net.add_poisson_input(g, IafPscExp::I_ex, &input)?;
            spikes.push(net.count_spikes(g)?);
            populations.push(g);
        }
        let mut synapses = Vec::new();
        for t in 0..8 {
            for s in 0..8 {
                let n = d.num_synapses[t][s];
                if n == 0 {
                    continue;
                }
                let name = format!("{}->{}", POPULATIONS[s], POPULATIONS[t]);
                let conn = Connect::FixedTotalNumber {
                    n,
                    seed: seed.wrapping_mul(64).wrapping_add((t * 8 + s) as u64),
                    autapses: true,
                    multapses: true,
                };
                let (pre, post) = (populations[s], populations[t]);
                let syn = net.add_projection(&name, StaticSynapse::default(), pre, post, &conn)?;
                let w = d.weight[t][s] / 1000.0;
                let (low, high) = if w < 0.0 {
                    (f64::NEG_INFINITY, 0.0)
                } else {
                    (0.0, f64::INFINITY)
                };
                let weights = Values::NormalRedraw {
                    mean: w,
                    sd: (w * WEIGHT_REL_SD).abs(),
                    low,
                    high,
                };
                net.set(syn, StaticSynapse::w, &weights)?;
                if w < 0.0 {
                    net.set_post_variable(syn, "I_ex", "I_in")?;
                }
                let mean = if s % 2 == 0 { DELAY_EXC } else { DELAY_INH };
                let delays = Values::NormalRedraw {
                    mean,
                    sd: mean * DELAY_REL_SD,
                    low: 0.05,
                    high: f64::INFINITY,
                };
                net.set_delays(syn, &delays)?;
                synapses.push(syn);
            }
        }
        Ok(Microcircuit {
            net,
            populations,
            spikes,
            synapses,
            derived: d,
        })
    }

    /// Spikes counted so far, per population.
    pub fn spike_counts(&self) -> [u64; 8] {
        let mut out = [0u64; 8];
        for (o, &m) in out.iter_mut().zip(&self.spikes) {
            *o = self
                .net
                .spikes(m)
                .expect("the model's own monitor")
                .counts
                .iter()
                .sum();
        }
        out
    }

    /// Number of recurrent synapses.
    pub fn n_synapses(&self) -> usize {
        self.synapses
            .iter()
            .map(|&s| {
                self.net
                    .projection(s)
                    .expect("the model's own projection")
                    .n_syn()
            })
            .sum()
    }

    /// Bytes of the recurrent connectivity (targets, row starts, weights, delays:
    /// [`neurode_runtime::SynapseGroup::connectivity_bytes`]).
    pub fn connectivity_bytes(&self) -> usize {
        self.synapses
            .iter()
            .map(|&s| {
                self.net
                    .projection(s)
                    .expect("the model's own projection")
                    .connectivity_bytes()
            })
            .sum()
    }

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.derived.num_neurons.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example's derived numbers at scale 0.1 (NEST's `network.py`, printed by its run).
    #[test]
    fn derived_numbers_are_the_examples() {
        let d = Derived::at(0.1);
        assert_eq!(d.num_neurons, [2068, 583, 2192, 548, 485, 106, 1440, 295]);
        assert_eq!(d.ext_indegree, [160, 150, 210, 190, 200, 190, 290, 210]);
        assert_eq!(
            d.num_synapses[0],
            [454998, 223236, 202536, 96709, 32936, 0, 22714, 0]
        );
        assert_eq!(
            d.num_synapses[7],
            [22608, 172, 2200, 81, 4016, 252, 28884, 13543]
        );
        let total: usize = d.num_synapses.iter().flatten().sum();
        assert_eq!(total, 2_988_807);
        assert!((psc_over_psp() - 585.389_956_861_389_6).abs() < 1e-9);
        assert!((d.weight_ext - 277.674_837_460_455_54).abs() < 1e-9);
        assert!((d.weight[0][2] - 555.349_674_920_911_1).abs() < 1e-9);
        assert!((d.weight[0][1] + 1_110.699_349_841_822_1).abs() < 1e-9);
        let dc = [
            29.035_009_174_000_606,
            112.371_198_183_556_37,
            112.969_721_618_987_31,
            114.990_349_281_393_43,
            125.418_276_759_979_79,
            151.684_466_386_939_85,
            43.846_889_639_717_23,
            153.709_719_650_616_88,
        ];
        for (a, b) in d.dc.iter().zip(dc) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        for bad in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            let Err(Error::InvalidInput { reason, .. }) = Microcircuit::new(bad, 1) else {
                panic!("scale {bad} accepted");
            };
            assert!(reason.contains("scale"), "{reason}");
        }
        let full = Derived::at(1.0);
        assert_eq!(full.num_neurons.iter().sum::<usize>(), 77_169);
        assert_eq!(
            full.num_synapses.iter().flatten().sum::<usize>(),
            298_880_968
        );
        assert_eq!(full.dc, [0.0; 8]);
    }
}
