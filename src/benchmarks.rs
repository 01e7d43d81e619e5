//! The standard network benchmarks of spiking simulators, built from the DSL models as a user
//! would write them: COBA (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1) and CUBA
//! (Brian2's `CUBA.py`), both N LIF neurons, 80 % excitatory, each pair connected with
//! probability p = 80/N (about 80 inputs per neuron at every N), dt 0.1 ms; and the STDP
//! network of Song, Miller & Abbott (2000) ([`Song2000`]).

use neurode_models::{Exponential, ExponentialCoba, Lif, LifCoba, Stdp};
use neurode_runtime::rng::{Stream, Streams};
use neurode_runtime::{
    Connect, Error, Method, Network, PoissonSource, Population, Projection, SpikeMonitor,
    SynapseModel, Values,
};

/// Mean number of inputs per neuron.
pub const K_IN: f64 = 80.0;

/// A built benchmark network.
pub struct Bench {
    /// The network, ready to run.
    pub net: Network,
    /// The one neuron group.
    pub neurons: Population<Lif>,
    /// Its spike counter ([`Network::count_spikes`]: counts per neuron, no spike list, as the
    /// Brian2 benchmark's `SpikeMonitor(record=False)`).
    pub spikes: SpikeMonitor,
    /// Out-degree of every neuron (excitatory and inhibitory synapses together).
    pub out_degree: Vec<u32>,
}

impl Bench {
    /// What the spike monitor counted (a monitor of this network: the look-up cannot fail).
    fn own_spikes(&self) -> &neurode_runtime::Spikes {
        self.net
            .spikes(self.spikes)
            .expect("the benchmark's own spike monitor")
    }

    /// Number of synapses.
    pub fn synapses(&self) -> usize {
        self.out_degree.iter().map(|&d| d as usize).sum()
    }

    /// Synaptic events delivered so far: every spike times its neuron's out-degree.
    pub fn events(&self) -> u64 {
        let trace = self.own_spikes();
        trace
            .counts
            .iter()
            .zip(&self.out_degree)
            .map(|(&c, &d)| c * u64::from(d))
            .sum()
    }

    /// Spikes so far.
    pub fn spike_count(&self) -> u64 {
        self.own_spikes().counts.iter().sum()
    }

    /// Mean firing rate so far (Hz).
    pub fn rate_hz(&self) -> f64 {
        self.own_spikes().mean_rate()
    }
}

/// Random streams of the benchmarks' initial state: one per variable (the domain), keyed by
/// neuron.
const INIT_V: u64 = 1;
const INIT_GE: u64 = 2;
const INIT_GI: u64 = 3;

/// `n` values, value `i` drawn by `draw` from the stream of neuron `i` in `domain`.
fn per_neuron(n: usize, seed: u64, domain: u64, draw: impl Fn(&mut Stream) -> f64) -> Vec<f64> {
    let streams = Streams::new(seed);
    (0..n)
        .map(|i| draw(&mut streams.stream(domain, i as u64)))
        .collect()
}

fn out_degree<S: SynapseModel>(net: &Network, syns: &[Projection<S>], n: usize) -> Vec<u32> {
    let mut deg = vec![0u32; n];
    for &s in syns {
        let csr = net
            .projection(s)
            .expect("a projection of this network")
            .conn();
        for (j, d) in deg.iter_mut().enumerate() {
            *d += (csr.row_ptr[j + 1] - csr.row_ptr[j]) as u32;
        }
    }
    deg
}

/// A built skeleton: the network, its neuron group, the excitatory and inhibitory synapses.
type Wired<S> = (Network, Population<Lif>, [Projection<S>; 2]);

/// The shared skeleton: `n` neurons of `lif` and two synapse groups onto them, excitatory from
/// neurons `0..0.8·n` and inhibitory from the rest, each pair with probability p = 80/n, every
/// object integrated with `method`, the synapses running before the neurons.
fn network<S: SynapseModel>(
    n: usize,
    seed: u64,
    lif: Lif,
    method: Method,
    [exc, inh]: [S; 2],
) -> Result<Wired<S>, Error> {
    let mut net = Network::new(0.1)?;
    let g = net.add_population("neurons", n, lif)?;
    let ne = n * 4 / 5;
    let p = (K_IN / n as f64).min(1.0);
    let e = net.add_projection(
        "exc",
        exc,
        g.slice(..ne)?,
        g,
        &Connect::FixedProb { p, seed },
    )?;
    let i = net.add_projection(
        "inh",
        inh,
        g.slice(ne..)?,
        g,
        &Connect::FixedProb {
            p,
            seed: seed ^ 0x5DEE_CE66,
        },
    )?;
    net.set_order(&[e.into(), i.into(), g.into()])?;
    net.set_method(g, method)?;
    for s in [e, i] {
        net.set_method(s, method)?;
    }
    Ok((net, g, [e, i]))
}

/// Counts the spikes of `g` and wraps the network up.
fn bench<S: SynapseModel>(
    mut net: Network,
    g: Population<Lif>,
    syns: [Projection<S>; 2],
) -> Result<Bench, Error> {
    let n = net.population(g)?.n();
    let out_degree = out_degree(&net, &syns, n);
    let spikes = net.count_spikes(g)?;
    Ok(Bench {
        net,
        neurons: g,
        spikes,
        out_degree,
    })
}

