//! The chapter's GABA_A figure, with the chapter's settings:
//! `cargo run --example gaba_a` writes `figures/gaba_a.png` and prints the key numbers
//! (as `neurode tutorial gaba_a` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::GabaA)
}
