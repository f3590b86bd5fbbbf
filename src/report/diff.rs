//! Renders `consentry diff` as a memo, as Markdown for a pull-request comment, and as JSON.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::escape::{markdown as md, markdown_code as code};
use super::human::Style;
use super::json::{SCHEMA_VERSION, diagnostic_json, rulebook_json};
use crate::diff::{Cause, ChangeKind, Diff, ElementDiff, ElementValue, FindingChange};
use crate::engine::FactKey;
use crate::rulebook::Rulebook;
use crate::value::Date;
use crate::verdict::Truth;

/// The two rulebooks a diff compares, for the report's header.
pub struct DiffSides<'a> {
    /// The base rulebook (`--base` or `--base-rev`).
    pub base: &'a Rulebook,
    /// Where it was read from, in words.
    pub base_source: &'a str,
    /// The new rulebook (`--rules`, or the embedded one).
    pub new: &'a Rulebook,
    /// Where it was read from, in words.
    pub new_source: &'a str,
    /// `--as-of`, when given.
    pub as_of: Option<Date>,
}

fn mark(value: Option<ElementValue>) -> &'static str {
    match value {
        None => "—",
        Some(ElementValue { presumed: true, .. }) => "~",
        Some(ElementValue {
            value: Truth::True, ..
        }) => "✓",
        Some(ElementValue {
            value: Truth::False,
            ..
        }) => "✗",
        Some(_) => "?",
    }
}

fn kind_heading(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Changed => "Changed verdict",
        ChangeKind::Appeared => "Appeared",
        ChangeKind::Disappeared => "Disappeared",
        ChangeKind::Reasoning => "Reasoning changed, same verdict",
    }
}

/// Why a finding appeared or disappeared, in words; `None` when its elements say it.
fn cause_words(change: &FindingChange, sides: &DiffSides<'_>) -> Option<String> {
    let version = |v: Option<crate::reading::VersionDates>, source: &str| match v {
        Some(v) => format!("{source} has the version from {}", v.effective),
        None => format!("{source} has no version in force then"),
    };
    match &change.cause {
        Cause::RuleAdded => Some(format!(
            "the rule is new: {} does not have it",
            sides.base_source
        )),
        Cause::RuleRemoved => Some(format!(
            "the rule is removed: {} does not have it",
            sides.new_source
        )),
        Cause::VersionInForce { before, after } => Some(format!(
            "the version in force on {}: {}; {}",
            change.as_of,
            version(*before, sides.base_source),
            version(*after, sides.new_source)
        )),
        Cause::Scope => {
            Some("the rule is evaluated over other scope items (its scope changed)".to_string())
        }
        Cause::Elements => None,
    }
}

/// What changed in the rule about one element, in words: its condition, its presumption, the
/// definitions it reads.
fn element_reason(element: &ElementDiff) -> String {
    let mut parts: Vec<String> = element
        .rule_changes
        .iter()
        .map(|c| c.describe().to_string())
        .collect();
    for definition in &element.definitions {
        let mut what = Vec::new();
        if !definition.added.is_empty() {
            what.push(format!("adds {}", definition.added.join(", ")));
        }
        if !definition.removed.is_empty() {
            what.push(format!("drops {}", definition.removed.join(", ")));
        }
        parts.push(format!("${} {}", definition.name, what.join(" and ")));
    }
    match (element.before, element.after) {
        (None, Some(_)) => parts.insert(0, "new in this finding".to_string()),
        (Some(_), None) => parts.insert(0, "no longer in this finding".to_string()),
        _ => {}
    }
    if parts.is_empty() {
        "its condition and definitions are unchanged: the facts it reads decide it differently"
            .to_string()
    } else {
        parts.join("; ")
    }
}

