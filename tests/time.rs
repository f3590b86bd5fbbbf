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
