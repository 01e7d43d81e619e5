//! The `neurode` command-line tool: see `neurode --help` and [`neurode_cli::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    neurode_cli::cli::main()
}
