//! The HTML report, for a privacy lead: one self-contained page (inline CSS, no script, no
//! network) with a scenario × rule matrix coloured by verdict, the exposure per scenario, and
//! each finding expandable into its reasoning. Every string from an input file is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::xml as esc;
use super::markdown::totals_cell;
use super::spill::Spill;
use super::totals::{heading, plural};
use super::{Report, TOTALS_BASIS, rule_ids, scope_words, shown, strongest, target, verdict_label};
use crate::diagnostics::Severity;
use crate::engine::{Decisiveness, ElementResult, Finding, ScenarioResult};
use crate::rulebook::ElementKind;
use crate::verdict::{Truth, Verdict};
use crate::waiver::Status;

const STYLE: &str = r#"
:root { --likely: #b42318; --likely-bg: #fde8e6; --possible: #9a6700; --possible-bg: #fff4d6;
  --compliant: #1a7f37; --compliant-bg: #e6f4ea; --na: #57606a; --na-bg: #f2f3f5; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; margin: 0 auto; max-width: 1200px; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 4px; }
.muted, .meta { color: #57606a; }
.disclaimer { background: #f6f8fa; border-left: 4px solid #8c959f; padding: 8px 12px; margin: 12px 0; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa;
  padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; }
.matrix-wrap { overflow-x: auto; }
.matrix td.v { text-align: center; white-space: nowrap; font-weight: 600; font-size: 13px; }
.matrix a { color: inherit; text-decoration: none; }
.matrix .scenario-title { font-weight: normal; font-size: 12px; color: #57606a; }
.v-likely-violation { background: var(--likely-bg); color: var(--likely); }
.v-possible-violation { background: var(--possible-bg); color: var(--possible); }
.v-compliant { background: var(--compliant-bg); color: var(--compliant); }
.v-not-applicable { background: var(--na-bg); color: var(--na); }
.v-none { color: #8c959f; }
.waived-cell { background-image: repeating-linear-gradient(45deg, transparent 0 6px, rgba(0,0,0,.06) 6px 12px); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 700;
  text-transform: uppercase; letter-spacing: .02em; }
.badge.waived { background: #ddf4ff; color: #0550ae; }
.badge.expired { background: #fff4d6; color: #9a6700; }
details.finding { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.finding > summary { cursor: pointer; padding: 8px 12px; list-style-position: inside; }
details.finding[open] > summary { border-bottom: 1px solid var(--line); }
details.finding .body { padding: 4px 16px 12px; }
details.finding.likely-violation { border-left: 6px solid var(--likely); }
details.finding.possible-violation { border-left: 6px solid var(--possible); }
details.finding.compliant { border-left: 6px solid var(--compliant); }
details.finding.not-applicable { border-left: 6px solid var(--na); }
ul.elements { list-style: none; padding-left: 0; margin: 4px 0; }
ul.elements > li { margin: 6px 0; padding-left: 22px; text-indent: -22px; }
ul.facts { list-style: none; margin: 2px 0 0 0; padding-left: 22px; text-indent: 0; font-size: 13px; }
.mark { display: inline-block; width: 18px; text-align: center; font-weight: 700; }
.mark.t { color: var(--compliant); } .mark.f { color: var(--likely); }
.mark.u { color: var(--possible); } .mark.p { color: #0969da; }
.cite { color: #57606a; font-style: italic; }
.exposure { font-weight: 600; }
.legend span { display: inline-block; padding: 0 8px; margin-right: 6px; border-radius: 4px; }
footer { margin-top: 40px; color: #57606a; font-size: 13px; }
"#;

fn mark(element: &ElementResult) -> (&'static str, &'static str, &'static str) {
    match (element.value, element.presumed) {
        (_, true) => ("p", "~", "decided by a presumption"),
        (Truth::True, _) => ("t", "✓", "holds"),
        (Truth::False, _) => ("f", "✗", "does not hold"),
        (Truth::Unknown, _) => ("u", "?", "unknown"),
    }
}

fn short(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::LikelyViolation => "likely",
        Verdict::PossibleViolation => "possible",
        Verdict::Compliant => "ok",
        Verdict::NotApplicable => "n/a",
    }
}

fn scenario_anchor(result: &ScenarioResult) -> String {
    format!("s-{}", esc(&result.scenario.id))
}

/// Writes the whole page: the header and matrix (which need the run's totals), the matrix
/// rows streamed into `rows`, the scenario sections streamed into `sections`, the waivers and
/// the problems.
pub(crate) fn finish(
    writer: &mut dyn Write,
    report: &Report<'_>,
    sections: &mut Spill,
    rows: &mut Spill,
) -> io::Result<()> {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // No script, no fetch: the page cannot run code or reach the network, whatever it holds.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>consentry report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    header(&mut out, report);
    matrix_head(&mut out, report);
    writer.write_all(out.as_bytes())?;
    out.clear();
    rows.copy_to(writer)?;
    let _ = writeln!(out, "</tbody>\n</table></div>\n</section>");
    writer.write_all(out.as_bytes())?;
    out.clear();
    sections.copy_to(writer)?;
    waivers(&mut out, report);
    problems(&mut out, report);
    let _ = writeln!(
        out,
        "<footer><p>{}</p><p>Generated by consentry {}.</p></footer>\n</body>\n</html>",
        esc(TOTALS_BASIS),
        env!("CARGO_PKG_VERSION")
    );
    writer.write_all(out.as_bytes())
}

fn header(out: &mut String, report: &Report<'_>) {
    let _ = writeln!(out, "<header>\n<h1>consentry report</h1>");
    let packs: Vec<String> = report
        .rulebook
        .statutes
        .values()
        .map(|s| {
            format!(
                "{} ({}, version {})",
                esc(&s.title),
                esc(&s.citation),
                esc(&s.version)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} checked against {}. Threshold <code>--fail-on {}</code>: <strong>{}</strong> reach it.</p>",
        plural(report.scenario_count(), "scenario", "scenarios"),
        packs.join("; "),
        report.fail_on.name(),
        plural(report.failing(), "finding", "findings")
    );
    let _ = writeln!(
        out,
        "<p class=\"disclaimer\">Not legal advice. A finding says a violation is <em>likely</em> or <em>possible</em> on the facts the scenario states; have counsel review anything that matters.</p>"
    );
    let run = report.run_totals();
    let mut lines = Vec::new();
    for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
        if let Some(line) = run.line(verdict) {
            lines.push(format!(
                "<li>{}: <span class=\"exposure\">{}</span></li>",
                heading(verdict),
                esc(&line)
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>Exposure across the run</strong></p>\n<ul>{}</ul>",
            lines.join("")
        );
    }
    let _ = writeln!(out, "</header>");
}

/// The matrix up to its first row.
fn matrix_head(out: &mut String, report: &Report<'_>) {
    let rules = rule_ids(report.rulebook);
    let _ = writeln!(
        out,
        "<section id=\"overview\">\n<h2>Scenarios × rules</h2>\n<p class=\"legend\"><span class=\"v-likely-violation\">likely violation</span><span class=\"v-possible-violation\">possible violation</span><span class=\"v-compliant\">ok: compliant</span><span class=\"v-not-applicable\">n/a: not applicable</span><span class=\"waived-cell\">striped: waived</span> Each cell shows the rule's strongest verdict in the scenario; — means the rule gave no finding (nothing in its scope, such as no disclosure, or not in force on the scenario's date).</p>"
    );
    let _ = writeln!(
        out,
        "<div class=\"matrix-wrap\"><table class=\"matrix\">\n<thead><tr><th>Scenario</th>"
    );
    for rule in &rules {
        let title = report
            .rulebook
            .rules
            .get(*rule)
            .and_then(|v| v.last())
            .map_or(String::new(), |r| format!("{} — {}", r.citation, r.title));
        let _ = write!(out, "<th title=\"{}\">{}</th>", esc(&title), esc(rule));
    }
    let _ = writeln!(
        out,
        "<th>Exposure (likely)</th><th>Exposure (possible)</th></tr></thead>\n<tbody>"
    );
}

/// Appends `result`'s row of the scenarios × rules matrix.
pub(crate) fn matrix_row(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let rules = rule_ids(report.rulebook);
    let _ = write!(
        out,
        "<tr><th><a href=\"#{}\">{}</a><div class=\"scenario-title\">{}</div></th>",
        scenario_anchor(result),
        esc(&result.scenario.id),
        esc(result.scenario.title.as_deref().unwrap_or(""))
    );
    for rule in &rules {
        match strongest(report, result, rule) {
            None => {
                let _ = write!(out, "<td class=\"v v-none\" title=\"no finding\">—</td>");
            }
            Some((verdict, count, waived)) => {
                let all_waived = waived > 0 && waived == count;
                let striped = if all_waived { " waived-cell" } else { "" };
                let note = if waived > 0 {
                    format!(", {waived} waived")
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    "<td class=\"v v-{}{striped}\" title=\"{}: {}{note}\"><a href=\"#{}\">{}{}</a></td>",
                    verdict.name(),
                    esc(rule),
                    esc(&plural(
                        count,
                        &format!("{} finding", verdict.name()),
                        &format!("{} findings", verdict.name())
                    )),
                    scenario_anchor(result),
                    short(verdict),
                    if count > 1 {
                        format!(" ×{count}")
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    let totals = report.scenario_totals(result);
    let _ = writeln!(
        out,
        "<td>{}</td><td>{}</td></tr>",
        esc(&totals_cell(&totals, Verdict::LikelyViolation)),
        esc(&totals_cell(&totals, Verdict::PossibleViolation))
    );
}

pub(crate) fn scenario(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let s = &result.scenario;
    let _ = writeln!(
        out,
        "<section class=\"scenario\" id=\"{}\">\n<h2>{}</h2>",
        scenario_anchor(result),
        esc(&s.id)
    );
    if let Some(title) = &s.title {
        let _ = writeln!(out, "<p><strong>{}</strong></p>", esc(title));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\"><code>{}</code> · the law as of {}</p>",
        esc(&s.file.name),
        result.as_of
    );
    let count = |v: Verdict| result.findings.iter().filter(|f| f.verdict == v).count();
    let _ = writeln!(
        out,
        "<table class=\"summary\"><tr><th>Likely violation</th><th>Possible violation</th><th>Compliant</th><th>Not applicable</th><th>Waived</th></tr><tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr></table>",
        count(Verdict::LikelyViolation),
        count(Verdict::PossibleViolation),
        count(Verdict::Compliant),
        count(Verdict::NotApplicable),
        report.waived_in(result)
    );
    let totals = report.scenario_totals(result);
    let mut lines = Vec::new();
    for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
        if let Some(line) = totals.line(verdict) {
            lines.push(format!(
                "<li>{}: <span class=\"exposure\">{}</span></li>",
                heading(verdict),
                esc(&line)
            ));
        }
    }
    let mut notes: Vec<&str> = Vec::new();
    for note in totals.sums.iter().flat_map(|s| &s.notes) {
        if !notes.contains(&note.as_str()) {
            notes.push(note);
        }
    }
    for note in notes {
        lines.push(format!("<li class=\"muted\">{}</li>", esc(note)));
    }
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>Exposure</strong></p>\n<ul>{}</ul>",
            lines.join("")
        );
    }
    let mut any = false;
    for finding in result
        .findings
        .iter()
        .filter(|f| shown(f.verdict, report.all))
    {
        any = true;
        finding_details(out, report, finding);
    }
    if !any {
        let _ = writeln!(out, "<p>No likely or possible violation.</p>");
    }
    let hidden = result
        .findings
        .iter()
        .filter(|f| !shown(f.verdict, report.all))
        .count();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} not shown; <code>--all</code> shows them.</p>",
            plural(
                hidden,
                "compliant or not-applicable finding",
                "compliant or not-applicable findings"
            )
        );
    }
    let _ = writeln!(out, "</section>");
}

/// The scope item in words, its ids as code.
fn scope_html(finding: &Finding) -> String {
    match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!(
            "practice <code>{}</code>, disclosure <code>{}</code>",
            esc(p),
            esc(d)
        ),
        (Some(p), None) => format!("practice <code>{}</code>", esc(p)),
        _ => esc(&scope_words(finding)),
    }
}

fn finding_details(out: &mut String, report: &Report<'_>, finding: &Finding) {
    let waiver = report.waiver(finding);
    let expired = report.expired_waiver(finding);
    let badge = match (waiver, expired) {
        (Some(_), _) => " <span class=\"badge waived\">waived</span>",
        (None, Some(_)) => " <span class=\"badge expired\">waiver expired</span>",
        _ => "",
    };
    let _ = writeln!(
        out,
        "<details class=\"finding {}\" id=\"f-{}\">\n<summary><span class=\"badge v-{}\">{}</span> <code>{}</code> {}{badge} <span class=\"muted\">— {}</span></summary>\n<div class=\"body\">",
        finding.verdict.name(),
        esc(&finding.fingerprint),
        finding.verdict.name(),
        verdict_label(finding.verdict),
        esc(&target(finding)),
        esc(&finding.title),
        scope_html(finding)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\"><span class=\"cite\">{}</span> · <code>{}:{}</code> · <a class=\"doc\" href=\"{doc}\">rule reference</a></p>",
        esc(&finding.citation),
        esc(&finding.location.file.name),
        finding.location.line,
        doc = esc(&super::doc_anchor(&finding.rule))
    );
    if let Some(w) = waiver {
        let _ = writeln!(
            out,
            "<p><span class=\"badge waived\">waived</span> until {} by {}: {} <code>{}</code></p>",
            w.expires,
            esc(&w.owner),
            esc(&w.reason),
            esc(&w.location.display())
        );
    } else if let Some(w) = expired {
        let _ = writeln!(
            out,
            "<p><span class=\"badge expired\">waiver expired</span> on {} <code>{}</code>: the finding counts again.</p>",
            w.expires,
            esc(&w.location.display())
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
        let _ = writeln!(out, "<h3>{title}</h3>\n<ul class=\"elements\">");
        for element in elements {
            let (class, symbol, meaning) = mark(element);
            let presumed = if element.presumed { " (presumed)" } else { "" };
            let _ = write!(
                out,
                "<li><span class=\"mark {class}\" title=\"{meaning}\">{symbol}</span>{}{presumed} <span class=\"cite\">— {}</span>",
                esc(&element.text),
                esc(&element.cite)
            );
            let mut facts = Vec::new();
            for fact in &element.facts {
                let item = fact
                    .item
                    .as_deref()
                    .map(|i| format!(" [{}]", esc(i)))
                    .unwrap_or_default();
                facts.push(format!(
                    "<li><code>{} = {}</code>{item} <span class=\"muted\">{}</span></li>",
                    esc(&fact.path),
                    esc(&fact.value.to_string()),
                    esc(&fact.location.display())
                ));
            }
            let (unstated, general) = super::unknown_facts(element);
            for (label, paths) in [
                ("not stated", unstated),
                ("stated too generally to decide", general),
            ] {
                if !paths.is_empty() {
                    let paths: Vec<String> = paths
                        .into_iter()
                        .map(|p| format!("<code>{}</code>", esc(p)))
                        .collect();
                    facts.push(format!(
                        "<li class=\"muted\">{label}: {}</li>",
                        paths.join(", ")
                    ));
                }
            }
            if !facts.is_empty() {
                let _ = write!(out, "<ul class=\"facts\">{}</ul>", facts.join(""));
            }
            let _ = writeln!(out, "</li>");
        }
        let _ = writeln!(out, "</ul>");
    }
    if !finding.missing_facts.is_empty() {
        let _ = writeln!(out, "<h3>Missing facts, most decisive first</h3>\n<ol>");
        for missing in &finding.missing_facts {
            let how = match missing.decisiveness {
                Decisiveness::SettlesAlone => "settles the verdict",
                Decisiveness::SettlesSome => "can settle the verdict",
                Decisiveness::WithOthers => "decides it with other facts",
            };
            let _ = writeln!(
                out,
                "<li><code>{}</code> — {} <span class=\"muted\">({how})</span></li>",
                esc(&missing.key.path),
                esc(&missing.meaning)
            );
        }
        let _ = writeln!(out, "</ol>");
    }
    for (title, items) in [
        ("Assumptions", &finding.assumptions),
        ("What would fix it", &finding.fixes),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{title}</h3>\n<ul>");
        for item in items {
            let _ = writeln!(out, "<li>{}</li>", esc(item));
        }
        let _ = writeln!(out, "</ul>");
    }
    if let Some(remedy) = &finding.remedy {
        let _ = writeln!(
            out,
            "<h3>Remedy and exposure</h3>\n<p><span class=\"cite\">{}</span> — {}</p>",
            esc(&remedy.cite),
            esc(&remedy.text)
        );
    }
    if let Some(exposure) = &finding.exposure {
        let range = exposure.amount_words();
        let _ = writeln!(
            out,
            "<p>Exposure: <span class=\"exposure\">{}</span> ({})</p>",
            esc(&range),
            esc(&exposure.basis)
        );
        if !exposure.notes.is_empty() {
            let notes: Vec<String> = exposure
                .notes
                .iter()
                .map(|n| format!("<li>{}</li>", esc(n)))
                .collect();
            let _ = writeln!(out, "<ul class=\"muted\">{}</ul>", notes.join(""));
        }
    } else if matches!(
        finding.verdict,
        Verdict::LikelyViolation | Verdict::PossibleViolation
    ) {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Exposure: not estimated (the scenario gives no counts for it).</p>"
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">fingerprint <code>{}</code></p>\n</div>\n</details>",
        esc(&finding.fingerprint)
    );
}

fn waivers(out: &mut String, report: &Report<'_>) {
    let reported: Vec<_> = report.waivers.reported().collect();
    if reported.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"waivers\">\n<h2>Waivers</h2>\n<p>{} applied, {} expired, {} unmatched.</p>\n<table><tr><th>Status</th><th>Scenario</th><th>Rule and scope</th><th>Owner</th><th>Expires</th><th>Reason</th><th>Where</th></tr>",
        report.waivers.count(Status::Applied),
        report.waivers.count(Status::Expired),
        report.waivers.count(Status::Unmatched)
    );
    for state in reported {
        let w = &state.waiver;
        let status = match state.status {
            Status::Applied => format!("applied ({})", state.findings.len()),
            other => format!("<strong>{}</strong>: {}", other.name(), esc(&state.detail)),
        };
        let _ = writeln!(
            out,
            "<tr><td>{status}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&w.scenario),
            esc(&w.target()),
            esc(&w.owner),
            w.expires,
            esc(&w.reason),
            esc(&w.location.display())
        );
    }
    let _ = writeln!(out, "</table>\n</section>");
}

fn problems(out: &mut String, report: &Report<'_>) {
    if report.errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"problems\">\n<h2>Problems</h2>\n<ul>");
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
            .map(|h| format!(" — {}", esc(h)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li><strong>{severity}</strong> <code>{}</code>: {}{help}</li>",
            esc(&place),
            esc(&diag.message)
        );
    }
    let _ = writeln!(out, "</ul>\n</section>");
}
