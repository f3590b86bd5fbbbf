//! Loads the rulebook: vocabulary, taxonomy, regions and statute packs, checked once.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use serde::Deserialize;
use toml::Spanned;

use crate::condition::{self, Definitions, Expr, ScopeKind};
use crate::diagnostics::{Diagnostic, suggestion};
use crate::source::{Location, SourceFile};
use crate::toml_input::parse_typed;
use crate::value::Date;
use crate::vocabulary::{Domain, FactType, Vocabulary};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A statute pack's metadata.
#[derive(Debug, Clone)]
pub struct Statute {
    /// Lowercase id, the prefix of its rule ids.
    pub id: String,
    /// Full title.
    pub title: String,
    /// Citation of the statute as a whole.
    pub citation: String,
    /// Region whose law it is.
    pub jurisdiction: Option<String>,
    /// Enactment or effective date.
    pub enacted: Option<Date>,
    /// Date of the latest amendment encoded.
    pub version: String,
    /// Plain-words summary.
    pub summary: String,
    /// Who enforces it and how.
    pub enforcement: Option<String>,
    /// Dated notes every finding of the pack carries while they are in force (e.g. an
    /// amendment in force whose compliance date has not come).
    pub notes: Vec<Note>,
    /// The pack's file.
    pub file: Arc<SourceFile>,
}

/// A statute-level note, shown with every finding of the pack on the dates it covers.
#[derive(Debug, Clone)]
pub struct Note {
    /// Plain words.
    pub text: String,
    /// Citation.
    pub cite: String,
    /// First day it applies.
    pub effective: Option<Date>,
    /// First day it no longer applies.
    pub until: Option<Date>,
}

impl Statute {
    /// The notes in force on `date`.
    pub fn notes_on(&self, date: Date) -> impl Iterator<Item = &Note> {
        self.notes
            .iter()
            .filter(move |n| dated_in_force(n.effective, n.until, date))
    }
}

/// Which list an element belongs to, and so what its truth means for the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementKind {
    /// Must hold for the duty to attach.
    Applies,
    /// Takes the case out of the rule when it holds.
    Exception,
    /// What the duty demands; a failure is a breach.
    Requires,
}

impl ElementKind {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Applies => "applies",
            Self::Exception => "exception",
            Self::Requires => "requires",
        }
    }
}

/// One legal element of a rule.
#[derive(Debug, Clone)]
pub struct Element {
    /// Applies, exception or requires.
    pub kind: ElementKind,
    /// Kebab-case id, unique within the rule.
    pub id: String,
    /// The element in plain words.
    pub text: String,
    /// Pinpoint citation.
    pub cite: String,
    /// The condition, parsed and type-checked.
    pub condition: Expr,
    /// What would cure a failure (requires elements).
    pub fix: Option<String>,
    /// Whether an unknown value is decided by presumption (and listed as an assumption):
    /// held for applies/requires elements, not held for exceptions.
    pub presumed: bool,
    /// The value a presumed element takes when its condition is unknown: true for applies
    /// and requires elements, false for exceptions, unless `presume` says otherwise.
    pub presumed_holds: bool,
    /// Facts whose being stated lifts the presumption: it applies only while none of them
    /// is stated (e.g. "a template made to match people can identify them" stops once the
    /// scenario says what the template is used for).
    pub presumed_while_unstated: Vec<String>,
    /// First day the element is part of the rule.
    pub effective: Option<Date>,
    /// First day it no longer is.
    pub until: Option<Date>,
    /// The pack-level `[[element]]` it takes in with `use`, if any.
    pub shared: Option<String>,
    /// Where the element is written.
    pub location: Location,
}

/// How an exposure estimate counts people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Count {
    /// The practice's `subjects_count`.
    Persons,
    /// People of the practice in one region.
    PersonsInRegion(String),
    /// Children under 13 of the practice (`practice.children_count`, or `subjects_count`
    /// when children under 13 are its only subjects).
    Children,
    /// Once per finding, whatever the number of people (e.g. a fine on the undertaking,
    /// or a penalty per transaction).
    Once,
}

/// What one unit of the remedy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Once per person.
    Person,
    /// Once per violation (the count is a floor: one per person).
    Violation,
    /// Once per capture of each person (`practice.captures_per_person`).
    Scan,
}

/// A remedy (damages or penalty) of a rule, possibly dated.
#[derive(Debug, Clone)]
pub struct Remedy {
    /// Plain words.
    pub text: String,
    /// Pinpoint citation.
    pub cite: String,
    /// liquidated-damages, civil-penalty, administrative-fine.
    pub kind: String,
    /// ISO currency code.
    pub currency: String,
    /// Per-unit amount for the least culpable conduct; absent for "up to" penalties.
    pub low: Option<f64>,
    /// Per-unit maximum.
    pub high: f64,
    /// What one unit is.
    pub unit: Unit,
    /// Who is counted.
    pub count: Count,
    /// First day in force.
    pub effective: Option<Date>,
    /// First day no longer in force.
    pub until: Option<Date>,
    /// A note the estimate carries when the practice began before this date (e.g. a
    /// counting rule whose reach back in time is disputed).
    pub conduct_before: Option<(Date, String)>,
    /// What the two amounts are for (`low`, then `high`), e.g. negligent and reckless or
    /// intentional conduct; `None` reads "lower tier" and "higher tier".
    pub tiers: Option<(String, String)>,
    /// A second cap that applies when it is higher and that no fact gives, in words (e.g.
    /// "4% of the undertaking's worldwide annual turnover"): the estimate shows the fixed
    /// amount and says so.
    pub or_greater: Option<String>,
    /// How the estimates of several findings add up in a total.
    pub combine: Combine,
}

/// How findings' estimates under one remedy add up in a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// Each finding adds its estimate.
    Add,
    /// The findings of one practice under the same statute count once, at the gravest
    /// (e.g. GDPR Art. 83(3): infringements in the same or linked processing operations are
    /// together capped at the amount for the gravest one).
    GravestPerPractice,
}

