//! The JSON report: the documented wire format of DESIGN.md §5.

use serde_json::{Map, Value as Json, json};

use super::Report;
use crate::diagnostics::Diagnostic;
use crate::engine::{Finding, MissingFact};
use crate::rulebook::{Remedy, Rulebook};
use crate::verdict::{Truth, Verdict};

/// Version of the JSON shape; bumped only on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

fn truth_json(value: Truth) -> Json {
    value.known().map_or(Json::Null, Json::Bool)
}

fn missing_json(missing: &MissingFact) -> Json {
    json!({
        "path": missing.key.path,
        "practice": missing.key.practice,
        "disclosure": missing.key.disclosure,
        "meaning": missing.meaning,
        "decisiveness": missing.decisiveness,
    })
}

fn remedy_json(remedy: &Remedy) -> Json {
    json!({
        "kind": remedy.kind,
        "text": remedy.text,
        "cite": remedy.cite,
        "currency": remedy.currency,
        "low": remedy.low,
        "high": remedy.high,
        "unit": remedy.unit,
    })
}

fn finding_json(finding: &Finding) -> Json {
    let elements: Vec<Json> = finding
        .elements
        .iter()
        .map(|e| {
            json!({
                "kind": e.kind,
                "id": e.id,
                "text": e.text,
                "cite": e.cite,
                "value": truth_json(e.value),
                "presumed": e.presumed,
                "facts": e.facts.iter().map(|f| json!({
                    "path": f.path,
                    "value": f.value.to_json(),
                    "line": f.location.line,
                    "column": f.location.column,
                    "item": f.item,
                })).collect::<Vec<_>>(),
                "unknown": e.unknown.iter().map(|k| k.path.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let exposure = finding.exposure.as_ref().map_or_else(
        || json!({}),
        |x| {
            json!({
                "currency": x.currency,
                "low": x.low,
                "high": x.high,
                "persons": x.persons,
                "units_per_person": x.units_per_person,
                "basis": x.basis,
                "notes": x.notes,
            })
        },
    );
    json!({
        "rule": finding.rule,
        "citation": finding.citation,
        "title": finding.title,
        "verdict": finding.verdict,
        "practice": finding.practice,
        "disclosure": finding.disclosure,
        "line": finding.location.line,
        "version": {"effective": finding.version_effective, "until": finding.version_until},
        "elements": elements,
        "missing_facts": finding.missing_facts.iter().map(missing_json).collect::<Vec<_>>(),
        "assumptions": finding.assumptions,
        "fixes": finding.fixes,
        "remedy": finding.remedy.as_ref().map_or_else(|| json!({}), remedy_json),
        "exposure": exposure,
        "fingerprint": finding.fingerprint,
        "waived": Json::Null,
    })
}

fn rulebook_json(book: &Rulebook) -> Json {
    book.statutes
        .values()
        .map(|s| json!({"statute": s.id, "title": s.title, "version": s.version}))
        .collect()
}

/// One diagnostic as the JSON object of the `errors` list (file, line, column, severity,
/// message, help); line and column are 0 for a problem with a file as a whole.
pub fn diagnostic_json(d: &Diagnostic) -> Json {
    let (line, column) = d.line_col();
    json!({
        "file": d.file_name,
        "line": line,
        "column": column,
        "severity": d.severity.to_string(),
        "message": d.message,
        "help": d.help,
    })
}

/// The result of `consentry validate` as JSON: what was loaded, and every error and warning
/// in the shape of `check`'s `errors`.
pub fn validation_json(
    book: Option<&Rulebook>,
    valid: usize,
    with_errors: usize,
    diagnostics: &[Diagnostic],
) -> String {
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "rulebook": book.map_or_else(|| json!([]), rulebook_json),
        "scenarios": {"valid": valid, "with_errors": with_errors},
        "errors": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// Renders the report as pretty-printed JSON (deterministic: same input, same bytes).
pub fn render_json(report: &Report<'_>) -> String {
    let scenarios: Vec<Json> = report
        .results
        .iter()
        .map(|result| {
            let counts = |statute: Option<&str>| {
                let mut counts = Map::new();
                for verdict in Verdict::ALL {
                    let count = result
                        .findings
                        .iter()
                        .filter(|f| f.verdict == verdict && statute.is_none_or(|s| f.statute == s))
                        .count();
                    counts.insert(verdict.name().into(), Json::from(count));
                }
                counts
            };
            let mut statutes: Vec<&str> =
                result.findings.iter().map(|f| f.statute.as_str()).collect();
            statutes.dedup();
            let by_statute: Map<String, Json> = statutes
                .into_iter()
                .map(|s| (s.to_string(), Json::Object(counts(Some(s)))))
                .collect();
            let summary = counts(None);
            json!({
                "id": result.scenario.id,
                "title": result.scenario.title,
                "file": result.scenario.file.name,
                "as_of": result.as_of,
                "findings": result
                    .findings
                    .iter()
                    .filter(|f| report.all || f.verdict != Verdict::NotApplicable)
                    .map(finding_json)
                    .collect::<Vec<_>>(),
                "summary": summary,
                "summary_by_statute": by_statute,
            })
        })
        .collect();
    let errors: Vec<Json> = report.errors.iter().map(diagnostic_json).collect();
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "rulebook": rulebook_json(report.rulebook),
        "scenarios": scenarios,
        "errors": errors,
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// The statute packs and rules as JSON, for `consentry rules --format json`.
pub fn rules_json(book: &Rulebook) -> String {
    let statutes: Vec<Json> = book
        .statutes
        .values()
        .map(|s| {
            let rules: Vec<Json> = book
                .rules
                .values()
                .flatten()
                .filter(|r| r.statute == s.id)
                .map(|r| {
                    json!({
                        "id": r.id,
                        "title": r.title,
                        "citation": r.citation,
                        "scope": r.scope,
                        "effective": r.effective,
                        "until": r.until,
                        "elements": r.elements.len(),
                    })
                })
                .collect();
            json!({
                "statute": s.id,
                "title": s.title,
                "citation": s.citation,
                "version": s.version,
                "rules": rules,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(
        &json!({ "schema_version": SCHEMA_VERSION, "statutes": statutes }),
    )
    .unwrap_or_default();
    text.push('\n');
    text
}
