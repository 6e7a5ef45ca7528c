//! `hayon-cli-assets OUT`: writes `OUT/man/` (`hayon-cli.1` and one page per subcommand, such as
//! `hayon-cli-account-connect.1`) and `OUT/completions/` (`hayon-cli.bash`, `_hayon-cli` for zsh,
//! `hayon-cli.fish`) from `hayon-cli`'s own clap definition. `scripts/package.sh` runs it and puts
//! the files where Debian and Fedora keep them; nothing generated is committed, and this program is
//! not part of any package.

use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        eprintln!("usage: hayon-cli-assets OUT_DIR");
        return ExitCode::from(2);
    };
    match write_all(&PathBuf::from(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(out: &Path) -> Result<(), String> {
    let man = out.join("man");
    let completions = out.join("completions");
    for dir in [&man, &completions] {
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    }
    clap_mangen::generate_to(hayon_cli::command(), &man)
        .map_err(|err| format!("man pages in {}: {err}", man.display()))?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut hayon_cli::command(), "hayon-cli", &completions)
            .map_err(|err| format!("{shell} completions in {}: {err}", completions.display()))?;
    }
    Ok(())
}
