//! The chapter's two-exponential figure, with the chapter's settings:
//! `cargo run --example two_exponentials` writes `figures/two_exponentials.png` and prints the key numbers
//! (as `neurode tutorial two_exponentials` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::TwoExponentials)
}
