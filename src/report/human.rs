//! The human report: per scenario, a short legal memo of each finding.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::totals::{heading, plural};
use super::{Report, TOTALS_BASIS, Tally, reach, shown};
use crate::condition::ScopeKind;
use crate::engine::{Decisiveness, ElementResult, Finding, ScenarioResult};
use crate::rulebook::{Element, ElementKind, Rule, Rulebook};
use crate::verdict::{Truth, Verdict};
use crate::waiver::Status;

/// Terminal styling: ANSI colours when `color` is set, plain text otherwise.
pub(super) struct Style {
    pub(super) color: bool,
}

impl Style {
    pub(super) fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub(super) fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub(super) fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub(super) fn verdict(&self, verdict: Verdict) -> String {
        let label = verdict.name().replace('-', " ").to_uppercase();
        let code = match verdict {
            Verdict::LikelyViolation => "1;31",
            Verdict::PossibleViolation => "1;33",
            Verdict::Compliant => "1;32",
            Verdict::NotApplicable => "2",
        };
        self.paint(code, &label)
    }

    fn mark(&self, element: &ElementResult) -> String {
        match (element.value, element.presumed) {
            (_, true) => self.paint("36", "~"),
            (Truth::True, _) => self.paint("32", "✓"),
            (Truth::False, _) => self.paint("31", "✗"),
            (Truth::Unknown, _) => self.paint("33", "?"),
        }
    }
}

/// Writes one scenario's section of the memo; returns whether it showed exposure totals.
pub(crate) fn section(
    out: &mut String,
    report: &Report<'_>,
    result: &ScenarioResult,
    color: bool,
) -> bool {
    scenario_section(out, report, result, &Style { color })
}

/// Writes the end of the memo: the run's summary, waivers and problems.
pub(crate) fn finish(
    writer: &mut dyn std::io::Write,
    report: &Report<'_>,
    color: bool,
) -> std::io::Result<()> {
    let style = Style { color };
    let mut out = String::new();
    let tally = report.tally.cloned().unwrap_or_else(|| Tally::of(report));
    if report.scenario_count() > 1 {
        let totals: &BTreeMap<Verdict, usize> = &tally.verdicts;
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "{} scenarios checked: {}",
                report.scenario_count(),
                counts_line(totals)
            ))
        );
        let run = report.run_totals();
        for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
            if let Some(line) = run.line(verdict) {
                let _ = writeln!(
                    out,
                    "Exposure of all {}: {line}",
                    heading(verdict).to_lowercase()
                );
            }
        }
    }
    if tally.any_totals {
        let _ = writeln!(out, "{}", style.dim(TOTALS_BASIS));
    }
    if report.scenario_count() > 0 {
        let _ = writeln!(out, "{}", style.dim(super::DISCLAIMER));
    }
    let reported: Vec<_> = report.waivers.reported().collect();
    if !reported.is_empty() {
        let _ = writeln!(
            out,
            "Waivers: {} applied, {} expired, {} unmatched",
            report.waivers.count(Status::Applied),
            report.waivers.count(Status::Expired),
            report.waivers.count(Status::Unmatched)
        );
    }
    bad_files_lines(&mut out, report.errors, "checked", &style);
    let (errors, warnings) = report.problem_counts();
    if errors + warnings > 0 {
        let text = match (errors, warnings) {
            (_, 0) => format!("{errors} file problem(s) reported on stderr"),
            (0, _) => format!("{warnings} warning(s) reported on stderr"),
            _ => format!("{errors} file problem(s) and {warnings} warning(s) reported on stderr"),
        };
        let _ = writeln!(out, "{}", style.bold(&text));
    }
    writer.write_all(out.as_bytes())
}

/// One finding as plain text, the paragraph of the memo (used for JUnit failure bodies).
pub(crate) fn finding_text(report: &Report<'_>, finding: &Finding) -> String {
    let mut out = String::new();
    finding_paragraph(&mut out, report, finding, &Style { color: false });
    out
}

