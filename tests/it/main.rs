//! The one integration-test binary: modules per subject, plus the trybuild driver.

mod brian2_ports;
mod chapter;
mod checkpoint;
mod delays;
mod fixtures;
mod inputs;
mod integrators;
mod jumps;
mod memory;
mod monitors;
mod neuron_models;
#[allow(dead_code, reason = "generated: not every reference value is checked")]
mod neuron_reference;
mod neurons;
mod noise;
mod plasticity;
mod refractory;
mod storage;
mod summed;
mod threads;
mod ui;
mod values;
mod views;
