//! CUBA benchmark (Brian2's `CUBA.py`) built from the DSL models; prints one JSON line. Example:
//! `cargo run --release --example cuba -- --neurons 4000 --duration-ms 1000 --seed 1`
fn main() -> std::process::ExitCode {
    neurode_cli::bench::main("cuba", neurode::benchmarks::cuba)
}