fn counts_line(counts: &BTreeMap<Verdict, usize>) -> String {
    Verdict::ALL
        .iter()
        .map(|v| format!("{} {}", counts.get(v).copied().unwrap_or(0), v.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes one scenario's section; returns whether it showed exposure totals.
fn scenario_section(
    out: &mut String,
    report: &Report<'_>,
    result: &ScenarioResult,
    style: &Style,
) -> bool {
    let scenario = &result.scenario;
    let title = scenario.title.as_deref().unwrap_or("");
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!("━━ {} — {title}", scenario.id))
    );
    let _ = writeln!(
        out,
        "   {} · the law as of {}",
        scenario.file.name, result.as_of
    );
    let _ = writeln!(out);
    let mut hidden = 0;
    for finding in &result.findings {
        if shown(finding.verdict, report.all) {
            finding_paragraph(out, report, finding, style);
        } else {
            hidden += 1;
        }
    }
    let mut per_statute: BTreeMap<&str, BTreeMap<Verdict, usize>> = BTreeMap::new();
    for finding in &result.findings {
        *per_statute
            .entry(&finding.statute)
            .or_default()
            .entry(finding.verdict)
            .or_default() += 1;
    }
    let _ = writeln!(out, "   {}", style.bold("Summary"));
    for (statute, counts) in &per_statute {
        let _ = writeln!(out, "   {statute:<8} {}", counts_line(counts));
    }
    statutes_by_practice(out, report, result, style);
    let totals = report.scenario_totals(result);
    for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
        if let Some(line) = totals.line(verdict) {
            let _ = writeln!(
                out,
                "   Exposure of the {}: {line}",
                heading(verdict).to_lowercase()
            );
        }
    }
    let mut notes: Vec<&str> = Vec::new();
    for note in totals.sums.iter().flat_map(|s| &s.notes) {
        if !notes.contains(&note.as_str()) {
            notes.push(note);
        }
    }
    for note in notes {
        let _ = writeln!(out, "     {}", style.dim(note));
    }
    let waived = report.waived_in(result);
    if waived > 0 {
        let _ = writeln!(
            out,
            "   Waived: {} (verdicts kept; not counted toward --fail-on)",
            plural(waived, "finding", "findings")
        );
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "   {}",
            style.dim(&format!(
                "{hidden} compliant or not-applicable finding(s) not shown; --all shows them"
            ))
        );
    }
    let _ = writeln!(out);
    !totals.is_empty()
}

