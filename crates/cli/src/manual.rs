//! Shell completions and manual pages, both made from the argument
//! definitions (`args.rs`), so they name every command and option there is.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::args::{Cli, Command};

/// `annals completions` and `annals man`.
pub fn run(command: Command, out: &mut impl Write) -> Result<()> {
    match command {
        Command::Completions { shell } => completions(shell, out),
        Command::Man { command, dir } => man(command.as_deref(), dir.as_deref(), out),
        _ => unreachable!("only completions and man are answered here"),
    }
}

/// The command line as the manual pages describe it: `annals` and its
/// commands, without clap's `help` command (each page gives the help).
fn command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// The completion script for `shell`, on `out`.
fn completions(shell: clap_complete::Shell, out: &mut impl Write) -> Result<()> {
    // Made whole first: the generator panics when it cannot write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "annals", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// The manual page annals(1), or annals-COMMAND(1) for `name`, on `out`;
/// or, with `dir`, every page written into that folder.
fn man(name: Option<&str>, dir: Option<&Path>, out: &mut impl Write) -> Result<()> {
    let command = command();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        let mut written = 0;
        for page in std::iter::once(&command).chain(command.get_subcommands()) {
            let man = clap_mangen::Man::new(page.clone());
            let path = dir.join(man.get_filename());
            let mut text = Vec::new();
            man.render(&mut text)?;
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written += 1;
        }
        writeln!(out, "wrote {written} manual pages into {}", dir.display())?;
        return Ok(());
    }
    let page = match name {
        None => &command,
        Some(name) => command.find_subcommand(name).ok_or_else(|| {
            let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            crate::usage(format!(
                "no command is called `{name}`; the commands are {}",
                names.join(", ")
            ))
        })?,
    };
    let mut text = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut text)?;
    out.write_all(&text)?;
    Ok(())
}
