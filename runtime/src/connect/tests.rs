//! The connection rules against closed forms, their counts and their restriction to views.

use super::rules::*;
use super::*;
use crate::rng::{domain, Streams};

/// The `(pre, post)` pairs of `c`.
fn pairs(c: &Csr) -> Vec<(usize, usize)> {
    (0..c.n_pre())
        .flat_map(|i| c.row(i).map(move |j| (i, j)))
        .collect()
}

#[test]
fn nest_degree_rules_give_their_counts() {
    let rule = |k, autapses, multapses| Connect::FixedInDegree {
        k,
        seed: 3,
        autapses,
        multapses,
    };
    let c = rule(7, false, false).build("s", 20, 30).unwrap();
    let p = pairs(&c);
    assert_eq!(p.len(), 7 * 30);
    for j in 0..30 {
        let mut from: Vec<usize> = p.iter().filter(|x| x.1 == j).map(|x| x.0).collect();
        assert_eq!(from.len(), 7);
        assert!(!from.contains(&j), "no autapse onto {j}");
        from.dedup();
        assert_eq!(from.len(), 7, "no multapse onto {j}");
    }
    assert!((0..20).all(|i| c.row(i).is_sorted()));
    // Every source is equally likely: 20 sources, 210 draws, each near 10.5.
    let c = Connect::FixedOutDegree {
        k: 5,
        seed: 1,
        autapses: true,
        multapses: true,
    }
    .build("s", 40, 3)
    .unwrap();
    assert!((0..40).all(|i| c.range(i).len() == 5));
    let c = Connect::FixedTotalNumber {
        n: 1000,
        seed: 2,
        autapses: false,
        multapses: false,
    }
    .build("s", 50, 50)
    .unwrap();
    let mut p = pairs(&c);
    assert_eq!(p.len(), 1000);
    assert!(p.iter().all(|(i, j)| i != j));
    p.sort_unstable();
    p.dedup();
    assert_eq!(p.len(), 1000);
    // Too many distinct partners asked for: a clear error naming the neuron.
    let e = rule(30, false, false)
        .build("s", 30, 5)
        .unwrap_err()
        .to_string();
    assert!(e.contains("in-degree 30") && e.contains("has 29"), "{e}");
}

#[test]
fn fixed_total_number_is_uniform_over_pairs() {
    // 40 000 synapses over 20 × 10 pairs: each row near 2000 (multinomial).
    let c = Connect::FixedTotalNumber {
        n: 40_000,
        seed: 9,
        autapses: true,
        multapses: true,
    }
    .build("s", 20, 10)
    .unwrap();
    assert_eq!(c.n_syn(), 40_000);
    for i in 0..20 {
        let n = c.range(i).len() as f64;
        // sd of a row count: sqrt(40000 · 0.05 · 0.95) ≈ 43.6.
        assert!((n - 2000.0).abs() < 4.0 * 43.6, "row {i}: {n}");
    }
}

#[test]
fn probabilities_per_pair_and_without_autapses() {
    let f = ProbabilityFn::new(|i, j| if (i + j) % 2 == 0 { 1.0 } else { 0.0 });
    let c = Connect::Probability { p: f, seed: 0 }
        .build("s", 6, 6)
        .unwrap();
    assert!(pairs(&c).iter().all(|(i, j)| (i + j) % 2 == 0));
    assert_eq!(c.n_syn(), 18);
    let c = Connect::PairwiseBernoulli {
        p: 1.0,
        seed: 0,
        autapses: false,
    }
    .build("s", 5, 5)
    .unwrap();
    assert_eq!(c.n_syn(), 20);
    let with = Connect::PairwiseBernoulli {
        p: 0.3,
        seed: 5,
        autapses: true,
    };
    let old = Connect::FixedProb { p: 0.3, seed: 5 };
    assert_eq!(
        with.build("s", 30, 30).unwrap(),
        old.build("s", 30, 30).unwrap()
    );
    let bad = ProbabilityFn::new(|_, _| 1.5);
    let e = Connect::Probability { p: bad, seed: 0 }
        .build("s", 2, 2)
        .unwrap_err();
    assert!(e.to_string().contains("pair 0 -> 0"), "{e}");
}

