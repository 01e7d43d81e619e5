//! The one integration-test binary: modules per subject, plus the trybuild driver.

mod brian2_ports;
mod chapter;
mod delays;
mod fixtures;
mod integrators;
mod memory;
mod monitors;
mod neurons;
mod plasticity;
mod storage;
mod threads;
mod ui;
mod values;
