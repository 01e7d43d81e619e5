//! Checkpoints: a run of 2T equals a run of T, stored, restored into a network built by the
//! same code, and a run of T, bit for bit, for COBA and a network with every kind of phase, on
//! one and two threads; a checkpoint that does not fit (another model, other connectivity,
//! another format version, truncated, corrupted, random bytes) is a clear error that changes
//! nothing, never a panic.

use neurode::benchmarks::coba;
use neurode::models::Lif;
use neurode::runtime::{Checkpoint, Error, Network};

use crate::threads::{build_mixed, outcome_of};

#[test]
fn coba_continues_bit_for_bit_from_a_checkpoint() {
    for threads in [1, 2] {
        let whole = {
            let mut bench = coba(2000, 4).unwrap();
            let trains = bench.net.record_spikes(bench.neurons).unwrap();
            bench.net.set_threads(threads).unwrap();
            bench.net.run(60.0).unwrap();
            outcome_of(&bench, trains)
        };
        assert!(whole.spikes.len() > 200, "{} spikes", whole.spikes.len());
        let mut file = Vec::new();
        {
            let mut bench = coba(2000, 4).unwrap();
            bench.net.record_spikes(bench.neurons).unwrap();
            bench.net.set_threads(threads).unwrap();
            bench.net.run(30.0).unwrap();
            bench.net.checkpoint().write_to(&mut file).unwrap();
        }
        // A network built by the same code, restored, runs the rest.
        let mut bench = coba(2000, 4).unwrap();
        let trains = bench.net.record_spikes(bench.neurons).unwrap();
        bench.net.set_threads(3 - threads).unwrap();
        bench
            .net
            .restore(&Checkpoint::read_from(file.as_slice()).unwrap())
            .unwrap();
        assert_eq!(bench.net.step_index(), 300);
        bench.net.run(30.0).unwrap();
        assert!(outcome_of(&bench, trains) == whole, "{threads} thread(s)");
    }
}

#[test]
fn every_kind_of_phase_continues_bit_for_bit_from_a_checkpoint() {
    for threads in [1, 2] {
        let mut whole = build_mixed(threads, true);
        whole.net.run(80.0).unwrap();
        let mut first = build_mixed(threads, true);
        first.net.run(37.3).unwrap();
        let checkpoint = first.net.checkpoint();
        let mut second = build_mixed(3 - threads, true);
        second.net.restore(&checkpoint).unwrap();
        second.net.run(80.0 - 37.3).unwrap();
        assert!(second.outcome() == whole.outcome(), "{threads} thread(s)");
        assert_eq!(second.net.step_index(), 800);
    }
}

#[test]
fn store_and_restore_serve_trials() {
    let mut m = build_mixed(1, false);
    m.net.run(10.0).unwrap();
    let start = m.net.checkpoint();
    m.net.run(20.0).unwrap();
    let trial = m.outcome();
    for _ in 0..2 {
        m.net.restore(&start).unwrap();
        assert_eq!(m.net.step_index(), 100);
        m.net.run(20.0).unwrap();
        assert!(m.outcome() == trial);
    }
}

/// A small network whose checkpoint the error tests mangle.
fn small(model: Lif, n: usize) -> Network {
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", n, model).unwrap();
    net.record(g, Lif::V).unwrap();
    net.record_spikes(g).unwrap();
    net
}

#[test]
fn a_checkpoint_that_does_not_fit_is_refused_and_changes_nothing() {
    let mut net = small(Lif::default(), 3);
    net.run(5.0).unwrap();
    let good = net.checkpoint();
    let message = |e: Error| e.to_string();

    // Another network: a different size, another model's parameters set, another format.
    let e = small(Lif::default(), 4).restore(&good).unwrap_err();
    assert_eq!(
        message(e),
        "cannot restore the checkpoint: the size of `g` is 3 in the checkpoint, 4 in this network"
    );
    let mut other = Network::new(0.1).unwrap();
    let g = other
        .add_population("g", 3, neurode::models::IafPscExp::default())
        .unwrap();
    other.record(g, neurode::models::IafPscExp::V).unwrap();
    other.record_spikes(g).unwrap();
    let e = other.restore(&good).unwrap_err();
    assert_eq!(
        message(e),
        "cannot restore the checkpoint: `g` is of model `Lif` in the checkpoint, `IafPscExp` in \
         this network"
    );
    let mut bytes = good.as_bytes().to_vec();
    bytes[8] = 2;
    let e = Checkpoint::from_bytes(bytes).unwrap_err();
    assert_eq!(
        message(e),
        "cannot restore the checkpoint: format version 2, but this build reads version 4 only"
    );

    // Truncated, corrupted.
    let bytes = good.as_bytes();
    let e = Checkpoint::from_bytes(bytes[..bytes.len() - 5].to_vec()).unwrap_err();
    assert!(message(e).contains("truncated"));
    let mut flipped = bytes.to_vec();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x10;
    let e = Checkpoint::from_bytes(flipped).unwrap_err();
    assert!(message(e).contains("corrupted"));
    let e = Checkpoint::from_bytes(b"not a checkpoint at all, really".to_vec()).unwrap_err();
    assert!(message(e).contains("not a neurode checkpoint"));

    // A checkpoint refused late (the second group does not fit) leaves the first group as it
    // was: everything is checked before anything is set.
    let two = |n_h: usize, ms: f64| {
        let mut net = Network::new(0.1).unwrap();
        let g = net.add_population("g", 3, Lif::default()).unwrap();
        net.add_population("h", n_h, Lif::default()).unwrap();
        net.add_input(g, neurode::runtime::Input::Constant(30.0))
            .unwrap();
        net.run(ms).unwrap();
        net
    };
    let mut target = two(2, 1.0);
    let before = target.checkpoint();
    let e = target.restore(&two(4, 7.0).checkpoint()).unwrap_err();
    assert!(message(e).contains("the size of `h`"));
    assert_eq!(target.checkpoint(), before);
    // A parameter set since is restored with the rest.
    let mut changed = two(2, 7.0);
    let g = changed.find_population::<Lif>("g").unwrap();
    changed.set_param(g, Lif::tau, 20.0).unwrap();
    target.restore(&changed.checkpoint()).unwrap();
    let g = target.find_population::<Lif>("g").unwrap();
    assert_eq!(target.population(g).unwrap().model().tau, 20.0);
    assert_eq!(target.checkpoint(), changed.checkpoint());
}

