//! The SARIF 2.1.0 report, for code-scanning dashboards: one run, the rulebook as the tool's
//! rules, one result per finding pointing into the scenario file, waivers as suppressions.

use serde_json::{Value as Json, json};

use std::io::{self, Write};

use super::json::{totals_json, waivers_json};
use super::spill::Spill;
use super::{Report, deciding, pretty, scope_words, shown, verdict_label};
use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::{Finding, ScenarioResult};
use crate::rulebook::{Rule, Rulebook};
use crate::source::Location;
use crate::verdict::{Truth, Verdict};

/// The schema URI SARIF consumers expect in `$schema`.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of the finding fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "consentryFinding/v1";

/// A file name as a SARIF URI: relative paths stay relative (resolved against the checkout
/// root, `%SRCROOT%`), absolute ones become `file://` URIs; either is percent-encoded.
fn artifact(name: &str) -> Json {
    let path = name.replace('\\', "/");
    let encoded = encode_path(&path);
    if path.starts_with('/') {
        json!({ "uri": format!("file://{encoded}") })
    } else {
        let relative = encoded.strip_prefix("./").unwrap_or(&encoded).to_string();
        json!({ "uri": relative, "uriBaseId": "%SRCROOT%" })
    }
}

fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn physical(location: &Location) -> Json {
    json!({
        "artifactLocation": artifact(&location.file.name),
        "region": { "startLine": location.line.max(1), "startColumn": location.column.max(1) },
    })
}

/// `PublicRetentionSchedule...`: the rule title as the identifier-like name SARIF asks for.
fn pascal_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

fn descriptor(book: &Rulebook, versions: &[Rule]) -> Option<Json> {
    // The latest version describes the rule; every version is listed in the properties.
    let rule = versions.last()?;
    let statute = book.statutes.get(&rule.statute);
    let statute_title = statute.map_or("", |s| s.title.as_str());
    let remedy = rule
        .remedies
        .last()
        .map(|r| format!("\n\nRemedy: {} — {}", r.cite, r.text))
        .unwrap_or_default();
    let limitations = rule
        .limitations
        .as_deref()
        .map(|l| format!("\n\nLimitations: {}", l.trim()))
        .unwrap_or_default();
    let help = format!(
        "{} ({statute_title})\n\n{}\n\nWhy: {}{limitations}{remedy}",
        rule.citation,
        rule.summary.trim(),
        rule.why.trim()
    );
    let markdown = format!(
        "**{}** ({statute_title})\n\n{}\n\n**Why:** {}{}{}",
        rule.citation,
        rule.summary.trim(),
        rule.why.trim(),
        rule.limitations
            .as_deref()
            .map(|l| format!("\n\n**Limitations:** {}", l.trim()))
            .unwrap_or_default(),
        rule.remedies
            .last()
            .map(|r| format!("\n\n**Remedy:** {} — {}", r.cite, r.text))
            .unwrap_or_default()
    );
    let versions_json: Vec<Json> = versions
        .iter()
        .map(|v| json!({ "effective": v.effective, "until": v.until }))
        .collect();
    Some(json!({
        "id": rule.id,
        "name": pascal_name(&rule.title),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.summary.trim() },
        "help": { "text": help, "markdown": markdown },
        "helpUri": super::doc_url(&rule.id),
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "tags": ["privacy", "compliance", rule.statute],
            "statute": rule.statute,
            "citation": rule.citation,
            "scope": rule.scope,
            "versions": versions_json,
            "doc": super::doc_anchor(&rule.id),
        },
    }))
}

/// SARIF `kind` and `level` of a verdict: violations fail (likely as errors, possible as
/// warnings); compliant results pass and inapplicable ones are `notApplicable`.
fn kind_and_level(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::LikelyViolation => ("fail", "error"),
        Verdict::PossibleViolation => ("fail", "warning"),
        Verdict::Compliant => ("pass", "none"),
        Verdict::NotApplicable => ("notApplicable", "none"),
    }
}

