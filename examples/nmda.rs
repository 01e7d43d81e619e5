//! The chapter's NMDA figure, with the chapter's settings:
//! `cargo run --example nmda` writes `figures/nmda.png` and prints the key numbers
//! (as `neurode tutorial nmda` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::Nmda)
}
