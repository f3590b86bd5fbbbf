//! Generates the commented scenario template of `consentry new` from the vocabulary.
//!
//! Facts, allowed values and meanings come from the vocabulary, so the template never drifts
//! from what the loader accepts.

use std::fmt::Write as _;

use crate::value::Date;
use crate::vocabulary::{FactDef, FactType, Vocabulary};

/// The tables of the template, in order, with the core facts of DESIGN.md §2 each shows.
/// Meanings, types and values all come from the vocabulary; a path the vocabulary does not
/// have (or has deprecated) is left out, and a test keeps this list current.
pub const CORE_FACTS: &[(&str, &[&str])] = &[
    ("scenario", &["title", "sources"]),
    ("operator", &["name", "kind", "country", "exemptions"]),
    (
        "service",
        &[
            "name",
            "kind",
            "audience",
            "actual_knowledge_under_13",
            "age_screen",
            "users",
        ],
    ),
    (
        "practice",
        &[
            "description",
            "data",
            "subjects",
            "regions",
            "source",
            "before_account",
            "purposes",
            "subjects_count",
        ],
    ),
    (
        "practice.notice",
        &[
            "written",
            "states_purpose",
            "states_retention",
            "before_collection",
            "online_policy",
            "direct_parent_notice",
        ],
    ),
    (
        "practice.consent",
        &[
            "kind",
            "before_collection",
            "from",
            "parental_method",
            "separate_for_disclosure",
        ],
    ),
    (
        "practice.retention",
        &[
            "written_policy",
            "policy_public",
            "max_days",
            "destroy_when_purpose_met",
            "schedule_followed",
        ],
    ),
    (
        "practice.security",
        &[
            "reasonable_care",
            "as_protective_as_other_sensitive",
            "written_program",
        ],
    ),
    ("practice.commerce", &["sold", "profited"]),
    (
        "practice.parental_rights",
        &[
            "review_provided",
            "deletion_honored",
            "conditioned_on_more_data",
        ],
    ),
    (
        "practice.disclosure",
        &[
            "id",
            "recipient",
            "relationship",
            "country",
            "purpose",
            "consent",
            "sold",
            "integral_to_service",
        ],
    ),
];

/// The practice id the template fills in.
pub const PRACTICE_ID: &str = "practice-1";

/// Longest comment line the template writes before wrapping.
const WIDTH: usize = 92;