fn missing_line(keys: &[FactKey]) -> String {
    keys.iter()
        .map(|k| match (&k.practice, &k.disclosure) {
            (Some(p), Some(d)) => format!("{} [{p}/{d}]", k.path),
            (Some(p), None) => format!("{} [{p}]", k.path),
            _ => k.path.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_line(diff: &Diff) -> String {
    format!(
        "{} scenario(s), {} finding(s) compared: {} changed verdict, {} appeared, {} disappeared; {} with changed reasoning",
        diff.scenarios,
        diff.findings,
        diff.count(ChangeKind::Changed),
        diff.count(ChangeKind::Appeared),
        diff.count(ChangeKind::Disappeared),
        diff.count(ChangeKind::Reasoning)
    )
}

/// Renders the diff as a memo: a summary, then each change grouped by kind with the elements
/// that made the difference and the facts they read.
pub fn render_diff_human(diff: &Diff, sides: &DiffSides<'_>, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "Rule changes: {} → {}",
            sides.base_source, sides.new_source
        ))
    );
    if let Some(date) = sides.as_of {
        let _ = writeln!(out, "   the law read as of {date} (--as-of)");
    }
    let _ = writeln!(out, "   {}", summary_line(diff));
    let _ = writeln!(out);
    if !diff.any_change() {
        let _ = writeln!(
            out,
            "No finding changes between the two rulebooks in the scenarios compared."
        );
        let _ = writeln!(out);
    }
    for kind in ChangeKind::ALL {
        let changes: Vec<&FindingChange> = diff.changes.iter().filter(|c| c.kind == kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!("{} ({})", kind_heading(kind), changes.len()))
        );
        let _ = writeln!(out);
        for change in changes {
            change_paragraph(&mut out, change, sides, &style);
        }
    }
    super::human::bad_files_lines(&mut out, &diff.errors, "compared", &style);
    out
}

fn change_paragraph(
    out: &mut String,
    change: &FindingChange,
    sides: &DiffSides<'_>,
    style: &Style,
) {
    let verdicts = if change.kind == ChangeKind::Reasoning {
        change.verdict_after().name().to_string()
    } else {
        format!(
            "{} → {}",
            change.verdict_before().name(),
            change.verdict_after().name()
        )
    };
    let _ = writeln!(out, "{}  {}", style.bold(&change.target()), verdicts);
    let _ = writeln!(
        out,
        "   scenario {} ({}) · the law as of {}",
        change.scenario, change.file, change.as_of
    );
    if let Some(cause) = cause_words(change, sides) {
        let _ = writeln!(out, "   why: {cause}");
    }
    for element in &change.elements {
        let _ = writeln!(
            out,
            "   {} → {}  {} {}: {}",
            mark(element.before),
            mark(element.after),
            element.kind.name(),
            element.id,
            element_reason(element)
        );
        if let Some((before, after)) = &element.conditions {
            let _ = writeln!(out, "         when, before: {before}");
            let _ = writeln!(out, "         when, after:  {after}");
        }
        for fact in &element.facts {
            super::human::fact_line(out, fact, style);
        }
    }
    if !change.missing_added.is_empty() {
        let _ = writeln!(
            out,
            "   now missing: {}",
            missing_line(&change.missing_added)
        );
    }
    if !change.missing_removed.is_empty() {
        let _ = writeln!(
            out,
            "   no longer missing: {}",
            missing_line(&change.missing_removed)
        );
    }
    let _ = writeln!(
        out,
        "   {}",
        style.dim(&format!(
            "rule reference {}",
            super::doc_anchor(&change.rule)
        ))
    );
    let _ = writeln!(out);
}

