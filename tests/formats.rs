//! Every output format of `check`: one snapshot each over the Hong v. ByteDance scenario (with
//! a waiver that applies, one that has expired and one that matches nothing), SARIF validated
//! against the SARIF 2.1.0 schema, JUnit and HTML parsed, and untrusted text escaped.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail loudly on a broken fixture"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use consentry::app::{self, CheckOptions, Exit, FailOn, Format, Outcome, WaiverFiles};
use consentry::value::Date;
use serde_json::Value;

const HONG: &str = "scenarios/tiktok-hong-2019.toml";
const HONG_WAIVERS: &str = "tests/fixtures/hong-waivers.toml";

fn today() -> Date {
    Date::new(2026, 1, 1).expect("a date")
}

fn check(paths: &[&str], format: Format, waivers: WaiverFiles) -> Outcome {
    app::check(&CheckOptions {
        paths: paths.iter().map(PathBuf::from).collect(),
        format,
        waivers,
        today: Some(today()),
        ..CheckOptions::default()
    })
}

fn hong(format: Format) -> String {
    let outcome = check(
        &[HONG],
        format,
        WaiverFiles::Files(vec![PathBuf::from(HONG_WAIVERS)]),
    );
    assert_eq!(outcome.exit, Exit::Findings, "{}", outcome.stderr);
    outcome.stdout
}

#[test]
fn every_format_of_the_hong_report_is_pinned() {
    insta::assert_snapshot!("human", hong(Format::Human));
    insta::assert_snapshot!("json", hong(Format::Json));
    insta::assert_snapshot!("sarif", hong(Format::Sarif));
    insta::assert_snapshot!("junit", hong(Format::Junit));
    insta::assert_snapshot!("markdown", hong(Format::Markdown));
    insta::assert_snapshot!("html", hong(Format::Html));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string("tests/sarif/sarif-schema-2.1.0.json").expect("the SARIF schema"),
    )
    .expect("the schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_of_every_scenario_validates_against_the_sarif_2_1_0_schema() {
    let outcome = check(&["scenarios"], Format::Sarif, WaiverFiles::Discover);
    assert_eq!(outcome.exit, Exit::Findings, "{}", outcome.stderr);
    let log = assert_valid_sarif(&outcome.stdout);
    let run = &log["runs"][0];
    let rules: BTreeSet<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let rule = result["ruleId"].as_str().expect("ruleId");
        assert!(rules.contains(rule), "{rule} is a driver rule");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex");
        assert_eq!(
            run["tool"]["driver"]["rules"][index as usize]["id"], rule,
            "ruleIndex points at the rule"
        );
        let level = result["level"].as_str().expect("level");
        match result["properties"]["verdict"].as_str() {
            Some("likely-violation") => assert_eq!(level, "error"),
            Some("possible-violation") => assert_eq!(level, "warning"),
            other => panic!("only violations without --all, got {other:?}"),
        }
        let location = &result["locations"][0]["physicalLocation"];
        assert!(
            location["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("scenarios/") && u.ends_with(".toml"))
        );
        assert!(location["region"]["startLine"].as_u64() > Some(0));
        assert_eq!(
            result["partialFingerprints"]["consentryFinding/v1"]
                .as_str()
                .map(str::len),
            Some(16)
        );
    }
    // Each rule's help carries its citation.
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let citation = rule["properties"]["citation"].as_str().expect("citation");
        assert!(
            rule["help"]["text"]
                .as_str()
                .is_some_and(|h| h.contains(citation))
        );
    }
    // The validator is not vacuous: a level SARIF does not know is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!sarif_validator().is_valid(&broken));
    let all = app::check(&CheckOptions {
        paths: vec![PathBuf::from("scenarios")],
        format: Format::Sarif,
        all: true,
        today: Some(today()),
        ..CheckOptions::default()
    });
    let log = assert_valid_sarif(&all.stdout);
    let kinds: BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert_eq!(kinds, BTreeSet::from(["fail", "notApplicable", "pass"]));
}