/// One version of a rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `<statute>.<section>`.
    pub id: String,
    /// The statute pack.
    pub statute: String,
    /// Short title.
    pub title: String,
    /// Pinpoint citation.
    pub citation: String,
    /// What it is evaluated over.
    pub scope: ScopeKind,
    /// First day of this version.
    pub effective: Date,
    /// First day after it.
    pub until: Option<Date>,
    /// What it checks.
    pub summary: String,
    /// Why: the statute and the cases.
    pub why: String,
    /// What the encoding does not capture.
    pub limitations: Option<String>,
    /// Example scenarios: (violating, compliant).
    pub examples: Option<(String, String)>,
    /// All elements, in file order within each kind.
    pub elements: Vec<Element>,
    /// Remedies, possibly dated.
    pub remedies: Vec<Remedy>,
    /// Where the rule is written.
    pub location: Location,
}

impl Rule {
    /// Whether this version is in force on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.effective <= date && self.until.is_none_or(|until| date < until)
    }

    /// The elements in force on `date`.
    pub fn elements_on(&self, date: Date) -> impl Iterator<Item = &Element> {
        self.elements
            .iter()
            .filter(move |e| dated_in_force(e.effective, e.until, date))
    }

    /// The remedy in force on `date`.
    pub fn remedy_on(&self, date: Date) -> Option<&Remedy> {
        self.remedies
            .iter()
            .find(|r| dated_in_force(r.effective, r.until, date))
    }
}

impl Definition {
    /// The values of the version of `versions` in force on `date` (empty when none is).
    pub fn on(versions: &[Definition], date: Date) -> &[String] {
        versions
            .iter()
            .find(|d| dated_in_force(d.effective, d.until, date))
            .map_or(&[], |d| d.values.as_slice())
    }
}

/// One version of a named set.
#[derive(Debug, Clone)]
pub struct Definition {
    /// snake_case name.
    pub name: String,
    /// The values.
    pub values: Vec<String>,
    /// The domain the values come from.
    pub domain: Domain,
    /// Plain words.
    pub text: String,
    /// Citation.
    pub cite: String,
    /// First day in force.
    pub effective: Option<Date>,
    /// First day no longer in force.
    pub until: Option<Date>,
    /// Where the definition's `name` is written.
    pub location: Location,
}

fn dated_in_force(effective: Option<Date>, until: Option<Date>, date: Date) -> bool {
    effective.is_none_or(|e| e <= date) && until.is_none_or(|u| date < u)
}

/// A statute pack none of whose rules is in force on some date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfForce {
    /// The pack.
    pub statute: String,
    /// The day its first rule takes effect.
    pub first: Date,
    /// The first day after its last rule ended, when the date is past that.
    pub ended: Option<Date>,
}

/// The loaded, checked rulebook.
#[derive(Debug, Clone)]
pub struct Rulebook {
    /// Facts, taxonomy and regions.
    pub vocabulary: Vocabulary,
    /// Statute packs, by id.
    pub statutes: BTreeMap<String, Statute>,
    /// Rule versions by rule id, each list sorted by effective date.
    pub rules: BTreeMap<String, Vec<Rule>>,
    /// Definitions by statute id, then name; each list holds the dated versions.
    pub definitions: BTreeMap<String, BTreeMap<String, Vec<Definition>>>,
    /// Rule ids in reading order: numbers compare as numbers, so `coppa.312.4b` comes
    /// before `coppa.312.10` (kept in step with `rules` by the loader).
    order: Vec<String>,
    /// Rule ids of the packs `--statute` left out: still valid in a scenario's `[expect]`,
    /// which then does not check them.
    filtered_out: Vec<String>,
    /// Rule ids of another rulebook this one is compared with (`consentry diff`): also valid
    /// in a scenario's `[expect]`, and not checked, so a rule added or removed between the two
    /// does not stop a scenario naming it from loading under the other.
    compared_with: Vec<String>,
    /// Pack-level `[[element]]`s by statute id, then id: where each is written.
    pub shared_elements: BTreeMap<String, BTreeMap<String, Location>>,
}

