//! Renders `consentry rules --coverage` as a table or as JSON.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::human::Style;
use super::json::{SCHEMA_VERSION, diagnostic_json};
use crate::coverage::Coverage;
use crate::diagnostics::Diagnostic;
use crate::verdict::Verdict;

/// Renders the coverage as a table, a rule a row, with the never-decisive elements under it,
/// then the gaps.
pub fn render_coverage_human(coverage: &Coverage, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "Coverage of {} rule(s) by {} scenario(s), {} finding(s)",
            coverage.rules.len(),
            coverage.scenarios,
            coverage.findings
        ))
    );
    let _ = writeln!(
        out,
        "   an element is decisive in a finding when another value (true, false or unknown), all else equal, would change its verdict"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<20} {:>8} {:>8} {:>9} {:>8}",
        "rule", "likely", "possible", "compliant", "n/a"
    );
    for rule in &coverage.rules {
        let _ = writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>9} {:>8}",
            rule.rule,
            rule.count(Verdict::LikelyViolation),
            rule.count(Verdict::PossibleViolation),
            rule.count(Verdict::Compliant),
            rule.count(Verdict::NotApplicable)
        );
        let never: Vec<String> = rule
            .never_decisive()
            .map(|e| {
                if e.evaluated == 0 {
                    format!("{} ({}, never in force)", e.id, e.kind.name())
                } else {
                    format!("{} ({})", e.id, e.kind.name())
                }
            })
            .collect();
        if !never.is_empty() {
            let _ = writeln!(
                out,
                "   {}",
                style.dim(&format!("never decisive: {}", never.join(", ")))
            );
        }
    }
    let _ = writeln!(out);
    let gaps = coverage.gaps();
    if gaps.is_empty() {
        let _ = writeln!(
            out,
            "No gaps: every rule reaches likely-violation and compliant in some scenario."
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "Gaps: {} rule(s) no scenario drives to likely-violation or compliant",
                gaps.len()
            ))
        );
        for (rule, missing) in gaps {
            let names: Vec<&str> = missing.iter().map(|v| v.name()).collect();
            let _ = writeln!(out, "   {}: no {}", rule.rule, names.join(", no "));
        }
    }
    out
}

/// Renders the coverage as JSON (`schema_version` 1, documented in the README).
pub fn render_coverage_json(coverage: &Coverage, errors: &[Diagnostic]) -> String {
    let rules: Vec<Json> = coverage
        .rules
        .iter()
        .map(|rule| {
            let verdicts: serde_json::Map<String, Json> = Verdict::ALL
                .into_iter()
                .map(|v| (v.name().to_string(), Json::from(rule.count(v))))
                .collect();
            json!({
                "rule": rule.rule,
                "statute": rule.statute,
                "doc": super::doc_anchor(&rule.rule),
                "verdicts": verdicts,
                "elements": rule.elements.iter().map(|e| json!({
                    "id": e.id,
                    "kind": e.kind,
                    "evaluated": e.evaluated,
                    "decisive": e.decisive,
                })).collect::<Vec<_>>(),
                "never_decisive": rule.never_decisive().map(|e| e.id.clone()).collect::<Vec<_>>(),
                "gaps": rule.gaps(),
            })
        })
        .collect();
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "scenarios": coverage.scenarios,
        "findings": coverage.findings,
        "rules": rules,
        "gaps": coverage.gaps().iter().map(|(r, missing)| json!({
            "rule": r.rule, "missing": missing,
        })).collect::<Vec<_>>(),
        "errors": errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
