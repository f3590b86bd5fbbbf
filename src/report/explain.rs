//! Renders `consentry explain RULE --as-of DATE`: the rule as read on one date, and its neighbours.
//!
//! The neighbours are the dates on which it last changed and next changes, with what changes.

use std::fmt::Write as _;

use super::human::Style;
use crate::condition::ScopeKind;
use crate::reading::{Change, Neighbours, Reading, of_kind};
use crate::rulebook::{ElementKind, Remedy, Rulebook, Unit};

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Person => "person",
        Unit::Violation => "violation",
        Unit::Scan => "scan",
    }
}

fn kind_name(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Applies => "applies",
        ElementKind::Exception => "exception",
        ElementKind::Requires => "requires",
    }
}

fn values_list(values: &[String]) -> String {
    if values.is_empty() {
        "nothing".to_string()
    } else {
        values.join(", ")
    }
}

/// What changes in a remedy, in words: the counting, the amounts, the kind, the citation.
fn remedy_change(before: &Remedy, after: &Remedy) -> String {
    let mut parts = Vec::new();
    if before.unit != after.unit {
        parts.push(format!(
            "counting changes from per {} to per {}",
            unit_name(before.unit),
            unit_name(after.unit)
        ));
    }
    if before.count != after.count {
        parts.push("the people it counts change".to_string());
    }
    let amount = crate::exposure::remedy_amount;
    if amount(before) != amount(after) {
        parts.push(format!(
            "amounts change from {} to {} per {}",
            amount(before),
            amount(after),
            unit_name(after.unit)
        ));
    }
    if before.kind != after.kind {
        parts.push(format!(
            "kind changes from {} to {}",
            before.kind, after.kind
        ));
    }
    if before.cite != after.cite {
        parts.push(format!("citation becomes {}", after.cite));
    }
    if parts.is_empty() {
        parts.push("its text changes".to_string());
    }
    format!("the remedy changes: {}", parts.join("; "))
}

/// One change of a rule in words, e.g. "$written_release_kinds (read by written-release)
/// adds electronic-signature".
pub(crate) fn describe_change(rule: &str, change: &Change<'_>) -> String {
    match change {
        Change::Version {
            before: None,
            after: Some(v),
        } => format!("{rule} takes effect (the version from {})", v.effective),
        Change::Version {
            before: Some(v),
            after: None,
        } => format!(
            "{rule} is no longer in force (the version from {} ends)",
            v.effective
        ),
        Change::Version {
            before: Some(b),
            after: Some(a),
        } => format!(
            "a new version of {rule} takes effect (from {}, replacing the version from {})",
            a.effective, b.effective
        ),
        Change::Version { .. } => format!("the version of {rule} in force changes"),
        Change::ElementAdded(e) => {
            format!("{} element `{}` comes into force", kind_name(e.kind), e.id)
        }
        Change::ElementRemoved(e) => {
            format!("{} element `{}` goes out of force", kind_name(e.kind), e.id)
        }
        Change::ElementChanged { element, what } => format!(
            "{} element `{}` changes: {}",
            kind_name(element.kind),
            element.id,
            what.iter()
                .map(|w| w.describe())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Change::Definition {
            name,
            read_by,
            added,
            removed,
            ..
        } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("adds {}", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("drops {}", removed.join(", ")));
            }
            format!(
                "${name} (read by {}) {}",
                read_by.join(", "),
                parts.join(" and ")
            )
        }
        Change::Remedy {
            before: Some(b),
            after: Some(a),
        } => remedy_change(b, a),
        Change::Remedy {
            before: None,
            after: Some(a),
        } => format!("a remedy comes into force: {}", a.cite),
        Change::Remedy { .. } => "the remedy ends".to_string(),
        Change::NoteAdded(note) => format!(
            "a note comes into force: {} ({})",
            note.text.trim(),
            note.cite
        ),
        Change::NoteRemoved(note) => {
            format!(
                "a note goes out of force: {} ({})",
                note.text.trim(),
                note.cite
            )
        }
    }
}

fn dates(effective: Option<crate::value::Date>, until: Option<crate::value::Date>) -> String {
    match (effective, until) {
        (Some(e), Some(u)) => format!("from {e} until {u}"),
        (Some(e), None) => format!("from {e}"),
        (None, Some(u)) => format!("until {u}"),
        (None, None) => String::new(),
    }
}