fn mark(value: Truth) -> &'static str {
    match value {
        Truth::True => "✓",
        Truth::False => "✗",
        Truth::Unknown => "?",
    }
}

fn message(report: &Report<'_>, scenario: &str, finding: &Finding) -> String {
    let mut text = format!(
        "{}: {} ({}), {} of scenario `{scenario}`.",
        verdict_label(finding.verdict),
        finding.title,
        finding.citation,
        scope_words(finding)
    );
    for element in deciding(finding) {
        text.push_str(&format!("\n{} {}", mark(element.effective()), element.text));
    }
    if !finding.missing_facts.is_empty() {
        let paths: Vec<&str> = finding
            .missing_facts
            .iter()
            .map(|m| m.key.path.as_str())
            .collect();
        text.push_str(&format!("\nMissing facts: {}.", paths.join(", ")));
    }
    for fix in &finding.fixes {
        text.push_str(&format!("\nFix: {fix}"));
    }
    if let Some(exposure) = &finding.exposure {
        text.push_str(&format!(
            "\nExposure: {} ({}).",
            exposure.amount_words(),
            exposure.basis
        ));
    }
    if let Some(waiver) = report.waiver(finding) {
        text.push_str(&format!(
            "\nWaived until {} by {}: {}",
            waiver.expires, waiver.owner, waiver.reason
        ));
    } else if let Some(waiver) = report.expired_waiver(finding) {
        text.push_str(&format!(
            "\nA waiver of this finding expired on {} ({}).",
            waiver.expires,
            waiver.location.display()
        ));
    }
    text
}

fn result_json(
    report: &Report<'_>,
    scenario: &str,
    finding: &Finding,
    rule_index: Option<usize>,
) -> Json {
    let (kind, level) = kind_and_level(finding.verdict);
    let mut related = Vec::new();
    for element in deciding(finding) {
        for fact in &element.facts {
            let id = related.len() + 1;
            related.push(json!({
                "id": id,
                "physicalLocation": physical(&fact.location),
                "message": { "text": format!("{} = {}: {}", fact.path, fact.value, element.text) },
            }));
        }
    }
    let logical_name = match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!("{scenario}/{p}/{d}"),
        (Some(p), None) => format!("{scenario}/{p}"),
        _ => scenario.to_string(),
    };
    let mut result = json!({
        "ruleId": finding.rule,
        "kind": kind,
        "level": level,
        "message": { "text": message(report, scenario, finding) },
        "locations": [{
            "physicalLocation": physical(&finding.location),
            "logicalLocations": [{ "fullyQualifiedName": logical_name, "kind": "object" }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint },
        "properties": {
            "verdict": finding.verdict,
            "scenario": scenario,
            "practice": finding.practice,
            "disclosure": finding.disclosure,
            "citation": finding.citation,
            "doc": super::doc_anchor(&finding.rule),
            "missingFacts": finding.missing_facts.iter().map(|m| m.key.path.clone()).collect::<Vec<_>>(),
            "assumptions": finding.assumptions,
            "exposure": finding.exposure.as_ref().map(|x| json!({
                "currency": x.currency, "low": x.low, "high": x.high,
                "persons": x.persons, "basis": x.basis, "notes": x.notes,
            })),
            "failsRun": report.fails(finding),
            "waiverExpired": report.expired_waiver(finding).map(|w| w.expires),
        },
    });
    if let Json::Object(map) = &mut result {
        if let Some(index) = rule_index {
            map.insert("ruleIndex".into(), Json::from(index));
        }
        if !related.is_empty() {
            map.insert("relatedLocations".into(), Json::Array(related));
        }
        if let Some(waiver) = report.waiver(finding) {
            map.insert(
                "suppressions".into(),
                json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": waiver.reason,
                    "location": { "physicalLocation": physical(&waiver.location) },
                    "properties": { "owner": waiver.owner, "expires": waiver.expires },
                }]),
            );
        }
    }
    result
}

