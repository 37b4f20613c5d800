//! `oncotrack-full`: every command of oncotrack (`oncotrack` runs the per-patient
//! listings itself and hands the others to this executable; `cargo run` runs it).

mod cli;

use std::process::ExitCode;

/// mimalloc: the parsing and writing threads of an ingest allocate and free millions
/// of small strings, which glibc's malloc serialises on its arena locks. Its v2 line
/// (the `v2` feature): v3 spends about a millisecond of system time setting up its
/// arena in every process, a fifth of a per-patient command, for the same ingest
/// speed (docs/benchmarks.md, "A store that scales").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Parsed as `oncotrack` parses it: the same values, the same messages.
    let args = cli::Cli::parse_front().unwrap_or_else(cli::Cli::parse_checked);
    cli::exit_code(cli::run(args))
}
