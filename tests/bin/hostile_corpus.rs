//! Writes the hostile image corpus of tests/media_budget.rs into a folder, for
//! scripts/bench-hostile-images.sh: `cargo run -p hayon-tests --bin hostile-corpus -- DIR`. Prints
//! one line per file: its name and what should become of it.

use harness::images::{hostile_corpus, Expect};
use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: hostile-corpus DIR");
        std::process::exit(2);
    };
    if let Err(err) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {err}", dir.display());
        std::process::exit(1);
    }
    for (path, expect) in hostile_corpus(&dir) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match expect {
            Expect::Prepared(mime_type, width, height) => {
                println!("{name}\tprepared {mime_type} {width}x{height}")
            }
            Expect::Refused(words) => println!("{name}\trefused: {words}"),
        }
    }
}
