//! One question, many statutes: the same transfer read under every pack that reaches it,
//! and the thresholds that decide whether a pack attaches.

#![expect(
    clippy::expect_used,
    clippy::panic,
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

fn verdicts<'a>(report: &'a Value, rule: &str) -> Vec<&'a str> {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter(|f| f["rule"] == rule)
        .filter_map(|f| f["verdict"].as_str())
        .collect()
}

#[test]
fn the_hong_transfers_to_china_are_read_under_the_bulk_data_rule_of_today() {
    let path = "scenarios/tiktok-hong-2019.toml";
    let then = json(&["check", path, "--format", "json", "--all"]);
    assert!(
        verdicts(&then, "dsp.202-401").is_empty(),
        "not in force in 2019"
    );
    let now = json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--as-of",
        "2025-06-01",
    ]);
    let restricted = verdicts(&now, "dsp.202-401");
    assert_eq!(
        restricted.len(),
        4,
        "every transfer to China is a restricted transaction"
    );
    assert!(
        restricted.iter().all(|v| *v == "possible-violation"),
        "{restricted:?}"
    );
    let finding = now["scenarios"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "dsp.202-401")
        .expect("a dsp.202-401 finding");
    let missing: Vec<&str> = finding["missing_facts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["path"].as_str())
        .collect();
    assert!(
        missing.contains(&"practice.us_volume.persons_12m"),
        "{missing:?}"
    );
    assert!(
        !missing.contains(&"practice.us_volume.devices_12m"),
        "only facts that could change the verdict are named: {missing:?}"
    );
    for rule in ["bipa.15d", "coppa.312.5a1"] {
        assert!(
            verdicts(&now, rule).contains(&"likely-violation"),
            "{rule} still reads the same facts"
        );
    }
}

#[test]
fn the_bulk_threshold_is_more_than_one_thousand_persons() {
    let above = json(&[
        "check",
        "scenarios/fixtures/dsp/401-violation.toml",
        "--format",
        "json",
        "--all",
    ]);
    assert_eq!(verdicts(&above, "dsp.202-401"), ["likely-violation"]);
    let below = json(&[
        "check",
        "scenarios/fixtures/dsp/401-below-threshold.toml",
        "--format",
        "json",
        "--all",
    ]);
    assert_eq!(verdicts(&below, "dsp.202-401"), ["not-applicable"]);
}

#[test]
fn the_statute_filter_keeps_only_the_named_packs_and_their_expectations() {
    let report = json(&[
        "check",
        "scenarios/cubi-texas-meta-2024.toml",
        "--format",
        "json",
        "--all",
        "--statute",
        "cubi",
    ]);
    let rules: Vec<&str> = report["scenarios"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !rules.is_empty() && rules.iter().all(|r| r.starts_with("cubi.")),
        "{rules:?}"
    );
    assert_eq!(verdicts(&report, "cubi.503-001b"), ["likely-violation"]);
    let out = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .args([
            "test",
            "--statute",
            "cubi",
            "scenarios/cubi-texas-meta-2024.toml",
        ])
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "[expect] entries of other packs are skipped: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn text(args: &[&str]) -> String {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The summary says, per practice, which statutes reach it; with `--all` it names the
/// element (and the facts with their lines) that keeps each other statute out, and the
/// packs not yet in force on the scenario's date.
#[test]
fn the_summary_says_per_practice_which_statutes_reach_it_and_why_not_the_others() {
    let path = "scenarios/tiktok-hong-2019.toml";
    let short = text(&["check", path]);
    assert!(
        short.contains(
            "`face-scan-unposted`: bipa (likely-violation), coppa (possible-violation), cubi (possible-violation)"
        ),
        "{short}"
    );
    assert!(
        short.contains("not reached: gdpr, wa (--all shows why)"),
        "{short}"
    );
    assert!(
        short.contains("Not in force on 2019-11-27: ccpa (from 2020-01-01), dsp (from 2025-04-08)"),
        "{short}"
    );
    let all = text(&["check", path, "--all"]);
    assert!(
        all.contains("gdpr not reached: ✗ union-nexus (threshold not met; GDPR Art. 3(1)-(2);"),
        "{all}"
    );
    assert!(
        all.contains("practice.regions = [\"US\", \"US-CA\", \"US-IL\"] (scenarios/tiktok-hong-2019.toml:137:11)"),
        "{all}"
    );
    assert!(
        all.contains("bipa not reached: ✗ biometric-data (threshold not met;"),
        "the phone-number practice is outside BIPA: {all}"
    );
    let memo = text(&["check", path, "--all", "--format", "markdown"]);
    assert!(
        memo.contains(
            "| `account-without-signup` | coppa (likely-violation) | bipa, cubi, gdpr, wa |"
        ),
        "{memo}"
    );
    assert!(
        memo.contains("- `account-without-signup`: **bipa** not reached: ✗ biometric-data"),
        "{memo}"
    );
}