#[test]
fn rows_filled_on_several_threads_equal_rows_filled_on_one() {
    let counts: Vec<usize> = (0..211).map(|i| (i * 37) % 29).collect();
    let streams = Streams::new(5);
    let row = |i: usize, out: &mut Vec<u32>| {
        let mut rng = streams.stream(domain::CONNECT, i as u64);
        choose(&mut rng, 50, Some(i % 50), counts[i], i % 2 == 0, out);
    };
    let n_syn = counts.iter().sum::<usize>();
    let one = fill_rows_on(&counts, row, 1, vec![0; n_syn]);
    assert_eq!(one.n_syn(), counts.iter().sum::<usize>());
    for threads in [2, 3, 7, 211] {
        let many = fill_rows_on(&counts, row, threads, vec![0; n_syn]);
        assert_eq!(
            (&many.row_ptr, &many.post),
            (&one.row_ptr, &one.post),
            "{threads}"
        );
    }
}

#[test]
fn all_to_all_is_pre_major() {
    let c = Connect::AllToAll.build("s", 2, 3).unwrap();
    assert_eq!(c.row_ptr, vec![0, 3, 6]);
    assert_eq!(c.post.to_vec(), vec![0, 1, 2, 0, 1, 2]);
    assert_eq!(c.n_pre(), 2);
    assert_eq!(c.n_syn(), 6);
    assert_eq!(c.row(1).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn all_to_all_no_self_skips_diagonal() {
    let c = Connect::AllToAllNoSelf.build("s", 3, 3).unwrap();
    assert_eq!(c.row_ptr, vec![0, 2, 4, 6]);
    assert_eq!(c.post.to_vec(), vec![1, 2, 0, 2, 0, 1]);
    // More pre than post neurons: rows past n_post have no diagonal element.
    let c = Connect::AllToAllNoSelf.build("s", 3, 2).unwrap();
    assert_eq!(c.row_ptr, vec![0, 1, 2, 4]);
    assert_eq!(c.post.to_vec(), vec![1, 0, 0, 1]);
}

#[test]
fn one_to_one() {
    let c = Connect::OneToOne.build("s", 3, 3).unwrap();
    assert_eq!(c.row_ptr, vec![0, 1, 2, 3]);
    assert_eq!(c.post.to_vec(), vec![0, 1, 2]);
    let e = Connect::OneToOne.build("s", 3, 4).unwrap_err();
    assert_eq!(
        e,
        Error::SizeMismatch {
            object: "s".into(),
            expected: 3,
            got: 4
        }
    );
}

#[test]
fn pairs_are_stable_pre_major() {
    let c = Connect::Pairs(vec![(1, 2), (0, 1), (1, 0), (0, 1), (2, 2)]).build("s", 3, 3);
    let c = c.unwrap();
    assert_eq!(c.row_ptr, vec![0, 2, 4, 5]);
    assert_eq!(c.post.to_vec(), vec![1, 1, 2, 0, 2]);
    let c = Connect::Pairs(vec![]).build("s", 2, 2).unwrap();
    assert_eq!(c.row_ptr, vec![0, 0, 0]);
    assert!(c.post.is_empty());
}

#[test]
fn pairs_out_of_range() {
    let e = Connect::Pairs(vec![(0, 0), (2, 0)])
        .build("syn", 2, 5)
        .unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfRange {
            object: "syn (presynaptic)".into(),
            index: 2,
            len: 2
        }
    );
    let e = Connect::Pairs(vec![(0, 5)]).build("syn", 2, 5).unwrap_err();
    assert_eq!(
        e,
        Error::IndexOutOfRange {
            object: "syn (postsynaptic)".into(),
            index: 5,
            len: 5
        }
    );
}

#[test]
fn fixed_prob_rejects_bad_p() {
    for p in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
        let e = Connect::FixedProb { p, seed: 1 }
            .build("s", 3, 3)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidProbability { .. }), "{e}");
    }
}

/// Views of 20 and 15 neurons: a slice and a scattered pick.
const PRE_VIEW: [u32; 7] = [4, 5, 6, 7, 8, 9, 10];
const POST_VIEW: [u32; 5] = [0, 3, 4, 9, 14];

fn on_views(c: &Connect) -> Result<Csr> {
    let pre = Side {
        n: 20,
        members: Some(&PRE_VIEW),
    };
    let post = Side {
        n: 15,
        members: Some(&POST_VIEW),
    };
    c.build_on(pre, post, Room::unlimited("s"))
}