#[test]
fn sarif_marks_waived_findings_as_accepted_suppressions_and_reports_waiver_warnings() {
    let log = assert_valid_sarif(&hong(Format::Sarif));
    let run = &log["runs"][0];
    let suppressed: Vec<&Value> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "only the live waiver suppresses");
    let suppression = &suppressed[0]["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(suppression["status"], "accepted");
    assert!(
        suppression["justification"]
            .as_str()
            .is_some_and(|j| j.starts_with("Retention schedule published"))
    );
    assert_eq!(suppressed[0]["ruleId"], "bipa.15a");
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let texts: Vec<&str> = notifications
        .iter()
        .filter_map(|n| n["message"]["text"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("expired on 2025-12-31")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("matches no finding")),
        "{texts:?}"
    );
}

#[test]
fn junit_parses_with_a_suite_per_scenario_and_stable_case_names() {
    let outcome = check(&["scenarios"], Format::Junit, WaiverFiles::Ignore);
    let doc = roxmltree::Document::parse(&outcome.stdout).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let json: Value =
        serde_json::from_str(&check(&["scenarios"], Format::Json, WaiverFiles::Ignore).stdout)
            .expect("JSON");
    let scenarios = json["scenarios"].as_array().expect("scenarios");
    // One suite per scenario, and the run's own suite.
    assert_eq!(suites.len(), scenarios.len() + 1);
    let mut failures = 0;
    for suite in suites.iter().take(scenarios.len()) {
        let mut names = BTreeSet::new();
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let name = case.attribute("name").expect("a name");
            assert!(names.insert(name), "case names are unique: {name}");
            if let Some(failure) = case.children().find(|n| n.has_tag_name("failure")) {
                failures += 1;
                assert_eq!(failure.attribute("type"), Some("likely-violation"));
                assert!(
                    failure
                        .attribute("message")
                        .is_some_and(|m| m.contains(": not met: "))
                );
                assert!(
                    failure
                        .text()
                        .is_some_and(|t| t.contains("What the duty requires"))
                );
            }
        }
    }
    assert_eq!(
        Some(failures),
        json["failing_findings"].as_u64().map(|n| n as usize)
    );
    assert_eq!(
        root.attribute("failures").and_then(|f| f.parse().ok()),
        Some(failures)
    );
    let hong = suites
        .iter()
        .find(|s| s.attribute("name") == Some("tiktok-hong-2019"))
        .expect("the Hong suite");
    let names: Vec<&str> = hong
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(names.contains(&"bipa.15a@face-scan-unposted"), "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("bipa.15d@face-scan-unposted/")),
        "{names:?}"
    );
}

#[test]
fn junit_fails_at_the_fail_on_level_and_skips_waived_findings() {
    let possible = app::check(&CheckOptions {
        paths: vec![PathBuf::from(HONG)],
        format: Format::Junit,
        fail_on: FailOn::Possible,
        waivers: WaiverFiles::Ignore,
        ..CheckOptions::default()
    });
    let doc = roxmltree::Document::parse(&possible.stdout).expect("XML");
    let types: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.attribute("type"))
        .collect();
    assert!(types.contains("possible-violation"), "{types:?}");
    let never = app::check(&CheckOptions {
        paths: vec![PathBuf::from(HONG)],
        format: Format::Junit,
        fail_on: FailOn::Never,
        waivers: WaiverFiles::Ignore,
        ..CheckOptions::default()
    });
    assert_eq!(never.exit, Exit::Clean);
    assert!(!never.stdout.contains("<failure"));
    let waived = hong(Format::Junit);
    let doc = roxmltree::Document::parse(&waived).expect("XML");
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("bipa.15a@face-scan-unposted"))
        .expect("the waived case");
    let skipped = case
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("a waived finding is skipped, not failed");
    assert!(
        skipped
            .attribute("message")
            .is_some_and(|m| m.starts_with("waived until 2026-06-30"))
    );
}

