//! Running out of memory is an error, never an abort: without a memory budget, what the
//! allocator refuses comes back as `Error::OutOfMemory` naming the object. The requests run in
//! a child process (this test binary again) whose address space is limited with `ulimit -v`,
//! as Linux overcommits memory and would otherwise grant them.

use neurode::models::{Exponential, Lif};
use neurode::runtime::{Connect, Error, Network, ProbabilityFn};

/// Set in the child process.
const CHILD: &str = "NEURODE_MEMORY_CHILD";

/// The child's address-space limit (KiB): 3 GiB, well below every request.
const LIMIT_KIB: u64 = 3 * 1024 * 1024;

/// The object and bytes of an error the allocator (not a budget) refused.
fn refused(e: Error) -> (String, u64) {
    match e {
        Error::OutOfMemory {
            object,
            bytes,
            budget: None,
            ..
        } => (object, bytes),
        other => panic!("not an out-of-memory error: {other}"),
    }
}

/// The requests of the reliability issue, each refused by the allocator.
fn requests() {
    // A monitor on 100 neurons for 1e8 ms: 10^9 rows of 100 values (800 GB) and their times.
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", 100, Lif::default()).unwrap();
    net.record(g, Lif::V).unwrap();
    let (object, bytes) = refused(net.run(1e8).unwrap_err());
    assert_eq!(object, "g");
    assert!(bytes >= 8_000_000_000, "{bytes}");
    net.run(1.0).unwrap();

    // A group of 10^9 neurons.
    assert_eq!(
        refused(
            net.add_population("big", 1_000_000_000, Lif::default())
                .unwrap_err()
        )
        .0,
        "big"
    );

    // All-to-all connectivity of 2·10^5 × 2·10^5 neurons.
    let a = net.add_population("a", 200_000, Lif::default()).unwrap();
    let e = net
        .add_projection("dense", Exponential::default(), a, a, &Connect::AllToAll)
        .unwrap_err();
    assert_eq!(refused(e), ("dense".to_string(), 160_000_000_000));

    // A delay ring of 10^6 steps of 10^3 values.
    let mut net = Network::new(0.1).unwrap();
    let pre = net.add_population("pre", 1, Lif::default()).unwrap();
    let post = net.add_population("post", 1000, Lif::default()).unwrap();
    let slow = Exponential {
        delay: 1e5,
        ..Exponential::default()
    };
    net.add_projection("ring", slow, pre, post, &Connect::AllToAll)
        .unwrap();
    let charged = net.memory_charged();
    // Refused at once for the whole ring, not slot by slot for one slot, and nothing stays
    // charged for it: a small population still fits a budget just above what is used.
    assert_eq!(
        refused(net.run(1.0).unwrap_err()),
        ("ring".to_string(), 1_000_000 * 1000 * 8)
    );
    assert_eq!(net.memory_charged(), charged);
    net.set_memory_budget(Some(charged + 1_000_000));
    net.add_population("small", 100, Lif::default()).unwrap();
}

/// The connection rules of the reliability issue on 20,000 × 20,000 neurons, where every pair
/// (4·10^8 synapses, 4.8 GB) is drawn: each stops with `OutOfMemory` at the budget, or where the
/// allocator refuses, having built no more than that, and leaves nothing charged.
fn connection_rules() {
    let mut net = Network::new(0.1).unwrap();
    let a = net.add_population("a", 20_000, Lif::default()).unwrap();
    let every = || Connect::Probability {
        p: ProbabilityFn::new(|_, _| 1.0),
        seed: 1,
    };
    let pairwise = || Connect::PairwiseBernoulli {
        p: 1.0,
        seed: 1,
        autapses: false,
    };
    let total = || Connect::FixedTotalNumber {
        n: 400_000_000,
        seed: 1,
        autapses: true,
        multapses: true,
    };
    let rules = [
        ("p(i, j) = 1", every()),
        ("pairwise", pairwise()),
        ("fixed", Connect::FixedProb { p: 1.0, seed: 1 }),
        ("total", total()),
    ];
    // Without a budget, the allocator of this child refuses what a rule that draws pair by
    // pair grows to.
    let e = net
        .add_projection("free", Exponential::default(), a, a, &every())
        .unwrap_err();
    assert_eq!(refused(e).0, "free");
    let limit = 100 << 20;
    net.set_memory_budget(Some(limit));
    let charged = net.memory_charged();
    for (name, rule) in rules {
        let e = net
            .add_projection(name, Exponential::default(), a, a, &rule)
            .unwrap_err();
        match e {
            Error::OutOfMemory {
                object,
                budget: Some(b),
                used,
                ..
            } => assert_eq!((object.as_str(), b, used), (name, limit, charged)),
            other => panic!("{name}: not the budget's error: {other}"),
        }
        assert_eq!(net.memory_charged(), charged, "{name}");
    }
    // What fits the budget is still built.
    let s = net
        .add_projection(
            "fits",
            Exponential::default(),
            a,
            a,
            &Connect::FixedProb { p: 0.01, seed: 1 },
        )
        .unwrap();
    assert!(net.projection(s).unwrap().n_syn() > 3_900_000);
}

/// Runs the test `name` of this binary again in a child process whose address space is
/// limited to `limit_kib`, where `run` is called, and asserts that it passed.
fn in_child(name: &str, limit_kib: u64, run: fn()) {
    if std::env::var_os(CHILD).is_some() {
        run();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args(["--exact", name, "--test-threads", "1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn out_of_memory_is_an_error_not_an_abort() {
    in_child(
        "memory::out_of_memory_is_an_error_not_an_abort",
        LIMIT_KIB,
        requests,
    );
}

#[test]
fn connection_rules_stop_at_the_budget_and_the_allocator() {
    // 1 GiB: below the 1.6 GB of targets the rules would draw.
    in_child(
        "memory::connection_rules_stop_at_the_budget_and_the_allocator",
        1 << 20,
        connection_rules,
    );
}
