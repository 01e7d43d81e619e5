//! Brunel & Wang (2001), object working memory: N_E = 0.8 N pyramidal cells and N_I = 0.2 N
//! interneurons ([`BwLif`]), all-to-all, with AMPA ([`BwAmpa`]), NMDA ([`BwNmda`]) and GABA_A
//! ([`BwGaba`]) synapses; five selective pools of f·N_E pyramidal cells with potentiated
//! weights inside a pool. A cue onto pool 1 switches it into persistent activity, which a strong
//! input onto every neuron resets. Built as Brian2's `examples/frompapers/Brunel_Wang_2001.py`
//! and `bench/published/brunel_wang2001.py` build it (the parameters there).
//!
//! - Recurrent conductances are scaled so that the total drive is the paper's at every N: the
//!   AMPA and NMDA ones by 800/N_E, the GABA ones by 200/N_I.
//! - E → E weights: onto the nonselective cells 1; within a selective pool w+ = 2.1; onto a
//!   selective pool from any other cell w− = 1 − f·(w+ − 1)/(1 − f) (f = 0.1). E → I weights 1.
//!   E → E and I → I without self-connections.
//! - The pools are views of one population: nonselective = E indices 0 .. (1 − f·p)·N_E, pool
//!   k = 1..5 the f·N_E cells after it, in order.
//! - External input: 800 Poisson sources at 3 Hz onto `s_ext` of every cell (binomial counts
//!   per step, weight 1). Cue: 80 sources at 25 Hz onto pool 1 during [1000, 1050) ms. Reset:
//!   800 sources at 25 Hz onto every cell during [2000, 2050) ms.
//! - Initial V = V_L, every gating variable 0.

use neurode_models::{BwAmpa, BwGaba, BwLif, BwNmda};
use neurode_runtime::{Connect, Error, Network, PoissonInput, Population, Values};

/// Fraction of the pyramidal cells in one selective pool.
pub const F: f64 = 0.1;
/// Number of selective pools.
pub const POOLS: usize = 5;
/// Weight within a selective pool.
pub const W_PLUS: f64 = 2.1;
/// Time window of the cue onto pool 1 (ms).
pub const CUE: (f64, f64) = (1000.0, 1050.0);
/// Time window of the reset input onto every cell (ms).
pub const RESET: (f64, f64) = (2000.0, 2050.0);

/// Weight onto a selective pool from outside it, w− = 1 − f·(w+ − 1)/(1 − f).
pub fn w_minus() -> f64 {
    1.0 - F * (W_PLUS - 1.0) / (1.0 - F)
}

/// The built network.
pub struct BrunelWang2001 {
    /// The network (dt 0.1 ms).
    pub net: Network,
    /// The pyramidal cells.
    pub exc: Population<BwLif>,
    /// The interneurons.
    pub inh: Population<BwLif>,
    /// Number of nonselective pyramidal cells (indices 0 .. n_non).
    pub n_non: usize,
    /// Cells per selective pool.
    pub n_sub: usize,
}

impl BrunelWang2001 {
    /// Range of E indices of pool `name`: `nonsel`, `sel1` .. `sel5`, or `sel_others` (pools
    /// 2..5 together).
    pub fn pool(&self, name: &str) -> Option<std::ops::Range<usize>> {
        let (n, s) = (self.n_non, self.n_sub);
        match name {
            "nonsel" => Some(0..n),
            "sel_others" => Some(n + s..n + POOLS * s),
            _ => {
                let k: usize = name.strip_prefix("sel")?.parse().ok()?;
                (1..=POOLS).contains(&k).then(|| n + (k - 1) * s..n + k * s)
            }
        }
    }
}

