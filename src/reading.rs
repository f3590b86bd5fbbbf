//! Reads a rule as of one date, and tells what differs between two readings.
//!
//! A reading is the version, elements, definitions, remedy and notes in force; two readings
//! differ from one day to the next (`explain --as-of`) or between two rulebooks (`diff`).

use std::collections::BTreeSet;

use crate::rulebook::{Definition, Element, ElementKind, Note, Remedy, Rule, Rulebook};
use crate::value::Date;

/// A rule as the law reads on one date.
#[derive(Debug, Clone)]
pub struct Reading<'a> {
    /// The rule id.
    pub rule: String,
    /// The date it is read on.
    pub date: Date,
    /// The version in force, if any.
    pub version: Option<&'a Rule>,
    /// The elements of that version in force on the date, in rule order.
    pub elements: Vec<&'a Element>,
    /// The definitions those elements read, in order of first use.
    pub definitions: Vec<DefinitionReading<'a>>,
    /// The remedy in force.
    pub remedy: Option<&'a Remedy>,
    /// The statute pack's notes in force.
    pub notes: Vec<&'a Note>,
}

/// One definition a reading's elements read (`$name`), as in force on the reading's date.
#[derive(Debug, Clone)]
pub struct DefinitionReading<'a> {
    /// The name, without `$`.
    pub name: String,
    /// The version in force; `None` when no version is (the set is then empty).
    pub version: Option<&'a Definition>,
    /// Ids of the elements that read it.
    pub read_by: Vec<String>,
}

impl DefinitionReading<'_> {
    /// The values in force (empty when no version is).
    pub fn values(&self) -> &[String] {
        self.version.map_or(&[], |d| d.values.as_slice())
    }
}

/// The dates of a rule version, which identify it within one rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionDates {
    /// First day in force.
    pub effective: Date,
    /// First day no longer in force.
    pub until: Option<Date>,
}

/// How one element differs between two readings that both have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementChange {
    /// It moved between applies, exceptions and requires.
    Kind,
    /// Its condition (`when`) reads differently (layout aside).
    Condition,
    /// Whether, or which way, an unknown value is presumed.
    Presumption,
    /// Its plain-words text or citation.
    Wording,
    /// Its fix.
    Fix,
}

impl ElementChange {
    /// The change in words.
    pub fn describe(self) -> &'static str {
        match self {
            ElementChange::Kind => "moves between applies, exceptions and requires",
            ElementChange::Condition => "its condition changes",
            ElementChange::Presumption => "its presumption changes",
            ElementChange::Wording => "its text or citation changes",
            ElementChange::Fix => "its fix changes",
        }
    }
}

