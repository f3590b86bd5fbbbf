//! The Markdown memo, for counsel: per scenario a summary table and each finding with its
//! elements, the facts behind them (file:line), what is missing, fixes and citations.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::{markdown as md, markdown_code as code};
use super::spill::Spill;
use super::totals::{heading, plural};
use super::{Report, TOTALS_BASIS, Totals, reach, scope_words, shown, verdict_label};
use crate::diagnostics::Severity;
use crate::engine::{Decisiveness, ElementResult, Finding, ScenarioResult};
use crate::rulebook::ElementKind;
use crate::verdict::{Truth, Verdict};
use crate::waiver::Status;

fn mark(element: &ElementResult) -> &'static str {
    match (element.value, element.presumed) {
        (_, true) => "~",
        (Truth::True, _) => "✓",
        (Truth::False, _) => "✗",
        (Truth::Unknown, _) => "?",
    }
}

/// A table cell for the totals at `verdict`: the sums, "not estimated", or a dash.
pub(crate) fn totals_cell(totals: &Totals, verdict: Verdict) -> String {
    let sums: Vec<String> = totals.at(verdict).map(|s| s.range()).collect();
    let unestimated = totals.unestimated(verdict);
    match (sums.is_empty(), unestimated) {
        (true, 0) => "—".into(),
        (true, n) => format!("not estimated ({n})"),
        (false, 0) => sums.join(" + "),
        (false, n) => format!("{} (+{n} not estimated)", sums.join(" + ")),
    }
}

/// Appends `result`'s row of the overview table.
pub(crate) fn overview_row(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let count = |v: Verdict| result.findings.iter().filter(|f| f.verdict == v).count();
    let totals = report.scenario_totals(result);
    let _ = writeln!(
        out,
        "| [{}](#{}) | {} | {} | {} | {} | {} | {} |",
        md(&result.scenario.id),
        anchor(&result.scenario.id),
        count(Verdict::LikelyViolation),
        count(Verdict::PossibleViolation),
        count(Verdict::Compliant),
        count(Verdict::NotApplicable),
        totals_cell(&totals, Verdict::LikelyViolation),
        totals_cell(&totals, Verdict::PossibleViolation)
    );
}

