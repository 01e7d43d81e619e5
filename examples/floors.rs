//! The floors of this machine for the parts of a step of a spiking network (issue "speed at
//! scale"): what one core does per synaptic event, per Poisson draw and per neuron update when
//! it does nothing else, and the memory's bandwidth. Prints one JSON line; `bench/README.md`
//! puts these beside the profile of the microcircuit.
//!
//! ```text
//! cargo run --release --example floors [-- --synapses 100000000]
//! ```
//!
//! Each number is the median of five repetitions, and each is a lower bound, not a design:
//! - `bandwidth_gb_s` / `bandwidth_2_gb_s`: a sequential sum over `--mib` MiB of `f64` on one
//!   core and split over two threads; a synaptic event reads at least its 2-byte target and
//!   8-byte weight, so delivery costs at least 10 bytes / bandwidth per event.
//! - `ns_per_miss`: a dependent chase through a random cyclic permutation of one `u32` per
//!   64-byte line of that memory (64 MiB by default, twice the L3: one miss at a time): what a
//!   segment of synapses costs to reach when nothing hides its latency.
//! - `ns_per_hash`: one keyed 64-bit hash per element in a loop the compiler vectorises: the
//!   least a Poisson draw keyed by (step, neuron) can cost.

use std::hint::black_box;
use std::time::Instant;

/// splitmix64: the cheapest well-mixed 64-bit hash of a counter.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Seconds per repetition of `f`, median of `reps`.
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|k| args.get(k + 1))
        .map_or(default, |v| {
            v.parse().unwrap_or_else(|_| {
                eprintln!("floors: {name} takes a number, not `{v}`");
                std::process::exit(2)
            })
        })
}

fn main() {
    let mib = arg("--mib", 1024.0).max(8.0) as usize;
    let reps = 5;
    let n = mib * (1 << 20) / 8;

    // Bandwidth: a sequential sum, on one core and split over two.
    let data: Vec<f64> = (0..n).map(|i| (mix(i as u64) >> 11) as f64).collect();
    let one = time(reps, || {
        black_box(data.iter().sum::<f64>());
    });
    let two = time(reps, || {
        let (a, b) = data.split_at(n / 2);
        std::thread::scope(|s| {
            let h = s.spawn(|| a.iter().sum::<f64>());
            black_box(b.iter().sum::<f64>());
            black_box(h.join().ok());
        });
    });
    let bytes = (n * 8) as f64;
    let (bandwidth, bandwidth_2) = (bytes / one / 1e9, bytes / two / 1e9);

    // Latency: a random cyclic permutation (Sattolo's algorithm), followed one step at a time.
    let lines = n / 8;
    let mut next: Vec<u32> = (0..lines as u32).collect();
    for i in (1..lines).rev() {
        let j = (mix(i as u64 ^ 0x1a7) % i as u64) as usize;
        next.swap(i, j);
    }
    let hops = 2_000_000.min(lines);
    let chase = time(reps, || {
        let mut k = 0u32;
        for _ in 0..hops {
            k = next[k as usize];
        }
        black_box(k);
    });
    let ns_per_miss = chase / hops as f64 * 1e9;

    // A keyed hash per element (step, neuron), as a Poisson background needs one per draw.
    let neurons = 77_169usize;
    let steps = 100u64;
    let mut out = vec![0u64; neurons];
    let hash = time(reps, || {
        for step in 0..steps {
            let key = step << 32;
            for (i, o) in out.iter_mut().enumerate() {
                *o ^= mix(key ^ i as u64);
            }
        }
        black_box(&out);
    });
    let ns_per_hash = hash / (steps as usize * neurons) as f64 * 1e9;

    println!(
        "{{\"mib\": {mib}, \"bandwidth_gb_s\": {bandwidth:.2}, \"bandwidth_2_gb_s\": {bandwidth_2:.2}, \
         \"ns_per_miss\": {ns_per_miss:.1}, \"ns_per_hash\": {ns_per_hash:.3}}}"
    );
}