/// Sort key of a rule id reading digit runs as numbers: `312.4b` < `312.10`.
pub fn natural_key(id: &str) -> Vec<(u8, u64, String)> {
    let mut key = Vec::new();
    let mut rest = id;
    while let Some(c) = rest.chars().next() {
        let digits = c.is_ascii_digit();
        let end = rest
            .find(|ch: char| ch.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (part, tail) = rest.split_at(end);
        key.push(if digits {
            (0, part.parse().unwrap_or(u64::MAX), part.to_string())
        } else {
            (1, 0, part.to_string())
        });
        rest = tail;
    }
    key
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    statute: StatuteEntry,
    #[serde(default)]
    definition: Vec<Spanned<DefinitionEntry>>,
    /// Elements written once and used by several rules (`use = "id"`).
    #[serde(default)]
    element: Vec<Spanned<SharedElementEntry>>,
    /// Remedies written once and used by several rules (`remedies = "id"`); entries with
    /// one id are the dated versions of that remedy.
    #[serde(default)]
    remedy: Vec<Spanned<RemedyEntry>>,
    /// Dated notes shown with every finding of the pack.
    #[serde(default)]
    note: Vec<NoteEntry>,
    #[serde(default)]
    rule: Vec<Spanned<RuleEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatuteEntry {
    id: Spanned<String>,
    title: String,
    citation: String,
    jurisdiction: Option<String>,
    enacted: Option<Date>,
    version: String,
    summary: String,
    enforcement: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefinitionEntry {
    name: Spanned<String>,
    of: Spanned<String>,
    values: Vec<Spanned<String>>,
    text: String,
    cite: String,
    effective: Option<Date>,
    until: Option<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Examples {
    violating: String,
    compliant: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    id: Spanned<String>,
    title: String,
    citation: String,
    scope: Spanned<String>,
    effective: Date,
    until: Option<Date>,
    summary: String,
    why: String,
    limitations: Option<String>,
    examples: Option<Examples>,
    #[serde(default)]
    applies: Vec<Spanned<ElementEntry>>,
    #[serde(default)]
    exceptions: Vec<Spanned<ElementEntry>>,
    #[serde(default)]
    requires: Vec<Spanned<ElementEntry>>,
    #[serde(default)]
    remedy: Vec<Spanned<RemedyEntry>>,
    /// The id of pack-level `[[remedy]]` entries this rule's remedy comes from.
    remedies: Option<Spanned<String>>,
}

/// An element of a rule as written: either complete, or `use` of a shared element with
/// any field given here overriding the shared one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementEntry {
    #[serde(rename = "use")]
    uses: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    text: Option<String>,
    cite: Option<String>,
    when: Option<Spanned<String>>,
    fix: Option<String>,
    presumed: Option<bool>,
    presume: Option<Spanned<String>>,
    presumed_while_unstated: Option<Spanned<Vec<String>>>,
    effective: Option<Date>,
    until: Option<Date>,
}

/// A pack-level `[[element]]`: written once, used by several rules.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct SharedElementEntry {
    id: Spanned<String>,
    text: String,
    cite: String,
    when: Spanned<String>,
    fix: Option<String>,
    presumed: Option<bool>,
    presume: Option<Spanned<String>>,
    presumed_while_unstated: Option<Spanned<Vec<String>>>,
    effective: Option<Date>,
    until: Option<Date>,
}

/// An element with every field resolved (after `use`).
struct ResolvedElement {
    uses: Option<String>,
    id: Spanned<String>,
    text: String,
    cite: String,
    when: Spanned<String>,
    fix: Option<String>,
    presumed: Option<bool>,
    presume: Option<Spanned<String>>,
    presumed_while_unstated: Option<Spanned<Vec<String>>>,
    effective: Option<Date>,
    until: Option<Date>,
}

/// What the rules of one pack share: its definitions and its shared elements.
struct PackContext<'a> {
    definitions: &'a Definitions,
    shared: &'a BTreeMap<String, SharedElementEntry>,
    remedies: &'a BTreeMap<String, Vec<RemedyEntry>>,
}

/// Resolves `use` against the pack's shared elements; a missing field or an unknown name
/// is a diagnostic.
fn resolve_element(
    file: &Arc<SourceFile>,
    entry: Spanned<ElementEntry>,
    shared: &BTreeMap<String, SharedElementEntry>,
) -> Result<ResolvedElement, Diagnostic> {
    let span = entry.span();
    let entry = entry.into_inner();
    let base = match &entry.uses {
        Some(name) => match shared.get(name.get_ref()) {
            Some(base) => Some(base.clone()),
            None => {
                let names: Vec<&str> = shared.keys().map(String::as_str).collect();
                let diag = Diagnostic::error(
                    file,
                    name.span(),
                    format!("unknown shared element `{}`", name.get_ref()),
                );
                return Err(match suggestion(name.get_ref(), &names) {
                    Some(help) => diag.with_help(help),
                    None => diag.with_help("declare it as a pack-level `[[element]]`"),
                });
            }
        },
        None => None,
    };
    if base.is_some() {
        for (field, given) in [("id", entry.id.is_some()), ("when", entry.when.is_some())] {
            if given {
                return Err(Diagnostic::error(
                    file,
                    span.clone(),
                    format!("an element that uses a shared element cannot set its own `{field}`"),
                )
                .with_help(
                    "a use may change `text`, `cite`, `fix`, `presumed`, `presume`, `presumed_while_unstated` and the dates; write a separate element for a different condition",
                ));
            }
        }
    }
    let id = entry
        .id
        .or_else(|| base.as_ref().map(|b| b.id.clone()))
        .ok_or_else(|| {
            Diagnostic::error(file, span.clone(), "element has no `id`")
                .with_help("give `id`, `text`, `cite` and `when`, or `use` a shared `[[element]]`")
        })?;
    let missing = |field: &str| {
        Diagnostic::error(
            file,
            span.clone(),
            format!("element `{}` has no `{field}`", id.get_ref()),
        )
        .with_help("give `id`, `text`, `cite` and `when`, or `use` a shared `[[element]]`")
    };
    let text = entry
        .text
        .or_else(|| base.as_ref().map(|b| b.text.clone()))
        .ok_or_else(|| missing("text"))?;
    let cite = entry
        .cite
        .or_else(|| base.as_ref().map(|b| b.cite.clone()))
        .ok_or_else(|| missing("cite"))?;
    let when = entry
        .when
        .or_else(|| base.as_ref().map(|b| b.when.clone()))
        .ok_or_else(|| missing("when"))?;
    for (field, value) in [("text", &text), ("cite", &cite)] {
        if value.trim().is_empty() {
            return Err(Diagnostic::error(
                file,
                span.clone(),
                format!("element `{}` has an empty `{field}`", id.get_ref()),
            )
            .with_help(if field == "text" {
                "state the element in plain words, the way a lawyer would"
            } else {
                "give the pinpoint citation, e.g. `740 ILCS 14/15(b)(1)`"
            }));
        }
    }
    Ok(ResolvedElement {
        uses: entry.uses.map(Spanned::into_inner),
        id,
        text,
        cite,
        when,
        fix: entry
            .fix
            .or_else(|| base.as_ref().and_then(|b| b.fix.clone())),
        presumed: entry.presumed.or(base.as_ref().and_then(|b| b.presumed)),
        presume: entry
            .presume
            .or_else(|| base.as_ref().and_then(|b| b.presume.clone())),
        presumed_while_unstated: entry.presumed_while_unstated.or_else(|| {
            base.as_ref()
                .and_then(|b| b.presumed_while_unstated.clone())
        }),
        effective: entry.effective.or(base.as_ref().and_then(|b| b.effective)),
        until: entry.until.or(base.as_ref().and_then(|b| b.until)),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteEntry {
    text: String,
    cite: String,
    effective: Option<Date>,
    until: Option<Date>,
}

/// A remedy as written in a rule, or at pack level with the `id` rules name it by.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RemedyEntry {
    id: Option<Spanned<String>>,
    text: String,
    cite: String,
    kind: Spanned<String>,
    currency: String,
    low: Option<f64>,
    high: f64,
    unit: Spanned<String>,
    count: Spanned<String>,
    region: Option<Spanned<String>>,
    effective: Option<Date>,
    until: Option<Date>,
    conduct_before: Option<ConductNoteEntry>,
    tiers: Option<Spanned<Vec<String>>>,
    or_greater: Option<String>,
    combine: Option<Spanned<String>>,
}

/// A note for estimates of conduct that began before a date (`conduct_before`).
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct ConductNoteEntry {
    date: Date,
    text: String,
}

/// The files of the embedded rulebook, named as they are in the repository.
pub fn embedded_files() -> Vec<Arc<SourceFile>> {
    EMBEDDED_RULES
        .par_iter()
        .map(|(name, text)| SourceFile::new(format!("rules/{name}"), *text))
        .collect()
}

const SUPPORT_FILES: [&str; 3] = ["vocabulary.toml", "taxonomy.toml", "regions.toml"];

fn file_stem_name(file: &SourceFile) -> &str {
    file.name.rsplit(['/', '\\']).next().unwrap_or(&file.name)
}

impl Rulebook {
    /// Loads the rulebook compiled into the binary.
    pub fn embedded() -> Result<Self, Vec<Diagnostic>> {
        Self::load(&embedded_files())
    }

    /// Loads a rulebook from its files: `vocabulary.toml`, `taxonomy.toml`, `regions.toml` and
    /// one `*.toml` per statute pack. Every problem in every file is reported.
    pub fn load(files: &[Arc<SourceFile>]) -> Result<Self, Vec<Diagnostic>> {
        let find = |name: &str| files.iter().find(|f| file_stem_name(f) == name);
        let (Some(vocab_file), Some(taxonomy_file), Some(regions_file)) = (
            find(SUPPORT_FILES[0]),
            find(SUPPORT_FILES[1]),
            find(SUPPORT_FILES[2]),
        ) else {
            return Err(vec![Diagnostic::file_error(
                "rules",
                "a rulebook needs vocabulary.toml, taxonomy.toml and regions.toml",
            )]);
        };
        for name in SUPPORT_FILES {
            let mut same = files.iter().filter(|f| file_stem_name(f) == name);
            if let (Some(first), Some(second)) = (same.next(), same.next()) {
                return Err(vec![
                    Diagnostic::file_error(
                        &second.name,
                        format!("a second `{name}`: the rulebook already has {}", first.name),
                    )
                    .with_help("a rulebook has one vocabulary, taxonomy and regions file; give it in one `--rules` folder"),
                ]);
            }
        }
        // Parsing the TOML is most of the start-up cost: the statute packs are parsed in
        // parallel, beside the vocabulary, then added in file order as before.
        let packs: Vec<&Arc<SourceFile>> = files
            .iter()
            .filter(|f| !SUPPORT_FILES.contains(&file_stem_name(f)))
            .collect();
        let (vocabulary, parsed) = rayon::join(
            || Vocabulary::load(vocab_file, taxonomy_file, regions_file),
            || {
                packs
                    .par_iter()
                    .map(|file| parse_typed::<PackFile>(file))
                    .collect::<Vec<_>>()
            },
        );
        let vocabulary = vocabulary?;
        let mut book = Rulebook {
            vocabulary,
            statutes: BTreeMap::new(),
            rules: BTreeMap::new(),
            definitions: BTreeMap::new(),
            order: Vec::new(),
            filtered_out: Vec::new(),
            compared_with: Vec::new(),
            shared_elements: BTreeMap::new(),
        };
        let mut errors = Vec::new();
        for (file, pack) in packs.into_iter().zip(parsed) {
            match pack {
                Ok(pack) => book.load_pack(file, pack, &mut errors),
                Err(err) => errors.push(err),
            }
        }
        book.check_versions(&mut errors);
        book.sort_order();
        if errors.is_empty() {
            Ok(book)
        } else {
            Err(errors)
        }
    }

    /// Keeps only the named statute packs; an unknown id is an error with a suggestion.
    pub fn retain_statutes(&mut self, ids: &[String]) -> Result<(), Diagnostic> {
        for id in ids {
            if !self.statutes.contains_key(id) {
                let known: Vec<&str> = self.statutes.keys().map(String::as_str).collect();
                let mut diag =
                    Diagnostic::file_error("--statute", format!("unknown statute pack `{id}`"));
                if let Some(help) = suggestion(id, &known) {
                    diag = diag.with_help(help);
                }
                return Err(diag);
            }
        }
        self.filtered_out.extend(
            self.rules
                .iter()
                .filter(|(_, versions)| versions.first().is_some_and(|r| !ids.contains(&r.statute)))
                .map(|(id, _)| id.clone()),
        );
        self.statutes.retain(|id, _| ids.contains(id));
        self.rules
            .retain(|_, versions| versions.first().is_some_and(|r| ids.contains(&r.statute)));
        self.definitions.retain(|id, _| ids.contains(id));
        self.shared_elements.retain(|id, _| ids.contains(id));
        self.sort_order();
        Ok(())
    }

    /// The statute packs (with at least one rule) that have no rule in force on `date`: the
    /// date falls before the pack's first rule or after its last one ended.
    pub fn packs_out_of_force(&self, date: Date) -> Vec<OutOfForce> {
        let mut out = Vec::new();
        for statute in self.statutes.keys() {
            let versions: Vec<&Rule> = self
                .rules
                .values()
                .flatten()
                .filter(|r| &r.statute == statute)
                .collect();
            if versions.is_empty() || versions.iter().any(|r| r.in_force(date)) {
                continue;
            }
            let first = versions.iter().map(|r| r.effective).min();
            let ended = if versions.iter().any(|r| r.until.is_none()) {
                None
            } else {
                versions.iter().filter_map(|r| r.until).max()
            };
            if let Some(first) = first {
                out.push(OutOfForce {
                    statute: statute.clone(),
                    first,
                    ended: ended.filter(|end| *end <= date),
                });
            }
        }
        out
    }

    /// Whether any rule of the rulebook is in force on `date`.
    pub fn any_rule_in_force(&self, date: Date) -> bool {
        self.rules.values().flatten().any(|r| r.in_force(date))
    }

    /// Every rule id, in reading order (`coppa.312.4b` before `coppa.312.10`).
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    /// Also accepts the rule ids of `other` in scenarios' `[expect]` blocks (without checking
    /// them), for comparing the two rulebooks on the same scenarios.
    pub fn accept_expectations_of(&mut self, other: &Rulebook) {
        let known: Vec<String> = self.expectable_rule_ids().map(String::from).collect();
        let extra: Vec<String> = other
            .expectable_rule_ids()
            .filter(|id| !known.iter().any(|k| k == id))
            .map(String::from)
            .collect();
        self.compared_with.extend(extra);
    }

    /// Every rule id a scenario's `[expect]` may name: this rulebook's, those of packs left
    /// out with `--statute`, and those of a rulebook it is compared with.
    pub fn expectable_rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rule_ids()
            .chain(self.filtered_out_rule_ids())
            .chain(self.compared_with.iter().map(String::as_str))
    }

    /// Rule ids of the statute packs left out by [`Rulebook::retain_statutes`].
    pub fn filtered_out_rule_ids(&self) -> impl Iterator<Item = &str> {
        self.filtered_out.iter().map(String::as_str)
    }

    /// The versions of every rule, in the reading order of [`Rulebook::rule_ids`].
    pub fn rules_in_order(&self) -> impl Iterator<Item = &[Rule]> {
        self.order
            .iter()
            .filter_map(|id| self.rules.get(id).map(Vec::as_slice))
    }

    fn sort_order(&mut self) {
        let mut ids: Vec<String> = self.rules.keys().cloned().collect();
        ids.sort_by_cached_key(|id| natural_key(id));
        self.order = ids;
    }

    /// The version of `id` in force on `date`.
    pub fn rule_on(&self, id: &str, date: Date) -> Option<&Rule> {
        self.rules.get(id)?.iter().find(|r| r.in_force(date))
    }

    /// Every dated version of definition `name` of `statute` (empty when there is none).
    pub fn definition_versions(&self, statute: &str, name: &str) -> &[Definition] {
        self.definitions
            .get(statute)
            .and_then(|defs| defs.get(name))
            .map_or(&[], Vec::as_slice)
    }

    /// The version of definition `name` of `statute` in force on `date`, if any.
    pub fn definition_version_on(
        &self,
        statute: &str,
        name: &str,
        date: Date,
    ) -> Option<&Definition> {
        self.definition_versions(statute, name)
            .iter()
            .find(|d| dated_in_force(d.effective, d.until, date))
    }

    /// The values of definition `name` of `statute` in force on `date` (empty when none is).
    pub fn definition_on(&self, statute: &str, name: &str, date: Date) -> &[String] {
        self.definitions
            .get(statute)
            .and_then(|defs| defs.get(name))
            .map_or(&[], |versions| Definition::on(versions, date))
    }

    fn load_pack(&mut self, file: &Arc<SourceFile>, pack: PackFile, errors: &mut Vec<Diagnostic>) {
        let statute_id = pack.statute.id.get_ref().clone();
        if let Some(existing) = self.statutes.get(&statute_id) {
            errors.push(Diagnostic::error(
                file,
                pack.statute.id.span(),
                format!(
                    "statute pack `{statute_id}` is also defined in {}",
                    existing.file.name
                ),
            ));
            return;
        }
        if statute_id.is_empty()
            || !statute_id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            errors.push(Diagnostic::error(
                file,
                pack.statute.id.span(),
                "a statute id is lowercase letters and digits",
            ));
        }

        let mut definitions: BTreeMap<String, Vec<Definition>> = BTreeMap::new();
        for entry in pack.definition {
            let span = entry.span();
            let def = entry.into_inner();
            let Some(domain) = self.definition_domain(file, &def.of, errors) else {
                continue;
            };
            for value in &def.values {
                let diag = |message: String| Diagnostic::error(file, value.span(), message);
                if let Some(replacement) = self.vocabulary.replacement(&domain, value.get_ref()) {
                    errors.push(
                        diag(format!(
                            "definition `{}`: '{}' is deprecated",
                            def.name.get_ref(),
                            value.get_ref()
                        ))
                        .with_help(format!("replaced by `{replacement}`")),
                    );
                } else if !self.vocabulary.allows(&domain, value.get_ref()) {
                    let values = self.vocabulary.domain_values(&domain);
                    let mut diag = diag(format!(
                        "definition `{}`: '{}' is not a value of `{}`",
                        def.name.get_ref(),
                        value.get_ref(),
                        def.of.get_ref()
                    ));
                    if let Some(help) = suggestion(value.get_ref(), &values) {
                        diag = diag.with_help(help);
                    }
                    errors.push(diag);
                }
            }
            let versions = definitions.entry(def.name.get_ref().clone()).or_default();
            if versions
                .iter()
                .any(|other| ranges_overlap(other.effective, other.until, def.effective, def.until))
            {
                errors.push(
                    Diagnostic::error(
                        file,
                        span,
                        format!(
                            "two versions of definition `{}` are in force on the same day",
                            def.name.get_ref()
                        ),
                    )
                    .with_help("give each version `effective` / `until` dates that do not overlap"),
                );
            }
            versions.push(Definition {
                location: Location::new(file, def.name.span()),
                name: def.name.into_inner(),
                values: def.values.into_iter().map(Spanned::into_inner).collect(),
                domain,
                text: def.text,
                cite: def.cite,
                effective: def.effective,
                until: def.until,
            });
        }
        // Values already reported as not allowed are left out, so conditions using the
        // definition do not report them a second time.
        let def_values: Definitions = definitions
            .iter()
            .map(|(name, versions)| {
                (
                    name.clone(),
                    versions
                        .iter()
                        .flat_map(|d| {
                            d.values
                                .iter()
                                .filter(|v| self.vocabulary.allows(&d.domain, v))
                                .cloned()
                        })
                        .collect(),
                )
            })
            .collect();

        let mut shared = BTreeMap::new();
        let mut shared_locations = BTreeMap::new();
        for entry in pack.element {
            let element_span = entry.span();
            let element = entry.into_inner();
            let name = element.id.get_ref().clone();
            if shared.contains_key(&name) {
                errors.push(Diagnostic::error(
                    file,
                    element.id.span(),
                    format!("shared element `{name}` is declared twice"),
                ));
                continue;
            }
            shared_locations.insert(name.clone(), Location::new(file, element_span));
            shared.insert(name, element);
        }
        let mut shared_remedies: BTreeMap<String, Vec<RemedyEntry>> = BTreeMap::new();
        for entry in pack.remedy {
            let span = entry.span();
            let remedy = entry.into_inner();
            match &remedy.id {
                Some(id) => shared_remedies
                    .entry(id.get_ref().clone())
                    .or_default()
                    .push(remedy),
                None => errors.push(
                    Diagnostic::error(file, span, "a pack-level `[[remedy]]` needs an `id`")
                        .with_help("rules take it in with `remedies = \"<id>\"`"),
                ),
            }
        }
        let pack_context = PackContext {
            definitions: &def_values,
            shared: &shared,
            remedies: &shared_remedies,
        };
        // Parsing and type-checking the conditions is the other half of the start-up cost:
        // the rules are compiled in parallel, and added (with their errors) in file order.
        let loaded: Vec<(Option<Rule>, Vec<Diagnostic>)> = pack
            .rule
            .into_par_iter()
            .map(|entry| {
                let rule_span = entry.span();
                let mut rule_errors = Vec::new();
                let rule = self.load_rule(
                    file,
                    &statute_id,
                    entry.into_inner(),
                    rule_span,
                    &pack_context,
                    &mut rule_errors,
                );
                (rule, rule_errors)
            })
            .collect();
        for (rule, rule_errors) in loaded {
            errors.extend(rule_errors);
            if let Some(rule) = rule {
                self.rules.entry(rule.id.clone()).or_default().push(rule);
            }
        }
        self.definitions.insert(statute_id.clone(), definitions);
        self.shared_elements
            .insert(statute_id.clone(), shared_locations);
        self.statutes.insert(
            statute_id.clone(),
            Statute {
                id: statute_id,
                title: pack.statute.title,
                citation: pack.statute.citation,
                jurisdiction: pack.statute.jurisdiction,
                enacted: pack.statute.enacted,
                version: pack.statute.version,
                summary: pack.statute.summary,
                enforcement: pack.statute.enforcement,
                notes: pack
                    .note
                    .into_iter()
                    .map(|n| Note {
                        text: n.text,
                        cite: n.cite,
                        effective: n.effective,
                        until: n.until,
                    })
                    .collect(),
                file: Arc::clone(file),
            },
        );
    }

    fn definition_domain(
        &self,
        file: &Arc<SourceFile>,
        of: &Spanned<String>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Domain> {
        match of.get_ref().as_str() {
            "taxonomy" => return Some(Domain::Taxonomy),
            "region" => return Some(Domain::Region),
            "country" => return Some(Domain::Country),
            _ => {}
        }
        match self.vocabulary.fact(of.get_ref()) {
            Some(fact) if matches!(fact.ty, FactType::Enum | FactType::ListEnum) => {
                Some(fact.domain())
            }
            Some(fact) => {
                errors.push(Diagnostic::error(
                    file,
                    of.span(),
                    format!(
                        "`{}` is a {} fact; a definition draws its values from an enum fact",
                        fact.path,
                        fact.ty.name()
                    ),
                ));
                None
            }
            None => {
                let mut candidates: Vec<&str> =
                    self.vocabulary.facts.keys().map(String::as_str).collect();
                candidates.extend(["taxonomy", "region", "country"]);
                let mut diag = Diagnostic::error(
                    file,
                    of.span(),
                    format!("unknown domain `{}`", of.get_ref()),
                );
                if let Some(help) = suggestion(of.get_ref(), &candidates) {
                    diag = diag.with_help(help);
                }
                errors.push(diag);
                None
            }
        }
    }

    fn load_rule(
        &self,
        file: &Arc<SourceFile>,
        statute: &str,
        entry: RuleEntry,
        span: Range<usize>,
        pack: &PackContext<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Rule> {
        let id = entry.id.get_ref().clone();
        let before = errors.len();
        if !id.starts_with(&format!("{statute}."))
            || id
                .chars()
                .any(|c| c.is_ascii_uppercase() || c.is_whitespace())
        {
            errors.push(
                Diagnostic::error(
                    file,
                    entry.id.span(),
                    format!("rule id `{id}` must be `{statute}.<section>` in lowercase"),
                )
                .with_help(format!("e.g. `{statute}.15b`")),
            );
        }
        let scope = match entry.scope.get_ref().as_str() {
            "service" => ScopeKind::Service,
            "practice" => ScopeKind::Practice,
            "disclosure" => ScopeKind::Disclosure,
            other => {
                errors.push(
                    Diagnostic::error(file, entry.scope.span(), format!("unknown scope `{other}`"))
                        .with_help("allowed values: `service`, `practice`, `disclosure`"),
                );
                ScopeKind::Practice
            }
        };
        if entry.until.is_some_and(|until| until <= entry.effective) {
            errors.push(Diagnostic::error(
                file,
                span.clone(),
                format!("rule `{id}` ends (`until`) before it starts (`effective`)"),
            ));
        }
        let mut elements = Vec::new();
        let lists = [
            (ElementKind::Applies, entry.applies),
            (ElementKind::Exception, entry.exceptions),
            (ElementKind::Requires, entry.requires),
        ];
        for (kind, list) in lists {
            for element in list {
                let element_span = element.span();
                let element = match resolve_element(file, element, pack.shared) {
                    Ok(element) => element,
                    Err(diag) => {
                        errors.push(diag);
                        continue;
                    }
                };
                if elements
                    .iter()
                    .any(|e: &Element| e.id == *element.id.get_ref())
                {
                    errors.push(Diagnostic::error(
                        file,
                        element.id.span(),
                        format!(
                            "element id `{}` is used twice in `{id}`",
                            element.id.get_ref()
                        ),
                    ));
                }
                if kind == ElementKind::Requires && element.fix.as_deref().is_none_or(str::is_empty)
                {
                    errors.push(
                        Diagnostic::error(
                            file,
                            element_span.clone(),
                            format!("requires element `{}` has no `fix`", element.id.get_ref()),
                        )
                        .with_help("say what would cure a failure of this element"),
                    );
                }
                let condition =
                    match self.compile_condition(file, &element.when, scope, pack.definitions) {
                        Ok(condition) => condition,
                        Err(diag) => {
                            errors.push(diag);
                            continue;
                        }
                    };
                let presumed_holds = match element.presume.as_ref().map(|p| p.get_ref().as_str()) {
                    None => kind != ElementKind::Exception,
                    Some("holds") => true,
                    Some("fails") => false,
                    Some(other) => {
                        if let Some(p) = &element.presume {
                            errors.push(
                                Diagnostic::error(
                                    file,
                                    p.span(),
                                    format!("unknown presumption `{other}`"),
                                )
                                .with_help("allowed values: `holds`, `fails`"),
                            );
                        }
                        kind != ElementKind::Exception
                    }
                };
                let mut presumed_while_unstated = Vec::new();
                if let Some(paths) = &element.presumed_while_unstated {
                    let read = condition.paths();
                    for path in paths.get_ref() {
                        if read.contains(&path.as_str()) {
                            presumed_while_unstated.push(path.clone());
                        } else {
                            errors.push(
                                Diagnostic::error(
                                    file,
                                    paths.span(),
                                    format!("`presumed_while_unstated` names `{path}`, which the element's condition does not read"),
                                )
                                .with_help(format!(
                                    "name facts the condition reads: {}",
                                    read.join(", ")
                                )),
                            );
                        }
                    }
                }
                elements.push(Element {
                    kind,
                    id: element.id.into_inner(),
                    text: element.text,
                    cite: element.cite,
                    condition,
                    fix: element.fix,
                    // Exceptions are defences: unless the rule opts out, an unstated one is
                    // presumed not to hold.
                    presumed: element.presumed.unwrap_or(kind == ElementKind::Exception)
                        || element.presume.is_some(),
                    presumed_holds,
                    presumed_while_unstated,
                    effective: element.effective,
                    until: element.until,
                    shared: element.uses,
                    location: Location::new(file, element_span),
                });
            }
        }
        let mut remedy_entries: Vec<RemedyEntry> =
            entry.remedy.into_iter().map(Spanned::into_inner).collect();
        if let Some(name) = &entry.remedies {
            match pack.remedies.get(name.get_ref()) {
                Some(shared) => remedy_entries.extend(shared.iter().cloned()),
                None => {
                    let names: Vec<&str> = pack.remedies.keys().map(String::as_str).collect();
                    let diag = Diagnostic::error(
                        file,
                        name.span(),
                        format!("unknown shared remedy `{}`", name.get_ref()),
                    );
                    errors.push(match suggestion(name.get_ref(), &names) {
                        Some(help) => diag.with_help(help),
                        None => {
                            diag.with_help("declare it as a pack-level `[[remedy]]` with this `id`")
                        }
                    });
                }
            }
        }
        let mut remedies = Vec::new();
        for remedy in remedy_entries {
            if let Some(remedy) = self.load_remedy(file, remedy, errors) {
                remedies.push(remedy);
            }
        }
        if errors.len() > before {
            return None;
        }
        Some(Rule {
            id,
            statute: statute.to_string(),
            title: entry.title,
            citation: entry.citation,
            scope,
            effective: entry.effective,
            until: entry.until,
            summary: entry.summary,
            why: entry.why,
            limitations: entry.limitations,
            examples: entry.examples.map(|e| (e.violating, e.compliant)),
            elements,
            remedies,
            location: Location::new(file, span),
        })
    }

    fn compile_condition(
        &self,
        file: &Arc<SourceFile>,
        when: &Spanned<String>,
        scope: ScopeKind,
        definitions: &Definitions,
    ) -> Result<Expr, Diagnostic> {
        let span = when.span();
        let raw = file.text.get(span.clone()).unwrap_or_default();
        let content_start = span.start
            + if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                3
            } else {
                1
            };
        let at = |inner: Range<usize>| {
            (content_start + inner.start)..(content_start + inner.end).min(span.end)
        };
        let expr = condition::parse(when.get_ref()).map_err(|e| {
            let diag = Diagnostic::error(
                file,
                at(e.span),
                format!("invalid condition: {}", e.message),
            );
            match e.help {
                Some(help) => diag.with_help(help),
                None => diag,
            }
        })?;
        condition::check(&expr, scope, &self.vocabulary, definitions).map_err(|e| {
            let diag = Diagnostic::error(file, at(e.span), e.message);
            match e.help {
                Some(help) => diag.with_help(help),
                None => diag,
            }
        })?;
        Ok(expr)
    }

    fn load_remedy(
        &self,
        file: &Arc<SourceFile>,
        entry: RemedyEntry,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Remedy> {
        let unit = match entry.unit.get_ref().as_str() {
            "person" => Unit::Person,
            "violation" => Unit::Violation,
            "scan" => Unit::Scan,
            other => {
                errors.push(
                    Diagnostic::error(
                        file,
                        entry.unit.span(),
                        format!("unknown remedy unit `{other}`"),
                    )
                    .with_help("allowed values: `person`, `violation`, `scan`"),
                );
                return None;
            }
        };
        let count = match (entry.count.get_ref().as_str(), entry.region) {
            ("persons", None) => Count::Persons,
            ("children", None) => Count::Children,
            ("once", None) => Count::Once,
            ("persons-in-region", Some(region)) if self.vocabulary.is_region(region.get_ref()) => {
                Count::PersonsInRegion(region.into_inner())
            }
            ("persons-in-region", Some(region)) => {
                errors.push(Diagnostic::error(
                    file,
                    region.span(),
                    format!("`{}` is not a region code", region.get_ref()),
                ));
                return None;
            }
            (other, _) => {
                errors.push(
                    Diagnostic::error(file, entry.count.span(), format!("remedy count `{other}` is not valid here"))
                        .with_help("use `count = \"persons\"`, `count = \"children\"`, `count = \"once\"`, or `count = \"persons-in-region\"` with `region = \"US-IL\"`"),
                );
                return None;
            }
        };
        let kind = entry.kind.get_ref();
        if !["liquidated-damages", "civil-penalty", "administrative-fine"].contains(&kind.as_str())
        {
            errors.push(
                Diagnostic::error(
                    file,
                    entry.kind.span(),
                    format!("unknown remedy kind `{kind}`"),
                )
                .with_help(
                    "allowed values: `liquidated-damages`, `civil-penalty`, `administrative-fine`",
                ),
            );
            return None;
        }
        let tiers = match entry.tiers {
            None => None,
            Some(tiers) => match tiers.get_ref().as_slice() {
                [low, high] if entry.low.is_some() => Some((low.clone(), high.clone())),
                _ => {
                    errors.push(
                        Diagnostic::error(
                            file,
                            tiers.span(),
                            "`tiers` names the two amounts, `low` then `high`",
                        )
                        .with_help("write two names, e.g. `tiers = [\"negligent\", \"reckless or intentional\"]`, and give `low`"),
                    );
                    return None;
                }
            },
        };
        let combine = match entry.combine.as_ref().map(|c| c.get_ref().as_str()) {
            None | Some("add") => Combine::Add,
            Some("gravest-per-practice") => Combine::GravestPerPractice,
            Some(other) => {
                let span = entry.combine.as_ref().map_or(0..0, Spanned::span);
                errors.push(
                    Diagnostic::error(file, span, format!("unknown remedy combine `{other}`"))
                        .with_help("allowed values: `add`, `gravest-per-practice`"),
                );
                return None;
            }
        };
        Some(Remedy {
            text: entry.text,
            cite: entry.cite,
            kind: kind.clone(),
            currency: entry.currency,
            low: entry.low,
            high: entry.high,
            unit,
            count,
            effective: entry.effective,
            until: entry.until,
            conduct_before: entry.conduct_before.map(|n| (n.date, n.text)),
            tiers,
            or_greater: entry.or_greater,
            combine,
        })
    }

    fn check_versions(&mut self, errors: &mut Vec<Diagnostic>) {
        for versions in self.rules.values_mut() {
            versions.sort_by_key(|r| r.effective);
            for pair in versions.windows(2) {
                if let [earlier, later] = pair {
                    if earlier.until.is_none_or(|until| until > later.effective) {
                        errors.push(
                            Diagnostic::error(
                                &later.location.file,
                                later.location.span.clone(),
                                format!(
                                    "two versions of `{}` are in force on {}",
                                    later.id, later.effective
                                ),
                            )
                            .with_help(format!(
                                "end the earlier version with `until = {}`",
                                later.effective
                            )),
                        );
                    }
                    if let [first, second] = pair {
                        if first.scope != second.scope {
                            errors.push(Diagnostic::error(
                                &second.location.file,
                                second.location.span.clone(),
                                format!("versions of `{}` must share one scope", second.id),
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn ranges_overlap(
    a_start: Option<Date>,
    a_end: Option<Date>,
    b_start: Option<Date>,
    b_end: Option<Date>,
) -> bool {
    let starts_before_other_ends =
        |start: Option<Date>, other_end: Option<Date>| match (start, other_end) {
            (Some(s), Some(e)) => s < e,
            _ => true,
        };
    starts_before_other_ends(a_start, b_end) && starts_before_other_ends(b_start, a_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"
[statute]
id = "demo"
title = "Demo Act"
citation = "Demo 1"
version = "2024-01-01"
summary = "a test pack"

[[element]]
id = "private-entity"
text = "the operator is a private entity"
cite = "Demo 1(a)"
when = "operator.kind == 'company'"
"#;

    fn load(rules: &str) -> Result<Rulebook, Vec<Diagnostic>> {
        let mut files: Vec<Arc<SourceFile>> = embedded_files()
            .into_iter()
            .filter(|f| SUPPORT_FILES.contains(&file_stem_name(f)))
            .collect();
        files.push(SourceFile::new("demo.toml", format!("{HEADER}{rules}")));
        Rulebook::load(&files)
    }

    fn rule(elements: &str) -> String {
        format!(
            "[[rule]]\nid = \"demo.1\"\ntitle = \"t\"\ncitation = \"Demo 2\"\nscope = \"practice\"\neffective = 2000-01-01\nsummary = \"s\"\nwhy = \"w\"\n{elements}"
        )
    }

    fn messages(result: Result<Rulebook, Vec<Diagnostic>>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| format!("{} | {}", e.message, e.help.clone().unwrap_or_default()))
                .collect(),
        }
    }

    #[test]
    fn a_use_takes_the_shared_element_and_may_override_its_text_and_cite() {
        let book = load(&rule(
            "[[rule.applies]]\nuse = \"private-entity\"\ncite = \"Demo 2(a)\"\n",
        ));
        let element = book
            .as_ref()
            .ok()
            .and_then(|b| b.rules.get("demo.1"))
            .and_then(|versions| versions.first())
            .and_then(|r| r.elements.first());
        assert_eq!(element.map(|e| e.id.as_str()), Some("private-entity"));
        assert_eq!(element.map(|e| e.cite.as_str()), Some("Demo 2(a)"));
        assert_eq!(
            element.map(|e| e.text.as_str()),
            Some("the operator is a private entity")
        );
        assert_eq!(
            element.map(|e| e.condition.to_string()),
            Some("operator.kind == 'company'".to_string())
        );
    }

    #[test]
    fn an_unknown_shared_element_is_an_error_with_a_suggestion() {
        let errors = messages(load(&rule("[[rule.applies]]\nuse = \"private-entiy\"\n")));
        assert_eq!(
            errors,
            vec!["unknown shared element `private-entiy` | did you mean `private-entity`?"]
        );
    }

    #[test]
    fn a_use_cannot_change_the_condition_and_a_plain_element_needs_every_field() {
        let errors = messages(load(&rule(
            "[[rule.applies]]\nuse = \"private-entity\"\nwhen = \"operator.kind == 'court'\"\n",
        )));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.contains("cannot set its own `when`"))
        );
        let errors = messages(load(&rule(
            "[[rule.applies]]\nid = \"x\"\ntext = \"x\"\nwhen = \"operator.kind == 'court'\"\n",
        )));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.starts_with("element `x` has no `cite`"))
        );
    }
}

#[cfg(test)]
mod presumption_tests {
    use super::*;

    #[test]
    fn presume_sets_the_direction_and_rejects_other_words() {
        let pack = r#"
[statute]
id = "demo"
title = "Demo Act"
citation = "Demo 1"
version = "2024-01-01"
summary = "a test pack"

[[rule]]
id = "demo.1"
title = "t"
citation = "Demo 2"
scope = "practice"
effective = 2000-01-01
summary = "s"
why = "w"

[[rule.applies]]
id = "us-person"
text = "a U.S. person"
cite = "Demo 3"
when = "operator.us_person == true"
presume = "fails"
"#;
        let mut files: Vec<Arc<SourceFile>> = embedded_files()
            .into_iter()
            .filter(|f| SUPPORT_FILES.contains(&file_stem_name(f)))
            .collect();
        files.push(SourceFile::new("demo.toml", pack));
        let book = Rulebook::load(&files);
        let element = book
            .as_ref()
            .ok()
            .and_then(|b| b.rules.get("demo.1"))
            .and_then(|v| v.first())
            .and_then(|r| r.elements.first());
        assert_eq!(
            element.map(|e| (e.presumed, e.presumed_holds)),
            Some((true, false))
        );
        files.pop();
        files.push(SourceFile::new(
            "demo.toml",
            pack.replace("presume = \"fails\"", "presume = \"maybe\""),
        ));
        let errors = Rulebook::load(&files).err().unwrap_or_default();
        assert!(
            errors
                .iter()
                .any(|e| e.message == "unknown presumption `maybe`")
        );
        files.pop();
        files.push(SourceFile::new(
            "demo.toml",
            pack.replace(
                "presume = \"fails\"",
                "presume = \"fails\"\npresumed_while_unstated = [\"operator.country\"]",
            ),
        ));
        let errors = Rulebook::load(&files).err().unwrap_or_default();
        assert!(errors.iter().any(|e| e.message
            == "`presumed_while_unstated` names `operator.country`, which the element's condition does not read"));
    }
}
