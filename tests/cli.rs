//! The real binary: every command, every exit code, the JSON contract and bad input.

#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const HONG: &str = "scenarios/tiktok-hong-2019.toml";

fn consentry() -> Command {
    let mut cmd = Command::cargo_bin("consentry").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = consentry().args(args).output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn strongest(report: &Value, rule: &str) -> String {
    let order = [
        "likely-violation",
        "possible-violation",
        "compliant",
        "not-applicable",
    ];
    findings(report, rule)
        .iter()
        .filter_map(|f| f["verdict"].as_str())
        .min_by_key(|v| order.iter().position(|o| o == v))
        .unwrap_or("not-applicable")
        .to_string()
}

#[test]
fn hong_reports_bipa_15a_and_15b_as_likely_violations_with_elements_and_lines() {
    let out = run(&["check", HONG]);
    assert_eq!(
        out.code, 1,
        "likely violations exit 1\n{}{}",
        out.stdout, out.stderr
    );
    for rule in ["bipa.15a", "bipa.15b"] {
        let header = format!("LIKELY VIOLATION  {rule}");
        assert!(
            out.stdout.contains(&header),
            "missing `{header}` in\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("✗"), "failed elements are marked");
    assert!(
        out.stdout.contains(&format!("({HONG}:")),
        "facts carry file:line:column"
    );
    let report = json(&["check", HONG, "--format", "json"]);
    for rule in ["bipa.15a", "bipa.15b"] {
        let finding = findings(&report, rule)
            .into_iter()
            .find(|f| f["verdict"] == "likely-violation")
            .expect("a likely violation");
        let failed: Vec<&Value> = finding["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["kind"] == "requires" && e["value"] == false)
            .collect();
        assert!(!failed.is_empty(), "{rule} names its failed elements");
        assert!(failed.iter().all(|e| {
            e["facts"]
                .as_array()
                .is_some_and(|f| f.iter().all(|f| f["line"].as_u64() > Some(0)))
        }));
        assert!(!finding["fixes"].as_array().expect("fixes").is_empty());
    }
}

/// Removes the `[practice.notice]` and `[practice.consent]` tables of the `face-scan-unposted`
/// practice, as a user who has not gathered those facts yet would write the file.
fn without_notice_and_consent(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_practice = false;
    let mut skipping = false;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if trimmed == "[[practice]]" {
                in_practice = lines[i + 1..]
                    .iter()
                    .take_while(|l| !l.trim().starts_with('['))
                    .any(|l| l.replace(' ', "") == "id=\"face-scan-unposted\"");
            }
            skipping =
                in_practice && (trimmed == "[practice.notice]" || trimmed == "[practice.consent]");
        }
        if !skipping {
            out.push(*line);
        }
    }
    out.join("\n")
}

#[test]
fn deleting_notice_and_consent_makes_15b_possible_and_names_exactly_those_facts() {
    let text = fs::read_to_string(HONG).expect("the Hong scenario");
    let edited = without_notice_and_consent(&text);
    assert_ne!(
        text, edited,
        "the face-scan practice has notice and consent tables"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hong-without-notice.toml");
    fs::write(&path, edited).expect("write");
    let report = json(&[
        "check",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let finding = findings(&report, "bipa.15b")
        .into_iter()
        .find(|f| f["practice"] == "face-scan-unposted")
        .expect("a bipa.15b finding for the face-scan practice");
    assert_eq!(finding["verdict"], "possible-violation", "{finding:#}");
    let mut missing: Vec<&str> = finding["missing_facts"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["path"].as_str())
        .collect();
    missing.sort_unstable();
    // Exactly the notice and consent facts the requirements of bipa.15b read.
    let mut expected: Vec<String> = finding["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .filter(|e| e["kind"] == "requires")
        .flat_map(|e| e["unknown"].as_array().into_iter().flatten())
        .filter_map(|p| p.as_str())
        .filter(|p| p.starts_with("practice.notice.") || p.starts_with("practice.consent."))
        .map(String::from)
        .collect();
    expected.sort();
    expected.dedup();
    assert!(!expected.is_empty());
    assert_eq!(
        missing,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
fn json_has_every_contract_key_and_is_byte_identical_across_runs() {
    let first = run(&["check", "scenarios", "--format", "json"]);
    let second = run(&["check", "scenarios", "--format", "json"]);
    assert_eq!(first.stdout, second.stdout);
    let report: Value = serde_json::from_str(&first.stdout).expect("JSON");
    for key in [
        "schema_version",
        "consentry",
        "rulebook",
        "scenarios",
        "errors",
    ] {
        assert!(report.get(key).is_some(), "top-level `{key}`");
    }
    let scenario = &report["scenarios"][0];
    for key in ["id", "file", "as_of", "findings", "summary"] {
        assert!(scenario.get(key).is_some(), "scenario `{key}`");
    }
    let finding = report["scenarios"]
        .as_array()
        .expect("list")
        .iter()
        .flat_map(|s| s["findings"].as_array().expect("list"))
        .next()
        .expect("a finding");
    for key in [
        "rule",
        "citation",
        "title",
        "verdict",
        "practice",
        "disclosure",
        "elements",
        "missing_facts",
        "assumptions",
        "fixes",
        "remedy",
        "exposure",
        "fingerprint",
        "waived",
    ] {
        assert!(finding.get(key).is_some(), "finding `{key}`");
    }
    for key in ["kind", "id", "text", "value", "facts"] {
        assert!(finding["elements"][0].get(key).is_some(), "element `{key}`");
    }
    for verdict in [
        "likely-violation",
        "possible-violation",
        "compliant",
        "not-applicable",
    ] {
        assert!(
            scenario["summary"].get(verdict).is_some(),
            "summary `{verdict}`"
        );
    }
}

#[test]
fn negative_bipa_cases_have_no_likely_violation() {
    for file in [
        "scenarios/bipa-zellmer-meta-2024.toml",
        "scenarios/bipa-barnett-apple-2022.toml",
        "scenarios/bipa-powell-depaul-2022.toml",
    ] {
        let report = json(&["check", file, "--format", "json", "--statute", "bipa"]);
        for rule in ["bipa.15a", "bipa.15b", "bipa.15c", "bipa.15d", "bipa.15e"] {
            assert_ne!(
                strongest(&report, rule),
                "likely-violation",
                "{file}: {rule}"
            );
        }
    }
}

#[test]
fn the_scenario_corpus_meets_every_expectation() {
    let out = run(&["test", "scenarios"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(" 0 failed"));
}

const GOOD: &str = r#"[scenario]
id = "good-one"
as_of = 2023-01-01
[operator]
kind = "company"
[[practice]]
id = "clock"
data = ["fingerprint"]
regions = ["US-IL"]
"#;

#[test]
fn bad_scenarios_exit_2_with_locations_and_suggestions_while_good_ones_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| fs::write(dir.path().join(name), text).expect("write");
    write("a-good.toml", GOOD);
    write(
        "b-misspelled-key.toml",
        &GOOD
            .replace("good-one", "typo")
            .replace("regions =", "regoins ="),
    );
    write(
        "c-wrong-type.toml",
        &GOOD
            .replace("good-one", "wrong-type")
            .replace("as_of = 2023-01-01", "as_of = \"2023-01-01\""),
    );
    write(
        "d-unknown-enum.toml",
        &GOOD
            .replace("good-one", "enum")
            .replace("\"company\"", "\"compnay\""),
    );
    let out = run(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("good-one"),
        "the good scenario is still reported:\n{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("b-misspelled-key.toml:9:1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `regions`?"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("c-wrong-type.toml:3:9"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("remove the quotes"), "{}", out.stderr);
    assert!(
        out.stderr.contains("d-unknown-enum.toml:5:8"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `company`?"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
    let report = json(&[
        "check",
        dir.path().to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(report["scenarios"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(3));
    assert!(report["errors"][0]["line"].as_u64() > Some(0));
}

fn copy_rules(to: &Path) {
    for entry in fs::read_dir("rules").expect("rules/") {
        let path = entry.expect("entry").path();
        fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn a_misspelled_fact_path_in_a_rule_file_fails_to_load_with_its_location() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_rules(dir.path());
    let bipa = dir.path().join("bipa.toml");
    let text = fs::read_to_string(&bipa).expect("bipa.toml");
    let broken = text.replacen("practice.data", "practice.dta", 1);
    fs::write(&bipa, &broken).expect("write");
    let line = broken
        .lines()
        .position(|l| l.contains("practice.dta"))
        .expect("edited line")
        + 1;
    let out = run(&[
        "check",
        HONG,
        "--rules",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(&format!("bipa.toml:{line}:")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unknown fact path `practice.dta`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `practice.data`?"),
        "{}",
        out.stderr
    );
    let report = json(&[
        "check",
        HONG,
        "--format",
        "json",
        "--rules",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(report["scenarios"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        report["errors"][0]["message"],
        "unknown fact path `practice.dta`"
    );
    assert_eq!(report["errors"][0]["line"].as_u64(), Some(line as u64));
}

#[test]
fn rules_from_disk_match_the_embedded_rulebook() {
    let embedded = run(&["check", "scenarios", "--format", "json"]);
    let from_disk = run(&["check", "scenarios", "--format", "json", "--rules", "rules"]);
    assert_eq!(embedded.stdout, from_disk.stdout);
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(run(&["check", HONG, "--fail-on", "never"]).code, 0);
    assert_eq!(run(&["check", HONG, "--fail-on", "likely"]).code, 1);
    assert_eq!(
        run(&[
            "check",
            "scenarios/bipa-barnett-apple-2022.toml",
            "--statute",
            "bipa",
            "--fail-on",
            "likely"
        ])
        .code,
        0
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    let out = run(&[
        "check",
        HONG,
        "--format",
        "json",
        "--output",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let written = fs::read_to_string(path).expect("report written");
    assert!(serde_json::from_str::<Value>(&written).is_ok());
}

#[test]
fn statute_filter_and_as_of_override() {
    let report = json(&["check", HONG, "--format", "json", "--statute", "bipa"]);
    assert_eq!(report["rulebook"].as_array().map(Vec::len), Some(1));
    let report = json(&["check", HONG, "--format", "json", "--as-of", "2025-01-01"]);
    assert_eq!(report["scenarios"][0]["as_of"], "2025-01-01");
    let out = run(&["check", HONG, "--statute", "bipaa"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `bipa`?"),
        "{}",
        out.stderr
    );
    assert_eq!(run(&["check", HONG, "--as-of", "2024-13-01"]).code, 2);
}

#[test]
fn all_shows_compliant_and_not_applicable_findings() {
    let plain = run(&["check", "scenarios/bipa-barnett-apple-2022.toml"]);
    let all = run(&["check", "scenarios/bipa-barnett-apple-2022.toml", "--all"]);
    assert!(!plain.stdout.contains("NOT APPLICABLE"));
    assert!(all.stdout.contains("NOT APPLICABLE"), "{}", all.stdout);
}

#[test]
fn explain_rules_and_validate() {
    let out = run(&["explain", "bipa.15b"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("740 ILCS 14/15(b)"));
    assert!(
        out.stdout.contains("rules/bipa.toml:"),
        "source location shown"
    );
    let out = run(&["explain", "bipa.15bb"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `bipa.15b`?"),
        "{}",
        out.stderr
    );
    let out = run(&["rules"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("bipa.15e"));
    let listing: Value =
        serde_json::from_str(&run(&["rules", "--format", "json"]).stdout).expect("JSON");
    assert!(
        listing["statutes"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let out = run(&["validate"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("0 with errors"));
}

#[test]
fn usage_errors_and_missing_paths_exit_2() {
    assert_eq!(run(&["check", "--format", "yaml"]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
    let out = run(&["check", "no/such/dir"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no such file or folder"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_color_codes_outside_a_terminal() {
    let out = run(&["check", HONG]);
    assert!(!out.stdout.contains('\u{1b}'));
}

/// The scenario the README walks a new user through, exactly as printed there.
#[test]
fn the_readme_scenario_example_loads_and_meets_its_expect() {
    let readme = fs::read_to_string("README.md").expect("README.md");
    let start = readme
        .find("```toml\n[scenario]\nid = \"acme-timeclock\"")
        .expect("the README shows the acme-timeclock scenario");
    let body = readme
        .get(start + "```toml\n".len()..)
        .and_then(|rest| rest.split("```").next())
        .expect("a closed code block");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("acme-timeclock.toml");
    fs::write(&path, body).expect("write");
    let out = run(&["test", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 passed"), "{}", out.stdout);
}

#[test]
fn schema_prints_the_committed_schema() {
    let out = run(&["schema"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed = fs::read_to_string("docs/scenario.schema.json").expect("committed schema");
    assert_eq!(out.stdout, committed);
}

#[test]
fn validate_lints_the_shipped_rulebook_clean_and_speaks_json() {
    let out = run(&["validate", "--deny-warnings"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("0 lint warning(s)"), "{}", out.stdout);
    assert!(!out.stderr.contains("warning:"), "{}", out.stderr);
    let report = json(&["validate", "--format", "json"]);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(0));
    assert!(report["scenarios"]["valid"].as_u64() > Some(10));
    assert_eq!(report["scenarios"]["with_errors"], 0);
    let bad = json(&[
        "validate",
        "--format",
        "json",
        "tests/bad/scenarios/misspelled-key.toml",
    ]);
    let error = &bad["errors"][0];
    assert_eq!(error["file"], "tests/bad/scenarios/misspelled-key.toml");
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(19), Some(1))
    );
    assert_eq!(error["severity"], "error");
    assert_eq!(error["help"], "did you mean `regions`?");
}

/// A copy of `rules/` plus a pack whose only rule takes effect in 2030.
fn rules_with_a_future_pack(dir: &Path) {
    copy_rules(dir);
    fs::write(
        dir.join("future.toml"),
        r#"[statute]
id = "future"
title = "Future Act"
citation = "F 1"
version = "2030-01-01"
summary = "a pack not yet in force"

[[rule]]
id = "future.1"
title = "t"
citation = "F 1(a)"
scope = "practice"
effective = 2030-01-01
summary = "s"
why = "w"

[[rule.applies]]
id = "company"
text = "the operator is a company"
cite = "F 1(b)"
when = "operator.kind == 'company'"

[[rule.requires]]
id = "notice"
text = "written notice"
cite = "F 1(c)"
when = "practice.notice.written == true"
fix = "give notice"
"#,
    )
    .expect("write the pack");
}

#[test]
fn a_pack_not_yet_in_force_is_a_warning_and_no_rule_in_force_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    rules_with_a_future_pack(dir.path());
    let rules = dir.path().to_str().expect("utf-8");
    let all = run(&["check", HONG, "--rules", rules, "--fail-on", "never"]);
    assert!(
        !all.stderr.contains("warning: no rule of statute pack"),
        "with every pack loaded, a pack whose dates do not cover the scenario is ordinary\n{}",
        all.stderr
    );
    let out = run(&[
        "check",
        HONG,
        "--rules",
        rules,
        "--statute",
        "bipa,future",
        "--fail-on",
        "never",
    ]);
    assert_eq!(
        out.code, 0,
        "a warning does not fail the run\n{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("warning: no rule of statute pack `future` is in force on 2019-11-27"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("takes effect on 2030-01-01"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("bipa.15b"), "BIPA is still evaluated");
    let out = run(&["check", HONG, "--as-of", "1999-01-01"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no rule of the loaded rulebook is in force on 1999-01-01"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--> --as-of"), "{}", out.stderr);
}

#[test]
fn expect_entries_for_packs_left_out_by_statute_are_not_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    rules_with_a_future_pack(dir.path());
    let rules = dir.path().to_str().expect("utf-8");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let scenario = elsewhere.path().join("s.toml");
    fs::write(
        &scenario,
        format!("{GOOD}[expect]\nnot-applicable = [\"future.1\"]\n"),
    )
    .expect("write");
    let path = scenario.to_str().expect("utf-8");
    let out = run(&["test", path, "--rules", rules, "--statute", "bipa"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = run(&["test", path, "--statute", "bipa"]);
    assert_eq!(
        out.code, 2,
        "a rule no loaded rulebook has is still an error"
    );
    assert!(
        out.stderr.contains("unknown rule `future.1`"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_coverage_shows_every_shipped_rule_reaching_likely_violation_and_compliant() {
    let report = json(&["rules", "--coverage", "scenarios/", "--format", "json"]);
    let rules = report["rules"].as_array().expect("rules");
    let listed = json(&["rules", "--format", "json"]);
    let shipped: usize = listed["statutes"]
        .as_array()
        .expect("statutes")
        .iter()
        .map(|s| s["rules"].as_array().expect("rules").len())
        .sum();
    assert!(
        rules.len() >= 35 && shipped >= rules.len(),
        "{} rules",
        rules.len()
    );
    for rule in rules {
        for verdict in ["likely-violation", "compliant"] {
            assert!(
                rule["verdicts"][verdict].as_u64() > Some(0),
                "{} never reaches {verdict}",
                rule["rule"]
            );
        }
        assert_eq!(
            rule["doc"],
            format!("docs/rules.md#{}", rule["rule"].as_str().expect("id"))
        );
    }
    assert_eq!(report["gaps"], Value::Array(vec![]));
    assert_eq!(report["errors"], Value::Array(vec![]));
    // An excerpt for review: the BIPA rules.
    let out = run(&["rules", "--coverage", "scenarios/", "--statute", "bipa"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("No gaps: every rule reaches likely-violation and compliant")
    );
    insta::assert_snapshot!("coverage_bipa", out.stdout);
    // A folder with only violations leaves gaps, and says so.
    let out = run(&[
        "rules",
        "--coverage",
        "scenarios/fixtures/padfa/violation.toml",
        "--statute",
        "padfa",
    ]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("   padfa.9901a: no compliant\n"),
        "{}",
        out.stdout
    );
    let out = run(&["rules", "--coverage", "no-such-folder"]);
    assert_eq!(out.code, 2);
    let out = run(&["rules", "--coverage", "--format", "markdown"]);
    assert_eq!(out.code, 2);
    let out = run(&["rules", "scenarios/"]);
    assert_eq!(out.code, 2, "paths need --coverage");
}

/// `consentry new`: the template written by the real binary validates as written, checks with
/// no likely violation (nothing is stated), and a placeholder uncommented unchanged is an error.
#[test]
fn new_writes_a_template_that_validates_and_checks_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("acme-timeclock");
    let base = base.to_str().expect("utf-8");
    let file = format!("{base}.toml");
    let out = run(&["new", base, "--as-of", "2025-01-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "wrote {file}: scenario `acme-timeclock`, the law as of 2025-01-01\nnext: state the facts you know (leave the rest commented), then run\n  consentry check {file}\n"
        )
    );
    let text = fs::read_to_string(&file).expect("the template");
    insta::assert_snapshot!("new_template", text);
    let validated = run(&["validate", &file]);
    assert_eq!(
        validated.code, 0,
        "{}{}",
        validated.stdout, validated.stderr
    );
    assert!(
        validated
            .stdout
            .contains("scenarios: 1 valid, 0 with errors")
    );
    let checked = run(&["check", &file, "--all"]);
    assert_eq!(checked.code, 0, "{}{}", checked.stdout, checked.stderr);
    assert!(checked.stdout.contains("━━ acme-timeclock"));
    assert!(
        checked.stdout.contains("POSSIBLE VIOLATION"),
        "unknown facts leave findings open"
    );
    assert!(
        !checked.stdout.contains("LIKELY VIOLATION"),
        "nothing is stated, nothing is breached"
    );
    let tested = run(&["test", &file]);
    assert!(
        tested.stdout.contains("no [expect] block"),
        "{}",
        tested.stdout
    );

    // A placeholder left in place is an error, not a guess.
    for (line, wanted) in [
        ("# written = true | false", "written = true | false"),
        (
            "# kind = \"…\"\n# before_collection",
            "kind = \"…\"\n# before_collection",
        ),
    ] {
        let broken = dir.path().join("broken.toml");
        assert!(text.contains(line), "{line}");
        fs::write(&broken, text.replacen(line, wanted, 1)).expect("write");
        let out = run(&["validate", broken.to_str().expect("utf-8")]);
        assert_eq!(out.code, 2, "{line}: {}", out.stderr);
        assert!(out.stderr.contains("broken.toml:"), "{}", out.stderr);
    }

    // The file exists now: refused without --force, replaced with it.
    let again = run(&["new", &file, "--as-of", "2025-01-01"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("the file exists already"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("--force"));
    fs::write(&file, "edited").expect("write");
    let forced = run(&["new", &file, "--force", "--as-of", "2025-01-01"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(fs::read_to_string(&file).expect("the template"), text);

    // The id is the file name: lowercase-kebab only.
    let bad = dir.path().join("My App");
    let out = run(&["new", bad.to_str().expect("utf-8")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`My App` is not lowercase-kebab"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("e.g. `my-app`"), "{}", out.stderr);
    assert!(!bad.with_extension("toml").exists());
    let missing = dir.path().join("no-such-folder").join("x");
    let out = run(&["new", missing.to_str().expect("utf-8")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("its folder does not exist"),
        "{}",
        out.stderr
    );

    // Without --as-of the date is today, which CONSENTRY_TODAY pins.
    let dated = dir.path().join("dated");
    let output = consentry()
        .env("CONSENTRY_TODAY", "2024-09-01")
        .args(["new", dated.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let dated = fs::read_to_string(dir.path().join("dated.toml")).expect("written");
    assert!(dated.contains("\nas_of = 2024-09-01 "), "{dated}");
}
