//! Exposure estimates: a remedy's per-unit amounts times the people the scenario says are affected.

use crate::rulebook::{Combine, Count, Remedy, Unit};
use crate::scenario::{Practice, Scenario, StatedFact};
use crate::value::Value;

/// An estimate of what a finding could cost, with what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    /// ISO currency code.
    pub currency: String,
    /// Total at the least culpable level; `None` for "up to" penalties.
    pub low: Option<f64>,
    /// Total at the most culpable level (a ceiling for "up to" penalties).
    pub high: f64,
    /// People counted.
    pub persons: i64,
    /// Units per person (scans per person for per-scan remedies).
    pub units_per_person: i64,
    /// How the figure was reached, in plain words.
    pub basis: String,
    /// The counts and assumptions it rests on.
    pub notes: Vec<String>,
    /// What `low` and `high` are for (e.g. negligent, reckless or intentional conduct), when
    /// both are given.
    pub tiers: Option<(String, String)>,
    /// How it adds up with other findings' estimates in a total.
    pub combine: Combine,
}

impl Exposure {
    /// The amount in words, always as a ceiling: `up to $9,500,000 (negligent) – $47,500,000
    /// (reckless or intentional)`, `up to $53,088`.
    pub fn amount_words(&self) -> String {
        match self.low {
            Some(low) if (low - self.high).abs() > f64::EPSILON => {
                let (lower, higher) = self
                    .tiers
                    .clone()
                    .unwrap_or_else(|| ("lower tier".to_string(), "higher tier".to_string()));
                format!(
                    "up to {} ({lower}) – {} ({higher})",
                    money(&self.currency, low),
                    money(&self.currency, self.high)
                )
            }
            _ => format!("up to {}", money(&self.currency, self.high)),
        }
    }
}

fn int_fact(facts: Option<&StatedFact>) -> Option<i64> {
    match facts {
        Some(StatedFact {
            value: Value::Int(n),
            ..
        }) => Some(*n),
        _ => None,
    }
}

