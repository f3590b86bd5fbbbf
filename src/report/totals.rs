//! Exposure totals: the findings' own estimates added up per scenario and per run, likely and
//! possible violations apart, one sum per currency, with the counts and notes they rest on.

use std::collections::BTreeMap;

use crate::engine::Finding;
use crate::exposure::money;
use crate::rulebook::Combine;
use crate::verdict::Verdict;

/// What every total rests on, said once wherever totals are shown.
pub const TOTALS_BASIS: &str = "Totals add up the statutory ceilings of the findings they \
count, likely and possible violations apart; they are maxima, not predictions. A person can be \
counted under several rules and practices, a court or agency may award far less, remedies that \
cap linked infringements (GDPR Art. 83(3)) count once per practice at the gravest, and findings \
whose scenario gives no counts add nothing.";

/// The sum of the estimates of the findings at one verdict, in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureTotal {
    /// Likely or possible violation.
    pub verdict: Verdict,
    /// ISO currency code.
    pub currency: String,
    /// Sum of the low estimates; `None` when any summed estimate is an "up to" figure.
    pub low: Option<f64>,
    /// Sum of the high estimates.
    pub high: f64,
    /// Findings whose estimate is summed.
    pub findings: usize,
    /// How many of those are waived (their exposure remains: a waiver accepts the risk).
    pub waived: usize,
    /// The notes of the summed estimates, each once.
    pub notes: Vec<String>,
}

impl ExposureTotal {
    /// The amount as text: `$1,000 – $5,000`, `up to $50,120`, or `$5,000`.
    pub fn range(&self) -> String {
        range(&self.currency, self.low, self.high)
    }

    /// The amount and what it counts: `$1,000 – $5,000 from 2 findings (1 waived)`.
    pub fn describe(&self) -> String {
        let waived = if self.waived > 0 {
            format!(", {} waived", self.waived)
        } else {
            String::new()
        };
        format!(
            "{} from {}{waived}",
            self.range(),
            plural(self.findings, "estimated finding", "estimated findings")
        )
    }
}

/// An amount range as text, always as a ceiling: `up to $1,000 – $5,000` (the lower and the
/// higher culpability tier), or `up to $50,120`.
pub fn range(currency: &str, low: Option<f64>, high: f64) -> String {
    match low {
        Some(low) if (low - high).abs() > f64::EPSILON => {
            format!("up to {} – {}", money(currency, low), money(currency, high))
        }
        _ => format!("up to {}", money(currency, high)),
    }
}

/// `1 finding`, `2 findings`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Verdict order, currency, scenario file, statute and practice: the findings whose
/// estimates count once, at the gravest.
type GroupKey = (u8, String, String, String, Option<String>);

/// The exposure totals of a set of findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// Likely-violation sums, then possible-violation sums, each by currency.
    pub sums: Vec<ExposureTotal>,
    /// Likely violations without an estimate.
    pub likely_unestimated: usize,
    /// Possible violations without an estimate.
    pub possible_unestimated: usize,
}

