//! The COPPA pack end to end through the real binary: the motivating cases, the version
//! switch of the 2025 amendments, and BIPA and COPPA findings side by side.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::collections::BTreeMap;

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

fn human(args: &[&str]) -> String {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn findings(report: &Value) -> Vec<&Value> {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .collect()
}

/// The strongest verdict of every rule in the report (JSON with `--all`).
fn strongest(report: &Value) -> BTreeMap<String, String> {
    let order = [
        "not-applicable",
        "compliant",
        "possible-violation",
        "likely-violation",
    ];
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for finding in findings(report) {
        let rule = finding["rule"].as_str().expect("rule").to_string();
        let verdict = finding["verdict"].as_str().expect("verdict").to_string();
        let rank = |v: &str| order.iter().position(|o| *o == v);
        let entry = out.entry(rule).or_insert_with(|| verdict.clone());
        if rank(&verdict) > rank(entry) {
            *entry = verdict;
        }
    }
    out
}

#[test]
fn musically_reports_the_five_counts_of_the_complaint_with_elements_and_lines() {
    let report = json(&[
        "check",
        "scenarios/musically-ftc-2019.toml",
        "--format",
        "json",
    ]);
    for rule in [
        "coppa.312.4b",
        "coppa.312.4d",
        "coppa.312.5a1",
        "coppa.312.6",
        "coppa.312.10",
    ] {
        let finding = findings(&report)
            .into_iter()
            .find(|f| f["rule"] == rule && f["verdict"] == "likely-violation")
            .unwrap_or_else(|| panic!("{rule} is a likely violation"));
        let failed: Vec<&Value> = finding["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["kind"] == "requires" && e["value"] == false)
            .collect();
        assert!(!failed.is_empty(), "{rule} names the failed elements");
        for element in failed {
            let facts = element["facts"].as_array().expect("facts");
            assert!(
                !facts.is_empty() && facts.iter().all(|f| f["line"].as_u64() > Some(0)),
                "{rule}: {element:#}"
            );
        }
    }
}

#[test]
fn hong_gives_bipa_and_coppa_likely_violations_explained_by_the_complaint_facts() {
    let report = json(&[
        "check",
        "scenarios/tiktok-hong-2019.toml",
        "--format",
        "json",
    ]);
    let verdicts = strongest(&report);
    for rule in ["bipa.15a", "bipa.15b", "coppa.312.4b", "coppa.312.5a1"] {
        assert_eq!(
            verdicts.get(rule).map(String::as_str),
            Some("likely-violation"),
            "{rule}"
        );
    }
    let summary = &report["scenarios"][0]["summary_by_statute"];
    assert!(
        summary["bipa"]["likely-violation"].as_u64() > Some(0),
        "{summary:#}"
    );
    assert!(
        summary["coppa"]["likely-violation"].as_u64() > Some(0),
        "{summary:#}"
    );
    let text = human(&["check", "scenarios/tiktok-hong-2019.toml"]);
    let coppa = text
        .split("\n\n")
        .find(|p| {
            p.starts_with("LIKELY VIOLATION  coppa.312.5a1") && p.contains("account-without-signup")
        })
        .expect("the account made without sign-up breaches 312.5(a)(1)");
    for fact in [
        "service.actual_knowledge_under_13 = true",
        "practice.data = [\"phone-number\"]",
        "practice.consent.kind = \"none\"",
        "practice.consent.before_collection = false",
        "scenarios/tiktok-hong-2019.toml:",
    ] {
        assert!(coppa.contains(fact), "missing `{fact}` in\n{coppa}");
    }
    assert!(
        text.contains("   coppa    "),
        "the summary counts verdicts per statute"
    );
}

#[test]
fn the_2025_amendments_change_exactly_the_duties_they_amended() {
    let path = "scenarios/fixtures/coppa/amendments-2026.toml";
    let before = strongest(&json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--as-of",
        "2024-01-01",
    ]));
    let after = strongest(&json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--as-of",
        "2026-06-01",
    ]));
    let changed: Vec<&str> = after
        .iter()
        .filter(|(rule, _)| rule.starts_with("coppa."))
        .filter(|(rule, verdict)| before.get(*rule) != Some(verdict))
        .map(|(rule, _)| rule.as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "coppa.312.10",
            "coppa.312.4b",
            "coppa.312.4d",
            "coppa.312.5a2",
            "coppa.312.8"
        ],
        "before {before:#?}\nafter {after:#?}"
    );
    assert!(
        before
            .values()
            .all(|v| v == "compliant" || v == "not-applicable")
    );
    assert!(
        changed
            .iter()
            .all(|r| after.get(*r).map(String::as_str) == Some("likely-violation"))
    );
    // The window between the effective date and the compliance date applies the 2013
    // duties and says so in every COPPA finding.
    let window = json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--as-of",
        "2025-09-01",
    ]);
    let coppa = |verdicts: BTreeMap<String, String>| -> BTreeMap<String, String> {
        verdicts
            .into_iter()
            .filter(|(rule, _)| rule.starts_with("coppa."))
            .collect()
    };
    assert_eq!(coppa(strongest(&window)), coppa(before.clone()));
    assert!(
        findings(&window)
            .iter()
            .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("coppa.")))
            .all(|f| f["notes"].as_array().is_some_and(|n| n.len() == 1))
    );
    let plain = json(&[
        "check",
        path,
        "--format",
        "json",
        "--all",
        "--as-of",
        "2024-01-01",
    ]);
    assert!(
        findings(&plain)
            .iter()
            .all(|f| f["notes"].as_array().is_some_and(Vec::is_empty))
    );
}

#[test]
fn text_plus_is_a_consent_method_only_from_the_2025_amendments() {
    let path = "scenarios/fixtures/coppa/text-plus-2024.toml";
    let verdict = |as_of: &str| {
        strongest(&json(&[
            "check", path, "--format", "json", "--all", "--as-of", as_of,
        ]))
        .get("coppa.312.5a1")
        .cloned()
    };
    assert_eq!(verdict("2024-06-01").as_deref(), Some("likely-violation"));
    assert_eq!(verdict("2026-06-01").as_deref(), Some("compliant"));
}

#[test]
fn penalties_follow_the_inflation_adjustment_in_force() {
    let path = "scenarios/fixtures/coppa/10-violation.toml";
    for (as_of, amount) in [
        ("2023-06-01", 50_120.0),
        ("2024-06-01", 51_744.0),
        ("2025-06-01", 53_088.0),
        ("2026-06-01", 53_088.0),
    ] {
        let report = json(&["check", path, "--format", "json", "--as-of", as_of]);
        let finding = findings(&report)
            .into_iter()
            .find(|f| f["rule"] == "coppa.312.10")
            .expect("a coppa.312.10 finding");
        assert_eq!(finding["remedy"]["high"].as_f64(), Some(amount), "{as_of}");
        assert_eq!(
            finding["remedy"]["low"],
            Value::Null,
            "civil penalties are `up to`"
        );
        assert_eq!(finding["exposure"]["low"], Value::Null, "{as_of}");
        assert_eq!(
            finding["exposure"]["high"].as_f64(),
            Some(amount * 40_000.0),
            "{as_of}"
        );
    }
}
