//! Renders the rule reference (`consentry rules --format markdown`, committed as `docs/rules.md`).
//!
//! A section per rule, grouped by statute pack: elements, versions, remedies, limitations and a
//! violating and a compliant example evaluated from the bundled fixtures.

use std::fmt::Write as _;

use super::escape::{markdown as md, markdown_code as code};
use crate::condition::ScopeKind;
use crate::engine::{Finding, ScenarioResult};
use crate::reading;
use crate::rulebook::{Element, ElementKind, Remedy, Rule, Rulebook, Unit};
use crate::value::Date;
use crate::verdict::{Truth, Verdict};

/// One example scenario a rule version names, evaluated (or why it could not be).
#[derive(Debug, Clone)]
pub struct Example {
    /// The rule id.
    pub rule: String,
    /// The first day of the version that names it.
    pub effective: Date,
    /// The verdict it is named for: likely-violation (violating) or compliant.
    pub role: Verdict,
    /// The path as written in the rule file.
    pub path: String,
    /// The scenario evaluated against the whole rulebook, or the first problem loading it.
    pub outcome: Result<ScenarioResult, String>,
}

/// Most scenario lines quoted for one example.
const MAX_EXCERPT_LINES: usize = 30;

fn scope_words(scope: ScopeKind) -> &'static str {
    match scope {
        ScopeKind::Service => "once per scenario (the service as a whole)",
        ScopeKind::Practice => "once per practice",
        ScopeKind::Disclosure => "once per disclosure of a practice",
    }
}

fn dates(effective: Option<Date>, until: Option<Date>) -> Option<String> {
    match (effective, until) {
        (Some(e), Some(u)) => Some(format!("from {e} until {u}")),
        (Some(e), None) => Some(format!("from {e}")),
        (None, Some(u)) => Some(format!("until {u}")),
        (None, None) => None,
    }
}

fn version_dates(rule: &Rule) -> String {
    match rule.until {
        Some(until) => format!("from {} until {until}", rule.effective),
        None => format!("from {}", rule.effective),
    }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Person => "person",
        Unit::Violation => "violation",
        Unit::Scan => "scan",
    }
}

fn presumption(element: &Element) -> Option<&'static str> {
    match (element.presumed, element.kind, element.presumed_holds) {
        (false, ElementKind::Exception, _) => {
            Some("undecided when unstated (not presumed either way)")
        }
        (false, _, _) => None,
        (true, ElementKind::Exception, false) => {
            Some("presumed not to apply when unstated: a defence the operator must show")
        }
        (true, _, true) => Some("presumed to hold when unstated"),
        (true, _, false) => Some("presumed not to hold when unstated"),
    }
}