/// Writes `text` as `#` comment lines of at most [`WIDTH`] characters, the first prefixed
/// with `first` and the rest with `rest`.
fn comment(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = String::from(first);
    let mut fresh = true;
    for word in text.split_whitespace() {
        if !fresh && line.chars().count() + 1 + word.chars().count() > WIDTH {
            let _ = writeln!(out, "{}", line.trim_end());
            line = String::from(rest);
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

/// What a fact may be, in words: its allowed values or the shape of its value.
fn allowed(vocab: &Vocabulary, fact: &FactDef) -> String {
    let terms = || {
        vocab
            .terms
            .iter()
            .filter(|t| t.replaced_by.is_none())
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    match fact.ty {
        FactType::Bool => "true | false".to_string(),
        FactType::Int | FactType::Number => match fact.min {
            Some(min) => format!("a number, at least {min}"),
            None => "a number".to_string(),
        },
        FactType::Date => "a TOML date without quotes, e.g. 2024-08-02".to_string(),
        FactType::Str => "free text".to_string(),
        FactType::ListString => "a list of free-text strings".to_string(),
        FactType::Enum => format!("one of: {}", fact.values.join(" | ")),
        FactType::ListEnum => format!("a list of: {}", fact.values.join(" | ")),
        FactType::Taxonomy => format!("one data category of rules/taxonomy.toml: {}", terms()),
        FactType::ListTaxonomy => format!(
            "a list of data categories of rules/taxonomy.toml (a parent matches its children): {}",
            terms()
        ),
        FactType::Region => {
            "a region code: ISO 3166-1 (US), a listed ISO 3166-2 subdivision (US-IL), or EU"
                .to_string()
        }
        FactType::ListRegion => {
            "a list of region codes: ISO 3166-1 (US), listed ISO 3166-2 subdivisions (US-IL), EU"
                .to_string()
        }
        FactType::Country => "an ISO 3166-1 alpha-2 country code, e.g. US".to_string(),
        FactType::ListCountry => "a list of ISO 3166-1 alpha-2 country codes".to_string(),
        FactType::MapRegionInt => "region code = number of people".to_string(),
    }
}

/// The placeholder of a commented fact line: `…` or `true | false` wherever a value must be
/// chosen, so a line uncommented without a real value fails `consentry validate` instead of
/// stating an invented fact.
fn placeholder(fact: &FactDef) -> &'static str {
    match fact.ty {
        FactType::Bool => "true | false",
        FactType::Int | FactType::Number | FactType::Date => "…",
        FactType::Str
        | FactType::Enum
        | FactType::Taxonomy
        | FactType::Region
        | FactType::Country => "\"…\"",
        FactType::ListEnum
        | FactType::ListString
        | FactType::ListTaxonomy
        | FactType::ListRegion
        | FactType::ListCountry => "[\"…\"]",
        FactType::MapRegionInt => "{ \"US\" = …, \"US-IL\" = … }",
    }
}

/// A fact of the vocabulary that a scenario may state (not deprecated).
fn current<'a>(vocab: &'a Vocabulary, path: &str) -> Option<&'a FactDef> {
    vocab.fact(path).filter(|f| f.deprecated_since.is_none())
}

/// Column at which the comments of filled-in lines start.
const COMMENT_COLUMN: usize = 32;

/// A line of TOML with a comment after it, the comments of such lines aligned.
fn aligned(out: &mut String, code: &str, note: &str) {
    let pad = COMMENT_COLUMN.saturating_sub(code.chars().count()).max(1);
    let _ = writeln!(out, "{code}{}# {note}", " ".repeat(pad));
}

/// One fact as commented lines: its meaning, what it may be, and the placeholder line.
fn fact_lines(out: &mut String, vocab: &Vocabulary, fact: &FactDef, key: &str) {
    comment(out, &format!("# {key}: "), "#   ", &fact.meaning);
    comment(out, "#   ", "#   ", &allowed(vocab, fact));
    let _ = writeln!(out, "# {key} = {}", placeholder(fact));
}

/// The facts of `table` in the vocabulary the template does not show: its own further keys,
/// and the keys of its sub-tables the template has no section for.
fn further(vocab: &Vocabulary, table: &str) -> Vec<String> {
    let shown: Vec<&str> = CORE_FACTS
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, keys)| keys.to_vec())
        .unwrap_or_default();
    let prefix = format!("{table}.");
    let mut own = Vec::new();
    let mut subtables: Vec<(String, Vec<String>)> = Vec::new();
    for fact in vocab
        .facts
        .values()
        .filter(|f| f.deprecated_since.is_none())
    {
        let Some(rest) = fact.path.strip_prefix(&prefix) else {
            continue;
        };
        match rest.split_once('.') {
            None if !shown.contains(&rest) && rest != "id" && rest != "as_of" => {
                own.push(rest.to_string());
            }
            None => {}
            Some((sub, key)) => {
                let name = format!("{table}.{sub}");
                if CORE_FACTS.iter().any(|(t, _)| *t == name) {
                    continue;
                }
                match subtables.iter_mut().find(|(t, _)| *t == name) {
                    Some((_, keys)) => keys.push(key.to_string()),
                    None => subtables.push((name, vec![key.to_string()])),
                }
            }
        }
    }
    let mut out = Vec::new();
    if !own.is_empty() {
        out.push(own.join(", "));
    }
    for (name, keys) in subtables {
        out.push(format!("[{name}] {}", keys.join(", ")));
    }
    out
}

/// The comment after a table naming its further facts in the vocabulary.
fn further_lines(out: &mut String, vocab: &Vocabulary, table: &str) {
    let more = further(vocab, table);
    if more.is_empty() {
        return;
    }
    comment(
        out,
        &format!("# More facts for [{table}] in rules/vocabulary.toml: "),
        "#   ",
        &more.join("; "),
    );
}