/// COBA: V_rest = V_reset = −60 mV, V_th −50 mV, τm 20 ms, leak 10 nS (R = 100 MΩ), refractory
/// 5 ms; conductance-based exponential synapses τe 5 ms, τi 10 ms, we 6 nS, wi 67 nS, Ee 0 mV,
/// Ei −80 mV; forward Euler; initial v = −60 + N(−5, 5) mV, ge = N(4, 1.5), gi = N(20, 12) in
/// units of the leak, which starts self-sustained activity near 20 Hz.
pub fn coba(n: usize, seed: u64) -> Result<Bench, Error> {
    let lif = Lif {
        V_rest: -60.0,
        V_reset: -60.0,
        V_th: -50.0,
        R: 100.0,
        tau: 20.0,
        t_refractory: 5.0,
    };
    let g_leak = 0.01; // µS
    let exc = ExponentialCoba {
        tau: 5.0,
        g_max: 0.006,
        E: 0.0,
        delay: 0.0,
    };
    let inh = ExponentialCoba {
        tau: 10.0,
        g_max: 0.067,
        E: -80.0,
        delay: 0.0,
    };
    let (mut net, g, syns) = network(n, seed, lif, Method::Euler, [exc, inh])?;
    let v = per_neuron(n, seed, INIT_V, |s| -65.0 + 5.0 * s.normal());
    let ge = per_neuron(n, seed, INIT_GE, |s| {
        (4.0 + 1.5 * s.normal()) * g_leak / 0.006
    });
    let gi = per_neuron(n, seed, INIT_GI, |s| {
        (20.0 + 12.0 * s.normal()) * g_leak / 0.067
    });
    net.population_mut(g)?.set(Lif::V, &v)?;
    for (s, init) in syns.iter().zip([ge, gi]) {
        net.projection_mut(*s)?.set(ExponentialCoba::s, &init)?;
    }
    bench(net, g, syns)
}

/// CUBA: El −49 mV, V_th −50 mV, V_reset −60 mV, τm 20 ms, refractory 5 ms; current-based
/// exponential synapses τe 5 ms, τi 10 ms, we 1.62 mV, wi −9 mV (as currents through R = 1 MΩ);
/// exact integration; initial v uniform in [V_reset, V_th].
pub fn cuba(n: usize, seed: u64) -> Result<Bench, Error> {
    let lif = Lif {
        V_rest: -49.0,
        V_reset: -60.0,
        V_th: -50.0,
        R: 1.0,
        tau: 20.0,
        t_refractory: 5.0,
    };
    let exc = Exponential {
        tau: 5.0,
        w: 1.62,
        delay: 0.0,
    };
    let inh = Exponential {
        tau: 10.0,
        w: -9.0,
        delay: 0.0,
    };
    let (mut net, g, syns) = network(n, seed, lif, Method::Exact, [exc, inh])?;
    let v = per_neuron(n, seed, INIT_V, |s| -60.0 + 10.0 * s.uniform());
    net.population_mut(g)?.set(Lif::V, &v)?;
    bench(net, g, syns)
}

/// The STDP network of Song, Miller & Abbott (2000), as Brian2's `examples/synapses/STDP.py`
/// builds it: `inputs` Poisson neurons at 15 Hz onto one [`LifCoba`] neuron (Euler) through
/// [`Stdp`] synapses (all to all, event-driven traces), initial weights uniform in
/// `[0, w_max)`, dt 0.1 ms. The inputs' spikes and the weights are drawn from `seed`.
pub struct Song2000 {
    /// The network, ready to run.
    pub net: Network,
    /// The postsynaptic neuron.
    pub neuron: Population<LifCoba>,
    /// The plastic synapses.
    pub synapses: Projection<Stdp>,
    /// The neuron's spike counter.
    pub spikes: SpikeMonitor,
    /// The upper bound of the weights.
    pub w_max: f64,
}

impl Song2000 {
    /// What the spike monitor counted (a monitor of this network: the look-up cannot fail).
    fn own_spikes(&self) -> &neurode_runtime::Spikes {
        self.net
            .spikes(self.spikes)
            .expect("the benchmark's own spike monitor")
    }

    /// Builds the network with `inputs` Poisson inputs (Song et al.: 1000).
    ///
    /// Errors: those of building a network (none with valid arguments).
    pub fn new(inputs: usize, seed: u64) -> Result<Song2000, Error> {
        let mut net = Network::new(0.1)?;
        net.set_seed(seed);
        let input = net.add_population("inputs", inputs, PoissonSource::constant(15.0, seed))?;
        let neuron = net.add_population("neuron", 1, LifCoba::default())?;
        net.set_method(neuron, Method::Euler)?;
        let stdp = Stdp::default();
        let w_max = stdp.w_max;
        let synapses = net.add_projection("stdp", stdp, input, neuron, &Connect::AllToAll)?;
        net.set(
            synapses,
            Stdp::w,
            &Values::Uniform {
                low: 0.0,
                high: w_max,
            },
        )?;
        let spikes = net.count_spikes(neuron)?;
        Ok(Song2000 {
            net,
            neuron,
            synapses,
            spikes,
            w_max,
        })
    }

    /// The weights relative to their bound, `w / w_max`.
    pub fn relative_weights(&self) -> Vec<f64> {
        self.net
            .projection(self.synapses)
            .expect("the benchmark's own projection")
            .column(Stdp::w)
            .iter()
            .map(|w| w / self.w_max)
            .collect()
    }

    /// The fraction of weights with `w / w_max` below `x`.
    pub fn fraction_below(&self, x: f64) -> f64 {
        let w = self.relative_weights();
        w.iter().filter(|&&v| v < x).count() as f64 / w.len() as f64
    }

    /// The fraction of weights with `w / w_max` above `x`.
    pub fn fraction_above(&self, x: f64) -> f64 {
        let w = self.relative_weights();
        w.iter().filter(|&&v| v > x).count() as f64 / w.len() as f64
    }

    /// The postsynaptic firing rate so far (Hz).
    pub fn rate_hz(&self) -> f64 {
        self.own_spikes().mean_rate()
    }
}
