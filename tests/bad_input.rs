//! The bad-input corpus (`tests/bad/`): every kind of mistake in a scenario or rule file, run
//! through the real binary. Each must exit 2 without a panic, point at file:line:column, and
//! give the exact diagnostic pinned by an insta snapshot; `--format json` carries the same
//! errors. Inputs too big or too strange to commit (a 50 MB file, broken and looping links,
//! pipes, unreadable files, empty folders) are made at test time in a temporary folder.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn sorted(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .expect("the corpus folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
}

/// Extra arguments a scenario case asks for on a `# consentry-args: ...` line.
fn case_args(path: &Path) -> Vec<String> {
    let bytes = fs::read(path).expect("readable case");
    String::from_utf8_lossy(&bytes)
        .lines()
        .take(3)
        .find_map(|l| l.strip_prefix("# consentry-args: "))
        .map(|args| args.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

fn name_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name")
        .to_string()
}

/// The `error:` and `warning:` lines of rendered diagnostics, as JSON would carry them.
fn headlines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.strip_prefix("error: ")
                .map(|m| format!("error: {m}"))
                .or_else(|| l.strip_prefix("warning: ").map(|m| format!("warning: {m}")))
        })
        .collect()
}

fn json_headlines(stdout: &str) -> Vec<String> {
    let report: Value = serde_json::from_str(stdout).expect("JSON output");
    report["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["severity"].as_str().expect("severity"),
                e["message"].as_str().expect("message")
            )
        })
        .collect()
}

/// A located diagnostic: ` --> file:line:column`.
fn has_location(stderr: &str, file: &str) -> bool {
    stderr.lines().any(|l| {
        l.trim_start()
            .strip_prefix("--> ")
            .and_then(|rest| rest.strip_prefix(file))
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| {
                let mut parts = rest.split(':');
                parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
                    && parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
            })
    })
}

/// Cases whose problem is the file as a whole, so there is no line to point at.
const WHOLE_FILE: &[&str] = &["utf16"];

fn assert_bad(what: &str, out: &Run) {
    assert_eq!(
        out.code, 2,
        "{what}: exit code\n{}\n{}",
        out.stdout, out.stderr
    );
    assert!(
        !out.stderr.contains("panicked") && !out.stdout.contains("panicked"),
        "{what}: panic\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("error: ") || out.stderr.contains("warning: "),
        "{what}: no diagnostic\n{}",
        out.stderr
    );
}

#[test]
fn every_bad_scenario_exits_2_with_a_located_diagnostic_pinned_by_a_snapshot() {
    let files = sorted("tests/bad/scenarios");
    assert!(files.len() >= 40, "the corpus is found");
    for path in files {
        let file = path.to_str().expect("utf-8 path");
        let name = name_of(&path);
        let extra = case_args(&path);
        let mut args = vec!["check", file];
        args.extend(extra.iter().map(String::as_str));
        let out = run(&args);
        assert_bad(file, &out);
        if !WHOLE_FILE.contains(&name.as_str()) {
            assert!(
                has_location(&out.stderr, file),
                "{file}: no file:line:column\n{}",
                out.stderr
            );
        }
        assert!(
            out.stdout.contains(file),
            "{file}: the report lists the bad file\n{}",
            out.stdout
        );
        insta::assert_snapshot!(format!("scenario-{name}"), out.stderr);
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let json = run(&json_args);
        assert_eq!(json.code, 2, "{file}: exit code with --format json");
        assert_eq!(
            json_headlines(&json.stdout),
            headlines(&out.stderr),
            "{file}: --format json carries the same errors"
        );
    }
}