/// Builds the network of `n` neurons (0.8 n pyramidal cells), every random draw keyed by `seed`.
///
/// Errors: [`Error::InvalidInput`] for an `n` giving an empty pool, and those of building.
pub fn build(n: usize, seed: u64) -> Result<BrunelWang2001, Error> {
    let n_e = (n as f64 * 0.8) as usize;
    let n_i = (n as f64 * 0.2) as usize;
    let n_sub = (n_e as f64 * F) as usize;
    let n_non = (n_e as f64 * (1.0 - F * POOLS as f64)) as usize;
    if n_sub == 0 || n_i == 0 || n_non == 0 {
        return Err(Error::InvalidInput {
            object: "brunel_wang2001".into(),
            reason: format!("N = {n} gives an empty population or pool"),
        });
    }
    let mut net = Network::new(0.1)?;
    net.set_seed(seed);
    let e_scale = 800.0 / n_e as f64;
    let i_scale = 200.0 / n_i as f64;
    let pyramidal = BwLif::default();
    let pyramidal = BwLif {
        g_ampa: pyramidal.g_ampa * e_scale,
        g_nmda: pyramidal.g_nmda * e_scale,
        g_gaba: pyramidal.g_gaba * i_scale,
        ..pyramidal
    };
    let interneuron = BwLif {
        C_m: 0.2,
        g_L: 20.0,
        tau_rp: 1.0,
        g_ext: 1.62,
        g_ampa: 0.081 * e_scale,
        g_nmda: 0.258 * e_scale,
        g_gaba: 0.973 * i_scale,
        ..BwLif::default()
    };
    let exc = net.add_population("exc", n_e, pyramidal)?;
    let inh = net.add_population("inh", n_i, interneuron)?;

    let pool_of = move |i: usize| -> Option<usize> {
        (i >= n_non).then(|| ((i - n_non) / n_sub).min(POOLS - 1))
    };
    let w_minus = w_minus();
    let w_ee = Values::of_pair(move |i, j| match (pool_of(i), pool_of(j)) {
        (_, None) => 1.0,
        (a, b) if a == b => W_PLUS,
        _ => w_minus,
    });
    // Brian2's glutamatergic `Synapses` is one object; here its AMPA kick and its NMDA gating
    // are two projections of the same synapses (the same rule, the same weights).
    let ampa = net.add_projection(
        "exc_exc_ampa",
        BwAmpa::default(),
        exc,
        exc,
        &Connect::AllToAllNoSelf,
    )?;
    net.set(ampa, BwAmpa::w, w_ee.clone())?;
    let nmda = net.add_projection(
        "exc_exc_nmda",
        BwNmda::default(),
        exc,
        exc,
        &Connect::AllToAllNoSelf,
    )?;
    net.set(nmda, BwNmda::w, w_ee)?;
    net.add_projection(
        "exc_inh_ampa",
        BwAmpa::default(),
        exc,
        inh,
        &Connect::AllToAll,
    )?;
    net.add_projection(
        "exc_inh_nmda",
        BwNmda::default(),
        exc,
        inh,
        &Connect::AllToAll,
    )?;
    net.add_projection(
        "inh_inh",
        BwGaba::default(),
        inh,
        inh,
        &Connect::AllToAllNoSelf,
    )?;
    net.add_projection("inh_exc", BwGaba::default(), inh, exc, &Connect::AllToAll)?;

    let key = |k: u64| seed ^ (k << 40);
    net.add_poisson_input(
        exc,
        BwLif::s_ext,
        &PoissonInput::binomial(800, 3.0, 1.0, key(1)),
    )?;
    net.add_poisson_input(
        inh,
        BwLif::s_ext,
        &PoissonInput::binomial(800, 3.0, 1.0, key(2)),
    )?;
    let pool1 = exc.slice(n_non..n_non + n_sub)?;
    net.add_poisson_input(
        pool1,
        BwLif::s_ext,
        &PoissonInput::binomial(80, 25.0, 1.0, key(3)).during(CUE.0..CUE.1),
    )?;
    for (k, target) in [(4, exc), (5, inh)] {
        net.add_poisson_input(
            target,
            BwLif::s_ext,
            &PoissonInput::binomial(800, 25.0, 1.0, key(k)).during(RESET.0..RESET.1),
        )?;
    }
    Ok(BrunelWang2001 {
        net,
        exc,
        inh,
        n_non,
        n_sub,
    })
}
