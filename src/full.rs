//! `oncotrack-full`: every command of oncotrack (`oncotrack` runs the per-patient
//! listings itself and hands the others to this executable; `cargo run` runs it).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::exit_code(cli::run(cli::Cli::parse_checked()))
}
