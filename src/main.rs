use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = wacost::cli::Cli::parse();
    match wacost::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`wacost ... | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("wacost: error: {e:#}");
            ExitCode::from(wacost::cli::exit::USAGE)
        }
    }
}
