//! Writes a deterministic corpus of realistic scenario files for the benchmarks.
//!
//! `cargo run --release --example bench_corpus -- DIR COUNT [SEED]` writes COUNT files
//! `DIR/scenario-000001.toml`, ... Each has 1 to 6 practices mixing biometric and ordinary
//! data, children, several regions, 0 to 3 disclosures per practice (third countries
//! included), and about a fifth of its facts left unstated. The same seed always gives the
//! same bytes, and every file passes `consentry validate`.

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "corpus/generate.rs"]
mod generate;

use generate::{Rng, scenario};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(count)) = (
        args.first(),
        args.get(1).and_then(|c| c.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: bench_corpus DIR COUNT [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
    let dir = PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let mut rng = Rng(seed);
    for index in 1..=count {
        let path = dir.join(format!("scenario-{index:06}.toml"));
        if let Err(e) = std::fs::write(&path, scenario(index, &mut rng)) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
