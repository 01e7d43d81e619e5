//! COBA benchmark (Vogels & Abbott 2005; Brette et al. 2007, benchmark 1) built from the DSL
//! models; prints one JSON line. Example:
//! `cargo run --release --example coba -- --neurons 4000 --duration-ms 1000 --seed 1`
fn main() -> std::process::ExitCode {
    neurode_cli::bench::main("coba", neurode::benchmarks::coba)
}
