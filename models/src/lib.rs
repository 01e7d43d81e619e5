//! Every synapse model of the "Synaptic Models" chapter, written in the neurode DSL, the LIF
//! neuron they run on, plasticity rules, and the classic neuron models (AdEx, Hodgkin–Huxley,
//! Izhikevich, exponential and conductance-based integrate-and-fire). Each model's rustdoc gives its equations, units, defaults, method and
//! literature reference.
#![forbid(unsafe_code)]

mod adex;
mod alpha;
mod ampa;
mod brunel_wang;
mod clamp;
mod dual_exponential;
mod exp_if;
mod exponential;
mod gaba_a;
mod gaba_b;
mod gap_junction;
mod hodgkin_huxley;
mod iaf_delta;
mod iaf_psc_exp;
mod izhikevich;
mod lif;
mod lif_coba;
mod nmda;
mod stdp;
mod tsodyks_markram;
mod vogels;
mod voltage_jump;

pub use adex::AdEx;
pub use alpha::{Alpha, AlphaCoba};
pub use ampa::Ampa;
pub use brunel_wang::{BwAmpa, BwGaba, BwLif, BwNmda};
pub use clamp::Clamp;
pub use dual_exponential::{TwoExponentials, TwoExponentialsCoba};
pub use exp_if::ExpIf;
pub use exponential::{Exponential, ExponentialCoba};
pub use gaba_a::{GabaA, GabaAMarkov};
pub use gaba_b::GabaB;
pub use gap_junction::{GapJunction, GapJunctionSymmetric};
pub use hodgkin_huxley::HodgkinHuxley;
pub use iaf_delta::IafDelta;
pub use iaf_psc_exp::{IafPscExp, StaticSynapse};
pub use izhikevich::Izhikevich;
pub use lif::Lif;
pub use lif_coba::LifCoba;
pub use nmda::Nmda;
pub use stdp::{Stdp, StdpMultiplicative, StdpTriplet};
pub use tsodyks_markram::TsodyksMarkram;
pub use vogels::{ConductanceKick, VogelsIstdp, VogelsLif};
pub use voltage_jump::{Delta, VoltageJump};
