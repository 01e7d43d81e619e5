//! The chapter's alpha figure, with the chapter's settings:
//! `cargo run --example alpha` writes `figures/alpha.png` and prints the key numbers
//! (as `neurode tutorial alpha` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::Alpha)
}
