//! The step loop of the COBA and CUBA benchmark networks (built from the DSL models): the first
//! 100 ms of biological time per iteration, building excluded, on one thread and (N = 16000) on
//! two; and building itself. Compare with Brian2 side by side with `bench/compare.sh`; this target
//! tracks neurode against itself.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use neurode::benchmarks::{coba, cuba};

fn step_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("100 ms");
    group.sample_size(20);
    for (n, threads) in [(4000usize, 1), (16000, 1), (16000, 2)] {
        for (name, build) in [("coba", coba as fn(usize, u64) -> _), ("cuba", cuba)] {
            group.bench_function(format!("{name} N={n} threads={threads}"), |b| {
                b.iter_batched(
                    || {
                        let mut bench = build(n, 1).expect("benchmark network builds");
                        bench
                            .net
                            .set_threads(threads)
                            .expect("a valid thread count");
                        bench
                    },
                    |mut bench| bench.net.run(100.0).expect("the network runs"),
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

fn construction(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("coba N=16000", |b| {
        b.iter(|| coba(16000, 1).expect("builds"))
    });
    group.finish();
}

criterion_group!(benches, step_loop, construction);
criterion_main!(benches);