/// Renders the rule reference: a contents list, then per statute pack its summary and
/// enforcement and a section per rule. Deterministic: packs by id, rules in reading order,
/// no date of today.
pub fn render_rule_reference(book: &Rulebook, examples: &[Example]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Rule reference\n");
    let _ = writeln!(
        out,
        "<!-- Generated from the rulebook by `consentry rules --format markdown`: do not edit by hand. Regenerate with `CONSENTRY_UPDATE_GENERATED=1 cargo test --test docs`. -->\n"
    );
    let _ = writeln!(
        out,
        "One section per rule, grouped by statute pack: what the rule checks and why, each element with its condition, the versions and remedies with their dates, the known limitations, and a violating and a compliant example evaluated from the bundled fixtures. Every finding of `consentry check` names its section here (`{}`); `consentry explain RULE --as-of DATE` shows a rule as read on one date.\n",
        super::doc_anchor("<rule id>")
    );
    let _ = writeln!(
        out,
        "> Not legal advice. The rules encode one reading of the statutes and cases they cite; have counsel review anything that matters.\n"
    );
    let _ = writeln!(out, "## Contents\n");
    for statute in book.statutes.values() {
        let rules: Vec<String> = book
            .rules_in_order()
            .filter_map(|versions| versions.last())
            .filter(|r| r.statute == statute.id)
            .map(|r| format!("[{}](#{})", md(&r.id), r.id))
            .collect();
        let _ = writeln!(
            out,
            "- [{} — {}](#pack-{}): {}",
            md(&statute.id),
            md(&statute.title),
            statute.id,
            rules.join(", ")
        );
    }
    let _ = writeln!(out);
    for statute in book.statutes.values() {
        let _ = writeln!(out, "<a id=\"pack-{}\"></a>\n", statute.id);
        let _ = writeln!(out, "## {} — {}\n", md(&statute.id), md(&statute.title));
        let mut meta = vec![format!("*{}*", md(&statute.citation))];
        if let Some(j) = &statute.jurisdiction {
            meta.push(format!("jurisdiction {}", md(j)));
        }
        if let Some(enacted) = statute.enacted {
            meta.push(format!("enacted {enacted}"));
        }
        meta.push(format!("latest amendment encoded {}", md(&statute.version)));
        let _ = writeln!(out, "{}\n", meta.join(" · "));
        let _ = writeln!(out, "{}\n", md(statute.summary.trim()));
        if let Some(enforcement) = &statute.enforcement {
            let _ = writeln!(out, "**Enforcement.** {}\n", md(enforcement.trim()));
        }
        if !statute.notes.is_empty() {
            let _ = writeln!(
                out,
                "**Dated notes** (shown with every finding while in force):\n"
            );
            for note in &statute.notes {
                let when = dates(note.effective, note.until).unwrap_or_else(|| "always".into());
                let _ = writeln!(
                    out,
                    "- {when}: {} — *{}*",
                    md(note.text.trim()),
                    md(&note.cite)
                );
            }
            let _ = writeln!(out);
        }
        let shared = shared_elements(book, &statute.id);
        if !shared.is_empty() {
            let _ = writeln!(
                out,
                "**Shared elements.** Threshold questions the pack's rules ask alike, written once here; a rule that words one differently shows its own wording.\n"
            );
            for element in &shared {
                let _ = writeln!(
                    out,
                    "<a id=\"{}\"></a>\n",
                    shared_anchor(&statute.id, element.shared.as_deref().unwrap_or(""))
                );
                element_item(&mut out, element);
                let _ = writeln!(out);
            }
        }
        for versions in book
            .rules_in_order()
            .filter(|v| v.first().is_some_and(|r| r.statute == statute.id))
        {
            rule_section(&mut out, book, versions, examples, &shared);
        }
    }
    out
}

/// The anchor of a shared element's entry in the pack section.
fn shared_anchor(statute: &str, shared: &str) -> String {
    format!("{statute}.element.{shared}")
}

/// The pack's shared elements as most of its rules use them: for each shared id, the wording
/// (text, cite, condition, fix, presumption, dates) the most uses have, first seen on a tie.
fn shared_elements<'a>(book: &'a Rulebook, statute: &str) -> Vec<&'a Element> {
    let mut uses: Vec<(&Element, usize)> = Vec::new();
    for element in book
        .rules_in_order()
        .flatten()
        .filter(|r| r.statute == statute)
        .flat_map(|r| &r.elements)
        .filter(|e| e.shared.is_some())
    {
        match uses.iter_mut().find(|(e, _)| same_element(e, element)) {
            Some((_, n)) => *n += 1,
            None => uses.push((element, 1)),
        }
    }
    let mut out: Vec<&Element> = Vec::new();
    for (element, n) in &uses {
        let best = uses
            .iter()
            .filter(|(e, _)| e.shared == element.shared)
            .max_by_key(|(_, m)| *m)
            .map(|(e, _)| *e);
        if best.is_some_and(|b| std::ptr::eq(b, *element))
            && *n > 0
            && !out.iter().any(|e| e.shared == element.shared)
        {
            out.push(element);
        }
    }
    out.sort_by(|a, b| a.shared.cmp(&b.shared));
    out
}

/// Whether two elements say the same thing (the rule they belong to aside).
fn same_element(a: &Element, b: &Element) -> bool {
    a.id == b.id
        && a.shared == b.shared
        && reading::element_changes(a, b).is_empty()
        && (a.effective, a.until) == (b.effective, b.until)
}