#[test]
fn every_bad_rule_folder_exits_2_with_a_located_diagnostic_pinned_by_a_snapshot() {
    let dirs = sorted("tests/bad/rules");
    assert!(dirs.len() >= 30, "the corpus is found");
    for dir in dirs {
        let folder = dir.to_str().expect("utf-8 path");
        let name = name_of(&dir);
        let args = [
            "validate",
            "--deny-warnings",
            "--rules",
            folder,
            "tests/bad/support/scenario.toml",
        ];
        let out = run(&args);
        assert_bad(folder, &out);
        assert!(
            has_location(
                &out.stderr,
                &format!("{folder}/{}", located_file(&out.stderr, folder))
            ),
            "{folder}: no file:line:column\n{}",
            out.stderr
        );
        insta::assert_snapshot!(format!("rules-{name}"), out.stderr);
        let mut json_args = args.to_vec();
        json_args.extend(["--format", "json"]);
        let json = run(&json_args);
        assert_eq!(json.code, 2, "{folder}: exit code with --format json");
        assert_eq!(
            json_headlines(&json.stdout),
            headlines(&out.stderr),
            "{folder}: --format json carries the same errors"
        );
        if name.starts_with("warning-") {
            let lenient_args: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| *a != "--deny-warnings")
                .collect();
            let lenient = run(&lenient_args);
            assert_eq!(
                lenient.code, 0,
                "{folder}: warnings fail the run only with --deny-warnings\n{}",
                lenient.stderr
            );
        }
    }
}

/// The file name (within `folder`) of the first located diagnostic.
fn located_file(stderr: &str, folder: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .and_then(|rest| rest.strip_prefix(&format!("{folder}/")))
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_default()
        .to_string()
}

const GOOD: &[&str] = &[
    "scenarios/fixtures/bipa/15a-violation.toml",
    "scenarios/fixtures/bipa/15b-compliant.toml",
    "scenarios/fixtures/bipa/15e-possible.toml",
];

#[test]
fn three_good_and_two_bad_scenarios_in_one_folder_report_the_good_list_the_bad_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, good) in GOOD.iter().enumerate() {
        fs::copy(good, dir.path().join(format!("good-{i}.toml"))).expect("copy");
    }
    fs::copy(
        "tests/bad/scenarios/misspelled-key.toml",
        dir.path().join("bad-1.toml"),
    )
    .expect("copy");
    fs::copy(
        "tests/bad/scenarios/disclosure-before-practice.toml",
        dir.path().join("bad-2.toml"),
    )
    .expect("copy");
    let folder = dir.path().to_str().expect("utf-8");
    let out = run(&["check", folder, "--all"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    for (i, good) in GOOD.iter().enumerate() {
        let alone = run(&["check", good, "--all"]);
        let section = alone
            .stdout
            .replace(good, &format!("{folder}/good-{i}.toml"));
        // The run-level trailer (what totals mean, the disclaimer) is printed once, after
        // every scenario.
        let section = section
            .split(&format!("\n{}", consentry::report::TOTALS_BASIS))
            .next()
            .unwrap_or(&section);
        let section = section
            .split("\nNot legal advice.")
            .next()
            .unwrap_or(section)
            .trim_end();
        assert!(
            out.stdout.contains(section),
            "good-{i} is reported in full:\n{section}\n---\n{}",
            out.stdout
        );
    }
    for bad in ["bad-1.toml", "bad-2.toml"] {
        let path = format!("{folder}/{bad}");
        assert!(out.stdout.contains(&path), "{bad} listed in the report");
        assert!(
            has_location(&out.stderr, &path),
            "{bad} diagnosed\n{}",
            out.stderr
        );
    }
    assert!(out.stdout.contains("2 file(s) could not be checked"));
    let json = run(&["check", folder, "--format", "json"]);
    assert_eq!(json.code, 2);
    let report: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["scenarios"].as_array().map(Vec::len), Some(3));
    let files: Vec<&str> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert!(files.iter().any(|f| f.ends_with("bad-1.toml")));
    assert!(files.iter().any(|f| f.ends_with("bad-2.toml")));
}

/// The temp folder's path replaced by `[TMP]`, so snapshots do not depend on it.
fn redacted(text: &str, dir: &Path) -> String {
    text.replace(dir.to_str().expect("utf-8"), "[TMP]")
}