/// Renders the diff as Markdown for a pull-request comment: a summary table, a table of the
/// verdicts that change, then the details (reasoning-only changes folded away).
pub fn render_diff_markdown(diff: &Diff, sides: &DiffSides<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## consentry diff\n");
    let as_of = sides
        .as_of
        .map(|d| format!(" · the law as of {d}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Base {} → {}{as_of} · {} scenario(s), {} finding(s) compared\n",
        code(sides.base_source),
        code(sides.new_source),
        diff.scenarios,
        diff.findings
    );
    let _ = writeln!(out, "| Change | Findings |\n|---|---:|");
    for kind in ChangeKind::ALL {
        let _ = writeln!(out, "| {} | {} |", kind_heading(kind), diff.count(kind));
    }
    let (errors, _) = error_counts(diff);
    if errors > 0 {
        let _ = writeln!(out, "| Files that could not be compared | {errors} |");
    }
    let _ = writeln!(out);
    if !diff.any_change() {
        let _ = writeln!(out, "No finding changes between the two rulebooks.\n");
    }
    let flips: Vec<&FindingChange> = diff
        .changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Reasoning)
        .collect();
    if !flips.is_empty() {
        let _ = writeln!(
            out,
            "| Scenario | Finding | Before | After | Why |\n|---|---|---|---|---|"
        );
        for change in &flips {
            let why = cause_words(change, sides).map_or_else(
                || {
                    change
                        .elements
                        .iter()
                        .map(|e| format!("{} {} → {}", code(&e.id), mark(e.before), mark(e.after)))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                |c| md(&c),
            );
            let _ = writeln!(
                out,
                "| {} | [{}]({}) | {} | {} | {why} |",
                code(&change.scenario),
                md(&change.target()),
                super::doc_anchor(&change.rule),
                change.verdict_before().name(),
                change.verdict_after().name()
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "### Details\n");
        for kind in [
            ChangeKind::Changed,
            ChangeKind::Appeared,
            ChangeKind::Disappeared,
        ] {
            for change in flips.iter().filter(|c| c.kind == kind) {
                change_section(&mut out, change, sides);
            }
        }
    }
    let reasoning: Vec<&FindingChange> = diff
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Reasoning)
        .collect();
    if !reasoning.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} finding(s) keep their verdict with changed reasoning</summary>\n",
            reasoning.len()
        );
        for change in reasoning {
            change_section(&mut out, change, sides);
        }
        let _ = writeln!(out, "</details>\n");
    }
    if !diff.errors.is_empty() {
        let _ = writeln!(out, "### Problems\n");
        for d in &diff.errors {
            let (line, column) = d.line_col();
            let place = if line > 0 {
                format!("{}:{line}:{column}", d.file_name)
            } else {
                d.file_name.clone()
            };
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                d.severity,
                code(&place),
                md(&d.message)
            );
        }
        let _ = writeln!(out);
    }
    out
}

fn error_counts(diff: &Diff) -> (usize, usize) {
    let errors = crate::diagnostics::bad_files(&diff.errors).len();
    (errors, diff.errors.len())
}

fn change_section(out: &mut String, change: &FindingChange, sides: &DiffSides<'_>) {
    let verdicts = if change.kind == ChangeKind::Reasoning {
        format!("{} (unchanged)", change.verdict_after().name())
    } else {
        format!(
            "{} → {}",
            change.verdict_before().name(),
            change.verdict_after().name()
        )
    };
    let _ = writeln!(
        out,
        "#### {} in {}: {verdicts}\n",
        code(&change.target()),
        code(&change.scenario)
    );
    let _ = writeln!(
        out,
        "{} · the law as of {} · [rule reference]({})\n",
        code(&change.file),
        change.as_of,
        super::doc_anchor(&change.rule)
    );
    if let Some(cause) = cause_words(change, sides) {
        let _ = writeln!(out, "Why: {}\n", md(&cause));
    }
    for element in &change.elements {
        let _ = writeln!(
            out,
            "- {} → {} **{}** ({}): {}",
            mark(element.before),
            mark(element.after),
            md(&element.id),
            element.kind.name(),
            md(&element_reason(element))
        );
        if let Some((before, after)) = &element.conditions {
            let _ = writeln!(out, "  - when, before: {}", code(before));
            let _ = writeln!(out, "  - when, after: {}", code(after));
        }
        for fact in &element.facts {
            let _ = writeln!(
                out,
                "  - {} ({})",
                code(&format!("{} = {}", fact.path, fact.value)),
                code(&fact.location.display())
            );
        }
    }
    if !change.missing_added.is_empty() {
        let _ = writeln!(
            out,
            "- now missing: {}",
            md(&missing_line(&change.missing_added))
        );
    }
    if !change.missing_removed.is_empty() {
        let _ = writeln!(
            out,
            "- no longer missing: {}",
            md(&missing_line(&change.missing_removed))
        );
    }
    let _ = writeln!(out);
}

