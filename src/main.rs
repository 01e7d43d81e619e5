//! The `neurode` command-line tool.
fn main() {}
