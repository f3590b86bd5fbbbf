//! Reports: pure renderers of one run's findings (human memo, JSON, SARIF, JUnit, Markdown,
//! HTML), never re-evaluating. Every format reads the same [`Report`].

mod coverage;
mod diff;
mod escape;
mod explain;
mod html;
mod human;
mod json;
mod junit;
mod markdown;
mod pretty;
mod reach;
mod reference;
mod sarif;
mod spill;
mod stream;
mod totals;

pub use coverage::{render_coverage_human, render_coverage_json};
pub use diff::{
    DiffSides, render_diff_failed_json, render_diff_human, render_diff_json, render_diff_markdown,
};
pub use explain::render_rule_as_of;
pub use human::render_rule;
pub use json::{diagnostic_json, failed_json, rules_json, validation_json};
pub use reference::{Example, render_rule_reference};
pub use stream::{Counted, Format, Part, Renderer, ReportStream, Settings, Tally};
pub use totals::{ExposureTotal, TOTALS_BASIS, Totals};

/// The generated rule reference (`consentry rules --format markdown`), relative to the
/// repository root.
pub const RULES_DOC: &str = "docs/rules.md";

/// Where a rule is documented: `docs/rules.md#bipa.15b`. Every finding in every format names
/// it, so a reader of any report can look up what the rule checks and why.
pub fn doc_anchor(rule: &str) -> String {
    format!("{RULES_DOC}#{rule}")
}

/// The rule reference as an absolute URL, for formats that require one (SARIF's `helpUri`):
/// `CONSENTRY_DOCS_URL` (the URL of the published `docs/rules.md`) when the binary was built
/// with it set, else this version's copy in the crate's source on docs.rs.
pub fn doc_url(rule: &str) -> String {
    let base = option_env!("CONSENTRY_DOCS_URL")
        .filter(|url| !url.is_empty())
        .map_or_else(
            || {
                format!(
                    "https://docs.rs/crate/consentry/{}/source/{RULES_DOC}",
                    env!("CARGO_PKG_VERSION")
                )
            },
            str::to_string,
        );
    format!("{base}#{rule}")
}

use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::{ElementResult, Finding, ScenarioResult};
use crate::rulebook::{ElementKind, Rulebook};
use crate::verdict::{FailOn, Truth, Verdict};
use crate::waiver::{Waiver, Waivers};

static NO_WAIVERS: Waivers = Waivers::none();

/// Said once in every report meant for people.
pub(crate) const DISCLAIMER: &str = "Not legal advice. A finding says a violation is likely or \
possible on the facts the scenario states; have counsel review anything that matters.";

/// Everything one `check` run produced.
pub struct Report<'a> {
    /// The rulebook the scenarios were checked against.
    pub rulebook: &'a Rulebook,
    /// One result per good scenario file, in file-path order.
    pub results: &'a [ScenarioResult],
    /// Every problem with every bad file, and the warnings of the run (expired or unmatched
    /// waivers).
    pub errors: &'a [Diagnostic],
    /// Whether compliant and not-applicable findings are shown.
    pub all: bool,
    /// The waivers of the run and the findings they waive.
    pub waivers: &'a Waivers,
    /// The `--fail-on` level.
    pub fail_on: FailOn,
    /// The run's totals when the report is streamed (`results` then holds one scenario, or
    /// none at the end); `None` when they are counted from `results`.
    tally: Option<&'a Tally>,
}

/// Renders the report as a memo: a section per scenario, a paragraph per finding.
pub fn render_human(report: &Report<'_>, color: bool) -> String {
    stream::render(report, Format::Human, color)
}

/// Renders the report as pretty-printed JSON (deterministic: same input, same bytes).
pub fn render_json(report: &Report<'_>) -> String {
    stream::render(report, Format::Json, false)
}