#[test]
fn html_has_the_matrix_the_findings_and_no_external_resources() {
    let outcome = check(&["scenarios"], Format::Html, WaiverFiles::Ignore);
    let page = scraper::Html::parse_document(&outcome.stdout);
    let select = |css: &str| scraper::Selector::parse(css).expect("a selector");
    let json: Value =
        serde_json::from_str(&check(&["scenarios"], Format::Json, WaiverFiles::Ignore).stdout)
            .expect("JSON");
    let scenarios = json["scenarios"].as_array().expect("scenarios").len();
    assert_eq!(
        page.select(&select("table.matrix tbody tr")).count(),
        scenarios
    );
    assert_eq!(page.select(&select("section.scenario")).count(), scenarios);
    let findings: usize = json["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .flat_map(|s| s["findings"].as_array().expect("findings"))
        .filter(|f| f["verdict"] == "likely-violation" || f["verdict"] == "possible-violation")
        .count();
    assert_eq!(page.select(&select("details.finding")).count(), findings);
    assert!(page.select(&select("details.finding > summary")).count() == findings);
    assert!(
        page.select(&select("td.v-likely-violation")).count() > 0,
        "cells are coloured by verdict"
    );
    // Self-contained: no script, and nothing that loads from elsewhere.
    assert_eq!(page.select(&select("script")).count(), 0);
    let external: Vec<String> = page
        .select(&select("[src], link, iframe, object, embed, img"))
        .map(|e| e.html())
        .collect();
    assert!(external.is_empty(), "external resources: {external:?}");
    // Links go within the page, or to the rule reference (a link loads nothing by itself).
    for link in page.select(&select("a[href]")) {
        let href = link.value().attr("href").unwrap_or("");
        assert!(
            href.starts_with('#') || href.starts_with("docs/rules.md#"),
            "only in-page links and the rule reference: {href}"
        );
    }
    assert_eq!(
        page.select(&select("details.finding a.doc")).count(),
        findings,
        "every finding links its rule reference"
    );
}

const HOSTILE: &str = r#"[scenario]
id = "hostile"
title = "<script>alert(1)</script>"
as_of = 2023-01-01
[operator]
kind = "company"
name = "Evil & Sons <b>\"Ltd\"</b>"
[[practice]]
id = "clock"
description = "<img src=x onerror=alert(2)>"
data = ["fingerprint"]
regions = ["US-IL"]
"#;

#[test]
fn html_junit_and_markdown_escape_a_hostile_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hostile.toml");
    fs::write(&path, HOSTILE).expect("write");
    let path = path.to_str().expect("utf-8").to_string();
    let html = check(&[&path], Format::Html, WaiverFiles::Ignore).stdout;
    let page = scraper::Html::parse_document(&html);
    let select = |css: &str| scraper::Selector::parse(css).expect("a selector");
    assert_eq!(
        page.select(&select("script")).count(),
        0,
        "no script element"
    );
    assert_eq!(page.select(&select("img")).count(), 0, "no image element");
    let text: String = page.root_element().text().collect();
    assert!(
        text.contains("<script>alert(1)</script>"),
        "the title shows as text"
    );
    assert!(!html.contains("<script>"));
    let junit = check(&[&path], Format::Junit, WaiverFiles::Ignore).stdout;
    let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("title"))
        .and_then(|n| n.attribute("value"));
    assert_eq!(title, Some("<script>alert(1)</script>"));
    let markdown = check(&[&path], Format::Markdown, WaiverFiles::Ignore).stdout;
    assert!(
        markdown.contains(r"\<script\>alert(1)\</script\>"),
        "{markdown}"
    );
    assert!(!markdown.contains("<script>"));
    let sarif = check(&[&path], Format::Sarif, WaiverFiles::Ignore).stdout;
    assert_valid_sarif(&sarif);
}

#[test]
fn markdown_memo_has_a_summary_table_and_each_finding() {
    let memo = check(&[HONG], Format::Markdown, WaiverFiles::Ignore).stdout;
    assert!(memo.contains("| Statute | Likely violation | Possible violation | Compliant | Not applicable | Exposure (likely) | Exposure (possible) |"));
    assert!(memo.contains("### 1. Likely violation — bipa.15a"));
    let text = std::fs::read_to_string(HONG).expect("the Hong scenario");
    let kind_line = text
        .lines()
        .position(|l| l == "kind = \"company\"")
        .expect("operator.kind is stated")
        + 1;
    assert!(
        memo.contains(&format!(
            "(`scenarios/tiktok-hong-2019.toml:{kind_line}:8`)"
        )),
        "facts carry file:line:column"
    );
    assert!(memo.contains("**What would fix it**"));
    assert!(memo.contains("*740 ILCS 14/15(b)*"), "citations");
}