/// One element in full: text, citation, condition, dates, presumption, fix.
fn element_item(out: &mut String, element: &Element) {
    let mut lines = vec![
        format!("- {} — {}", code(&element.id), md(element.text.trim())),
        format!("*{}*", md(&element.cite)),
        format!("when: {}", code(&element.condition.to_string())),
    ];
    let mut notes = Vec::new();
    if let Some(d) = dates(element.effective, element.until) {
        notes.push(format!("in force {d}"));
    }
    if let Some(p) = presumption(element) {
        notes.push(p.to_string());
    }
    if !element.presumed_while_unstated.is_empty() {
        let paths: Vec<String> = element
            .presumed_while_unstated
            .iter()
            .map(|p| code(p))
            .collect();
        notes.push(format!(
            "the presumption is lifted once {} is stated",
            paths.join(" or ")
        ));
    }
    if !notes.is_empty() {
        lines.push(notes.join("; "));
    }
    if let Some(fix) = &element.fix {
        lines.push(format!("fix: {}", md(fix.trim())));
    }
    let _ = writeln!(out, "{}  ", lines.join("  \n  "));
}

fn rule_section(
    out: &mut String,
    book: &Rulebook,
    versions: &[Rule],
    examples: &[Example],
    shared: &[&Element],
) {
    let Some(latest) = versions.last() else {
        return;
    };
    let _ = writeln!(out, "<a id=\"{}\"></a>\n", latest.id);
    let _ = writeln!(out, "### {} — {}\n", md(&latest.id), md(&latest.title));
    let _ = writeln!(
        out,
        "*{}* · evaluated {} · {}\n",
        md(&latest.citation),
        scope_words(latest.scope),
        if versions.len() == 1 {
            format!("in force {}", version_dates(latest))
        } else {
            format!("{} versions", versions.len())
        }
    );
    if versions.len() > 1 {
        let _ = writeln!(out, "| Version | Elements | Remedies |\n|---|---:|---:|");
        for version in versions {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                version_dates(version),
                version.elements.len(),
                version.remedies.len()
            );
        }
        let _ = writeln!(out);
    }
    let mut previous: Option<&Rule> = None;
    for version in versions {
        if versions.len() > 1 {
            let _ = writeln!(out, "#### Version {}\n", version_dates(version));
        }
        version_body(out, book, version, previous, examples, shared);
        previous = Some(version);
    }
}

/// `text`, or "as in the version from X" when the previous version says the same.
fn or_unchanged(text: &str, before: Option<&str>, previous: Option<&Rule>) -> String {
    match (before, previous) {
        (Some(b), Some(p)) if b.trim() == text.trim() => {
            format!("As in the version from {}.", p.effective)
        }
        _ => md(text.trim()),
    }
}

fn version_body(
    out: &mut String,
    book: &Rulebook,
    rule: &Rule,
    previous: Option<&Rule>,
    examples: &[Example],
    shared: &[&Element],
) {
    let _ = writeln!(
        out,
        "**What it checks.** {}\n",
        or_unchanged(
            &rule.summary,
            previous.map(|p| p.summary.as_str()),
            previous
        )
    );
    let _ = writeln!(
        out,
        "**Why.** {}\n",
        or_unchanged(&rule.why, previous.map(|p| p.why.as_str()), previous)
    );
    for (kind, heading) in [
        (
            ElementKind::Applies,
            "The duty attaches when all of these hold",
        ),
        (ElementKind::Exception, "Unless one of these holds"),
        (ElementKind::Requires, "It requires each of these"),
    ] {
        let elements: Vec<&Element> = rule.elements.iter().filter(|e| e.kind == kind).collect();
        if elements.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{heading}** ({}):\n", kind.name());
        for element in elements {
            let unchanged = previous.filter(|p| {
                p.elements.iter().any(|e| {
                    e.id == element.id
                        && reading::element_changes(e, element).is_empty()
                        && (e.effective, e.until) == (element.effective, element.until)
                })
            });
            if let Some(p) = unchanged {
                let _ = writeln!(
                    out,
                    "- {} — as in the version from {}",
                    code(&element.id),
                    p.effective
                );
                continue;
            }
            if let Some(name) = &element.shared {
                if shared.iter().any(|s| same_element(s, element)) {
                    let _ = writeln!(
                        out,
                        "- {} — [shared element](#{}), as written for the pack",
                        code(&element.id),
                        shared_anchor(&rule.statute, name)
                    );
                    continue;
                }
            }
            element_item(out, element);
            if let Some(name) = &element.shared {
                let _ = writeln!(
                    out,
                    "  (the [shared element](#{}) in this rule's own wording)",
                    shared_anchor(&rule.statute, name)
                );
            }
        }
        let _ = writeln!(out);
    }
    definitions(out, book, rule);
    if !rule.remedies.is_empty() {
        let _ = writeln!(out, "**Remedies:**\n");
        for remedy in &rule.remedies {
            remedy_item(out, remedy);
        }
        let _ = writeln!(out);
    }
    if let Some(limitations) = &rule.limitations {
        let _ = writeln!(
            out,
            "**Known limitations.** {}\n",
            or_unchanged(
                limitations,
                previous.and_then(|p| p.limitations.as_deref()),
                previous
            )
        );
    }
    let _ = writeln!(out, "**Examples.**\n");
    match &rule.examples {
        None => {
            let _ = writeln!(out, "This version names no examples.\n");
        }
        Some(_) => {
            for role in [Verdict::LikelyViolation, Verdict::Compliant] {
                let example = examples
                    .iter()
                    .find(|e| e.rule == rule.id && e.effective == rule.effective && e.role == role);
                if let Some(example) = example {
                    example_item(out, rule, example);
                }
            }
        }
    }
}

