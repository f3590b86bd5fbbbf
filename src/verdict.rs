//! Three-valued truth and the four verdicts, with the table of DESIGN.md §4 that links them.

use std::fmt;

/// Kleene three-valued truth: unknown only comes from facts a scenario does not state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided from the stated facts.
    Unknown,
}

impl Truth {
    /// Kleene conjunction: false wins over unknown.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::False, _) | (_, Self::False) => Self::False,
            (Self::True, Self::True) => Self::True,
            _ => Self::Unknown,
        }
    }

    /// Kleene disjunction: true wins over unknown.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        match (self, other) {
            (Self::True, _) | (_, Self::True) => Self::True,
            (Self::False, Self::False) => Self::False,
            _ => Self::Unknown,
        }
    }

    /// `Some(bool)` when decided.
    pub fn known(self) -> Option<bool> {
        match self {
            Self::True => Some(true),
            Self::False => Some(false),
            Self::Unknown => None,
        }
    }
}

impl std::ops::Not for Truth {
    type Output = Self;

    /// Kleene negation: unknown stays unknown.
    fn not(self) -> Self {
        match self {
            Self::True => Self::False,
            Self::False => Self::True,
            Self::Unknown => Self::Unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b { Self::True } else { Self::False }
    }
}

/// What a finding concludes about one rule and one scope item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The duty attaches and is breached on the stated facts.
    LikelyViolation,
    /// Whether it is violated depends on facts the scenario does not state.
    PossibleViolation,
    /// The duty, if it attaches, is met.
    Compliant,
    /// The duty does not attach.
    NotApplicable,
}

impl Verdict {
    /// All verdicts, strongest first.
    pub const ALL: [Verdict; 4] = [
        Verdict::LikelyViolation,
        Verdict::PossibleViolation,
        Verdict::Compliant,
        Verdict::NotApplicable,
    ];

    /// The verdict of DESIGN.md §4's table.
    pub fn from_truths(attaches: Truth, breach: Truth) -> Self {
        match attaches.and(breach) {
            Truth::True => Self::LikelyViolation,
            Truth::Unknown => Self::PossibleViolation,
            Truth::False if attaches == Truth::False => Self::NotApplicable,
            Truth::False => Self::Compliant,
        }
    }

    /// The contract name, e.g. `likely-violation`.
    pub fn name(self) -> &'static str {
        match self {
            Self::LikelyViolation => "likely-violation",
            Self::PossibleViolation => "possible-violation",
            Self::Compliant => "compliant",
            Self::NotApplicable => "not-applicable",
        }
    }

    /// Parses a contract name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Rank for "strongest verdict": likely-violation is 3, not-applicable 0.
    pub fn strength(self) -> u8 {
        match self {
            Self::LikelyViolation => 3,
            Self::PossibleViolation => 2,
            Self::Compliant => 1,
            Self::NotApplicable => 0,
        }
    }
}

/// The level at which `check` exits 1 (`--fail-on`): a finding that reaches it and is not
/// waived fails the run, in every output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Any likely violation.
    #[default]
    Likely,
    /// Any likely or possible violation.
    Possible,
    /// Never.
    Never,
}

impl FailOn {
    /// Whether a finding with `verdict` reaches this level.
    pub fn reached_by(self, verdict: Verdict) -> bool {
        match self {
            Self::Likely => verdict == Verdict::LikelyViolation,
            Self::Possible => matches!(
                verdict,
                Verdict::LikelyViolation | Verdict::PossibleViolation
            ),
            Self::Never => false,
        }
    }

    /// The option value, e.g. `likely`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Likely => "likely",
            Self::Possible => "possible",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Truth::{False as F, True as T, Unknown as U};
    use super::*;

    #[test]
    fn kleene_truth_tables() {
        let all = [T, F, U];
        let and = [[T, F, U], [F, F, F], [U, F, U]];
        let or = [[T, T, T], [T, F, U], [T, U, U]];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(
                    Some(a.and(*b)),
                    and.get(i).and_then(|r| r.get(j)).copied(),
                    "{a:?} and {b:?}"
                );
                assert_eq!(
                    Some(a.or(*b)),
                    or.get(i).and_then(|r| r.get(j)).copied(),
                    "{a:?} or {b:?}"
                );
            }
        }
        assert_eq!((!T, !F, !U), (F, T, U));
    }

    #[test]
    fn verdict_table_of_the_design() {
        use Verdict::*;
        assert_eq!(Verdict::from_truths(T, T), LikelyViolation);
        assert_eq!(Verdict::from_truths(U, T), PossibleViolation);
        assert_eq!(Verdict::from_truths(T, U), PossibleViolation);
        assert_eq!(Verdict::from_truths(F, T), NotApplicable);
        assert_eq!(Verdict::from_truths(F, U), NotApplicable);
        assert_eq!(Verdict::from_truths(T, F), Compliant);
        assert_eq!(Verdict::from_truths(U, F), Compliant);
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.name()), Some(v));
        }
    }
}
