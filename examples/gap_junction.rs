//! The chapter's gap-junction figure, with the chapter's settings:
//! `cargo run --example gap_junction` writes `figures/gap_junction.png` and prints the key numbers
//! (as `neurode tutorial gap_junction` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::GapJunction)
}