/// The definitions the version's conditions read, with every dated version of each.
fn definitions(out: &mut String, book: &Rulebook, rule: &Rule) {
    let mut names: Vec<&str> = Vec::new();
    for element in &rule.elements {
        for name in element.condition.definitions() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return;
    }
    let _ = writeln!(out, "**Definitions it reads:**\n");
    for name in names {
        for definition in book.definition_versions(&rule.statute, name) {
            let when = dates(definition.effective, definition.until)
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let values = if definition.values.is_empty() {
                "nothing".to_string()
            } else {
                definition
                    .values
                    .iter()
                    .map(|v| code(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                out,
                "- {}{when}: {values} — *{}*",
                code(&format!("${name}")),
                md(definition.cite.trim())
            );
        }
    }
    let _ = writeln!(out);
}

fn remedy_item(out: &mut String, remedy: &Remedy) {
    let when = dates(remedy.effective, remedy.until)
        .map(|d| format!("{d}: "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "- {when}{} per {} ({}) — *{}*  \n  {}",
        crate::exposure::remedy_amount(remedy),
        unit_name(remedy.unit),
        md(&remedy.kind),
        md(&remedy.cite),
        md(remedy.text.trim())
    );
}

fn mark(value: Truth, presumed: bool) -> &'static str {
    match (value, presumed) {
        (_, true) => "~",
        (Truth::True, _) => "✓",
        (Truth::False, _) => "✗",
        (Truth::Unknown, _) => "?",
    }
}

/// The finding of `rule` an example is shown by: the first with the strongest verdict.
fn example_finding<'a>(result: &'a ScenarioResult, rule: &str) -> Option<&'a Finding> {
    let strongest = result
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.verdict)
        .max_by_key(|v| v.strength())?;
    result
        .findings
        .iter()
        .find(|f| f.rule == rule && f.verdict == strongest)
}

