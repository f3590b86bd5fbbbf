//! The JUnit XML report, for CI test tabs: a test suite per scenario, a test case per rule and
//! scope item, failing where the finding reaches `--fail-on` and is not waived.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::xml;
use super::human::finding_text;
use super::spill::Spill;
use super::{Report, deciding, target, verdict_label};
use crate::diagnostics::Severity;
use crate::engine::{Finding, ScenarioResult};
use crate::verdict::Verdict;
use crate::waiver::Status;

/// What a test case says.
enum Outcome {
    Pass(Option<String>),
    Fail { message: String, body: String },
    Skip(String),
}

fn outcome(report: &Report<'_>, finding: &Finding) -> Outcome {
    if let Some(waiver) = report.waiver(finding) {
        return Outcome::Skip(format!(
            "waived until {} by {}: {} ({}); verdict {}",
            waiver.expires,
            waiver.owner,
            waiver.reason,
            waiver.location.display(),
            finding.verdict
        ));
    }
    if report.fails(finding) {
        let mut reasons: Vec<String> = deciding(finding).iter().map(|e| e.text.clone()).collect();
        if reasons.is_empty() {
            reasons.push(finding.title.clone());
        }
        let what = if finding.verdict == Verdict::LikelyViolation {
            "not met"
        } else {
            "undecided"
        };
        return Outcome::Fail {
            message: format!(
                "{} of {} ({}): {what}: {} (see {})",
                verdict_label(finding.verdict),
                finding.rule,
                finding.citation,
                reasons.join(" | "),
                super::doc_anchor(&finding.rule)
            ),
            body: finding_text(report, finding),
        };
    }
    match finding.verdict {
        Verdict::NotApplicable => Outcome::Skip("not applicable".into()),
        Verdict::Compliant => Outcome::Pass(None),
        verdict => Outcome::Pass(Some(format!(
            "{} below --fail-on {}\n\n{}",
            verdict_label(verdict),
            report.fail_on.name(),
            finding_text(report, finding)
        ))),
    }
}

fn property(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        "      <property name=\"{}\" value=\"{}\"/>",
        xml(name),
        xml(value)
    );
}

fn totals_properties(out: &mut String, totals: &super::Totals) {
    for verdict in [Verdict::LikelyViolation, Verdict::PossibleViolation] {
        for sum in totals.at(verdict) {
            property(
                out,
                &format!("exposure.{}.{}", verdict.name(), sum.currency),
                &sum.describe(),
            );
        }
        let unestimated = totals.unestimated(verdict);
        if unestimated > 0 {
            property(
                out,
                &format!("exposure.{}.without-estimate", verdict.name()),
                &unestimated.to_string(),
            );
        }
    }
}

pub(crate) fn suite(out: &mut String, report: &Report<'_>, result: &ScenarioResult) {
    let scenario = &result.scenario;
    let outcomes: Vec<(&Finding, Outcome)> = result
        .findings
        .iter()
        .map(|f| (f, outcome(report, f)))
        .collect();
    let failures = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Fail { .. }))
        .count();
    let skipped = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Skip(_)))
        .count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" file=\"{}\">",
        xml(&scenario.id),
        outcomes.len(),
        xml(&scenario.file.name)
    );
    let _ = writeln!(out, "    <properties>");
    property(out, "title", scenario.title.as_deref().unwrap_or(""));
    property(out, "file", &scenario.file.name);
    property(out, "as_of", &result.as_of.to_string());
    property(out, "fail_on", report.fail_on.name());
    property(
        out,
        "waived_findings",
        &report.waived_in(result).to_string(),
    );
    totals_properties(out, &report.scenario_totals(result));
    let _ = writeln!(out, "    </properties>");
    for (finding, outcome) in outcomes {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}.{}\" file=\"{}\" line=\"{}\"",
            xml(&target(finding)),
            xml(&scenario.id),
            xml(&finding.statute),
            xml(&scenario.file.name),
            finding.location.line
        );
        match outcome {
            Outcome::Pass(None) => {
                let _ = writeln!(out, "/>");
            }
            Outcome::Pass(Some(note)) => {
                let _ = writeln!(out, ">");
                let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&note));
                let _ = writeln!(out, "    </testcase>");
            }
            Outcome::Skip(message) => {
                let _ = writeln!(out, ">");
                let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(&message));
                let _ = writeln!(out, "    </testcase>");
            }
            Outcome::Fail { message, body } => {
                let _ = writeln!(out, ">");
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    finding.verdict,
                    xml(&message),
                    xml(&body)
                );
                let _ = writeln!(out, "    </testcase>");
            }
        }
    }
    let _ = writeln!(out, "  </testsuite>");
}

