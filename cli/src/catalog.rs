//! Every model of [`neurode::models`], by the snake_case name the command line uses, with its
//! static description, and a dispatch from a synapse's name to code generic over its type.

use neurode::models::{
    AdEx, Alpha, AlphaCoba, Ampa, Clamp, Delta, ExpIf, Exponential, ExponentialCoba, GabaA,
    GabaAMarkov, GabaB, GapJunction, GapJunctionSymmetric, HodgkinHuxley, Izhikevich, Lif, LifCoba,
    Nmda, Stdp, TsodyksMarkram, TwoExponentials, TwoExponentialsCoba, VoltageJump,
};
use neurode::runtime::{Model, ModelInfo, ModelKind, SynapseModel};

/// A model of the catalog.
#[derive(Debug)]
pub struct Entry {
    /// Name on the command line (snake_case).
    pub name: &'static str,
    /// The model's static description (parameters, states, equations, methods).
    pub info: &'static ModelInfo,
}

impl Entry {
    /// The model's one-line summary (see [`summary`]).
    pub fn summary(&self) -> String {
        summary(self.info)
    }

    /// Whether the model is a synapse that `neurode run` can drive onto a clamped neuron (one
    /// whose spike rules add only to variables the clamp has: its `V`).
    pub fn is_synapse(&self) -> bool {
        self.info.kind == ModelKind::Synapse
            && self
                .info
                .post_writes
                .iter()
                .all(|w| Clamp::INFO.column(w.name).is_some())
    }
}

/// The first paragraph of a model's doc comment, its lines joined into one, rustdoc links
/// reduced to their text ([`plain_doc`]).
pub fn first_paragraph(info: &ModelInfo) -> String {
    let doc = plain_doc(info.doc);
    let para: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    para.join(" ")
}

/// The model's one-line summary: the first sentence of [`first_paragraph`] (up to a period
/// followed by a space, or the whole paragraph). A paragraph that runs on into the equations
/// (`... in the paper's units (pF, nS, pA):`) is cut before its first colon and ended with a
/// period, so that the summary is a whole sentence.
pub fn summary(info: &ModelInfo) -> String {
    let para = first_paragraph(info);
    let sentence = match para.find(". ") {
        Some(end) => &para[..=end],
        None => para.as_str(),
    };
    if sentence.ends_with('.') {
        return sentence.to_string();
    }
    let cut = sentence
        .find(':')
        .map_or(sentence, |colon| &sentence[..colon]);
    format!("{}.", cut.trim_end().trim_end_matches([',', ';']))
}

