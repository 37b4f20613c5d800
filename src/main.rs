//! The `oncotrack` command: parse the command line, dispatch, and turn errors into one line and an exit code.

mod cli;

use std::process::ExitCode;

/// mimalloc: the parsing and writing threads of an ingest allocate and free millions
/// of small strings, which glibc's malloc serialises on its arena locks.
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
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
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