fn neighbour(
    out: &mut String,
    style: &Style,
    rule: &str,
    label: &str,
    found: Option<&(crate::value::Date, Vec<Change<'_>>)>,
) {
    match found {
        Some((date, changes)) => {
            let _ = writeln!(out, "  {} {date}", style.bold(label));
            for change in changes {
                let _ = writeln!(out, "    • {}", describe_change(rule, change));
            }
        }
        None => {
            let _ = writeln!(out, "  {} none", style.bold(label));
        }
    }
}

/// Renders rule `reading.rule` as read on `reading.date`: the version, elements, definitions
/// (with the values in force), remedy and notes in force, and its neighbours: the previous and
/// next dates on which anything about it changes, with what changes there. Before its first
/// version it says when the rule takes effect; after its last, when it ended.
pub fn render_rule_as_of(
    book: &Rulebook,
    reading: &Reading<'_>,
    neighbours: &Neighbours<'_>,
    color: bool,
) -> String {
    let style = Style { color };
    let mut out = String::new();
    let id = reading.rule.as_str();
    let date = reading.date;
    let versions = book.rules.get(id).map(Vec::as_slice).unwrap_or_default();
    let (previous, next) = neighbours;
    let Some(rule) = reading.version else {
        let title = versions.first().map_or("", |r| r.title.as_str());
        let _ = writeln!(out, "{}  {title}", style.bold(id));
        let starts = versions
            .iter()
            .map(|r| r.effective)
            .filter(|e| *e > date)
            .min();
        let ended = versions
            .iter()
            .filter_map(|r| r.until)
            .filter(|u| *u <= date)
            .max();
        let _ = match (ended, starts) {
            (None, Some(starts)) => writeln!(
                out,
                "Not yet in force on {date}: {id} takes effect on {starts}."
            ),
            (Some(ended), Some(starts)) => writeln!(
                out,
                "Not in force on {date}, between versions: one ended on {ended} and the next takes effect on {starts}."
            ),
            (Some(ended), None) => writeln!(
                out,
                "No longer in force on {date}: its last version ended on {ended} (the first day it no longer applied)."
            ),
            (None, None) => writeln!(out, "Not in force on {date}."),
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", style.bold(&format!("Changes around {date}")));
        neighbour(&mut out, &style, id, "Previous:", previous.as_ref());
        neighbour(&mut out, &style, id, "Next:", next.as_ref());
        return out;
    };
    let statute = book
        .statutes
        .get(&rule.statute)
        .map_or("", |s| s.title.as_str());
    let _ = writeln!(out, "{}  {}", style.bold(id), rule.title);
    let _ = writeln!(
        out,
        "{} · {statute} · evaluated once per {}",
        rule.citation,
        match rule.scope {
            ScopeKind::Service => "scenario",
            ScopeKind::Practice => "practice",
            ScopeKind::Disclosure => "disclosure",
        }
    );
    let until = rule
        .until
        .map_or_else(|| "no end date".to_string(), |u| format!("until {u}"));
    let _ = writeln!(
        out,
        "As read on {date}: the version from {} ({until}), defined at {}",
        rule.effective,
        rule.location.display()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", rule.summary.trim());
    let _ = writeln!(out);
    let _ = writeln!(out, "{} {}", style.bold("Why:"), rule.why.trim());
    for (kind, heading) in [
        (
            ElementKind::Applies,
            "The duty attaches when all of these hold",
        ),
        (ElementKind::Exception, "Unless one of these holds"),
        (ElementKind::Requires, "It requires each of these"),
    ] {
        let elements = of_kind(reading, kind);
        if elements.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", style.bold(heading));
        for element in elements {
            super::human::element_lines(&mut out, element, &style);
        }
    }
    if !reading.definitions.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!("Definitions it reads, as in force on {date}"))
        );
        for definition in &reading.definitions {
            let _ = writeln!(
                out,
                "  • ${} = {}",
                definition.name,
                values_list(definition.values())
            );
            match definition.version {
                Some(version) => {
                    let dated = dates(version.effective, version.until);
                    let dated = if dated.is_empty() {
                        String::new()
                    } else {
                        format!("; {dated}")
                    };
                    let _ = writeln!(
                        out,
                        "      {}",
                        style.dim(&format!(
                            "{} (read by {}{dated})",
                            version.cite.trim(),
                            definition.read_by.join(", ")
                        ))
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "      {}",
                        style.dim(&format!(
                            "no version in force: empty (read by {})",
                            definition.read_by.join(", ")
                        ))
                    );
                }
            }
        }
    }
    let _ = writeln!(out);
    match reading.remedy {
        Some(remedy) => {
            let dated = dates(remedy.effective, remedy.until);
            let dated = if dated.is_empty() {
                String::new()
            } else {
                format!(" ({dated})")
            };
            let _ = writeln!(
                out,
                "{}{dated}: {} — {}",
                style.bold("Remedy in force"),
                remedy.cite,
                remedy.text.trim()
            );
            let _ = writeln!(
                out,
                "  {} per {}",
                crate::exposure::remedy_amount(remedy),
                unit_name(remedy.unit)
            );
        }
        None => {
            let _ = writeln!(out, "{} none", style.bold("Remedy in force:"));
        }
    }
    if !reading.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", style.bold("Notes in force"));
        for note in &reading.notes {
            let _ = writeln!(out, "  • {} ({})", note.text.trim(), note.cite);
        }
    }
    if let Some(limitations) = &rule.limitations {
        let _ = writeln!(out);
        let _ = writeln!(out, "{} {}", style.bold("Limitations:"), limitations.trim());
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", style.bold(&format!("Changes around {date}")));
    neighbour(&mut out, &style, id, "Previous:", previous.as_ref());
    neighbour(&mut out, &style, id, "Next:", next.as_ref());
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "rule reference {} · every version: consentry explain {id}",
            super::doc_anchor(id)
        ))
    );
    out
}
