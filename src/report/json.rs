//! The JSON report: the documented wire format of DESIGN.md §5.

use serde_json::{Map, Value as Json, json};

use std::io::{self, Write};

use super::{Report, Totals, pretty};
use crate::diagnostics::Diagnostic;
use crate::engine::ScenarioResult;
use crate::engine::{Finding, MissingFact};
use crate::rulebook::{Remedy, Rulebook};
use crate::verdict::{Truth, Verdict};
use crate::waiver::{Waiver, WaiverState, Waivers};

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

/// A waiver as JSON: what it covers, why, who owns it, until when, and where it is written.
pub(crate) fn waiver_json(waiver: &Waiver) -> Json {
    json!({
        "rule": waiver.rule,
        "scenario": waiver.scenario,
        "scope": match (&waiver.practice, &waiver.disclosure) {
            (Some(p), Some(d)) => Json::from(format!("{p}/{d}")),
            (Some(p), None) => Json::from(p.as_str()),
            _ => Json::Null,
        },
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires,
        "file": waiver.location.file.name,
        "line": waiver.location.line,
        "column": waiver.location.column,
    })
}

/// Every waiver the run reports, with its status and the findings it names.
pub(crate) fn waivers_json(waivers: &Waivers) -> Json {
    waivers
        .reported()
        .map(|state: &WaiverState| {
            let mut entry = waiver_json(&state.waiver);
            if let Json::Object(map) = &mut entry {
                map.insert("status".into(), Json::from(state.status.name()));
                map.insert("findings".into(), Json::from(state.findings.clone()));
                map.insert(
                    "detail".into(),
                    if state.detail.is_empty() {
                        Json::Null
                    } else {
                        Json::from(state.detail.as_str())
                    },
                );
            }
            entry
        })
        .collect()
}

/// Exposure totals as JSON: per verdict a list of sums (one per currency), and the count of
/// findings without an estimate.
pub(crate) fn totals_json(totals: &Totals) -> Json {
    let sums = |verdict: Verdict| -> Vec<Json> {
        totals
            .at(verdict)
            .map(|s| {
                json!({
                    "currency": s.currency,
                    "low": s.low,
                    "high": s.high,
                    "findings": s.findings,
                    "waived": s.waived,
                    "notes": s.notes,
                })
            })
            .collect()
    };
    json!({
        "likely-violation": sums(Verdict::LikelyViolation),
        "possible-violation": sums(Verdict::PossibleViolation),
        "without_estimate": {
            "likely-violation": totals.likely_unestimated,
            "possible-violation": totals.possible_unestimated,
        },
    })
}

fn finding_json(finding: &Finding, report: &Report<'_>) -> Json {
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
        "notes": finding.notes,
        "waived": report.waiver(finding).map_or(Json::Null, |w| {
            let mut waived = waiver_json(w);
            if let Json::Object(map) = &mut waived {
                map.remove("rule");
                map.remove("scenario");
            }
            waived
        }),
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

/// The JSON report of a run that could not start (the rulebook did not load): no scenarios,
/// and the errors.
pub fn failed_json(diagnostics: &[Diagnostic]) -> String {
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "rulebook": [],
        "scenarios": [],
        "errors": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// The key of the scenarios list, where the document is split to stream it.
const SCENARIOS_KEY: &str = "\n  \"scenarios\": []";

/// The report document with no scenarios: the head and tail around the streamed scenarios.
fn skeleton(report: &Report<'_>) -> String {
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "rulebook": rulebook_json(report.rulebook),
        "scenarios": [],
        "errors": report.errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
        "fail_on": report.fail_on.name(),
        "failing_findings": report.failing(),
        "exposure_total": totals_json(&report.run_totals()),
        "waivers": waivers_json(report.waivers),
    });
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// Writes the document up to the opening bracket of `scenarios` (none of it depends on the
/// scenarios).
pub(crate) fn head(out: &mut dyn Write, book: &Rulebook) -> io::Result<()> {
    let report = Report::new(book, &[], &[]);
    let text = skeleton(&report);
    let at = text.find(SCENARIOS_KEY).unwrap_or(text.len());
    out.write_all(text.get(..at).unwrap_or_default().as_bytes())?;
    out.write_all(b"\n  \"scenarios\": [")
}

/// Appends one scenario's object, as an element of `scenarios` (after a comma).
pub(crate) fn scenario(out: &mut Vec<u8>, report: &Report<'_>, result: &ScenarioResult) {
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
    let mut statutes: Vec<&str> = result.findings.iter().map(|f| f.statute.as_str()).collect();
    statutes.dedup();
    let by_statute: Map<String, Json> = statutes
        .into_iter()
        .map(|s| (s.to_string(), Json::Object(counts(Some(s)))))
        .collect();
    let summary = counts(None);
    let value = json!({
        "id": result.scenario.id,
        "title": result.scenario.title,
        "file": result.scenario.file.name,
        "as_of": result.as_of,
        "findings": result
            .findings
            .iter()
            .filter(|f| report.all || f.verdict != Verdict::NotApplicable)
            .map(|f| finding_json(f, report))
            .collect::<Vec<_>>(),
        "summary": summary,
        "summary_by_statute": by_statute,
        "waived_findings": report.waived_in(result),
        "exposure_total": totals_json(&report.scenario_totals(result)),
    });
    pretty::element(out, 2, &value);
}

/// Writes the rest of the document after the scenarios: `any` says whether one was written.
pub(crate) fn tail(out: &mut dyn Write, report: &Report<'_>, any: bool) -> io::Result<()> {
    let text = skeleton(report);
    let at = text
        .find(SCENARIOS_KEY)
        .map_or(text.len(), |at| at + SCENARIOS_KEY.len());
    pretty::close_array(out, 2, any)?;
    out.write_all(text.get(at..).unwrap_or_default().as_bytes())?;
    out.write_all(b"\n")
}

/// The statute packs and rules as JSON, for `consentry rules --format json`.
pub fn rules_json(book: &Rulebook) -> String {
    let statutes: Vec<Json> = book
        .statutes
        .values()
        .map(|s| {
            let rules: Vec<Json> = book
                .rules_in_order()
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
