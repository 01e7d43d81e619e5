//! From a model's name to code generic over its type: the built-in models by the names of their
//! structs (`"Lif"`, `"ExponentialCoba"`), as Python's classes are named.

use neurode::models::*;
use neurode::runtime::{Model, ModelInfo, PoissonSource, SpikeTrain};

/// Runs `$body` with `$M` the neuron model named `$name` (a `&str`), or evaluates `$other`.
/// `$M` is every built-in neuron model, sources included.
macro_rules! with_neuron {
    ($name:expr, $M:ident => $body:expr, else $other:expr) => {
        match $name {
            "PoissonSource" => {
                type $M = neurode::runtime::PoissonSource;
                $body
            }
            "SpikeTrain" => {
                type $M = neurode::runtime::SpikeTrain;
                $body
            }
            _ => with_target_neuron!($name, $M => $body, else $other),
        }
    };
}

/// As [`with_neuron`], for the neuron models a projection can target (every one but the
/// sources, which have no input and no state a synapse could drive).
macro_rules! with_target_neuron {
    ($name:expr, $M:ident => $body:expr, else $other:expr) => {
        match $name {
            "Lif" => {
                type $M = neurode::models::Lif;
                $body
            }
            "LifCoba" => {
                type $M = neurode::models::LifCoba;
                $body
            }
            "AdEx" => {
                type $M = neurode::models::AdEx;
                $body
            }
            "ExpIf" => {
                type $M = neurode::models::ExpIf;
                $body
            }
            "Izhikevich" => {
                type $M = neurode::models::Izhikevich;
                $body
            }
            "HodgkinHuxley" => {
                type $M = neurode::models::HodgkinHuxley;
                $body
            }
            "Clamp" => {
                type $M = neurode::models::Clamp;
                $body
            }
            "IafPscExp" => {
                type $M = neurode::models::IafPscExp;
                $body
            }
            "IafDelta" => {
                type $M = neurode::models::IafDelta;
                $body
            }
            "VogelsLif" => {
                type $M = neurode::models::VogelsLif;
                $body
            }
            // neurode.compile: user neurons
            _ => $other,
        }
    };
}

/// Runs `$body` with `$S` the synapse model named `$name`, or evaluates `$other`.
macro_rules! with_synapse {
    ($name:expr, $S:ident => $body:expr, else $other:expr) => {
        match $name {
            "Ampa" => {
                type $S = neurode::models::Ampa;
                $body
            }
            "Nmda" => {
                type $S = neurode::models::Nmda;
                $body
            }
            "GabaA" => {
                type $S = neurode::models::GabaA;
                $body
            }
            "GabaAMarkov" => {
                type $S = neurode::models::GabaAMarkov;
                $body
            }
            "GabaB" => {
                type $S = neurode::models::GabaB;
                $body
            }
            "TwoExponentials" => {
                type $S = neurode::models::TwoExponentials;
                $body
            }
            "TwoExponentialsCoba" => {
                type $S = neurode::models::TwoExponentialsCoba;
                $body
            }
            "Alpha" => {
                type $S = neurode::models::Alpha;
                $body
            }
            "AlphaCoba" => {
                type $S = neurode::models::AlphaCoba;
                $body
            }
            "Exponential" => {
                type $S = neurode::models::Exponential;
                $body
            }
            "ExponentialCoba" => {
                type $S = neurode::models::ExponentialCoba;
                $body
            }
            "VoltageJump" => {
                type $S = neurode::models::VoltageJump;
                $body
            }
            "Delta" => {
                type $S = neurode::models::Delta;
                $body
            }
            "GapJunction" => {
                type $S = neurode::models::GapJunction;
                $body
            }
            "GapJunctionSymmetric" => {
                type $S = neurode::models::GapJunctionSymmetric;
                $body
            }
            "TsodyksMarkram" => {
                type $S = neurode::models::TsodyksMarkram;
                $body
            }
            "Stdp" => {
                type $S = neurode::models::Stdp;
                $body
            }
            "StdpMultiplicative" => {
                type $S = neurode::models::StdpMultiplicative;
                $body
            }
            "StdpTriplet" => {
                type $S = neurode::models::StdpTriplet;
                $body
            }
            "StaticSynapse" => {
                type $S = neurode::models::StaticSynapse;
                $body
            }
            "VogelsIstdp" => {
                type $S = neurode::models::VogelsIstdp;
                $body
            }
            "ConductanceKick" => {
                type $S = neurode::models::ConductanceKick;
                $body
            }
            // neurode.compile: user synapses
            _ => $other,
        }
    };
}

pub(crate) use {with_neuron, with_synapse, with_target_neuron};

/// The static description of every built-in model, neurons first (sources last among them),
/// then the synapses; the order of `neurode.models`.
pub(crate) fn infos() -> Vec<&'static ModelInfo> {
    vec![
        Lif::INFO,
        LifCoba::INFO,
        AdEx::INFO,
        ExpIf::INFO,
        Izhikevich::INFO,
        HodgkinHuxley::INFO,
        Clamp::INFO,
        IafPscExp::INFO,
        IafDelta::INFO,
        VogelsLif::INFO,
        PoissonSource::INFO,
        SpikeTrain::INFO,
        Ampa::INFO,
        Nmda::INFO,
        GabaA::INFO,
        GabaAMarkov::INFO,
        GabaB::INFO,
        TwoExponentials::INFO,
        TwoExponentialsCoba::INFO,
        Alpha::INFO,
        AlphaCoba::INFO,
        Exponential::INFO,
        ExponentialCoba::INFO,
        VoltageJump::INFO,
        Delta::INFO,
        GapJunction::INFO,
        GapJunctionSymmetric::INFO,
        TsodyksMarkram::INFO,
        Stdp::INFO,
        StdpMultiplicative::INFO,
        StdpTriplet::INFO,
        StaticSynapse::INFO,
        VogelsIstdp::INFO,
        ConductanceKick::INFO,
        // neurode.compile: user infos
    ]
}
