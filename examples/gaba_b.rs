//! The chapter's GABA_B figure, with the chapter's settings:
//! `cargo run --example gaba_b` writes `figures/gaba_b.png` and prints the key numbers
//! (as `neurode tutorial gaba_b` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::GabaB)
}