/// Renders the report as a SARIF 2.1.0 log (deterministic: same input, same bytes).
pub fn render_sarif(report: &Report<'_>) -> String {
    stream::render(report, Format::Sarif, false)
}

/// Renders the report as JUnit XML (deterministic: no timestamps or timings).
pub fn render_junit(report: &Report<'_>) -> String {
    stream::render(report, Format::Junit, false)
}

/// Renders the report as a Markdown memo.
pub fn render_markdown(report: &Report<'_>) -> String {
    stream::render(report, Format::Markdown, false)
}

/// Renders the report as one self-contained HTML page.
pub fn render_html(report: &Report<'_>) -> String {
    stream::render(report, Format::Html, false)
}

impl<'a> Report<'a> {
    /// A report of `results` with no waivers, the default `--fail-on likely`, and only likely
    /// and possible violations shown.
    pub fn new(
        rulebook: &'a Rulebook,
        results: &'a [ScenarioResult],
        errors: &'a [Diagnostic],
    ) -> Self {
        Self {
            rulebook,
            results,
            errors,
            all: false,
            waivers: &NO_WAIVERS,
            fail_on: FailOn::Likely,
            tally: None,
        }
    }

    /// The same report with the run's totals counted while streaming.
    #[must_use]
    pub fn with_tally(self, tally: &'a Tally) -> Self {
        Self {
            tally: Some(tally),
            ..self
        }
    }

    /// How many scenarios the report covers.
    pub fn scenario_count(&self) -> usize {
        self.tally.map_or(self.results.len(), |t| t.scenarios)
    }

    /// The same report, showing compliant and not-applicable findings too (`--all`).
    #[must_use]
    pub fn with_all(self, all: bool) -> Self {
        Self { all, ..self }
    }

    /// The same report with `waivers` applied.
    #[must_use]
    pub fn with_waivers(self, waivers: &'a Waivers) -> Self {
        Self { waivers, ..self }
    }

    /// The same report judged at `fail_on`.
    #[must_use]
    pub fn with_fail_on(self, fail_on: FailOn) -> Self {
        Self { fail_on, ..self }
    }

    /// The waiver that waives `finding`, if any.
    pub fn waiver(&self, finding: &Finding) -> Option<&'a Waiver> {
        self.waivers.waiver_for(&finding.fingerprint)
    }

    /// An expired waiver that names `finding` (which therefore counts again), if any.
    pub fn expired_waiver(&self, finding: &Finding) -> Option<&'a Waiver> {
        self.waivers.expired_for(&finding.fingerprint)
    }

    /// Whether `finding` fails the run: it reaches `--fail-on` and is not waived.
    pub fn fails(&self, finding: &Finding) -> bool {
        self.fail_on.reached_by(finding.verdict) && self.waiver(finding).is_none()
    }

    /// How many findings of the run fail it.
    pub fn failing(&self) -> usize {
        if let Some(tally) = self.tally {
            return tally.failing;
        }
        self.results
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| self.fails(f))
            .count()
    }

    /// How many findings of `result` are waived.
    pub fn waived_in(&self, result: &ScenarioResult) -> usize {
        result
            .findings
            .iter()
            .filter(|f| self.waiver(f).is_some())
            .count()
    }

    /// The exposure totals of one scenario.
    pub fn scenario_totals(&self, result: &ScenarioResult) -> Totals {
        Totals::of(
            result
                .findings
                .iter()
                .map(|f| (f, self.waiver(f).is_some())),
        )
    }

    /// The exposure totals of the whole run.
    pub fn run_totals(&self) -> Totals {
        if let Some(tally) = self.tally {
            return tally.totals.clone();
        }
        Totals::of(
            self.results
                .iter()
                .flat_map(|r| &r.findings)
                .map(|f| (f, self.waiver(f).is_some())),
        )
    }

    /// The number of error and of warning diagnostics.
    pub fn problem_counts(&self) -> (usize, usize) {
        let errors = self
            .errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        (errors, self.errors.len() - errors)
    }
}