#[test]
fn rules_of_pairs_on_views_are_the_whole_rule_restricted_row_for_row() {
    let rules = [
        Connect::AllToAll,
        Connect::AllToAllNoSelf,
        Connect::FixedProb { p: 0.3, seed: 5 },
        Connect::FixedProb { p: 1.0, seed: 5 },
        Connect::PairwiseBernoulli {
            p: 0.4,
            seed: 2,
            autapses: false,
        },
        Connect::Probability {
            p: ProbabilityFn::new(|i, j| if (i + j) % 3 == 0 { 0.9 } else { 0.2 }),
            seed: 8,
        },
    ];
    for rule in &rules {
        let all = rule.build("s", 20, 15).unwrap();
        let part = on_views(rule).unwrap();
        assert_eq!(part.n_pre(), 20, "{rule:?}");
        let mut kept = 0;
        for row in 0..20 {
            let want: Vec<usize> = if PRE_VIEW.contains(&(row as u32)) {
                all.row(row)
                    .filter(|&j| POST_VIEW.contains(&(j as u32)))
                    .collect()
            } else {
                Vec::new()
            };
            kept += want.len();
            assert_eq!(
                part.row(row).collect::<Vec<_>>(),
                want,
                "{rule:?} row {row}"
            );
        }
        assert!(kept > 0, "{rule:?}");
    }
}

#[test]
fn one_to_one_pairs_and_degree_rules_on_views_work_among_members() {
    let post5 = Side {
        n: 15,
        members: Some(&POST_VIEW),
    };
    let pre5 = Side {
        n: 20,
        members: Some(&[1, 2, 3, 4, 19]),
    };
    let c = Connect::OneToOne
        .build_on(pre5, post5, Room::unlimited("s"))
        .unwrap();
    assert_eq!(pairs(&c), vec![(1, 0), (2, 3), (3, 4), (4, 9), (19, 14)]);
    assert!(matches!(
        on_views(&Connect::OneToOne),
        Err(Error::SizeMismatch {
            expected: 7,
            got: 5,
            ..
        })
    ));
    // Pairs name population indices, each of a member.
    let c = on_views(&Connect::Pairs(vec![(10, 14), (4, 0)])).unwrap();
    assert_eq!(pairs(&c), vec![(4, 0), (10, 14)]);
    let e = on_views(&Connect::Pairs(vec![(3, 0)])).unwrap_err();
    assert!(e.to_string().contains("presynaptic neuron 3"), "{e}");

    let degree = |k| Degree {
        k,
        autapses: false,
        multapses: false,
    };
    for c in [
        Connect::FixedInDegree {
            k: 3,
            seed: 1,
            autapses: false,
            multapses: false,
        },
        Connect::FixedOutDegree {
            k: 2,
            seed: 1,
            autapses: false,
            multapses: false,
        },
        Connect::FixedTotalNumber {
            n: 12,
            seed: 1,
            autapses: false,
            multapses: false,
        },
    ] {
        let got = pairs(&on_views(&c).unwrap());
        assert!(
            got.iter().all(|&(i, j)| PRE_VIEW.contains(&(i as u32))
                && POST_VIEW.contains(&(j as u32))
                && i != j),
            "{c:?}: {got:?}"
        );
        let count = |f: &dyn Fn(&(usize, usize)) -> bool| got.iter().filter(|p| f(p)).count();
        match c {
            Connect::FixedInDegree { k, .. } => {
                for &j in &POST_VIEW {
                    assert_eq!(count(&|p| p.1 == j as usize), k, "{c:?}");
                }
            }
            Connect::FixedOutDegree { k, .. } => {
                for &i in &PRE_VIEW {
                    assert_eq!(count(&|p| p.0 == i as usize), k, "{c:?}");
                }
            }
            _ => assert_eq!(got.len(), 12),
        }
    }
    // Neuron 4 and 9 are in both views: without autapses each has one partner fewer.
    let pre = Side {
        n: 20,
        members: Some(&PRE_VIEW),
    };
    let e = fixed_outdegree(&Room::unlimited("s"), pre, post5, degree(5), 1).unwrap_err();
    assert!(e.to_string().contains("neuron 4 has 4"), "{e}");
}

#[test]
fn fixed_prob_extremes() {
    let c = Connect::FixedProb { p: 0.0, seed: 1 }
        .build("s", 3, 4)
        .unwrap();
    assert_eq!(c.row_ptr, vec![0, 0, 0, 0]);
    let c = Connect::FixedProb { p: 1.0, seed: 1 }
        .build("s", 3, 4)
        .unwrap();
    assert_eq!(c, Connect::AllToAll.build("s", 3, 4).unwrap());
    let c = Connect::FixedProb { p: 0.5, seed: 1 }
        .build("s", 3, 0)
        .unwrap();
    assert_eq!(c.row_ptr, vec![0, 0, 0, 0]);
}

