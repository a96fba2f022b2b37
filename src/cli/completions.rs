//! `wacost completions SHELL` and `wacost man`: shell completion scripts and
//! a man page generated from the clap definitions, so they never drift
//! from the flags the binary really takes.

use std::io::{self, Write};

use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell as Generator;

use super::{to_stdout, Cli, Exit};

/// The shells `wacost completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    fn generator(self) -> Generator {
        match self {
            Shell::Bash => Generator::Bash,
            Shell::Zsh => Generator::Zsh,
            Shell::Fish => Generator::Fish,
            Shell::Powershell => Generator::PowerShell,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

/// Writes the completion script for `a.shell` to stdout.
pub fn run_completions(a: &CompletionsArgs) -> Result<Exit> {
    to_stdout(|w| write_completions(a.shell, w))?;
    Ok(Exit::Ok)
}

/// The completion script of `shell`.
pub fn write_completions(shell: Shell, w: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell.generator(), &mut cmd, "wacost", w);
    Ok(())
}

/// Writes the man page (roff, section 1) to stdout.
pub fn run_man(_: &ManArgs) -> Result<Exit> {
    to_stdout(write_man)?;
    Ok(Exit::Ok)
}

/// `wacost.1`: the top command, then each subcommand as a section.
pub fn write_man(w: &mut dyn Write) -> io::Result<()> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_sub(w, sub)?;
    }
    man.render_version_section(w)?;
    Ok(())
}

/// One subcommand's synopsis and options under its own heading.
fn write_sub(w: &mut dyn Write, sub: &clap::Command) -> io::Result<()> {
    let name = format!("wacost {}", sub.get_name());
    writeln!(w, ".SH \"{}\"", name.to_uppercase())?;
    let sub = sub.clone().bin_name(name);
    let man = clap_mangen::Man::new(sub);
    let mut body = Vec::new();
    man.render_description_section(&mut body)?;
    man.render_synopsis_section(&mut body)?;
    man.render_options_section(&mut body)?;
    // Each section's own `.SH` becomes a sub-heading of the subcommand's.
    let text = String::from_utf8_lossy(&body).replace(".SH ", ".SS ");
    w.write_all(text.as_bytes())
}