/// A doc comment for a terminal: rustdoc links ``[`Ampa`](crate::Ampa)`` and ``[`Alpha`]``
/// become `` `Ampa` `` and `` `Alpha` ``; anything else (such as `I_post[q]`) is kept.
pub fn plain_doc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(open) = rest.find("[`") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find("`]") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close + 1];
        out.push_str(inner);
        let mut tail = &after[close + 2..];
        if tail.starts_with('(') {
            if let Some(end) = tail.find(')') {
                tail = &tail[end + 1..];
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Every model, neurons first, then the synapses in the chapter's order, then plasticity.
pub static MODELS: [Entry; 24] = [
    Entry {
        name: "lif",
        info: Lif::INFO,
    },
    Entry {
        name: "lif_coba",
        info: LifCoba::INFO,
    },
    Entry {
        name: "adex",
        info: AdEx::INFO,
    },
    Entry {
        name: "exp_if",
        info: ExpIf::INFO,
    },
    Entry {
        name: "izhikevich",
        info: Izhikevich::INFO,
    },
    Entry {
        name: "hodgkin_huxley",
        info: HodgkinHuxley::INFO,
    },
    Entry {
        name: "clamp",
        info: Clamp::INFO,
    },
    Entry {
        name: "ampa",
        info: Ampa::INFO,
    },
    Entry {
        name: "nmda",
        info: Nmda::INFO,
    },
    Entry {
        name: "gaba_a",
        info: GabaA::INFO,
    },
    Entry {
        name: "gaba_a_markov",
        info: GabaAMarkov::INFO,
    },
    Entry {
        name: "gaba_b",
        info: GabaB::INFO,
    },
    Entry {
        name: "two_exponentials",
        info: TwoExponentials::INFO,
    },
    Entry {
        name: "two_exponentials_coba",
        info: TwoExponentialsCoba::INFO,
    },
    Entry {
        name: "alpha",
        info: Alpha::INFO,
    },
    Entry {
        name: "alpha_coba",
        info: AlphaCoba::INFO,
    },
    Entry {
        name: "exponential",
        info: Exponential::INFO,
    },
    Entry {
        name: "exponential_coba",
        info: ExponentialCoba::INFO,
    },
    Entry {
        name: "voltage_jump",
        info: VoltageJump::INFO,
    },
    Entry {
        name: "delta",
        info: Delta::INFO,
    },
    Entry {
        name: "gap_junction",
        info: GapJunction::INFO,
    },
    Entry {
        name: "gap_junction_symmetric",
        info: GapJunctionSymmetric::INFO,
    },
    Entry {
        name: "tsodyks_markram",
        info: TsodyksMarkram::INFO,
    },
    Entry {
        name: "stdp",
        info: Stdp::INFO,
    },
];

/// The model named `name` (snake_case, as listed by `neurode models`).
pub fn find(name: &str) -> Option<&'static Entry> {
    MODELS.iter().find(|e| e.name == name)
}

/// Names of every model, comma-separated (for error messages).
pub fn names() -> String {
    MODELS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
}

/// Names of the synapse models, comma-separated (for error messages).
pub fn synapse_names() -> String {
    MODELS
        .iter()
        .filter(|e| e.is_synapse())
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Code generic over a synapse model, run for the model chosen by name with [`with_synapse`].
pub trait SynapseTask {
    /// What the task returns.
    type Output;

    /// Runs the task for synapse model `S`.
    fn run<S: SynapseModel + Default>(self) -> Self::Output;
}

/// Runs `task` for the synapse model named `name`; `None` if no synapse has that name (neurons
/// included: `lif` and `clamp` give `None`).
pub fn with_synapse<T: SynapseTask>(name: &str, task: T) -> Option<T::Output> {
    Some(match name {
        "ampa" => task.run::<Ampa>(),
        "nmda" => task.run::<Nmda>(),
        "gaba_a" => task.run::<GabaA>(),
        "gaba_a_markov" => task.run::<GabaAMarkov>(),
        "gaba_b" => task.run::<GabaB>(),
        "two_exponentials" => task.run::<TwoExponentials>(),
        "two_exponentials_coba" => task.run::<TwoExponentialsCoba>(),
        "alpha" => task.run::<Alpha>(),
        "alpha_coba" => task.run::<AlphaCoba>(),
        "exponential" => task.run::<Exponential>(),
        "exponential_coba" => task.run::<ExponentialCoba>(),
        "voltage_jump" => task.run::<VoltageJump>(),
        "delta" => task.run::<Delta>(),
        "gap_junction" => task.run::<GapJunction>(),
        "gap_junction_symmetric" => task.run::<GapJunctionSymmetric>(),
        "tsodyks_markram" => task.run::<TsodyksMarkram>(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the model's static description, to check the dispatch.
    struct InfoOf;

    impl SynapseTask for InfoOf {
        type Output = &'static ModelInfo;
        fn run<S: SynapseModel + Default>(self) -> &'static ModelInfo {
            S::INFO
        }
    }

    #[test]
    fn every_model_declares_the_domains_of_its_parameters() {
        use neurode::runtime::Domain;
        let mut checked = 0;
        for e in &MODELS {
            for p in e.info.params {
                assert!(p.domain.contains(p.default), "{}.{}", e.name, p.name);
                let expected =
                    if p.name.starts_with("tau") || ["C", "C_m", "R", "area"].contains(&p.name) {
                        Some(Domain::Positive)
                    } else if p.name.starts_with("g_")
                        || ["delay", "t_ref", "t_refractory", "t_dead"].contains(&p.name)
                    {
                        Some(Domain::NonNegative)
                    } else if ["nearest", "soft", "skip_refractory"].contains(&p.name) {
                        Some(Domain::Flag)
                    } else {
                        None
                    };
                if let Some(d) = expected {
                    assert_eq!(p.domain, d, "{}.{}", e.name, p.name);
                    checked += 1;
                }
            }
        }
        // 60 parameters with a known domain (the chapter's jump synapses take per-synapse
        // delays, not a `delay` parameter).
        assert!(checked >= 60, "{checked}");
    }

    #[test]
    fn names_are_unique_and_snake_case() {
        for (i, e) in MODELS.iter().enumerate() {
            assert!(
                e.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                e.name
            );
            assert!(MODELS[..i].iter().all(|f| f.name != e.name), "{}", e.name);
            assert_eq!(find(e.name).map(|f| f.name), Some(e.name));
        }
        assert!(find("Ampa").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn every_synapse_dispatches_to_its_own_model() {
        let mut n = 0;
        for e in &MODELS {
            match with_synapse(e.name, InfoOf) {
                Some(info) => {
                    assert_eq!(info.name, e.info.name);
                    assert!(e.is_synapse());
                    n += 1;
                }
                None => assert!(!e.is_synapse(), "{} is not dispatched", e.name),
            }
        }
        assert_eq!(n, 16);
        assert!(with_synapse("lif", InfoOf).is_none());
        // STDP adds to the postsynaptic g_e, which the clamped neuron of `neurode run` lacks.
        assert!(with_synapse("stdp", InfoOf).is_none());
        assert_eq!(synapse_names().split(", ").count(), 16);
        assert!(names()
            .starts_with("lif, lif_coba, adex, exp_if, izhikevich, hodgkin_huxley, clamp, ampa"));
    }

    #[test]
    fn summaries_are_the_first_doc_line() {
        for e in &MODELS {
            let s = e.summary();
            assert!(!s.is_empty(), "{} has no summary", e.name);
            assert!(!s.contains('\n'));
        }
        assert!(find("ampa").unwrap().summary().starts_with("AMPA receptor"));
        assert!(find("clamp")
            .unwrap()
            .summary()
            .starts_with("Voltage-clamped neuron"));
    }

    #[test]
    fn docs_lose_their_link_targets_only() {
        assert_eq!(
            plain_doc("as [`Ampa`](crate::Ampa) with [`Alpha`] and I_post[q] += w"),
            "as `Ampa` with `Alpha` and I_post[q] += w"
        );
        assert_eq!(plain_doc("open [`x"), "open [`x");
        assert_eq!(plain_doc(""), "");
        let s = find("gaba_a_markov").unwrap().summary();
        assert!(
            s.contains("kinetic scheme of `Ampa` with GABA_A rates"),
            "{s}"
        );
    }

    #[test]
    fn clamp_never_spikes_and_holds_v() {
        let info = Clamp::INFO;
        assert_eq!(info.kind, ModelKind::Neuron);
        assert_eq!(info.threshold, Some("false"));
        assert_eq!(info.params[0].name, "V_clamp");
        assert_eq!(info.params[0].default, -65.0);
        assert_eq!(info.states[0].ode, Some("0.0"));
        assert_eq!(info.membrane, Some(0));
    }
}
