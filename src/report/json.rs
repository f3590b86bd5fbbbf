//! The JSON report: the documented wire format of DESIGN.md §5.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value as Json, json};

use std::io::{self, Write};

use super::{Report, Totals, pretty};
use crate::diagnostics::Diagnostic;
use crate::engine::ScenarioResult;
use crate::engine::{Decisiveness, ElementResult, FactKey, FactRead, Finding, MissingFact};
use crate::rulebook::{ElementKind, Rulebook};
use crate::value::Date;
use crate::verdict::Verdict;
use crate::waiver::{Waiver, WaiverState, Waivers};

/// Version of the JSON shape; bumped only on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

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

// The scenario objects of the report are serialized straight from the findings, without a
// `serde_json::Value` tree in between: they are most of a run's output, and building, then
// dropping, a tree of maps per finding cost more than evaluating it. Field order is the key
// order of the documented shape (DESIGN.md §5).

/// A stated fact's value as JSON, as [`crate::value::Value::to_json`] gives it.
struct FactValue<'a>(&'a crate::value::Value);

impl Serialize for FactValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::value::Value;
        match self.0 {
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Number(n) => serializer.serialize_f64(*n),
            Value::Date(d) => serializer.collect_str(d),
            Value::Str(s) => serializer.serialize_str(s),
            Value::List(items) => serializer.collect_seq(items),
            Value::Map(map) => serializer.collect_map(map),
        }
    }
}

#[derive(serde::Serialize)]
struct FactJson<'a> {
    path: &'a str,
    value: FactValue<'a>,
    line: usize,
    column: usize,
    item: &'a Option<String>,
}

#[derive(serde::Serialize)]
struct ElementJson<'a> {
    kind: ElementKind,
    id: &'a str,
    text: &'a str,
    cite: &'a str,
    value: Option<bool>,
    presumed: bool,
    #[serde(serialize_with = "facts_json")]
    facts: &'a [FactRead],
    #[serde(serialize_with = "unknown_json")]
    unknown: &'a [FactKey],
}

fn facts_json<S: Serializer>(facts: &&[FactRead], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(facts.iter().map(|f| FactJson {
        path: &f.path,
        value: FactValue(&f.value),
        line: f.location.line,
        column: f.location.column,
        item: &f.item,
    }))
}

fn unknown_json<S: Serializer>(keys: &&[FactKey], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(keys.iter().map(|k| &k.path))
}

#[derive(serde::Serialize)]
struct MissingJson<'a> {
    path: &'a str,
    practice: &'a Option<String>,
    disclosure: &'a Option<String>,
    meaning: &'a str,
    decisiveness: Decisiveness,
}

#[derive(serde::Serialize)]
struct VersionJson {
    effective: Date,
    until: Option<Date>,
}

#[derive(serde::Serialize)]
struct RemedyJson<'a> {
    kind: &'a str,
    text: &'a str,
    cite: &'a str,
    currency: &'a str,
    low: Option<f64>,
    high: f64,
    unit: crate::rulebook::Unit,
}

#[derive(serde::Serialize)]
struct ExposureJson<'a> {
    currency: &'a str,
    low: Option<f64>,
    high: f64,
    persons: i64,
    units_per_person: i64,
    basis: &'a str,
    notes: &'a [String],
    tiers: Option<[&'a str; 2]>,
    combine: crate::rulebook::Combine,
}

/// `{}` when absent, the object when present (the shape has no nulls for these).
struct OrEmpty<T>(Option<T>);

impl<T: Serialize> Serialize for OrEmpty<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(value) => value.serialize(serializer),
            None => serializer.serialize_map(Some(0))?.end(),
        }
    }
}

/// A waiver that waives a finding: [`waiver_json`] without the rule and scenario, in the same
/// key order.
#[derive(serde::Serialize)]
struct WaivedJson<'a> {
    scope: Option<String>,
    reason: &'a str,
    owner: &'a str,
    expires: Date,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(serde::Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    citation: &'a str,
    title: &'a str,
    doc: String,
    verdict: Verdict,
    practice: &'a Option<String>,
    disclosure: &'a Option<String>,
    line: usize,
    version: VersionJson,
    #[serde(serialize_with = "elements_json")]
    elements: &'a [ElementResult],
    #[serde(serialize_with = "missing_facts_json")]
    missing_facts: &'a [MissingFact],
    assumptions: &'a [String],
    fixes: &'a [String],
    remedy: OrEmpty<RemedyJson<'a>>,
    exposure: OrEmpty<ExposureJson<'a>>,
    fingerprint: &'a str,
    notes: &'a [String],
    waived: Option<WaivedJson<'a>>,
}

fn elements_json<S: Serializer>(
    elements: &&[ElementResult],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(elements.iter().map(|e| ElementJson {
        kind: e.kind,
        id: &e.id,
        text: &e.text,
        cite: &e.cite,
        value: e.value.known(),
        presumed: e.presumed,
        facts: &e.facts,
        unknown: &e.unknown,
    }))
}

