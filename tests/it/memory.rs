//! Running out of memory is an error, never an abort: without a memory budget, what the
//! allocator refuses comes back as `Error::OutOfMemory` naming the object. The requests run in
//! a child process (this test binary again) whose address space is limited with `ulimit -v`,
//! as Linux overcommits memory and would otherwise grant them.

use neurode::models::{Exponential, Lif};
use neurode::runtime::{Connect, Error, Network};

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

#[test]
fn out_of_memory_is_an_error_not_an_abort() {
    if std::env::var_os(CHILD).is_some() {
        requests();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args([
            "--exact",
            "memory::out_of_memory_is_an_error_not_an_abort",
            "--test-threads",
            "1",
        ])
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