/// One thing that differs between two readings of a rule.
#[derive(Debug, Clone)]
pub enum Change<'a> {
    /// The version in force changes (takes effect, ends, or is replaced).
    Version {
        /// Before.
        before: Option<VersionDates>,
        /// After.
        after: Option<VersionDates>,
    },
    /// An element comes into force (or is added to the rule).
    ElementAdded(&'a Element),
    /// An element goes out of force (or is removed from the rule).
    ElementRemoved(&'a Element),
    /// An element in both readings changes.
    ElementChanged {
        /// The element after.
        element: &'a Element,
        /// What changes.
        what: Vec<ElementChange>,
    },
    /// A definition the elements read holds other values.
    Definition {
        /// The name, without `$`.
        name: String,
        /// Elements (of either reading) that read it.
        read_by: Vec<String>,
        /// Values it gains.
        added: Vec<String>,
        /// Values it loses.
        removed: Vec<String>,
        /// The version after, if any (for its text and citation).
        after: Option<&'a Definition>,
    },
    /// The remedy in force changes.
    Remedy {
        /// Before.
        before: Option<&'a Remedy>,
        /// After.
        after: Option<&'a Remedy>,
    },
    /// A statute note comes into force.
    NoteAdded(&'a Note),
    /// A statute note goes out of force.
    NoteRemoved(&'a Note),
}

/// Reads rule `rule` of `book` as on `date`; `None` when the rulebook has no such rule.
pub fn read<'a>(book: &'a Rulebook, rule: &str, date: Date) -> Option<Reading<'a>> {
    let versions = book.rules.get(rule)?;
    let version = versions.iter().find(|r| r.in_force(date));
    let elements: Vec<&Element> = version
        .map(|v| v.elements_on(date).collect())
        .unwrap_or_default();
    let mut definitions: Vec<DefinitionReading<'a>> = Vec::new();
    if let Some(v) = version {
        for element in &elements {
            for name in element.condition.definitions() {
                match definitions.iter_mut().find(|d| d.name == name) {
                    Some(existing) => {
                        if !existing.read_by.contains(&element.id) {
                            existing.read_by.push(element.id.clone());
                        }
                    }
                    None => definitions.push(DefinitionReading {
                        name: name.to_string(),
                        version: book.definition_version_on(&v.statute, name, date),
                        read_by: vec![element.id.clone()],
                    }),
                }
            }
        }
    }
    let statute = versions.first().and_then(|r| book.statutes.get(&r.statute));
    Some(Reading {
        rule: rule.to_string(),
        date,
        version,
        remedy: version.and_then(|v| v.remedy_on(date)),
        notes: statute
            .map(|s| s.notes_on(date).collect())
            .unwrap_or_default(),
        elements,
        definitions,
    })
}

fn version_dates(rule: &Rule) -> VersionDates {
    VersionDates {
        effective: rule.effective,
        until: rule.until,
    }
}

/// How `after` differs from `before` for an element both readings have.
pub fn element_changes(before: &Element, after: &Element) -> Vec<ElementChange> {
    let mut what = Vec::new();
    if before.kind != after.kind {
        what.push(ElementChange::Kind);
    }
    if before.condition.without_spans() != after.condition.without_spans() {
        what.push(ElementChange::Condition);
    }
    if (
        before.presumed,
        before.presumed_holds,
        &before.presumed_while_unstated,
    ) != (
        after.presumed,
        after.presumed_holds,
        &after.presumed_while_unstated,
    ) {
        what.push(ElementChange::Presumption);
    }
    if before.text.trim() != after.text.trim() || before.cite.trim() != after.cite.trim() {
        what.push(ElementChange::Wording);
    }
    if before.fix.as_deref().map(str::trim) != after.fix.as_deref().map(str::trim) {
        what.push(ElementChange::Fix);
    }
    what
}

fn same_remedy(a: &Remedy, b: &Remedy) -> bool {
    a.text.trim() == b.text.trim()
        && a.cite == b.cite
        && a.kind == b.kind
        && a.currency == b.currency
        && a.low == b.low
        && a.high == b.high
        && a.unit == b.unit
        && a.count == b.count
        && a.tiers == b.tiers
        && a.or_greater == b.or_greater
        && a.combine == b.combine
}

/// Everything that differs from `before` to `after`: the version, elements added, removed or
/// changed, the values of the definitions they read, the remedy and the notes. Empty when
/// the two readings say the same thing.
pub fn compare<'a>(before: &Reading<'a>, after: &Reading<'a>) -> Vec<Change<'a>> {
    let mut changes = Vec::new();
    let (b, a) = (
        before.version.map(version_dates),
        after.version.map(version_dates),
    );
    if b != a {
        changes.push(Change::Version {
            before: b,
            after: a,
        });
    }
    // A rule coming into or going out of force brings or takes all of its elements, remedy
    // and notes with it: the version change says it all.
    if b.is_none() || a.is_none() {
        return changes;
    }
    for element in &before.elements {
        if !after.elements.iter().any(|e| e.id == element.id) {
            changes.push(Change::ElementRemoved(element));
        }
    }
    for element in &after.elements {
        match before.elements.iter().find(|e| e.id == element.id) {
            None => changes.push(Change::ElementAdded(element)),
            Some(old) => {
                let what = element_changes(old, element);
                if !what.is_empty() {
                    changes.push(Change::ElementChanged { element, what });
                }
            }
        }
    }
    let mut names: Vec<&str> = after.definitions.iter().map(|d| d.name.as_str()).collect();
    for d in &before.definitions {
        if !names.contains(&d.name.as_str()) {
            names.push(&d.name);
        }
    }
    for name in names {
        let old = before.definitions.iter().find(|d| d.name == name);
        let new = after.definitions.iter().find(|d| d.name == name);
        // A definition only one reading reads comes with the element that reads it; it is a
        // change of its own only when both read it.
        let (Some(old), Some(new)) = (old, new) else {
            continue;
        };
        let old_values: BTreeSet<&String> = old.values().iter().collect();
        let new_values: BTreeSet<&String> = new.values().iter().collect();
        let added: Vec<String> = new
            .values()
            .iter()
            .filter(|v| !old_values.contains(v))
            .cloned()
            .collect();
        let removed: Vec<String> = old
            .values()
            .iter()
            .filter(|v| !new_values.contains(v))
            .cloned()
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            let mut read_by = new.read_by.clone();
            for id in &old.read_by {
                if !read_by.contains(id) {
                    read_by.push(id.clone());
                }
            }
            changes.push(Change::Definition {
                name: name.to_string(),
                read_by,
                added,
                removed,
                after: new.version,
            });
        }
    }
    let remedy_differs = match (before.remedy, after.remedy) {
        (Some(x), Some(y)) => !same_remedy(x, y),
        (None, None) => false,
        _ => true,
    };
    if remedy_differs {
        changes.push(Change::Remedy {
            before: before.remedy,
            after: after.remedy,
        });
    }
    // Notes are compared by what they say, so two rulebooks with the same note agree.
    let same_note = |a: &Note, b: &Note| a.text.trim() == b.text.trim() && a.cite == b.cite;
    for note in &before.notes {
        if !after.notes.iter().any(|n| same_note(n, note)) {
            changes.push(Change::NoteRemoved(note));
        }
    }
    for note in &after.notes {
        if !before.notes.iter().any(|n| same_note(n, note)) {
            changes.push(Change::NoteAdded(note));
        }
    }
    changes
}