fn missing_facts_json<S: Serializer>(
    missing: &&[MissingFact],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(missing.iter().map(|m| MissingJson {
        path: &m.key.path,
        practice: &m.key.practice,
        disclosure: &m.key.disclosure,
        meaning: &m.meaning,
        decisiveness: m.decisiveness,
    }))
}

fn finding_json<'a>(finding: &'a Finding, report: &Report<'a>) -> FindingJson<'a> {
    FindingJson {
        rule: &finding.rule,
        citation: &finding.citation,
        title: &finding.title,
        doc: super::doc_anchor(&finding.rule),
        verdict: finding.verdict,
        practice: &finding.practice,
        disclosure: &finding.disclosure,
        line: finding.location.line,
        version: VersionJson {
            effective: finding.version_effective,
            until: finding.version_until,
        },
        elements: &finding.elements,
        missing_facts: &finding.missing_facts,
        assumptions: &finding.assumptions,
        fixes: &finding.fixes,
        remedy: OrEmpty(finding.remedy.as_ref().map(|r| RemedyJson {
            kind: &r.kind,
            text: &r.text,
            cite: &r.cite,
            currency: &r.currency,
            low: r.low,
            high: r.high,
            unit: r.unit,
        })),
        exposure: OrEmpty(finding.exposure.as_ref().map(|x| {
            ExposureJson {
                currency: &x.currency,
                low: x.low,
                high: x.high,
                persons: x.persons,
                units_per_person: x.units_per_person,
                basis: &x.basis,
                notes: &x.notes,
                tiers: x
                    .tiers
                    .as_ref()
                    .map(|(low, high)| [low.as_str(), high.as_str()]),
                combine: x.combine,
            }
        })),
        fingerprint: &finding.fingerprint,
        notes: &finding.notes,
        waived: report.waiver(finding).map(|w| WaivedJson {
            scope: match (&w.practice, &w.disclosure) {
                (Some(p), Some(d)) => Some(format!("{p}/{d}")),
                (Some(p), None) => Some(p.clone()),
                _ => None,
            },
            reason: &w.reason,
            owner: &w.owner,
            expires: w.expires,
            file: &w.location.file.name,
            line: w.location.line,
            column: w.location.column,
        }),
    }
}

/// The verdict counts of some findings, in the order of [`Verdict::ALL`].
struct Counts([(&'static str, usize); 4]);

impl Counts {
    fn of<'f>(findings: impl Iterator<Item = &'f Finding>) -> Self {
        let mut counts = Verdict::ALL.map(|v| (v.name(), 0));
        for finding in findings {
            for (slot, verdict) in counts.iter_mut().zip(Verdict::ALL) {
                if finding.verdict == verdict {
                    slot.1 += 1;
                }
            }
        }
        Self(counts)
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, count)| (*name, *count)))
    }
}

/// The findings of one scenario, as JSON shows them.
struct FindingsJson<'a> {
    findings: &'a [Finding],
    report: &'a Report<'a>,
}

impl Serialize for FindingsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.findings
                .iter()
                .filter(|f| self.report.all || f.verdict != Verdict::NotApplicable)
                .map(|f| finding_json(f, self.report)),
        )
    }
}

#[derive(serde::Serialize)]
struct ScenarioJson<'a> {
    id: &'a str,
    title: &'a Option<String>,
    file: &'a str,
    as_of: Date,
    findings: FindingsJson<'a>,
    summary: Counts,
    #[serde(serialize_with = "by_statute_json")]
    summary_by_statute: Vec<(&'a str, Counts)>,
    waived_findings: usize,
    exposure_total: Json,
}

fn by_statute_json<S: Serializer>(
    counts: &Vec<(&str, Counts)>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().map(|(statute, counts)| (*statute, counts)))
}

/// The statute packs of a rulebook: id, title and version of each.
pub(crate) fn rulebook_json(book: &Rulebook) -> Json {
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
    // Rule ids begin with their statute's, so a statute's findings are consecutive; a
    // statute seen again would keep its first place, as a JSON object's key does.
    let mut by_statute: Vec<(&str, Counts)> = Vec::new();
    for finding in &result.findings {
        let statute = finding.statute.as_str();
        if by_statute.iter().any(|(s, _)| *s == statute) {
            continue;
        }
        let counts = Counts::of(result.findings.iter().filter(|f| f.statute == statute));
        by_statute.push((statute, counts));
    }
    let value = ScenarioJson {
        id: &result.scenario.id,
        title: &result.scenario.title,
        file: &result.scenario.file.name,
        as_of: result.as_of,
        findings: FindingsJson {
            findings: &result.findings,
            report,
        },
        summary: Counts::of(result.findings.iter()),
        summary_by_statute: by_statute,
        waived_findings: report.waived_in(result),
        exposure_total: totals_json(&report.scenario_totals(result)),
    };
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