/// Per practice, the statutes that reach it; with `--all`, why each other statute in force
/// does not; and the packs not in force on the scenario's date.
fn statutes_by_practice(
    out: &mut String,
    report: &Report<'_>,
    result: &ScenarioResult,
    style: &Style,
) {
    let reach = reach::practice_reach(report.rulebook, result);
    let _ = writeln!(out, "   {}", style.bold("Statutes by practice"));
    for item in &reach {
        let name = item.practice.map_or_else(
            || "the service as a whole".to_string(),
            |p| format!("`{p}`"),
        );
        let reached = if item.reached.is_empty() {
            "no statute reaches it".to_string()
        } else {
            item.reached
                .iter()
                .map(|(statute, verdict)| format!("{statute} ({})", verdict.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "   {name}: {reached}");
        if item.not_reached.is_empty() && item.not_evaluated.is_empty() {
            continue;
        }
        if !report.all {
            let others: Vec<&str> = item
                .not_reached
                .iter()
                .map(|n| n.statute)
                .chain(item.not_evaluated.iter().copied())
                .collect();
            let _ = writeln!(
                out,
                "     {}",
                style.dim(&format!(
                    "not reached: {} (--all shows why)",
                    others.join(", ")
                ))
            );
            continue;
        }
        for not in &item.not_reached {
            for (i, reason) in not.reasons.iter().enumerate() {
                let lead = if i == 0 {
                    format!("{} not reached:", not.statute)
                } else {
                    format!("{:width$}", "and", width = not.statute.len() + 13)
                };
                let _ = writeln!(out, "     {lead} {}", reach::reason_words(reason));
                let facts = reach::facts_words(reason.element);
                if !facts.is_empty() {
                    let _ = writeln!(out, "         {}", style.dim(&facts));
                }
            }
        }
        for statute in &item.not_evaluated {
            let _ = writeln!(
                out,
                "     {statute} not reached: no finding (its rules are read per disclosure, and the practice has none)"
            );
        }
    }
    let out_of_force = reach::out_of_force(report.rulebook, result);
    if !out_of_force.is_empty() {
        let packs: Vec<String> = out_of_force
            .iter()
            .map(|o| format!("{} ({})", o.statute, o.when))
            .collect();
        let _ = writeln!(
            out,
            "   Not in force on {}: {}",
            result.as_of,
            packs.join(", ")
        );
    }
}

fn scope_line(finding: &Finding) -> String {
    match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!("practice `{p}`, disclosure `{d}`"),
        (Some(p), None) => format!("practice `{p}`"),
        _ => "the service as a whole".to_string(),
    }
}

fn finding_paragraph(out: &mut String, report: &Report<'_>, finding: &Finding, style: &Style) {
    let _ = writeln!(
        out,
        "{}  {}  {}",
        style.verdict(finding.verdict),
        style.bold(&finding.rule),
        finding.title
    );
    let _ = writeln!(
        out,
        "   {} · {} ({}:{})",
        finding.citation,
        scope_line(finding),
        finding.location.file.name,
        finding.location.line
    );
    if let Some(waiver) = report.waiver(finding) {
        let _ = writeln!(
            out,
            "   {} until {} by {}: {} ({})",
            style.paint("1;36", "WAIVED"),
            waiver.expires,
            waiver.owner,
            waiver.reason,
            waiver.location.display()
        );
    } else if let Some(waiver) = report.expired_waiver(finding) {
        let _ = writeln!(
            out,
            "   {} on {} ({}): the finding counts again",
            style.paint("1;33", "Waiver expired"),
            waiver.expires,
            waiver.location.display()
        );
    }
    for (kind, heading) in [
        (ElementKind::Applies, "Does the duty attach?"),
        (ElementKind::Exception, "Exceptions"),
        (ElementKind::Requires, "What the duty requires"),
    ] {
        let elements: Vec<&ElementResult> =
            finding.elements.iter().filter(|e| e.kind == kind).collect();
        if elements.is_empty() {
            continue;
        }
        let _ = writeln!(out, "   {heading}");
        for element in elements {
            let presumed = if element.presumed { " (presumed)" } else { "" };
            let _ = writeln!(
                out,
                "     {} {}{presumed} — {}",
                style.mark(element),
                element.text,
                style.dim(&element.cite)
            );
            for fact in &element.facts {
                fact_line(out, fact, style);
            }
            let (unstated, general) = super::unknown_facts(element);
            if !unstated.is_empty() {
                let _ = writeln!(
                    out,
                    "         {}",
                    style.dim(&format!("not stated: {}", unstated.join(", ")))
                );
            }
            if !general.is_empty() {
                let _ = writeln!(
                    out,
                    "         {}",
                    style.dim(&format!(
                        "stated too generally to decide: {}",
                        general.join(", ")
                    ))
                );
            }
        }
    }
    if !finding.missing_facts.is_empty() {
        let _ = writeln!(out, "   Missing facts, most decisive first");
        for missing in &finding.missing_facts {
            let how = match missing.decisiveness {
                Decisiveness::SettlesAlone => "settles the verdict",
                Decisiveness::SettlesSome => "can settle the verdict",
                Decisiveness::WithOthers => "decides it with other facts",
            };
            let scope = match (&missing.key.practice, &missing.key.disclosure) {
                (Some(p), Some(d)) => format!(" [{p}/{d}]"),
                (Some(p), None) if p.as_str() != finding.practice.as_deref().unwrap_or("") => {
                    format!(" [{p}]")
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "     • {}{scope} — {} ({how})",
                missing.key.path, missing.meaning
            );
        }
    }
    if !finding.assumptions.is_empty() {
        let _ = writeln!(out, "   Assumptions");
        for assumption in &finding.assumptions {
            let _ = writeln!(out, "     • {assumption}");
        }
    }
    if !finding.notes.is_empty() {
        let _ = writeln!(out, "   Notes");
        for note in &finding.notes {
            let _ = writeln!(out, "     • {note}");
        }
    }
    if !finding.fixes.is_empty() {
        let _ = writeln!(out, "   What would fix it");
        for fix in &finding.fixes {
            let _ = writeln!(out, "     • {fix}");
        }
    }
    if let Some(exposure) = &finding.exposure {
        let range = exposure.amount_words();
        let _ = writeln!(out, "   Exposure: {range} ({})", exposure.basis);
        if let Some(remedy) = &finding.remedy {
            let _ = writeln!(
                out,
                "     {}",
                style.dim(&format!("{} — {}", remedy.cite, remedy.text))
            );
        }
        for note in &exposure.notes {
            let _ = writeln!(out, "     {}", style.dim(note));
        }
    } else if let (Some(remedy), true) = (&finding.remedy, shown(finding.verdict, false)) {
        // Without counts there is no estimate, but counsel still needs the remedy.
        let _ = writeln!(
            out,
            "   Remedy: {}",
            style.dim(&format!("{} — {}", remedy.cite, remedy.text))
        );
        let _ = writeln!(
            out,
            "     {}",
            style.dim(
                "no estimate: the scenario does not give the counts the remedy is multiplied by"
            )
        );
    }
    let _ = writeln!(
        out,
        "   {}",
        style.dim(&format!(
            "rule reference {}",
            super::doc_anchor(&finding.rule)
        ))
    );
    let _ = writeln!(
        out,
        "   {}",
        style.dim(&format!("fingerprint {}", finding.fingerprint))
    );
    let _ = writeln!(out);
}

/// Renders one rule (every version) for `consentry explain`.
pub fn render_rule(book: &Rulebook, versions: &[Rule], color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for rule in versions {
        let until = rule
            .until
            .map_or_else(|| "in force".to_string(), |u| format!("until {u}"));
        let statute = book
            .statutes
            .get(&rule.statute)
            .map_or("", |s| s.title.as_str());
        let _ = writeln!(out, "{}  {}", style.bold(&rule.id), rule.title);
        let _ = writeln!(
            out,
            "{} · {statute} · version from {} {until} · evaluated once per {}",
            rule.citation,
            rule.effective,
            match rule.scope {
                ScopeKind::Service => "scenario",
                ScopeKind::Practice => "practice",
                ScopeKind::Disclosure => "disclosure",
            }
        );
        let _ = writeln!(out, "defined at {}", rule.location.display());
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", rule.summary.trim());
        let _ = writeln!(out);
        let _ = writeln!(out, "{} {}", style.bold("Why:"), rule.why.trim());
        for (kind, heading) in [
            (
                ElementKind::Applies,
                "The duty attaches when all of these hold",
            ),
            (ElementKind::Exception, "Unless one of these holds"),
            (ElementKind::Requires, "It requires each of these"),
        ] {
            let elements: Vec<_> = rule.elements.iter().filter(|e| e.kind == kind).collect();
            if elements.is_empty() {
                continue;
            }
            let _ = writeln!(out);
            let _ = writeln!(out, "{}", style.bold(heading));
            for element in elements {
                element_lines(&mut out, element, &style);
            }
        }
        for remedy in &rule.remedies {
            let dated = match (remedy.effective, remedy.until) {
                (Some(e), Some(u)) => format!(" (from {e} until {u})"),
                (Some(e), None) => format!(" (from {e})"),
                (None, Some(u)) => format!(" (until {u})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{}{dated}: {} — {}",
                style.bold("Remedy"),
                remedy.cite,
                remedy.text
            );
        }
        if let Some(limitations) = &rule.limitations {
            let _ = writeln!(out);
            let _ = writeln!(out, "{} {}", style.bold("Limitations:"), limitations.trim());
        }
        if let Some((violating, compliant)) = &rule.examples {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Examples: violating {violating}; compliant {compliant}"
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// One element of a rule for `consentry explain`: id, text, dates, presumption, citation,
/// condition and fix.
pub(super) fn element_lines(out: &mut String, element: &Element, style: &Style) {
    let dated = match (element.effective, element.until) {
        (Some(e), Some(u)) => format!(" [from {e} until {u}]"),
        (Some(e), None) => format!(" [from {e}]"),
        (None, Some(u)) => format!(" [until {u}]"),
        (None, None) => String::new(),
    };
    let presumed = match (element.presumed, element.kind) {
        (false, _) => "",
        (true, ElementKind::Exception) => " [presumed not to hold when unstated]",
        (true, _) if !element.presumed_holds => " [presumed not to hold when unstated]",
        (true, _) => " [presumed to hold when unstated]",
    };
    let _ = writeln!(
        out,
        "  • {} — {}{dated}{presumed}",
        element.id, element.text
    );
    let _ = writeln!(out, "      {}", style.dim(&element.cite));
    let _ = writeln!(out, "      when: {}", element.condition);
    if !element.presumed_while_unstated.is_empty() {
        let _ = writeln!(
            out,
            "      the presumption is lifted once {} is stated",
            element.presumed_while_unstated.join(" or ")
        );
    }
    if let Some(fix) = &element.fix {
        let _ = writeln!(out, "      fix: {fix}");
    }
}

/// The files a run could not read or load, listed under the report ("could not be {what}").
pub(super) fn bad_files_lines(
    out: &mut String,
    errors: &[crate::diagnostics::Diagnostic],
    what: &str,
    style: &Style,
) {
    let bad = crate::diagnostics::bad_files(errors);
    if bad.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{} file(s) could not be {what} (their errors are on stderr):",
            bad.len()
        ))
    );
    for file in bad {
        let _ = writeln!(out, "   {file}");
    }
}

/// A stated fact an element read: `path = value [item]  (file:line:column)`.
pub(super) fn fact_line(out: &mut String, fact: &crate::engine::FactRead, style: &Style) {
    let item = fact
        .item
        .as_deref()
        .map(|i| format!(" [{i}]"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "         {} = {}{item}  {}",
        fact.path,
        fact.value,
        style.dim(&format!("({})", fact.location.display()))
    );
}
