//! The chapter's NMDA figure, with the chapter's settings:
//! `cargo run --example nmda` writes `figures/nmda.png` and prints the key numbers
//! (as `neurode tutorial nmda` does).

use neurode::cli::protocol_summary;
use neurode::plot::{figure_path, protocol_figure, save_png};
use neurode::tutorial::{Overrides, Protocol};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (protocol, chapter) = (Protocol::Nmda, Overrides::default());
    let recording = protocol.run(&chapter)?;
    std::fs::create_dir_all("figures")?;
    let png = figure_path("figures".as_ref(), protocol);
    save_png(&protocol_figure(protocol, &recording, &chapter), &png)?;
    println!("{}", protocol_summary(protocol, &recording, &chapter));
    println!("  figure: {}", png.display());
    Ok(())
}