/// A deterministic generator for the byte tests (xorshift64*).
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_and_mutated_bytes_are_errors_never_panics() {
    let mut net = small(Lif::default(), 5);
    net.run(3.0).unwrap();
    let good = net.checkpoint();
    let mut rng = Bytes(0x9e37_79b9_7f4a_7c15);
    let mut target = small(Lif::default(), 5);
    for k in 0..2000 {
        let mut bytes = good.as_bytes().to_vec();
        match k % 4 {
            // Flip a byte anywhere.
            0 => {
                let at = (rng.next() % bytes.len() as u64) as usize;
                bytes[at] ^= 1 + (rng.next() % 255) as u8;
            }
            // Cut it short.
            1 => bytes.truncate((rng.next() % bytes.len() as u64) as usize),
            // Random bytes.
            2 => {
                let n = (rng.next() % 400) as usize;
                bytes = (0..n).map(|_| rng.next() as u8).collect();
            }
            // A valid header over a mangled body: the reader's own checks.
            _ => {
                let body = &mut bytes[28..];
                let at = (rng.next() % body.len() as u64) as usize;
                body[at] = rng.next() as u8;
                let cut = (rng.next() % (body.len() as u64 + 1)) as usize;
                let body = body[..cut].to_vec();
                let mut rebuilt = good.as_bytes()[..20].to_vec();
                rebuilt[12..20].copy_from_slice(&(body.len() as u64).to_le_bytes());
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for &b in &body {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
                rebuilt.extend_from_slice(&h.to_le_bytes());
                rebuilt.extend_from_slice(&body);
                bytes = rebuilt;
            }
        }
        if bytes == good.as_bytes() {
            continue;
        }
        // Either refused whole, or (a mangled value that still fits, e.g. a float's bits)
        // accepted; never a panic.
        let _ = Checkpoint::read_from(bytes.as_slice()).and_then(|c| target.restore(&c));
    }
    target
        .restore(&Checkpoint::read_from(good.as_bytes()).unwrap())
        .unwrap();
    assert_eq!(target.checkpoint(), good);
}

/// Set in the child process of [`a_checkpoint_continues_in_a_fresh_process`]: the checkpoints
/// to resume (COBA, the network with every kind of phase) and where to write their outcomes.
const CHILD: &str = "NEURODE_CHECKPOINT_CHILD";

#[test]
fn a_checkpoint_continues_in_a_fresh_process() {
    let run = |threads: usize, resume: Option<&std::path::Path>, ms: f64| {
        let mut bench = coba(2000, 4).unwrap();
        let trains = bench.net.record_spikes(bench.neurons).unwrap();
        bench.net.set_threads(threads).unwrap();
        if let Some(path) = resume {
            bench
                .net
                .restore(&Checkpoint::read_from(std::fs::File::open(path).unwrap()).unwrap())
                .unwrap();
        }
        bench.net.run(ms).unwrap();
        (bench, trains)
    };
    if let Ok(paths) = std::env::var(CHILD) {
        // The child: resume both networks on two threads and write their outcomes.
        let parts: Vec<&str> = paths.split('|').collect();
        let (bench, trains) = run(2, Some(parts[0].as_ref()), 30.0);
        std::fs::write(parts[1], format!("{:?}", outcome_of(&bench, trains))).unwrap();
        let mut mixed = build_mixed(2, true);
        mixed
            .net
            .restore(&Checkpoint::read_from(std::fs::File::open(parts[2]).unwrap()).unwrap())
            .unwrap();
        mixed.net.run(40.0).unwrap();
        std::fs::write(parts[3], format!("{:?}", mixed.outcome())).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let (whole, trains) = run(1, None, 60.0);
    let whole = format!("{:?}", outcome_of(&whole, trains));
    let (half, _) = run(1, None, 30.0);
    half.net
        .checkpoint()
        .write_to(std::fs::File::create(file("coba.ckpt")).unwrap())
        .unwrap();
    let mut mixed_whole = build_mixed(1, true);
    mixed_whole.net.run(80.0).unwrap();
    let mixed_whole = format!("{:?}", mixed_whole.outcome());
    let mut mixed_half = build_mixed(1, true);
    mixed_half.net.run(40.0).unwrap();
    mixed_half
        .net
        .checkpoint()
        .write_to(std::fs::File::create(file("mixed.ckpt")).unwrap())
        .unwrap();
    let paths = ["coba.ckpt", "coba.out", "mixed.ckpt", "mixed.out"]
        .map(|n| file(n).display().to_string())
        .join("|");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "checkpoint::a_checkpoint_continues_in_a_fresh_process",
            "--test-threads",
            "1",
        ])
        .env(CHILD, paths)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    assert_eq!(std::fs::read_to_string(file("coba.out")).unwrap(), whole);
    assert_eq!(
        std::fs::read_to_string(file("mixed.out")).unwrap(),
        mixed_whole
    );
}