/// The scenario template for scenario `id` read as of `as_of`: every table of DESIGN.md §2's
/// core with its facts as commented lines (meaning, allowed values, a placeholder), the few
/// facts a scenario must state filled in, and after each table the names of its further facts.
pub fn scenario_template(vocab: &Vocabulary, id: &str, as_of: Date) -> String {
    let mut out = String::new();
    for line in [
        "# A consentry scenario: what one app or service does with people's data, as of one date.",
        "# Written by `consentry new` from the vocabulary (rules/vocabulary.toml).",
        "#",
        "# Absent facts are UNKNOWN, never false. Every fact below is commented out, so it is",
        "# unknown until you state it. The report lists the unknown facts that could change a",
        "# verdict as \"missing facts\", most decisive first: state what you know, and do not guess",
        "# a value to make a finding go away.",
        "#",
        "# To state a fact, uncomment its line and replace the placeholder (… or true | false)",
        "# with what is true; a placeholder left in place is an error, not a guess. Then run",
        "# `consentry validate` on this file, and `consentry check` for the findings.",
    ] {
        let _ = writeln!(out, "{line}");
    }
    for (table, keys) in CORE_FACTS {
        let _ = writeln!(out);
        if *table == "practice.disclosure" {
            comment(
                &mut out,
                "# ",
                "# ",
                "Each recipient of the practice's data gets a [[practice.disclosure]] block: uncomment the header line below too, once per recipient (a header alone would state a recipient nobody named).",
            );
        }
        match *table {
            "practice" => aligned(
                &mut out,
                "[[practice]]",
                "one processing activity; copy the block for each",
            ),
            "practice.disclosure" => {
                let _ = writeln!(out, "# [[practice.disclosure]]");
            }
            other => {
                let _ = writeln!(out, "[{other}]");
            }
        }
        match *table {
            "scenario" => {
                aligned(
                    &mut out,
                    &format!("id = \"{id}\""),
                    "the file name: lowercase-kebab, unique",
                );
                aligned(
                    &mut out,
                    &format!("as_of = {as_of}"),
                    "the date the law is read as of: it picks the versions in force",
                );
            }
            "practice" => aligned(
                &mut out,
                &format!("id = \"{PRACTICE_ID}\""),
                "rename it: a short kebab-case name, unique in the file",
            ),
            _ => {}
        }
        for key in *keys {
            if let Some(fact) = current(vocab, &format!("{table}.{key}")) {
                fact_lines(&mut out, vocab, fact, key);
            }
        }
        further_lines(&mut out, vocab, table);
    }
    let _ = writeln!(out);
    for line in [
        "# What this scenario must produce, checked by `consentry test`: rule ids by verdict,",
        "# optionally pinned to a practice (bipa.15b@practice-1) or a disclosure",
        "# (bipa.15d@practice-1/recipient-id). Uncomment once you know what to expect.",
        "# [expect]",
        "# likely-violation = []",
        "# possible-violation = []",
        "# compliant = []",
        "# not-applicable = []",
    ] {
        let _ = writeln!(out, "{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;

    fn vocabulary() -> Vocabulary {
        match Rulebook::embedded() {
            Ok(book) => book.vocabulary,
            Err(_) => unreachable!("the embedded rulebook loads"),
        }
    }

    #[test]
    fn every_core_fact_is_a_current_fact_of_the_vocabulary() {
        let vocab = vocabulary();
        for (table, keys) in CORE_FACTS {
            for key in *keys {
                let path = format!("{table}.{key}");
                assert!(current(&vocab, &path).is_some(), "{path}");
            }
        }
    }

    #[test]
    fn each_fact_line_gives_meaning_values_and_a_placeholder() {
        let vocab = vocabulary();
        let date = Date::new(2025, 1, 2).unwrap_or(Date {
            year: 2025,
            month: 1,
            day: 2,
        });
        let text = scenario_template(&vocab, "acme", date);
        assert!(text.contains("\n[scenario]\nid = \"acme\""));
        assert!(text.contains("as_of = 2025-01-02 "));
        assert!(text.contains(
            "#   one of: company | individual | nonprofit | government | court\n# kind = \"…\"\n"
        ));
        assert!(text.contains("# written = true | false\n"));
        assert!(text.contains("# [[practice.disclosure]]\n# id: "));
        assert!(text.contains("\n# recipient = \"…\"\n"));
        assert!(text.contains("# More facts for [practice.consent] in rules/vocabulary.toml: "));
        assert!(text.contains("[practice.biometric] ai_system, enrolled"));
        assert!(
            text.lines().all(|l| l.chars().count() <= 120),
            "short lines"
        );
    }

    #[test]
    fn comments_wrap_at_the_width() {
        let mut out = String::new();
        comment(&mut out, "# a: ", "#   ", &"word ".repeat(40));
        assert!(out.lines().count() > 1);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH));
    }
}
