//! What a refactoring must not change: the benchmarks' spike trains and final state, and every
//! trace of the chapter's protocols, bit for bit, against fingerprints stored in
//! `tests/fixtures/outputs.txt`.
//!
//! Each line of the file is `name count fingerprint`: the number of values and an FNV-1a hash of
//! their bits. The file was written from the code before the renovation of the core; a change
//! that is meant to change numbers rewrites it with `NEURODE_BLESS=1 cargo test fixtures` in a
//! commit of its own that says why.

use std::fmt::Write as _;

use neurode::benchmarks::{coba, cuba, Bench};
use neurode::runtime::Error;
use neurode::tutorial::{Overrides, Protocol};

/// FNV-1a over the bytes of `words`: a fingerprint that changes with any bit of any value.
fn fingerprint(words: impl IntoIterator<Item = u64>) -> (usize, u64) {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut count = 0;
    for w in words {
        count += 1;
        for byte in w.to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (count, hash)
}

fn line(out: &mut String, name: &str, words: impl IntoIterator<Item = u64>) {
    let (count, hash) = fingerprint(words);
    let _ = writeln!(out, "{name} {count} {hash:016x}");
}

/// Spike trains and final state of a benchmark network: 3000 neurons, seed 5, 100 ms.
fn network(out: &mut String, name: &str, build: fn(usize, u64) -> Result<Bench, Error>) {
    let mut bench = build(3000, 5).unwrap();
    let trains = bench.net.record_spikes(bench.neurons).unwrap();
    bench.net.run(100.0).unwrap();
    let trace = bench.net.spikes(trains).unwrap();
    let spikes = trace
        .steps
        .iter()
        .zip(&trace.indices)
        .flat_map(|(&s, &i)| [s, u64::from(i)]);
    line(out, &format!("{name}.spikes"), spikes);
    let state = bench
        .net
        .population(bench.neurons)
        .unwrap()
        .columns()
        .concat();
    line(
        out,
        &format!("{name}.neurons"),
        state.iter().map(|x| x.to_bits()),
    );
}

fn current() -> String {
    let mut out = String::new();
    network(&mut out, "coba", coba);
    network(&mut out, "cuba", cuba);
    let (_, mixed) = crate::threads::mixed(1);
    line(
        &mut out,
        "mixed.spikes",
        mixed.spikes.iter().flat_map(|&(s, i)| [s, u64::from(i)]),
    );
    line(&mut out, "mixed.state", mixed.state);
    for p in Protocol::ALL {
        let rec = p.run(&Overrides::default()).unwrap();
        line(
            &mut out,
            &format!("{}.t", p.name()),
            rec.t.iter().map(|x| x.to_bits()),
        );
        for c in &rec.columns {
            line(
                &mut out,
                &format!("{}.{}", p.name(), c.name),
                c.values.iter().map(|x| x.to_bits()),
            );
        }
    }
    out
}

#[test]
fn outputs_match_the_stored_fingerprints() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/outputs.txt");
    let now = current();
    if std::env::var_os("NEURODE_BLESS").is_some() {
        std::fs::write(path, &now).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(path).unwrap();
    let differ: Vec<String> = stored
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("stored {a}\n   now {b}"))
        .collect();
    assert!(
        differ.is_empty() && stored.lines().count() == now.lines().count(),
        "outputs changed:\n{}",
        differ.join("\n")
    );
}