/// Writes the whole memo: the header and overview (which need the run's totals), the
/// scenario sections streamed into `sections`, the waivers and the problems.
pub(crate) fn finish(
    writer: &mut dyn Write,
    report: &Report<'_>,
    sections: &mut Spill,
    rows: &mut Spill,
) -> io::Result<()> {
    let mut out = String::new();
    let _ = writeln!(out, "# consentry report\n");
    let _ = writeln!(
        out,
        "> Not legal advice. A finding says a violation is *likely* or *possible* on the facts the scenario states; have counsel review anything that matters.\n"
    );
    let packs: Vec<String> = report
        .rulebook
        .statutes
        .values()
        .map(|s| {
            format!(
                "{} ({}, version {})",
                md(&s.title),
                md(&s.citation),
                md(&s.version)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "Checked {} against {}. Threshold `--fail-on {}`: {} reach it.\n",
        plural(report.scenario_count(), "scenario", "scenarios"),
        packs.join("; "),
        report.fail_on.name(),
        plural(report.failing(), "finding", "findings")
    );
    if report.scenario_count() > 1 {
        let _ = writeln!(out, "## Overview\n");
        let _ = writeln!(
            out,
            "| Scenario | Likely | Possible | Compliant | Not applicable | Exposure (likely) | Exposure (possible) |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---|");
        writer.write_all(out.as_bytes())?;
        out.clear();
        rows.copy_to(writer)?;
        let run = report.run_totals();
        let _ = writeln!(
            out,
            "| **All scenarios** | | | | | {} | {} |\n",
            totals_cell(&run, Verdict::LikelyViolation),
            totals_cell(&run, Verdict::PossibleViolation)
        );
    }
    writer.write_all(out.as_bytes())?;
    out.clear();
    sections.copy_to(writer)?;
    waivers(&mut out, report);
    problems(&mut out, report);
    let _ = writeln!(out, "---\n\n*{}*", md(TOTALS_BASIS));
    writer.write_all(out.as_bytes())
}

/// The id of a heading as GitHub and most renderers derive it: lowercase, spaces to dashes.
fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ')
        .map(|c| {
            if c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

pub(crate) fn scenario(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let s = &result.scenario;
    let _ = writeln!(out, "## {}\n", md(&s.id));
    if let Some(title) = &s.title {
        let _ = writeln!(out, "**{}**\n", md(title));
    }
    let _ = writeln!(
        out,
        "File {} · the law as of {}\n",
        code(&s.file.name),
        result.as_of
    );
    let _ = writeln!(
        out,
        "| Statute | Likely violation | Possible violation | Compliant | Not applicable | Exposure (likely) | Exposure (possible) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---|");
    let mut statutes: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &result.findings {
        statutes.entry(&finding.statute).or_default().push(finding);
    }
    let row = |out: &mut String, name: &str, findings: &[&Finding]| {
        let count = |v: Verdict| findings.iter().filter(|f| f.verdict == v).count();
        let totals = Totals::of(findings.iter().map(|f| (*f, report.waiver(f).is_some())));
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            count(Verdict::LikelyViolation),
            count(Verdict::PossibleViolation),
            count(Verdict::Compliant),
            count(Verdict::NotApplicable),
            totals_cell(&totals, Verdict::LikelyViolation),
            totals_cell(&totals, Verdict::PossibleViolation)
        );
    };
    for (statute, findings) in &statutes {
        row(out, &md(statute), findings);
    }
    let all: Vec<&Finding> = result.findings.iter().collect();
    row(out, "**Total**", &all);
    let _ = writeln!(out);
    let totals = report.scenario_totals(result);
    let mut lines = Vec::new();
    for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
        if let Some(line) = totals.line(verdict) {
            lines.push(format!("- {}: {}", heading(verdict), md(&line)));
        }
    }
    for note in totals.sums.iter().flat_map(|s| &s.notes) {
        let line = format!("  - {}", md(note));
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "**Exposure**\n\n{}\n", lines.join("\n"));
    }
    statutes_by_practice(out, report, result);
    let waived = report.waived_in(result);
    if waived > 0 {
        let _ = writeln!(
            out,
            "**Waived:** {} (verdicts kept; not counted toward `--fail-on`).\n",
            plural(waived, "finding", "findings")
        );
    }
    let shown_findings: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| shown(f.verdict, report.all))
        .collect();
    if shown_findings.is_empty() {
        let _ = writeln!(out, "No likely or possible violation.\n");
    }
    for (number, finding) in shown_findings.into_iter().enumerate() {
        finding_section(out, report, number + 1, finding);
    }
    let hidden = result
        .findings
        .iter()
        .filter(|f| !shown(f.verdict, report.all))
        .count();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "*{} not shown; `--all` shows them.*\n",
            plural(
                hidden,
                "compliant or not-applicable finding",
                "compliant or not-applicable findings"
            )
        );
    }
}

