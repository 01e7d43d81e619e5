//! The chapter's voltage-jump figure, with the chapter's settings:
//! `cargo run --example voltage_jump` writes `figures/voltage_jump.png` and prints the key numbers
//! (as `neurode tutorial voltage_jump` does).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::chapter_example(neurode::tutorial::Protocol::VoltageJump)
}
