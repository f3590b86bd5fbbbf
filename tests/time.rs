//! Time as an input: the version in force on `--as-of`, the five-year limitations period
//! measured back from it, and the counting note for conduct before the 2024 amendment.

#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use assert_cmd::Command;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn finding(path: &str, rule: &str, as_of: &str) -> Value {
    let report = json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--statute",
        "bipa",
        "--as-of",
        as_of,
    ]);
    report["scenarios"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == rule)
        .cloned()
        .unwrap_or_else(|| panic!("a {rule} finding in {path} as of {as_of}"))
}

#[test]
fn an_electronic_signature_is_a_written_release_only_from_2024_08_02() {
    let path = "scenarios/fixtures/bipa/electronic-signature-2024-09-01.toml";
    assert_eq!(
        finding(path, "bipa.15b", "2024-01-01")["verdict"],
        "likely-violation"
    );
    assert_eq!(
        finding(path, "bipa.15b", "2024-09-01")["verdict"],
        "compliant"
    );
}

#[test]
fn conduct_that_ended_more_than_five_years_before_is_time_barred() {
    let path = "scenarios/fixtures/bipa/time-barred.toml";
    // The time clock was retired on 2018-06-30.
    let barred = finding(path, "bipa.15b", "2024-01-01");
    assert_eq!(barred["verdict"], "not-applicable");
    let exception = barred["elements"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["id"] == "time-barred")
        .expect("the limitations element");
    assert_eq!(exception["value"], true);
    assert_eq!(
        finding(path, "bipa.15b", "2023-06-29")["verdict"],
        "likely-violation"
    );
    assert_eq!(
        finding(path, "bipa.15b", "2023-07-01")["verdict"],
        "not-applicable"
    );
}

#[test]
fn a_practice_begun_before_the_2024_amendment_carries_the_counting_note() {
    let path = "scenarios/fixtures/bipa/conduct-before-amendment.toml";
    let note = |as_of: &str| {
        finding(path, "bipa.15b", as_of)["exposure"]["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| {
                n.as_str()
                    .is_some_and(|n| n.starts_with("The practice began before 2024-08-02"))
            })
    };
    assert!(
        note("2025-03-01"),
        "per-person counting from 2024-08-02, with the note"
    );
    assert!(
        !note("2024-01-01"),
        "before the amendment the per-scan remedy applies anyway"
    );
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `explain --as-of`: the rule as read on the date, with the release definition in force then,
/// the remedy in force, and the 2024 amendment as the next (or previous) change.
#[test]
fn explain_as_of_reads_bipa_15b_before_and_after_the_2024_amendment() {
    let (code, before, stderr) = run(&["explain", "bipa.15b", "--as-of", "2024-01-01"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(before.contains("  • $written_release_kinds = written-release\n"));
    assert!(
        before.contains("up to $1,000 (negligent) – $5,000 (reckless or intentional) per scan")
    );
    assert!(before.contains(
        "  Next: 2024-08-02\n    • $written_release_kinds (read by written-release) adds electronic-signature\n    • the remedy changes: counting changes from per scan to per person"
    ));
    insta::assert_snapshot!("explain_bipa_15b_as_of_2024_01_01", before);
    let (code, after, stderr) = run(&["explain", "bipa.15b", "--as-of", "2024-09-01"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(after.contains("  • $written_release_kinds = written-release, electronic-signature\n"));
    assert!(after.contains("  Previous: 2024-08-02\n"));
    assert!(after.contains("  Next: none\n"));
    insta::assert_snapshot!("explain_bipa_15b_as_of_2024_09_01", after);
}

#[test]
fn explain_as_of_before_the_first_version_says_when_the_rule_starts() {
    let (code, out, _) = run(&["explain", "bipa.15b", "--as-of", "2000-01-01"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Not yet in force on 2000-01-01: bipa.15b takes effect on 2008-10-03."),
        "{out}"
    );
    assert!(out.contains("  Next: 2008-10-03\n    • bipa.15b takes effect"));
    // Without --as-of, every version as before.
    let (code, out, _) = run(&["explain", "bipa.15b"]);
    assert_eq!(code, 0);
    assert!(out.contains("version from 2008-10-03 in force"), "{out}");
    // A version replaced by a newer one: the elements that change are named.
    let (_, out, _) = run(&["explain", "coppa.312.8", "--as-of", "2025-07-01"]);
    assert!(out.contains("  Next: 2026-04-22\n    • a new version of coppa.312.8 takes effect (from 2026-04-22, replacing the version from 2013-07-01)"), "{out}");
    assert!(out.contains("requires element `written-security-program` comes into force"));
}
