//! The floor the benchmarks compare against: read and parse every scenario file into a
//! generic TOML value, and nothing else, the least any TOML-based checker must pay.
//!
//! `cargo run --release --example floor -- PATH ...` walks the paths for `*.toml` files in
//! sorted order (skipping `consentry.toml`, the waiver file, as consentry does), parses them
//! with the same TOML parser consentry uses, on as many threads as consentry uses
//! (`RAYON_NUM_THREADS`, as consentry's thread pool reads it, else the available cores), and
//! prints how many files and top-level tables it read so the work cannot be optimised away.
//! It writes nothing else: compare it with consentry's report sent to `/dev/null`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            walk(&entry.path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "toml")
        && path.file_name().is_some_and(|n| n != "consentry.toml")
    {
        out.push(path.to_path_buf());
    }
}

fn parse_all(files: &[PathBuf]) -> (usize, usize) {
    let mut tables = 0;
    let mut failed = 0;
    for file in files {
        let parsed = std::fs::read_to_string(file)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok());
        match parsed {
            Some(table) => tables += table.len(),
            None => failed += 1,
        }
    }
    (tables, failed)
}

fn main() -> ExitCode {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        walk(Path::new(&arg), &mut files);
    }
    files.sort();
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
        .max(1);
    let chunk = files.len().div_ceil(threads).max(1);
    let (tables, failed) = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || parse_all(part)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .fold((0, 0), |(t, f), (t2, f2)| (t + t2, f + f2))
    });
    println!(
        "{} files, {tables} top-level tables, {failed} unreadable",
        files.len()
    );
    if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
