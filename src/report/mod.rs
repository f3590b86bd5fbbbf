//! Reports: pure renderers of one run's findings (human memo, JSON), never re-evaluating.

mod human;
mod json;

pub use human::{render_human, render_rule};
pub use json::{diagnostic_json, render_json, rules_json, validation_json};

use crate::diagnostics::Diagnostic;
use crate::engine::ScenarioResult;
use crate::rulebook::Rulebook;
use crate::verdict::Verdict;

/// Everything one `check` run produced.
pub struct Report<'a> {
    /// The rulebook the scenarios were checked against.
    pub rulebook: &'a Rulebook,
    /// One result per good scenario file, in file-path order.
    pub results: &'a [ScenarioResult],
    /// Every problem with every bad file.
    pub errors: &'a [Diagnostic],
    /// Whether compliant and not-applicable findings are shown.
    pub all: bool,
}

/// Whether a finding is shown by default: compliant and not-applicable findings need `--all`.
pub(crate) fn shown(verdict: Verdict, all: bool) -> bool {
    all || matches!(
        verdict,
        Verdict::LikelyViolation | Verdict::PossibleViolation
    )
}
