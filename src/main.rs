//! The `neurode` command-line tool: see `neurode --help` and [`neurode::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    neurode::cli::main()
}
