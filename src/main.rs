//! The `oncotrack` command: parse the command line, dispatch, and turn errors into one line and an exit code.

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
    let args = cli::Cli::parse_checked();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("oncotrack: error: {}", one_line(&error));
            ExitCode::from(1)
        }
    }
}

/// A reader of our output went away (`oncotrack ... | head`): not an error of ours.
/// The CSV and JSON writers wrap the I/O error in their own, whose chain does not
/// always reach it (`--format csv|json|tsv` piped into `head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            return e.kind() == BrokenPipe;
        }
        if let Some(e) = cause.downcast_ref::<serde_json::Error>() {
            return e.io_error_kind() == Some(BrokenPipe);
        }
        if let Some(e) = cause.downcast_ref::<csv::Error>()
            && let csv::ErrorKind::Io(io) = e.kind()
        {
            return io.kind() == BrokenPipe;
        }
        false
    })
}

/// The error and its causes on one line, leaving out a cause whose text the message
/// already holds (library errors include their source in their own message).
fn one_line(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}
