use std::process::ExitCode;

use clap::Parser;
use wacost::cli::{exit, Exit};

fn main() -> ExitCode {
    let cli = wacost::cli::Cli::parse();
    match wacost::cli::run(cli) {
        Ok(code) => code.into(),
        Err(e) => {
            let code = exit::of_error(&e);
            // A closed pipe (`wacost ... | head`) is not an error.
            if code != Exit::Ok {
                eprintln!("wacost: error: {e:#}");
            }
            code.into()
        }
    }
}
