//! The chapter's AMPA figure, with the chapter's settings:
//! `cargo run --example ampa` writes `figures/ampa.png` and prints the key numbers
//! (as `neurode tutorial ampa` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::Ampa)
}