/// The day before `date`.
fn day_before(date: Date) -> Date {
    Date::from_days_since_epoch(date.days_since_epoch() - 1)
}

/// Every date on which something about rule `rule` changes (its versions, their dated
/// elements, the dated definitions they read, its dated remedies, its pack's dated notes),
/// with what changes then; sorted. A date is the first day of the new state (dates are
/// inclusive `effective` and exclusive `until`).
pub fn changes<'a>(book: &'a Rulebook, rule: &str) -> Vec<(Date, Vec<Change<'a>>)> {
    let Some(versions) = book.rules.get(rule) else {
        return Vec::new();
    };
    let mut candidates: BTreeSet<Date> = BTreeSet::new();
    let mut add = |effective: Option<Date>, until: Option<Date>| {
        candidates.extend(effective);
        candidates.extend(until);
    };
    for version in versions {
        add(Some(version.effective), version.until);
        for element in &version.elements {
            add(element.effective, element.until);
            for name in element.condition.definitions() {
                for definition in book.definition_versions(&version.statute, name) {
                    add(definition.effective, definition.until);
                }
            }
        }
        for remedy in &version.remedies {
            add(remedy.effective, remedy.until);
        }
    }
    if let Some(statute) = versions.first().and_then(|r| book.statutes.get(&r.statute)) {
        for note in &statute.notes {
            add(note.effective, note.until);
        }
    }
    candidates
        .into_iter()
        .filter_map(|date| {
            let before = read(book, rule, day_before(date))?;
            let after = read(book, rule, date)?;
            let found = compare(&before, &after);
            (!found.is_empty()).then_some((date, found))
        })
        .collect()
}