#[test]
fn exposure_totals_add_up_the_findings_and_keep_likely_and_possible_apart() {
    let path = "scenarios/bipa-cothron-white-castle-2023.toml";
    let json: Value =
        serde_json::from_str(&check(&[path], Format::Json, WaiverFiles::Ignore).stdout)
            .expect("JSON");
    let scenario = &json["scenarios"][0];
    for verdict in ["likely-violation", "possible-violation"] {
        let expected: f64 = scenario["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["verdict"] == verdict)
            .filter_map(|f| f["exposure"]["high"].as_f64())
            .sum();
        let total = &scenario["exposure_total"][verdict][0];
        assert_eq!(total["currency"], "USD");
        assert_eq!(total["high"].as_f64(), Some(expected), "{verdict}");
        assert!(expected > 0.0);
        assert_eq!(
            json["exposure_total"][verdict][0]["high"].as_f64(),
            Some(expected)
        );
    }
    for format in [Format::Human, Format::Markdown, Format::Html, Format::Junit] {
        let out = check(&[path], format, WaiverFiles::Ignore).stdout;
        assert!(
            out.contains("$19,000,000 – $95,000,000"),
            "{format:?} shows the likely total"
        );
    }
    let sarif: Value =
        serde_json::from_str(&check(&[path], Format::Sarif, WaiverFiles::Ignore).stdout)
            .expect("SARIF");
    let total = &sarif["runs"][0]["properties"]["exposureTotal"]["likely-violation"][0];
    assert_eq!(total["low"].as_f64(), Some(19_000_000.0));
    assert_eq!(total["high"].as_f64(), Some(95_000_000.0));
}

/// Every finding names its rule's section of the rule reference, `docs/rules.md#<rule id>`,
/// in every format: JSON `doc`, SARIF `helpUri` and result properties, a line of the memo,
/// a link in Markdown and HTML, and the JUnit failure text.
#[test]
fn every_finding_names_its_rule_reference_in_every_format() {
    let json: Value = serde_json::from_str(&hong(Format::Json)).expect("JSON");
    let findings: Vec<&Value> = json["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .flat_map(|s| s["findings"].as_array().expect("findings"))
        .collect();
    assert!(!findings.is_empty());
    for finding in &findings {
        let rule = finding["rule"].as_str().expect("rule id");
        assert_eq!(finding["doc"], format!("docs/rules.md#{rule}"));
    }
    let sarif = assert_valid_sarif(&hong(Format::Sarif));
    let run = &sarif["runs"][0];
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let uri = rule["helpUri"].as_str().expect("helpUri");
        assert!(uri.ends_with(&format!("docs/rules.md#{id}")), "{uri}");
    }
    for result in run["results"].as_array().expect("results") {
        let id = result["ruleId"].as_str().expect("ruleId");
        assert_eq!(result["properties"]["doc"], format!("docs/rules.md#{id}"));
    }
    let count = |text: &str, needle: &str| text.matches(needle).count();
    let human = hong(Format::Human);
    let markdown = hong(Format::Markdown);
    let html = hong(Format::Html);
    let junit = hong(Format::Junit);
    let shown = findings
        .iter()
        .filter(|f| f["verdict"] != "compliant")
        .count();
    assert_eq!(count(&human, "rule reference docs/rules.md#"), shown);
    assert_eq!(count(&markdown, "[rule reference](docs/rules.md#"), shown);
    assert_eq!(count(&html, "href=\"docs/rules.md#"), shown);
    let doc = roxmltree::Document::parse(&junit).expect("JUnit is XML");
    for failure in doc.descendants().filter(|n| n.has_tag_name("failure")) {
        let message = failure.attribute("message").unwrap_or_default();
        assert!(message.contains("docs/rules.md#"), "{message}");
        assert!(
            failure
                .text()
                .unwrap_or_default()
                .contains("rule reference docs/rules.md#")
        );
    }
}