/// Per practice, the statutes that reach it and those that do not; with `--all`, the
/// element that keeps each of the others out.
fn statutes_by_practice(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let reach = reach::practice_reach(report.rulebook, result);
    let _ = writeln!(out, "**Statutes by practice**\n");
    let _ = writeln!(out, "| Practice | Reached by | Not reached |");
    let _ = writeln!(out, "|---|---|---|");
    for item in &reach {
        let name = item
            .practice
            .map_or_else(|| "the service as a whole".to_string(), code);
        let reached: Vec<String> = item
            .reached
            .iter()
            .map(|(statute, verdict)| format!("{} ({})", md(statute), verdict.name()))
            .collect();
        let others: Vec<String> = item
            .not_reached
            .iter()
            .map(|n| n.statute)
            .chain(item.not_evaluated.iter().copied())
            .map(md)
            .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {} |",
            if reached.is_empty() {
                "—".to_string()
            } else {
                reached.join(", ")
            },
            if others.is_empty() {
                "—".to_string()
            } else {
                others.join(", ")
            }
        );
    }
    let _ = writeln!(out);
    let out_of_force = reach::out_of_force(report.rulebook, result);
    if !out_of_force.is_empty() {
        let packs: Vec<String> = out_of_force
            .iter()
            .map(|o| format!("{} ({})", md(&o.statute), o.when))
            .collect();
        let _ = writeln!(
            out,
            "Not in force on {}: {}.\n",
            result.as_of,
            packs.join(", ")
        );
    }
    if !report.all {
        if reach
            .iter()
            .any(|r| !r.not_reached.is_empty() || !r.not_evaluated.is_empty())
        {
            let _ = writeln!(out, "*Why the others do not reach a practice: `--all`.*\n");
        }
        return;
    }
    let mut lines = Vec::new();
    for item in &reach {
        let name = item
            .practice
            .map_or_else(|| "the service as a whole".to_string(), code);
        for not in &item.not_reached {
            for reason in &not.reasons {
                let facts = reach::facts_words(reason.element);
                lines.push(format!(
                    "- {name}: **{}** not reached: {}{}",
                    md(not.statute),
                    md(&reach::reason_words(reason)),
                    if facts.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", md(&facts))
                    }
                ));
            }
        }
        for statute in &item.not_evaluated {
            lines.push(format!(
                "- {name}: **{}** not reached: no finding (its rules are read per disclosure, and the practice has none)",
                md(statute)
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "{}\n", lines.join("\n"));
    }
}

/// The scope item in words, its ids as code: "practice `x`, disclosure `y`".
fn scope_md(finding: &Finding) -> String {
    match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!("practice {}, disclosure {}", code(p), code(d)),
        (Some(p), None) => format!("practice {}", code(p)),
        _ => md(&scope_words(finding)),
    }
}