impl Totals {
    /// Adds up the estimates of `findings` (each with whether it is waived).
    pub fn of<'f>(findings: impl IntoIterator<Item = (&'f Finding, bool)>) -> Self {
        let mut totals = Totals::default();
        for (finding, counted, waived) in linked(findings) {
            totals.add_counted(finding, counted, waived);
        }
        totals
    }

    /// Adds one finding's estimate (a run adds them up scenario by scenario, in file order,
    /// so the sums are the same floating-point additions whatever the run holds at once).
    pub fn add(&mut self, finding: &Finding, waived: bool) {
        self.add_counted(finding, 1, usize::from(waived));
    }

    /// Adds one estimate standing for `counted` findings, `waived` of them waived (see
    /// [`linked`]).
    pub fn add_counted(&mut self, finding: &Finding, counted: usize, waived: usize) {
        let order: u8 = match finding.verdict {
            Verdict::LikelyViolation => 0,
            Verdict::PossibleViolation => 1,
            _ => return,
        };
        let Some(exposure) = &finding.exposure else {
            if order == 0 {
                self.likely_unestimated += counted;
            } else {
                self.possible_unestimated += counted;
            }
            return;
        };
        // `sums` stays sorted by verdict, then currency.
        fn key(s: &ExposureTotal) -> (u8, &str) {
            (
                u8::from(s.verdict != Verdict::LikelyViolation),
                s.currency.as_str(),
            )
        }
        let at = match self
            .sums
            .binary_search_by(|s| key(s).cmp(&(order, exposure.currency.as_str())))
        {
            Ok(at) => at,
            Err(at) => {
                self.sums.insert(
                    at,
                    ExposureTotal {
                        verdict: finding.verdict,
                        currency: exposure.currency.clone(),
                        low: Some(0.0),
                        high: 0.0,
                        findings: 0,
                        waived: 0,
                        notes: Vec::new(),
                    },
                );
                at
            }
        };
        let Some(sum) = self.sums.get_mut(at) else {
            return;
        };
        // One "up to" figure makes the whole sum an "up to" figure.
        sum.low = match (sum.low, exposure.low) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        sum.high += exposure.high;
        sum.findings += counted;
        sum.waived += waived;
        for note in &exposure.notes {
            if !sum.notes.contains(note) {
                sum.notes.push(note.clone());
            }
        }
    }

    /// The sums at `verdict`.
    pub fn at(&self, verdict: Verdict) -> impl Iterator<Item = &ExposureTotal> {
        self.sums.iter().filter(move |s| s.verdict == verdict)
    }

    /// Likely or possible violations at `verdict` without an estimate.
    pub fn unestimated(&self, verdict: Verdict) -> usize {
        match verdict {
            Verdict::LikelyViolation => self.likely_unestimated,
            Verdict::PossibleViolation => self.possible_unestimated,
            _ => 0,
        }
    }

    /// Whether there is no likely or possible violation at all.
    pub fn is_empty(&self) -> bool {
        self.sums.is_empty() && self.likely_unestimated == 0 && self.possible_unestimated == 0
    }

    /// One line for `verdict`: the sums, and the findings left out; `None` when there are no
    /// findings at that verdict.
    pub fn line(&self, verdict: Verdict) -> Option<String> {
        let sums: Vec<String> = self.at(verdict).map(ExposureTotal::describe).collect();
        let unestimated = self.unestimated(verdict);
        let left_out = match (sums.is_empty(), unestimated) {
            (_, 0) => String::new(),
            (true, n) => format!(
                "not estimated: {}, no counts stated",
                plural(n, "finding", "findings")
            ),
            (false, n) => format!("; {n} more not estimated (no counts stated)"),
        };
        if sums.is_empty() && unestimated == 0 {
            return None;
        }
        Some(format!("{}{left_out}", sums.join(" + ")))
    }
}

/// The findings as totals count them, in order, each with how many findings it stands for and
/// how many of those are waived. A finding stands for itself, except that the estimates of a
/// remedy that caps linked infringements together (`combine = "gravest-per-practice"`) count
/// once per scenario file, statute, practice, verdict and currency: the gravest of them takes
/// the place of the first and stands for all.
pub fn linked<'f>(
    findings: impl IntoIterator<Item = (&'f Finding, bool)>,
) -> Vec<(&'f Finding, usize, usize)> {
    let mut out: Vec<(&'f Finding, usize, usize)> = Vec::new();
    let mut groups: BTreeMap<GroupKey, usize> = BTreeMap::new();
    for (finding, waived) in findings {
        let linked = finding
            .exposure
            .as_ref()
            .filter(|x| x.combine == Combine::GravestPerPractice);
        let Some(exposure) = linked else {
            out.push((finding, 1, usize::from(waived)));
            continue;
        };
        let key = (
            u8::from(finding.verdict != Verdict::LikelyViolation),
            exposure.currency.clone(),
            finding.location.file.name.clone(),
            finding.statute.clone(),
            finding.practice.clone(),
        );
        match groups.get(&key).and_then(|&at| out.get_mut(at)) {
            Some(entry) => {
                let graver = entry
                    .0
                    .exposure
                    .as_ref()
                    .is_some_and(|current| exposure.high > current.high);
                if graver {
                    entry.0 = finding;
                }
                entry.1 += 1;
                entry.2 += usize::from(waived);
            }
            None => {
                groups.insert(key, out.len());
                out.push((finding, 1, usize::from(waived)));
            }
        }
    }
    out
}

/// "Likely violations" / "Possible violations", the heading of a totals line.
pub(crate) fn heading(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::PossibleViolation => "Possible violations",
        _ => "Likely violations",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_up_to_without_a_low_bound() {
        assert_eq!(range("USD", Some(1000.0), 5000.0), "up to $1,000 – $5,000");
        assert_eq!(range("USD", Some(5000.0), 5000.0), "up to $5,000");
        assert_eq!(range("USD", None, 53_088.0), "up to $53,088");
    }
}
