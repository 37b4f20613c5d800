//! `oncotrack`, the command users run: parses the command line; runs the per-patient
//! listings itself and hands every other command to `oncotrack-full` beside it.
//!
//! Why two executables: starting a 27 MB position-independent executable costs about
//! 1.5 ms of relocating its 1.5 MB of pointers (polars, DICOM, BAM and UI code) before
//! `main`, a third of a `timeline`. This one links only what the per-patient commands
//! use (SQLite, the store, the response criteria) and starts in about half the time;
//! `oncotrack-full` holds every command, the same ones included (docs/architecture.md).
//! It keeps the system allocator: these commands are single-threaded, and mimalloc's
//! set-up in `oncotrack-full` (two 2 MiB huge pages zeroed) would be 0.5 ms of them.

#[allow(dead_code)] // The commands this executable hands on are linked only into oncotrack-full.
mod cli;

use std::process::ExitCode;

/// The executable that runs every command, installed beside this one.
const FULL_EXECUTABLE: &str = "oncotrack-full";

fn main() -> ExitCode {
    // A per-patient command line is parsed by the per-patient commands' parser alone;
    // anything else (help, an error, another command) by the whole command line's.
    let args = cli::Cli::parse_front().unwrap_or_else(cli::Cli::parse_checked);
    match args.command {
        cli::Command::Front(command) => cli::exit_code(cli::run_front(args.globals, command)),
        _ => cli::exit_code(Err(exec_full())),
    }
}

/// Replaces this process with `oncotrack-full` (the same arguments, environment,
/// standard streams and terminal); returns only when that cannot be done.
fn exec_full() -> anyhow::Error {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return anyhow::anyhow!("cannot find where oncotrack is installed: {e}"),
    };
    let full = exe.with_file_name(FULL_EXECUTABLE);
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "oncotrack".into());
    let mut command = std::process::Command::new(&full);
    command.args(args);
    #[cfg(unix)]
    let error = {
        use std::os::unix::process::CommandExt;
        command.arg0(arg0).exec()
    };
    #[cfg(not(unix))]
    let error = {
        let _ = arg0;
        match command.status() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(e) => e,
        }
    };
    anyhow::anyhow!(
        "cannot run {}: {error}; oncotrack runs this command through {FULL_EXECUTABLE} \
         installed beside it (`cargo install --path .` installs both; from a build, keep \
         target/release/{FULL_EXECUTABLE} beside target/release/oncotrack)",
        full.display(),
    )
}