/// The run-level suite: the run's totals, a case per waiver, a case per file with errors.
fn run_suite(out: &mut String, report: &Report<'_>) -> (usize, usize) {
    let waivers: Vec<_> = report.waivers.reported().collect();
    let mut files: Vec<&str> = report
        .errors
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.file_name.as_str())
        .collect();
    let mut seen = Vec::new();
    files.retain(|f| {
        let fresh = !seen.contains(f);
        seen.push(*f);
        fresh
    });
    let skipped = waivers
        .iter()
        .filter(|w| w.status != Status::Applied)
        .count();
    let (cases, errors) = (waivers.len() + files.len(), files.len());
    let _ = writeln!(
        out,
        "  <testsuite name=\"consentry\" tests=\"{cases}\" failures=\"0\" errors=\"{errors}\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(out, "    <properties>");
    property(out, "fail_on", report.fail_on.name());
    property(out, "failing_findings", &report.failing().to_string());
    totals_properties(out, &report.run_totals());
    property(out, "exposure.basis", super::TOTALS_BASIS);
    let _ = writeln!(out, "    </properties>");
    for state in waivers {
        let waiver = &state.waiver;
        let _ = write!(
            out,
            "    <testcase name=\"waiver {} {}\" classname=\"consentry.waivers\" file=\"{}\" line=\"{}\"",
            xml(&waiver.scenario),
            xml(&waiver.target()),
            xml(&waiver.location.file.name),
            waiver.location.line
        );
        if state.status == Status::Applied {
            let _ = writeln!(out, ">");
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                xml(&format!(
                    "applied to {} finding(s) until {} by {}: {}",
                    state.findings.len(),
                    waiver.expires,
                    waiver.owner,
                    waiver.reason
                ))
            );
        } else {
            let _ = writeln!(out, ">");
            let _ = writeln!(
                out,
                "      <skipped message=\"{}\"/>",
                xml(&format!(
                    "warning, {}: {}",
                    state.status.name(),
                    state.detail
                ))
            );
        }
        let _ = writeln!(out, "    </testcase>");
    }
    for file in files {
        let messages: Vec<String> = report
            .errors
            .iter()
            .filter(|d| d.file_name == file && d.severity == Severity::Error)
            .map(|d| {
                let (line, column) = d.line_col();
                format!("{file}:{line}:{column}: {}", d.message)
            })
            .collect();
        let _ = writeln!(
            out,
            "    <testcase name=\"load {}\" classname=\"consentry.files\" file=\"{}\">",
            xml(file),
            xml(file)
        );
        let _ = writeln!(
            out,
            "      <error type=\"bad-input\" message=\"{}\">{}</error>",
            xml(messages.first().map_or("", String::as_str)),
            xml(&messages.join("\n"))
        );
        let _ = writeln!(out, "    </testcase>");
    }
    let _ = writeln!(out, "  </testsuite>");
    (cases, errors)
}

/// Writes the whole document: the header (which counts every case), the scenario suites
/// streamed into `suites`, and the run-level suite.
pub(crate) fn finish(
    out: &mut dyn Write,
    report: &Report<'_>,
    suites: &mut Spill,
) -> io::Result<()> {
    let mut run = String::new();
    let (run_cases, errors) = run_suite(&mut run, report);
    let findings = report.tally.map_or_else(
        || {
            report
                .results
                .iter()
                .map(|r| r.findings.len())
                .sum::<usize>()
        },
        |t| t.findings,
    );
    let tests = findings + run_cases;
    let failures = report.failing();
    let mut head = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        head,
        "<testsuites name=\"consentry\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    out.write_all(head.as_bytes())?;
    suites.copy_to(out)?;
    out.write_all(run.as_bytes())?;
    out.write_all(b"</testsuites>\n")
}