#[test]
fn files_too_big_unreadable_or_not_files_are_listed_never_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| dir.path().join(name);
    // A 50 MB file: refused by size before it is read.
    let mut big = String::from("[scenario]\nid = \"big\"\n");
    let padding = "# padding padding padding padding padding padding padding padding\n";
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(padding);
    }
    fs::write(at("big.toml"), big).expect("write the big file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(at("nowhere.toml"), at("broken-link.toml")).expect("symlink");
        symlink(at("loop-b.toml"), at("loop-a.toml")).expect("symlink");
        symlink(at("loop-a.toml"), at("loop-b.toml")).expect("symlink");
        let fifo = std::process::Command::new("mkfifo")
            .arg(at("pipe.toml"))
            .status();
        assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    }
    fs::create_dir(at("empty-folder")).expect("mkdir");
    fs::write(at("empty-folder/notes.txt"), "not a scenario").expect("write");
    let folder = dir.path().to_str().expect("utf-8");
    let empty = at("empty-folder");
    // A folder given on the command line that holds no scenario is an error; a subfolder
    // without scenarios (notes, documents) inside a folder that has some is not.
    let out = run(&["check", folder, empty.to_str().expect("utf-8")]);
    assert_bad("special files", &out);
    let stderr = redacted(&out.stderr, dir.path());
    for name in [
        "big.toml",
        "broken-link.toml",
        "loop-a.toml",
        "loop-b.toml",
        "pipe.toml",
        "empty-folder",
    ] {
        assert!(
            stderr.contains(&format!("[TMP]/{name}")),
            "{name} listed:\n{stderr}"
        );
    }
    insta::assert_snapshot!("special-files", stderr);
    let stdout = redacted(&out.stdout, dir.path());
    assert!(stdout.contains("[TMP]/big.toml"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_and_folder_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("secret.toml");
    fs::write(&file, "[scenario]\nid = \"secret\"\n").expect("write");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&file).is_ok() {
        // Running as root: permissions do not stop reading; the looping link of the test
        // above stands in for an unreadable file.
        return;
    }
    let out = run(&["check", file.to_str().expect("utf-8")]);
    assert_bad("unreadable file", &out);
    assert!(out.stderr.contains("permission denied"), "{}", out.stderr);
}

#[test]
fn one_scenario_id_in_two_files_is_an_error_in_the_second() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = fs::read_to_string(GOOD[0]).expect("read");
    fs::write(dir.path().join("a.toml"), &text).expect("write");
    fs::write(dir.path().join("b.toml"), &text).expect("write");
    let out = run(&["check", dir.path().to_str().expect("utf-8")]);
    assert_bad("duplicate scenario id", &out);
    insta::assert_snapshot!("duplicate-scenario-id", redacted(&out.stderr, dir.path()));
}

#[test]
fn the_whole_corpus_at_once_is_every_file_listed_and_exit_2() {
    let out = run(&["validate", "tests/bad/scenarios"]);
    assert_eq!(out.code, 2);
    let files = sorted("tests/bad/scenarios");
    assert!(
        out.stdout
            .contains(&format!("0 valid, {} with errors", files.len())),
        "{}",
        out.stdout
    );
    let tested = run(&["test", "tests/bad/scenarios"]);
    assert_eq!(tested.code, 2);
    assert!(!tested.stderr.contains("panicked"));
}

/// Regression: two links to `.` inside a folder made the search for scenarios exponential
/// (2^32 paths before the depth guard stopped it). Each folder is searched once, and a link
/// back to one already searched is a warning.
#[cfg(unix)]
#[test]
fn links_back_to_a_searched_folder_are_searched_once() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(GOOD[1], dir.path().join("good.toml")).expect("copy");
    symlink(".", dir.path().join("again")).expect("symlink");
    symlink(".", dir.path().join("and-again")).expect("symlink");
    let folder = dir.path().to_str().expect("utf-8");
    let out = run(&["check", folder, folder, "--fail-on", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.matches("━━ ").count(), 1, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("warning: this folder is a link to a folder already searched"),
        "{}",
        out.stderr
    );
}