fn notification(diag: &Diagnostic) -> Json {
    let level = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let text = match &diag.help {
        Some(help) => format!("{} ({help})", diag.message),
        None => diag.message.clone(),
    };
    let (line, column) = diag.line_col();
    let mut location = json!({ "artifactLocation": artifact(&diag.file_name) });
    if line > 0 {
        if let Json::Object(map) = &mut location {
            map.insert(
                "region".into(),
                json!({ "startLine": line, "startColumn": column.max(1) }),
            );
        }
    }
    json!({
        "level": level,
        "message": { "text": text },
        "locations": [{ "physicalLocation": location }],
    })
}

/// Appends one scenario's results (to `results`) and its entry of the run's `scenarios`
/// property (to `entry`), each as array elements after a comma.
pub(crate) fn scenario(
    results: &mut Vec<u8>,
    entry: &mut Vec<u8>,
    report: &Report<'_>,
    result: &ScenarioResult,
) {
    let book = report.rulebook;
    let scenario = result.scenario.id.as_str();
    for finding in &result.findings {
        if shown(finding.verdict, report.all) {
            let index = book.rules.keys().position(|id| *id == finding.rule);
            pretty::element(results, 4, &result_json(report, scenario, finding, index));
        }
    }
    pretty::element(
        entry,
        5,
        &json!({
            "id": scenario,
            "file": result.scenario.file.name,
            "asOf": result.as_of,
            "waivedFindings": report.waived_in(result),
            "exposureTotal": totals_json(&report.scenario_totals(result)),
        }),
    );
}

/// Where the log is split to splice in the streamed results and scenario entries.
const RESULTS_KEY: &str = "\n      \"results\": []";
const SCENARIOS_KEY: &str = "\n        \"scenarios\": []";

/// Writes the whole log around the streamed `results` and scenario `entries` (`any_*`: whether
/// they hold an element).
pub(crate) fn finish(
    out: &mut dyn Write,
    report: &Report<'_>,
    results: &mut Spill,
    any_result: bool,
    entries: &mut Spill,
    any_entry: bool,
) -> io::Result<()> {
    let book = report.rulebook;
    let rules: Vec<Json> = book
        .rules
        .values()
        .filter_map(|versions| descriptor(book, versions))
        .collect();
    let (errors, _) = report.problem_counts();
    let notifications: Vec<Json> = report.errors.iter().map(notification).collect();
    let version = env!("CARGO_PKG_VERSION");
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "consentry",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": errors == 0,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": [],
            "properties": {
                "failOn": report.fail_on.name(),
                "failingFindings": report.failing(),
                "scenarios": [],
                "exposureTotal": totals_json(&report.run_totals()),
                "exposureBasis": super::TOTALS_BASIS,
                "waivers": waivers_json(report.waivers),
            },
        }],
    });
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    // INVARIANT: both keys occur once, in this order, as keys (string values escape quotes).
    let at_results = text.find(RESULTS_KEY).unwrap_or(text.len());
    let at_scenarios = text.find(SCENARIOS_KEY).unwrap_or(text.len());
    let piece = |range: std::ops::Range<usize>| text.get(range).unwrap_or_default().as_bytes();
    out.write_all(piece(0..at_results))?;
    out.write_all(b"\n      \"results\": [")?;
    results.copy_to(out)?;
    pretty::close_array(out, 4, any_result)?;
    out.write_all(piece(at_results + RESULTS_KEY.len()..at_scenarios))?;
    out.write_all(b"\n        \"scenarios\": [")?;
    entries.copy_to(out)?;
    pretty::close_array(out, 5, any_entry)?;
    out.write_all(piece(at_scenarios + SCENARIOS_KEY.len()..text.len()))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(
            artifact("scenarios/my app.toml"),
            json!({"uri": "scenarios/my%20app.toml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact("/tmp/x.toml"),
            json!({"uri": "file:///tmp/x.toml"})
        );
        assert_eq!(
            pascal_name("Notice and written release, before collecting"),
            "NoticeAndWrittenReleaseBeforeCollecting"
        );
    }
}