#[test]
fn fixed_prob_is_reproducible_sorted_and_unbiased() {
    let (n_pre, n_post, p) = (2000, 3000, 0.01);
    let a = Connect::FixedProb { p, seed: 42 }
        .build("s", n_pre, n_post)
        .unwrap();
    let b = Connect::FixedProb { p, seed: 42 }
        .build("s", n_pre, n_post)
        .unwrap();
    let c = Connect::FixedProb { p, seed: 43 }
        .build("s", n_pre, n_post)
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.row_ptr.len(), n_pre + 1);
    for i in 0..n_pre {
        let row: Vec<usize> = a.row(i).collect();
        assert!(
            row.windows(2).all(|w| w[0] < w[1]),
            "row {i} not strictly sorted"
        );
        assert!(row.iter().all(|&j| j < n_post));
    }
    // Binomial(6e6, 0.01): mean 60000, sd ≈ 243.7; accept 5 sd.
    let mean = (n_pre * n_post) as f64 * p;
    let sd = (mean * (1.0 - p)).sqrt();
    let got = a.n_syn() as f64;
    assert!(
        (got - mean).abs() < 5.0 * sd,
        "{got} synapses, expected {mean} ± {sd}"
    );
    // Uniform over columns: each half of the columns gets half the synapses.
    let low = a
        .post
        .iter(0..a.n_syn())
        .filter(|&j| j < n_post / 2)
        .count() as f64;
    assert!(
        (low - got / 2.0).abs() < 5.0 * (got / 4.0).sqrt(),
        "{low} of {got}"
    );
    // In-degree of one column: Binomial(2000, 0.01), mean 20.
    let col0 = a.post.iter(0..a.n_syn()).filter(|&j| j == 0).count() as f64;
    assert!((col0 - 20.0).abs() < 5.0 * 20f64.sqrt(), "{col0}");
}

/// Targets onto at most 65,536 neurons take 2 bytes, the others 4; the numbers are the
/// same.
#[test]
fn targets_are_narrow_onto_groups_of_at_most_65536() {
    let pairs = Connect::Pairs(vec![(0, 65_535), (1, 3), (1, 0)]);
    let narrow = pairs.build("s", 2, 65_536).unwrap();
    assert!(matches!(narrow.post, Targets::Narrow(_)));
    assert_eq!(narrow.post.to_vec(), [65_535, 3, 0]);
    assert_eq!(narrow.post.get(0), 65_535);
    assert_eq!(narrow.post.bytes(), 3 * 2);
    let wide = pairs.build("s", 2, 65_537).unwrap();
    assert!(matches!(wide.post, Targets::Wide(_)));
    assert_eq!(wide.post.to_vec(), narrow.post.to_vec());
    assert_eq!(wide.post.lower_bound(0..1, 65_536), 1);
    assert_eq!(narrow.post.lower_bound(0..1, 65_535), 0);
    assert_eq!(narrow.post.lower_bound(0..1, 65_536), 1);
    assert!(!narrow.post.is_sorted(1..3));
}

#[test]
fn fixed_prob_rows_do_not_depend_on_the_group_size_of_other_rows() {
    // One stream per row: the first rows are the same whatever n_pre is.
    let a = Connect::FixedProb { p: 0.3, seed: 7 }
        .build("s", 10, 50)
        .unwrap();
    let b = Connect::FixedProb { p: 0.3, seed: 7 }
        .build("s", 20, 50)
        .unwrap();
    assert_eq!(a.post.to_vec()[..], b.post.to_vec()[..a.n_syn()]);
    assert_eq!(a.row_ptr[..], b.row_ptr[..11]);
}

/// The size of the large benchmarks: run with
/// `cargo test -p neurode-runtime --release -- --ignored fixed_prob_million`.
#[test]
#[ignore = "large: 80 million synapses, ~400 MB"]
fn fixed_prob_million() {
    let n = 1_000_000;
    let start = std::time::Instant::now();
    let c = Connect::FixedProb {
        p: 80.0 / n as f64,
        seed: 1,
    }
    .build("s", n, n)
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let per_row = c.n_syn() as f64 / n as f64;
    eprintln!("{} synapses ({per_row} per row) in {secs:.2} s", c.n_syn());
    assert!((per_row - 80.0).abs() < 0.1);
    assert!(secs < 10.0, "{secs} s");
}

#[test]
fn too_large_post_group_is_an_error() {
    let e = Connect::AllToAll
        .build("s", 1, u32::MAX as usize + 1)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
}
