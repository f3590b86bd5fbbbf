//! Which statutes reach each practice of a scenario, and, for the others, the element that
//! keeps each one out: one question read under many statutes at once.

use crate::engine::{ElementResult, Finding, ScenarioResult};
use crate::rulebook::{ElementKind, Rulebook};
use crate::verdict::Verdict;

/// How the statutes in force read one practice (or the service as a whole).
pub(crate) struct PracticeReach<'a> {
    /// The practice id; `None` for rules evaluated once per scenario.
    pub practice: Option<&'a str>,
    /// Statutes with a finding other than not-applicable here, and their strongest verdict.
    pub reached: Vec<(&'a str, Verdict)>,
    /// Statutes in force whose every finding here is not-applicable.
    pub not_reached: Vec<NotReached<'a>>,
    /// Statutes in force none of whose rules is evaluated here (e.g. every rule is read per
    /// disclosure and the practice has none).
    pub not_evaluated: Vec<&'a str>,
}

/// A statute that does not reach a practice, with the elements that keep it out.
pub(crate) struct NotReached<'a> {
    /// Statute pack id.
    pub statute: &'a str,
    /// Each deciding element (a threshold that failed, or a defence that held), with the
    /// rules it decided, in rule order.
    pub reasons: Vec<Reason<'a>>,
}

/// One element that took a practice out of some of a statute's rules.
pub(crate) struct Reason<'a> {
    /// The element as evaluated in the first of its rules.
    pub element: &'a ElementResult,
    /// The rules it decided.
    pub rules: Vec<&'a str>,
}

/// A statute pack with no rule in force on the scenario's date.
pub(crate) struct OutOfForce {
    /// Statute pack id.
    pub statute: String,
    /// "from 2025-04-08" or "ended 2020-01-01".
    pub when: String,
}

/// The reach of every statute in force over each practice of `result`, in file order (the
/// service-wide rules first, when there are any).
pub(crate) fn practice_reach<'a>(
    book: &'a Rulebook,
    result: &'a ScenarioResult,
) -> Vec<PracticeReach<'a>> {
    let in_force: Vec<&str> = book
        .statutes
        .keys()
        .map(String::as_str)
        .filter(|statute| {
            book.rules
                .values()
                .flatten()
                .any(|rule| rule.statute == *statute && rule.in_force(result.as_of))
        })
        .collect();
    let mut scopes: Vec<Option<&str>> = Vec::new();
    if result.findings.iter().any(|f| f.practice.is_none()) {
        scopes.push(None);
    }
    scopes.extend(
        result
            .scenario
            .practices
            .iter()
            .map(|p| Some(p.id.as_str())),
    );
    scopes
        .into_iter()
        .map(|practice| {
            let here: Vec<&Finding> = result
                .findings
                .iter()
                .filter(|f| f.practice.as_deref() == practice)
                .collect();
            let mut reach = PracticeReach {
                practice,
                reached: Vec::new(),
                not_reached: Vec::new(),
                not_evaluated: Vec::new(),
            };
            for &statute in &in_force {
                let findings: Vec<&Finding> = here
                    .iter()
                    .copied()
                    .filter(|f| f.statute == statute)
                    .collect();
                if findings.is_empty() {
                    reach.not_evaluated.push(statute);
                } else if let Some(strongest) = findings
                    .iter()
                    .map(|f| f.verdict)
                    .filter(|v| *v != Verdict::NotApplicable)
                    .max_by_key(|v| v.strength())
                {
                    reach.reached.push((statute, strongest));
                } else {
                    reach.not_reached.push(NotReached {
                        statute,
                        reasons: reasons(&findings),
                    });
                }
            }
            reach
        })
        .collect()
}

/// The deciding elements of not-applicable findings, merged by element, in first-seen order.
fn reasons<'a>(findings: &[&'a Finding]) -> Vec<Reason<'a>> {
    let mut out: Vec<Reason<'a>> = Vec::new();
    for finding in findings {
        for element in keeping_out(finding) {
            match out
                .iter_mut()
                .find(|r| r.element.kind == element.kind && r.element.id == element.id)
            {
                Some(reason) => {
                    if !reason.rules.contains(&finding.rule.as_str()) {
                        reason.rules.push(&finding.rule);
                    }
                }
                None => out.push(Reason {
                    element,
                    rules: vec![&finding.rule],
                }),
            }
        }
    }
    out
}

/// The elements that make a finding not-applicable: failed thresholds and defences that hold.
fn keeping_out(finding: &Finding) -> impl Iterator<Item = &ElementResult> {
    super::deciding(finding)
        .into_iter()
        .filter(|e| matches!(e.kind, ElementKind::Applies | ElementKind::Exception))
}

/// The statute packs loaded but not in force on the scenario's date.
pub(crate) fn out_of_force(book: &Rulebook, result: &ScenarioResult) -> Vec<OutOfForce> {
    book.packs_out_of_force(result.as_of)
        .into_iter()
        .map(|o| OutOfForce {
            when: match o.ended {
                Some(ended) => format!("ended {ended}"),
                None => format!("from {}", o.first),
            },
            statute: o.statute,
        })
        .collect()
}

/// The facts an element read, as `path = value (file:line:column)`, joined.
pub(crate) fn facts_words(element: &ElementResult) -> String {
    let mut parts: Vec<String> = element
        .facts
        .iter()
        .map(|f| {
            format!(
                "{} = {} ({}:{}:{})",
                f.path, f.value, f.location.file.name, f.location.line, f.location.column
            )
        })
        .collect();
    parts.dedup();
    if parts.is_empty() {
        let unknown: Vec<&str> = element.unknown.iter().map(|k| k.path.as_str()).collect();
        if !unknown.is_empty() {
            return format!("presumed, not stated: {}", unknown.join(", "));
        }
    }
    parts.join("; ")
}

/// What an element's value means for the statute: "✗ threshold" or "✓ defence".
pub(crate) fn reason_words(reason: &Reason<'_>) -> String {
    let what = match reason.element.kind {
        ElementKind::Exception => "defence holds",
        _ => "threshold not met",
    };
    format!(
        "{} {} ({what}; {}; {})",
        if reason.element.kind == ElementKind::Exception {
            "✓"
        } else {
            "✗"
        },
        reason.element.id,
        reason.element.cite,
        reason.rules.join(", ")
    )
}
