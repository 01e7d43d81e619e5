//! The firing patterns of Izhikevich (2003), Fig. 2: regular spiking, intrinsically bursting,
//! chattering, fast spiking and low-threshold spiking at I = 10, 200 ms at dt = 0.1 ms; one
//! figure per pattern in `figures/izhikevich_<pattern>.png` (v and u, spikes marked).
//! Example: `cargo run --release --example izhikevich`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    neurode_cli::neuron::example(
        "izhikevich",
        &[
            ("rs", Some("rs"), None, 200.0),
            ("ib", Some("ib"), None, 200.0),
            ("ch", Some("ch"), None, 200.0),
            ("fs", Some("fs"), None, 200.0),
            ("lts", Some("lts"), None, 200.0),
        ],
    )
}
