//! How a command's result becomes the process's exit: one line on standard error, exit code 0 or 1 (clap exits 2 for usage).

use std::process::ExitCode;

/// Exit code 0, or the error on one line (`oncotrack: error: …`) and 1. A reader
/// of our output that went away (`| head`) is not an error.
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
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
