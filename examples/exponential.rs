//! The chapter's exponential figure, with the chapter's settings:
//! `cargo run --example exponential` writes `figures/exponential.png` and prints the key numbers
//! (as `neurode tutorial exponential` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::Exponential)
}