fn finding_section(out: &mut String, report: &Report<'_>, number: usize, finding: &Finding) {
    let _ = writeln!(
        out,
        "### {number}. {} — {}: {}\n",
        verdict_label(finding.verdict),
        md(&finding.rule),
        md(&finding.title)
    );
    let doc = super::doc_anchor(&finding.rule);
    let _ = writeln!(
        out,
        "*{}* · {} · {} · [rule reference]({doc})\n",
        md(&finding.citation),
        scope_md(finding),
        code(&format!(
            "{}:{}",
            finding.location.file.name, finding.location.line
        ))
    );
    if let Some(waiver) = report.waiver(finding) {
        let _ = writeln!(
            out,
            "> **Waived** until {} by {}: {} ({})\n",
            waiver.expires,
            md(&waiver.owner),
            md(&waiver.reason),
            code(&waiver.location.display())
        );
    } else if let Some(waiver) = report.expired_waiver(finding) {
        let _ = writeln!(
            out,
            "> **Waiver expired** on {} ({}): the finding counts again.\n",
            waiver.expires,
            code(&waiver.location.display())
        );
    }
    for (kind, title) in [
        (ElementKind::Applies, "Does the duty attach?"),
        (ElementKind::Exception, "Exceptions"),
        (ElementKind::Requires, "What the duty requires"),
    ] {
        let elements: Vec<&ElementResult> =
            finding.elements.iter().filter(|e| e.kind == kind).collect();
        if elements.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{title}**\n");
        for element in elements {
            let presumed = if element.presumed {
                " *(presumed)*"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "- {} {}{presumed} — *{}*",
                mark(element),
                md(&element.text),
                md(&element.cite)
            );
            for fact in &element.facts {
                let item = fact
                    .item
                    .as_deref()
                    .map(|i| format!(" \\[{}\\]", md(i)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  - {}{item} ({})",
                    code(&format!("{} = {}", fact.path, fact.value)),
                    code(&fact.location.display())
                );
            }
            let (unstated, general) = super::unknown_facts(element);
            if !unstated.is_empty() {
                let paths: Vec<String> = unstated.into_iter().map(code).collect();
                let _ = writeln!(out, "  - not stated: {}", paths.join(", "));
            }
            if !general.is_empty() {
                let paths: Vec<String> = general.into_iter().map(code).collect();
                let _ = writeln!(
                    out,
                    "  - stated too generally to decide: {}",
                    paths.join(", ")
                );
            }
        }
        let _ = writeln!(out);
    }
    if !finding.missing_facts.is_empty() {
        let _ = writeln!(out, "**Missing facts, most decisive first**\n");
        for (i, missing) in finding.missing_facts.iter().enumerate() {
            let how = match missing.decisiveness {
                Decisiveness::SettlesAlone => "settles the verdict",
                Decisiveness::SettlesSome => "can settle the verdict",
                Decisiveness::WithOthers => "decides it with other facts",
            };
            let scope = match (&missing.key.practice, &missing.key.disclosure) {
                (Some(p), Some(d)) => format!(" ({})", code(&format!("{p}/{d}"))),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{}. {}{scope} — {} ({how})",
                i + 1,
                code(&missing.key.path),
                md(&missing.meaning)
            );
        }
        let _ = writeln!(out);
    }
    for (title, items) in [
        ("Assumptions", &finding.assumptions),
        ("What would fix it", &finding.fixes),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{title}**\n");
        for item in items {
            let _ = writeln!(out, "- {}", md(item));
        }
        let _ = writeln!(out);
    }
    if finding.remedy.is_some() || finding.exposure.is_some() {
        let _ = writeln!(out, "**Remedy and exposure**\n");
        if let Some(remedy) = &finding.remedy {
            let _ = writeln!(
                out,
                "- Remedy: *{}* — {}",
                md(&remedy.cite),
                md(&remedy.text)
            );
        }
        match &finding.exposure {
            Some(exposure) => {
                let range = exposure.amount_words();
                let _ = writeln!(out, "- Exposure: {range} ({})", md(&exposure.basis));
                for note in &exposure.notes {
                    let _ = writeln!(out, "  - {}", md(note));
                }
            }
            None if matches!(
                finding.verdict,
                Verdict::LikelyViolation | Verdict::PossibleViolation
            ) =>
            {
                let _ = writeln!(
                    out,
                    "- Exposure: not estimated (the scenario gives no counts for it)"
                );
            }
            None => {}
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "Fingerprint {}\n", code(&finding.fingerprint));
}

fn waivers(out: &mut String, report: &Report<'_>) {
    let reported: Vec<_> = report.waivers.reported().collect();
    if reported.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Waivers\n\n{} applied, {} expired, {} unmatched.\n",
        report.waivers.count(Status::Applied),
        report.waivers.count(Status::Expired),
        report.waivers.count(Status::Unmatched)
    );
    let _ = writeln!(
        out,
        "| Status | Scenario | Rule and scope | Owner | Expires | Reason | Where |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for state in reported {
        let w = &state.waiver;
        let status = match state.status {
            Status::Applied => format!("applied ({})", state.findings.len()),
            other => format!("**{}**: {}", other.name(), md(&state.detail)),
        };
        let _ = writeln!(
            out,
            "| {status} | {} | {} | {} | {} | {} | {} |",
            md(&w.scenario),
            code(&w.target()),
            md(&w.owner),
            w.expires,
            md(&w.reason),
            code(&w.location.display())
        );
    }
    let _ = writeln!(out);
}

fn problems(out: &mut String, report: &Report<'_>) {
    if report.errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Problems\n");
    for diag in report.errors {
        let (line, column) = diag.line_col();
        let place = if line > 0 {
            format!("{}:{line}:{column}", diag.file_name)
        } else {
            diag.file_name.clone()
        };
        let severity = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let help = diag
            .help
            .as_deref()
            .map(|h| format!(" — {}", md(h)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{severity}** {}: {}{help}",
            code(&place),
            md(&diag.message)
        );
    }
    let _ = writeln!(out);
}