/// Whether a finding is shown by default: compliant and not-applicable findings need `--all`.
pub(crate) fn shown(verdict: Verdict, all: bool) -> bool {
    all || matches!(
        verdict,
        Verdict::LikelyViolation | Verdict::PossibleViolation
    )
}

/// The finding's rule and scope item in the `[expect]` syntax: `bipa.15b@practice/disclosure`.
pub(crate) fn target(finding: &Finding) -> String {
    match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!("{}@{p}/{d}", finding.rule),
        (Some(p), None) => format!("{}@{p}", finding.rule),
        _ => finding.rule.clone(),
    }
}

/// The scope item in words: "practice `x`, disclosure `y`".
pub(crate) fn scope_words(finding: &Finding) -> String {
    match (&finding.practice, &finding.disclosure) {
        (Some(p), Some(d)) => format!("practice `{p}`, disclosure `{d}`"),
        (Some(p), None) => format!("practice `{p}`"),
        _ => "the service as a whole".to_string(),
    }
}

/// The verdict as people read it: "Likely violation".
pub(crate) fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::LikelyViolation => "Likely violation",
        Verdict::PossibleViolation => "Possible violation",
        Verdict::Compliant => "Compliant",
        Verdict::NotApplicable => "Not applicable",
    }
}

/// The facts an unknown element needed, in two lists: those the scenario does not state, and
/// those it states too generally to decide (a region "US" where the rule asks about
/// "US-IL", a parent data category where it asks about one child), each once.
pub(crate) fn unknown_facts(element: &ElementResult) -> (Vec<&str>, Vec<&str>) {
    let (mut unstated, mut general): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    if element.value != Truth::Unknown {
        return (unstated, general);
    }
    for key in &element.unknown {
        let path = key.path.as_str();
        let list = if element.facts.iter().any(|f| f.path == path) {
            &mut general
        } else {
            &mut unstated
        };
        if !list.contains(&path) {
            list.push(path);
        }
    }
    (unstated, general)
}

/// The elements that decided the verdict: the breached requirements of a likely violation,
/// the undecided elements of a possible one, the failed threshold (or the defence that held)
/// of a rule that does not apply, and the requirements met by a compliant practice.
pub(crate) fn deciding(finding: &Finding) -> Vec<&ElementResult> {
    let pick = |keep: &dyn Fn(&ElementResult) -> bool| -> Vec<&ElementResult> {
        finding.elements.iter().filter(|e| keep(e)).collect()
    };
    match finding.verdict {
        Verdict::LikelyViolation => {
            pick(&|e| e.kind == ElementKind::Requires && e.effective() == Truth::False)
        }
        Verdict::PossibleViolation => pick(&|e| e.effective() == Truth::Unknown),
        Verdict::NotApplicable => pick(&|e| match e.kind {
            ElementKind::Applies => e.effective() == Truth::False,
            ElementKind::Exception => e.effective() == Truth::True,
            ElementKind::Requires => false,
        }),
        Verdict::Compliant => pick(&|e| e.kind == ElementKind::Requires),
    }
}

/// The strongest verdict of `rule` in `result`, and how many findings of that verdict it has
/// and how many of those are waived; `None` when the rule gave no finding.
pub(crate) fn strongest(
    report: &Report<'_>,
    result: &ScenarioResult,
    rule: &str,
) -> Option<(Verdict, usize, usize)> {
    let verdict = result
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.verdict)
        .max_by_key(|v| v.strength())?;
    let at: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.verdict == verdict)
        .collect();
    let waived = at.iter().filter(|f| report.waiver(f).is_some()).count();
    Some((verdict, at.len(), waived))
}

/// The rule ids of the rulebook, in id order (one per rule, whatever its versions).
pub(crate) fn rule_ids(book: &Rulebook) -> Vec<&str> {
    book.rules.keys().map(String::as_str).collect()
}