/// The change on or before `date` that made the rule read as it does on `date`, and the next
/// one after it: each a date with what changes then.
pub type Neighbours<'a> = (
    Option<(Date, Vec<Change<'a>>)>,
    Option<(Date, Vec<Change<'a>>)>,
);

/// The previous (on or before `date`) and next (after `date`) changes of rule `rule`.
pub fn neighbours<'a>(book: &'a Rulebook, rule: &str, date: Date) -> Neighbours<'a> {
    let all = changes(book, rule);
    let mut previous = None;
    let mut next = None;
    for (day, found) in all {
        if day <= date {
            previous = Some((day, found));
        } else if next.is_none() {
            next = Some((day, found));
        }
    }
    (previous, next)
}

/// The reading's elements of `kind`, in rule order (for renderers grouping them).
pub fn of_kind<'a>(reading: &Reading<'a>, kind: ElementKind) -> Vec<&'a Element> {
    reading
        .elements
        .iter()
        .copied()
        .filter(|e| e.kind == kind)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        })
    }

    fn book() -> Option<Rulebook> {
        Rulebook::embedded().ok()
    }

    #[test]
    fn bipa_15b_reads_the_release_definition_in_force() {
        let Some(book) = book() else {
            unreachable!("the embedded rulebook loads")
        };
        let values = |day: &str| {
            read(&book, "bipa.15b", date(day))
                .and_then(|r| {
                    r.definitions
                        .iter()
                        .find(|d| d.name == "written_release_kinds")
                        .map(|d| d.values().to_vec())
                })
                .unwrap_or_default()
        };
        assert_eq!(values("2024-08-01"), vec!["written-release"]);
        assert_eq!(
            values("2024-08-02"),
            vec!["written-release", "electronic-signature"]
        );
        assert!(read(&book, "bipa.15zz", date("2024-01-01")).is_none());
        let before = read(&book, "bipa.15b", date("2000-01-01"));
        assert!(before.is_some_and(|r| r.version.is_none() && r.elements.is_empty()));
    }

    #[test]
    fn bipa_15b_changes_when_it_takes_effect_and_on_the_2024_amendment() {
        let Some(book) = book() else {
            unreachable!("the embedded rulebook loads")
        };
        let all = changes(&book, "bipa.15b");
        let dates: Vec<String> = all.iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(dates, vec!["2008-10-03", "2024-08-02"]);
        let amendment = all.get(1).map(|(_, c)| c.as_slice()).unwrap_or_default();
        assert!(amendment.iter().any(|c| matches!(
            c,
            Change::Definition { name, added, removed, .. }
                if name == "written_release_kinds"
                    && added == &["electronic-signature".to_string()]
                    && removed.is_empty()
        )));
        assert!(amendment.iter().any(|c| matches!(c, Change::Remedy { .. })));
        let (previous, next) = neighbours(&book, "bipa.15b", date("2024-01-01"));
        assert_eq!(previous.map(|(d, _)| d), Some(date("2008-10-03")));
        assert_eq!(next.map(|(d, _)| d), Some(date("2024-08-02")));
        let (previous, next) = neighbours(&book, "bipa.15b", date("2024-08-02"));
        assert_eq!(previous.map(|(d, _)| d), Some(date("2024-08-02")));
        assert!(next.is_none());
    }

    #[test]
    fn two_readings_of_the_same_rule_and_date_do_not_differ() {
        let Some(book) = book() else {
            unreachable!("the embedded rulebook loads")
        };
        for id in book.rule_ids() {
            let a = read(&book, id, date("2025-01-01"));
            let b = read(&book, id, date("2025-01-01"));
            if let (Some(a), Some(b)) = (a, b) {
                assert!(compare(&a, &b).is_empty(), "{id}");
            }
        }
    }
}