/// Formats a whole number with thousands separators.
pub fn group_thousands(n: f64) -> String {
    let rounded = n.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// An amount with its currency sign, e.g. `$1,000`.
pub fn money(currency: &str, amount: f64) -> String {
    let sign = match currency {
        "USD" => "$",
        "EUR" => "€",
        _ => "",
    };
    if sign.is_empty() {
        format!("{} {currency}", group_thousands(amount))
    } else {
        format!("{sign}{}", group_thousands(amount))
    }
}

/// A remedy's per-unit amount in words, as a ceiling: `up to $1,000 (negligent) – $5,000
/// (reckless or intentional)`, `up to €20,000,000 or 4% of the undertaking's worldwide annual
/// turnover, whichever is higher`.
pub fn remedy_amount(remedy: &Remedy) -> String {
    let amount = match remedy.low {
        Some(low) if (low - remedy.high).abs() > f64::EPSILON => {
            let (lower, higher) = remedy
                .tiers
                .clone()
                .unwrap_or_else(|| ("lower tier".to_string(), "higher tier".to_string()));
            format!(
                "up to {} ({lower}) – {} ({higher})",
                money(&remedy.currency, low),
                money(&remedy.currency, remedy.high)
            )
        }
        _ => format!("up to {}", money(&remedy.currency, remedy.high)),
    };
    match &remedy.or_greater {
        Some(other) => format!("{amount} or {other}, whichever is higher"),
        None => amount,
    }
}

/// The facts the exposure estimate reads (besides the remedy): they are read by the engine, not
/// by rule conditions, and count as read for the linter.
pub const EXPOSURE_FACTS: &[&str] = &[
    "practice.subjects_count",
    "practice.regions",
    "service.users",
    "practice.captures_per_person",
    "practice.culpability",
    "practice.children_count",
    "practice.subjects",
    "practice.period.start",
];

/// The exposure of a finding under `remedy`, when the scenario gives the counts it needs.
pub fn exposure(
    remedy: &Remedy,
    scenario: &Scenario,
    practice: Option<&Practice>,
) -> Option<Exposure> {
    let practice = practice?;
    let subjects = int_fact(practice.facts.get("practice.subjects_count"));
    let mut notes = Vec::new();
    let (persons, who) = match &remedy.count {
        Count::Persons => (subjects?, "persons".to_string()),
        Count::PersonsInRegion(region) => {
            let only_region = matches!(
                practice.facts.get("practice.regions"),
                Some(StatedFact { value: Value::List(regions), .. }) if regions.len() == 1 && regions.first() == Some(region)
            );
            let region_users = match scenario.fact("service.users") {
                Some(StatedFact {
                    value: Value::Map(map),
                    ..
                }) => map.get(region).copied(),
                _ => None,
            };
            let persons = match (only_region, subjects, region_users) {
                (true, Some(s), _) => s,
                (_, Some(s), Some(u)) => {
                    if s > u {
                        notes.push(format!("practice.subjects_count ({}) exceeds service.users['{region}']; the {region} count is used", group_thousands(s as f64)));
                    }
                    s.min(u)
                }
                (_, None, Some(u)) => {
                    notes.push(format!("every {region} user of the service is counted (service.users['{region}']); state practice.subjects_count to narrow it"));
                    u
                }
                _ => return None,
            };
            (persons, format!("persons in {region}"))
        }
        Count::Once => (1, "finding".to_string()),
        Count::Children => {
            let only_children = matches!(
                practice.facts.get("practice.subjects"),
                Some(StatedFact { value: Value::List(subjects), .. })
                    if subjects.iter().all(|s| s == "children-under-13") && !subjects.is_empty()
            );
            match (
                int_fact(practice.facts.get("practice.children_count")),
                subjects,
            ) {
                (Some(children), _) => (children, "children".to_string()),
                (None, Some(s)) if only_children => {
                    notes.push("children under 13 are this practice's only subjects, so practice.subjects_count counts children".into());
                    (s, "children".to_string())
                }
                _ => return None,
            }
        }
    };
    if let Some((date, text)) = &remedy.conduct_before {
        let began_before = matches!(
            practice.facts.get("practice.period.start"),
            Some(StatedFact { value: Value::Date(start), .. }) if start < date
        );
        if began_before {
            notes.push(text.trim().to_string());
        }
    }
    let mut units_per_person = 1;
    if remedy.unit == Unit::Scan {
        match int_fact(practice.facts.get("practice.captures_per_person")) {
            Some(n) if n > 0 => units_per_person = n,
            _ => notes.push("counted once per person: state practice.captures_per_person for the per-scan count".into()),
        }
    }
    let culpability = match practice.facts.get("practice.culpability") {
        Some(StatedFact {
            value: Value::Str(c),
            ..
        }) => c.as_str(),
        _ => "unknown",
    };
    let (mut low, mut high) = (remedy.low, remedy.high);
    match (culpability, remedy.low) {
        ("negligent", Some(l)) => {
            high = l;
            notes.push("negligent conduct stated: the lower amount applies".into());
        }
        ("reckless" | "intentional" | "reckless-or-intentional", Some(_)) => {
            low = Some(remedy.high);
            notes.push("reckless or intentional conduct stated: the higher amount applies".into());
        }
        _ => {}
    }
    let units = (persons as f64) * (units_per_person as f64);
    let captures_stated = units_per_person > 1
        || int_fact(practice.facts.get("practice.captures_per_person")).is_some_and(|n| n > 0);
    let unit_name = match remedy.unit {
        Unit::Person => "per person",
        Unit::Violation => "per violation",
        Unit::Scan if captures_stated => "per scan",
        Unit::Scan => "per scan (one scan per person assumed)",
    };
    // The amount itself carries "up to" and the tier names; the basis shows the arithmetic.
    let per_unit = match low {
        Some(l) if (l - high).abs() > f64::EPSILON => format!(
            "{} or {}",
            money(&remedy.currency, l),
            money(&remedy.currency, high)
        ),
        _ => money(&remedy.currency, high),
    };
    let scans = if units_per_person > 1 {
        format!(" × {} scans each", group_thousands(units_per_person as f64))
    } else {
        String::new()
    };
    let once = remedy.count == Count::Once;
    let basis = if let (true, Some(other)) = (once, &remedy.or_greater) {
        format!(
            "the fixed amount, counted once for this finding; {other} is the cap where it is higher, and no fact gives it"
        )
    } else if once {
        format!("{per_unit} {unit_name}, counted once for this finding")
    } else {
        format!(
            "{} {who}{scans} × {per_unit} {unit_name}",
            group_thousands(persons as f64)
        )
    };
    if let (false, Some(other)) = (once, &remedy.or_greater) {
        notes.push(format!(
            "the fixed amount is shown: {other} is the cap where it is higher, and no fact gives it"
        ));
    }
    match (remedy.combine, remedy.unit, once) {
        (Combine::GravestPerPractice, _, _) => notes.push(
            "in totals, this practice's findings under the same statute count once, at the gravest (same or linked processing)".into(),
        ),
        (Combine::Add, Unit::Violation, true) => notes
            .push("one violation for the finding is a floor: the enforcer may count more".into()),
        (Combine::Add, Unit::Violation, false) => notes
            .push("one violation per person is a floor: the enforcer may count more".into()),
        _ => {}
    }
    let both_tiers = matches!(low, Some(l) if (l - high).abs() > f64::EPSILON);
    Some(Exposure {
        currency: remedy.currency.clone(),
        low: low.map(|l| l * units),
        high: high * units,
        persons,
        units_per_person,
        basis,
        notes,
        tiers: if both_tiers {
            remedy.tiers.clone()
        } else {
            None
        },
        combine: remedy.combine,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money("USD", 1_400_000_000.0), "$1,400,000,000");
        assert_eq!(money("USD", 999.0), "$999");
        assert_eq!(money("EUR", 20_000_000.0), "€20,000,000");
        assert_eq!(group_thousands(1000.0), "1,000");
    }
}