fn example_item(out: &mut String, rule: &Rule, example: &Example) {
    let role = if example.role == Verdict::LikelyViolation {
        "Violating"
    } else {
        "Compliant"
    };
    let link = format!("[{}](../{})", code(&example.path), example.path);
    let result = match &example.outcome {
        Ok(result) => result,
        Err(problem) => {
            let _ = writeln!(
                out,
                "- {role}: {link} — could not be evaluated: {}\n",
                md(problem)
            );
            return;
        }
    };
    let Some(finding) = example_finding(result, &rule.id) else {
        let _ = writeln!(
            out,
            "- {role}: {link} — gives no finding of this rule (read as of {})\n",
            result.as_of
        );
        return;
    };
    let title = result
        .scenario
        .title
        .as_deref()
        .map(|t| format!(" — {}", md(t)))
        .unwrap_or_default();
    let scope = match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!(", practice {}, disclosure {}", code(p), code(d)),
        (Some(p), None) => format!(", practice {}", code(p)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "- {role}: {link}{title}  \n  read as of {}{scope}: **{}**{}",
        result.as_of,
        finding.verdict,
        if finding.verdict == example.role {
            String::new()
        } else {
            format!(
                " (named as {}: the example does not reach it)",
                example.role
            )
        }
    );
    let deciding = super::deciding(finding);
    if !deciding.is_empty() {
        let _ = writeln!(out, "  \n  Deciding elements:\n");
        for element in &deciding {
            let _ = writeln!(
                out,
                "  - {} {}",
                mark(element.value, element.presumed),
                code(&element.id)
            );
        }
    }
    let excerpt = excerpt(&result.scenario.file.text, &deciding);
    if !excerpt.is_empty() {
        let fence = "`".repeat(longest_backticks(&excerpt).max(2) + 1);
        let _ = writeln!(
            out,
            "\n  The facts they read ({}):\n\n  {fence}toml",
            md(&example.path)
        );
        for line in excerpt.lines() {
            if line.is_empty() {
                let _ = writeln!(out);
            } else {
                let _ = writeln!(out, "  {line}");
            }
        }
        let _ = writeln!(out, "  {fence}");
    }
    let _ = writeln!(out);
}

fn longest_backticks(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if c == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// The scenario lines of the facts the deciding elements read, each with the table header it
/// sits under, numbered, gaps marked `…`; at most [`MAX_EXCERPT_LINES`] fact lines.
fn excerpt(text: &str, deciding: &[&crate::engine::ElementResult]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut wanted: Vec<usize> = deciding
        .iter()
        .flat_map(|e| &e.facts)
        .filter(|f| !f.location.span.is_empty())
        .map(|f| f.location.line)
        .filter(|line| *line >= 1)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let omitted = wanted.len().saturating_sub(MAX_EXCERPT_LINES);
    wanted.truncate(MAX_EXCERPT_LINES);
    let mut shown: Vec<usize> = Vec::new();
    for line in &wanted {
        // The nearest table header above the fact, so the excerpt says where it is.
        let header = (1..*line).rev().find(|l| {
            lines
                .get(l - 1)
                .is_some_and(|t| t.trim_start().starts_with('['))
        });
        for l in header.into_iter().chain(std::iter::once(*line)) {
            if !shown.contains(&l) {
                shown.push(l);
            }
        }
    }
    shown.sort_unstable();
    let width = shown.last().map_or(1, |l| l.to_string().len());
    let mut out = String::new();
    let mut previous = 0;
    for line in shown {
        if previous != 0 && line > previous + 1 {
            let _ = writeln!(out, "{:>width$} | …", "");
        }
        let text = lines.get(line - 1).copied().unwrap_or_default();
        let _ = writeln!(out, "{line:>width$} | {text}");
        previous = line;
    }
    if omitted > 0 {
        let _ = writeln!(out, "{:>width$} | … and {omitted} more fact line(s)", "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_quote_the_fact_lines_under_their_table_headers() {
        let text = "[scenario]\nid = \"x\"\n\n[[practice]]\nid = \"p\"\ndata = [\"fingerprint\"]\n\n[practice.consent]\nkind = \"none\"\n";
        let file = crate::source::SourceFile::new("x.toml", text);
        let at = |needle: &str| {
            let start = text.find(needle).unwrap_or(0);
            crate::source::Location::new(&file, start..start + needle.len())
        };
        let element = crate::engine::ElementResult {
            kind: ElementKind::Requires,
            id: "r".into(),
            text: String::new(),
            cite: String::new(),
            value: Truth::False,
            presumed: false,
            presumed_holds: true,
            facts: ["data = ", "kind = "]
                .iter()
                .map(|n| crate::engine::FactRead {
                    path: "p".into(),
                    value: crate::value::Value::Bool(true),
                    location: at(n),
                    item: None,
                })
                .collect(),
            unknown: Vec::new(),
        };
        assert_eq!(
            excerpt(text, &[&element]),
            "4 | [[practice]]\n  | …\n6 | data = [\"fingerprint\"]\n  | …\n8 | [practice.consent]\n9 | kind = \"none\"\n"
        );
    }
}