fn value_json(value: Option<ElementValue>) -> Json {
    value.map_or(Json::Null, |v| {
        json!({
            "value": v.value.known(),
            "presumed": v.presumed,
            "effective": v.effective.known(),
        })
    })
}

fn side_json(finding: Option<&crate::engine::Finding>) -> Json {
    match finding {
        Some(f) => json!({
            "verdict": f.verdict,
            "finding": true,
            "version": {"effective": f.version_effective, "until": f.version_until},
            "fingerprint": f.fingerprint,
        }),
        None => json!({
            "verdict": "not-applicable",
            "finding": false,
            "version": null,
            "fingerprint": null,
        }),
    }
}

fn keys_json(keys: &[FactKey]) -> Json {
    keys.iter()
        .map(|k| json!({"path": k.path, "practice": k.practice, "disclosure": k.disclosure}))
        .collect()
}

fn change_json(change: &FindingChange) -> Json {
    let elements: Vec<Json> = change
        .elements
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "kind": e.kind,
                "before": value_json(e.before),
                "after": value_json(e.after),
                "rule_changes": e.rule_changes.iter().map(|c| match c {
                    crate::reading::ElementChange::Kind => "kind",
                    crate::reading::ElementChange::Condition => "condition",
                    crate::reading::ElementChange::Presumption => "presumption",
                    crate::reading::ElementChange::Wording => "wording",
                    crate::reading::ElementChange::Fix => "fix",
                }).collect::<Vec<_>>(),
                "conditions": e.conditions.as_ref().map(|(b, a)| json!({"before": b, "after": a})),
                "definitions": e.definitions.iter().map(|d| json!({
                    "name": d.name, "added": d.added, "removed": d.removed,
                })).collect::<Vec<_>>(),
                "facts": e.facts.iter().map(|f| json!({
                    "path": f.path,
                    "value": f.value.to_json(),
                    "file": f.location.file.name,
                    "line": f.location.line,
                    "column": f.location.column,
                    "item": f.item,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let version = |v: &Option<crate::reading::VersionDates>| {
        v.map_or(
            Json::Null,
            |v| json!({"effective": v.effective, "until": v.until}),
        )
    };
    let cause_detail = match &change.cause {
        Cause::VersionInForce { before, after } => {
            json!({"before": version(before), "after": version(after)})
        }
        _ => Json::Null,
    };
    json!({
        "kind": change.kind,
        "scenario": change.scenario,
        "file": change.file,
        "as_of": change.as_of,
        "rule": change.rule,
        "practice": change.practice,
        "disclosure": change.disclosure,
        "doc": super::doc_anchor(&change.rule),
        "before": side_json(change.before.as_ref()),
        "after": side_json(change.after.as_ref()),
        "cause": change.cause.name(),
        "versions_in_force": cause_detail,
        "elements": elements,
        "missing_facts": {
            "added": keys_json(&change.missing_added),
            "removed": keys_json(&change.missing_removed),
        },
    })
}

/// Renders the diff as JSON (`schema_version` 1; the shape is documented in the README).
pub fn render_diff_json(diff: &Diff, sides: &DiffSides<'_>) -> String {
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "base": {"source": sides.base_source, "rulebook": rulebook_json(sides.base)},
        "rules": {"source": sides.new_source, "rulebook": rulebook_json(sides.new)},
        "as_of": sides.as_of,
        "changes": diff.changes.iter().map(change_json).collect::<Vec<_>>(),
        "summary": {
            "scenarios": diff.scenarios,
            "findings": diff.findings,
            "changed": diff.count(ChangeKind::Changed),
            "appeared": diff.count(ChangeKind::Appeared),
            "disappeared": diff.count(ChangeKind::Disappeared),
            "reasoning": diff.count(ChangeKind::Reasoning),
        },
        "errors": diff.errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON of a diff that could not start (a rulebook did not load): no changes, the errors.
pub fn render_diff_failed_json(diagnostics: &[crate::diagnostics::Diagnostic]) -> String {
    let out = json!({
        "schema_version": SCHEMA_VERSION,
        "consentry": env!("CARGO_PKG_VERSION"),
        "base": null,
        "rules": null,
        "as_of": null,
        "changes": [],
        "summary": null,
        "errors": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
