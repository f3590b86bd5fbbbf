//! The vocabulary of facts a scenario can state, the data taxonomy and the region codes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use crate::fnv::Fnv;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, suggestion};
use crate::source::{Location, SourceFile};
use crate::toml_input::parse_typed;

/// The type of a fact, as declared in `rules/vocabulary.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// `true` / `false`.
    Bool,
    /// Integer.
    Int,
    /// Integer or float.
    Number,
    /// Calendar date.
    Date,
    /// Free text.
    Str,
    /// One value of a closed list.
    Enum,
    /// Several values of a closed list.
    ListEnum,
    /// Several free-text strings.
    ListString,
    /// One data-category id.
    Taxonomy,
    /// Several data-category ids.
    ListTaxonomy,
    /// One region code.
    Region,
    /// Several region codes.
    ListRegion,
    /// One ISO 3166-1 country code.
    Country,
    /// Several country codes.
    ListCountry,
    /// Region code → count.
    MapRegionInt,
}

impl FactType {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "bool" => Self::Bool,
            "int" => Self::Int,
            "number" => Self::Number,
            "date" => Self::Date,
            "string" => Self::Str,
            "enum" => Self::Enum,
            "list<enum>" => Self::ListEnum,
            "list<string>" => Self::ListString,
            "taxonomy" => Self::Taxonomy,
            "list<taxonomy>" => Self::ListTaxonomy,
            "region" => Self::Region,
            "list<region>" => Self::ListRegion,
            "country" => Self::Country,
            "list<country>" => Self::ListCountry,
            "map<region,int>" => Self::MapRegionInt,
            _ => return None,
        })
    }

    /// The name used in `vocabulary.toml` and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bool => "bool",
            Self::Int => "int",
            Self::Number => "number",
            Self::Date => "date",
            Self::Str => "string",
            Self::Enum => "enum",
            Self::ListEnum => "list<enum>",
            Self::ListString => "list<string>",
            Self::Taxonomy => "taxonomy",
            Self::ListTaxonomy => "list<taxonomy>",
            Self::Region => "region",
            Self::ListRegion => "list<region>",
            Self::Country => "country",
            Self::ListCountry => "list<country>",
            Self::MapRegionInt => "map<region,int>",
        }
    }

    /// Whether the fact holds several values.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Self::ListEnum
                | Self::ListString
                | Self::ListTaxonomy
                | Self::ListRegion
                | Self::ListCountry
        )
    }
}

/// Where the values of a string-valued fact come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// The closed list of one vocabulary fact (its path).
    Enum(String),
    /// Data categories of the taxonomy (hierarchical).
    Taxonomy,
    /// Region codes (hierarchical: `US-IL` is in `US`, `FR` is in `EU`).
    Region,
    /// ISO 3166-1 country codes.
    Country,
    /// Free text.
    Text,
}

/// One fact a scenario can state.
#[derive(Debug, Clone)]
pub struct FactDef {
    /// Dotted path, e.g. `practice.consent.kind`.
    pub path: String,
    /// Its type.
    pub ty: FactType,
    /// Allowed values (`enum` and `list<enum>`).
    pub values: Vec<String>,
    /// One line saying what the fact means.
    pub meaning: String,
    /// Rule ids that read the fact, as declared.
    pub read_by: Vec<String>,
    /// Version that introduced the fact.
    pub since: String,
    /// Whether every scenario (or practice) must state it.
    pub required: bool,
    /// Smallest allowed value (numbers).
    pub min: Option<f64>,
    /// Version that deprecated it.
    pub deprecated_since: Option<String>,
    /// The path that replaces it.
    pub replaced_by: Option<String>,
    /// Enum values that were renamed: old value → the value that replaces it. The old value is
    /// no longer allowed; using it gets a "replaced by" diagnostic instead of a bare error.
    pub replaced_values: BTreeMap<String, String>,
    /// Where the fact's entry is written in the vocabulary file.
    pub location: Location,
}

impl FactDef {
    /// The domain of the fact's string values.
    pub fn domain(&self) -> Domain {
        match self.ty {
            FactType::Enum | FactType::ListEnum => Domain::Enum(self.path.clone()),
            FactType::Taxonomy | FactType::ListTaxonomy => Domain::Taxonomy,
            FactType::Region | FactType::ListRegion | FactType::MapRegionInt => Domain::Region,
            FactType::Country | FactType::ListCountry => Domain::Country,
            _ => Domain::Text,
        }
    }
}

/// A data category of the taxonomy.
#[derive(Debug, Clone)]
pub struct Term {
    /// Kebab-case id.
    pub id: String,
    /// Parent id, for all but the roots.
    pub parent: Option<String>,
    /// Plain-words meaning.
    pub meaning: String,
    /// The category that replaces it, when it is deprecated (no longer allowed).
    pub replaced_by: Option<String>,
}

/// How a stated value relates to a value a rule asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The stated value is the asked value or falls under it.
    Yes,
    /// The stated value is broader than the asked value: it may or may not be it.
    Maybe,
    /// Unrelated.
    No,
}

/// Everything a scenario may say, and the hierarchies used to compare values.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Facts by path.
    pub facts: BTreeMap<String, FactDef>,
    /// Data categories in file order.
    pub terms: Vec<Term>,
    term_parent: BTreeMap<String, Option<String>>,
    deprecated_terms: BTreeSet<String>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: BTreeSet<String>,
    /// ISO 3166-2 codes.
    pub subdivisions: BTreeSet<String>,
    /// Named groups of countries (`EU`, `EEA`).
    pub groups: BTreeMap<String, BTreeSet<String>>,
    /// The taxonomy as numbers, made on first use (evaluation compares categories often).
    term_index: OnceLock<TermIndex>,
}

/// Each data category's number and its ancestors' numbers, nearest first.
#[derive(Debug, Clone, Default)]
struct TermIndex {
    ids: HashMap<String, u32, BuildHasherDefault<Fnv>>,
    ancestors: Vec<Vec<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    fact: Vec<Spanned<FactEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactEntry {
    path: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    #[serde(default)]
    values: Vec<String>,
    meaning: String,
    #[serde(default)]
    read_by: Vec<String>,
    since: String,
    #[serde(default)]
    required: bool,
    min: Option<f64>,
    deprecated_since: Option<String>,
    replaced_by: Option<Spanned<String>>,
    #[serde(default)]
    replaced_values: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    term: Vec<Spanned<TermEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermEntry {
    id: String,
    parent: Option<Spanned<String>>,
    meaning: String,
    deprecated_since: Option<String>,
    replaced_by: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    countries: Vec<String>,
    subdivisions: Vec<String>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
}

impl Vocabulary {
    /// Loads the vocabulary, taxonomy and regions files.
    pub fn load(
        vocabulary: &Arc<SourceFile>,
        taxonomy: &Arc<SourceFile>,
        regions: &Arc<SourceFile>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut vocab = Self::default();

        match parse_typed::<RegionsFile>(regions) {
            Ok(file) => {
                vocab.countries = file.countries.into_iter().collect();
                vocab.subdivisions = file.subdivisions.into_iter().collect();
                vocab.groups = file
                    .groups
                    .into_iter()
                    .map(|(name, members)| (name, members.into_iter().collect()))
                    .collect();
            }
            Err(err) => errors.push(err),
        }

        match parse_typed::<TaxonomyFile>(taxonomy) {
            Ok(file) => {
                for entry in &file.term {
                    let term = entry.get_ref();
                    if vocab.term_parent.contains_key(&term.id) {
                        errors.push(Diagnostic::error(
                            taxonomy,
                            entry.span(),
                            format!("data category `{}` is defined twice", term.id),
                        ));
                    }
                    vocab.term_parent.insert(
                        term.id.clone(),
                        term.parent.as_ref().map(|p| p.get_ref().clone()),
                    );
                }
                for entry in file.term {
                    let term = entry.into_inner();
                    let term_deprecated = term.replaced_by.is_some();
                    let term_id = term.id.clone();
                    if let Some(parent) = &term.parent {
                        if !vocab.term_parent.contains_key(parent.get_ref()) {
                            let ids: Vec<&str> =
                                vocab.term_parent.keys().map(String::as_str).collect();
                            let mut diag = Diagnostic::error(
                                taxonomy,
                                parent.span(),
                                format!("unknown parent category `{}`", parent.get_ref()),
                            );
                            if let Some(help) = suggestion(parent.get_ref(), &ids) {
                                diag = diag.with_help(help);
                            }
                            errors.push(diag);
                        }
                    }
                    if let Some(replacement) = &term.replaced_by {
                        if !vocab.term_parent.contains_key(replacement.get_ref())
                            || term.deprecated_since.is_none()
                        {
                            errors.push(
                                Diagnostic::error(
                                    taxonomy,
                                    replacement.span(),
                                    format!(
                                        "deprecated category `{}` must name an existing `replaced_by` and give `deprecated_since`",
                                        term.id
                                    ),
                                )
                                .with_help("e.g. `deprecated_since = \"0.2.0\"` and `replaced_by = \"face-geometry\"`"),
                            );
                        }
                    }
                    vocab.terms.push(Term {
                        id: term.id,
                        parent: term.parent.map(Spanned::into_inner),
                        meaning: term.meaning,
                        replaced_by: term.replaced_by.map(Spanned::into_inner),
                    });
                    if term_deprecated {
                        vocab.deprecated_terms.insert(term_id);
                    }
                }
            }
            Err(err) => errors.push(err),
        }

        let mut replacements = Vec::new();
        match parse_typed::<VocabularyFile>(vocabulary) {
            Ok(file) => {
                for entry in file.fact {
                    let entry_span = entry.span();
                    let fact = entry.into_inner();
                    let Some(ty) = FactType::parse(fact.ty.get_ref()) else {
                        errors.push(
                            Diagnostic::error(
                                vocabulary,
                                fact.ty.span(),
                                format!("unknown fact type `{}`", fact.ty.get_ref()),
                            )
                            .with_help("types: bool, int, number, date, string, enum, list<enum>, list<string>, taxonomy, list<taxonomy>, region, list<region>, country, list<country>, map<region,int>"),
                        );
                        continue;
                    };
                    let path = fact.path.get_ref().clone();
                    if matches!(ty, FactType::Enum | FactType::ListEnum) == fact.values.is_empty() {
                        errors.push(Diagnostic::error(
                            vocabulary,
                            entry_span.clone(),
                            format!("fact `{path}`: `values` is required for enum types and only for them"),
                        ));
                    }
                    for (old, new) in &fact.replaced_values {
                        if fact.values.contains(old) || !fact.values.contains(new) {
                            errors.push(Diagnostic::error(
                                vocabulary,
                                entry_span.clone(),
                                format!("fact `{path}`: replaced value `{old}` must be gone from `values` and its replacement `{new}` listed there"),
                            ));
                        }
                    }
                    if let Some(replacement) = &fact.replaced_by {
                        replacements.push((path.clone(), replacement.span()));
                    }
                    if vocab.facts.contains_key(&path) {
                        errors.push(Diagnostic::error(
                            vocabulary,
                            fact.path.span(),
                            format!("fact `{path}` is declared twice"),
                        ));
                    }
                    vocab.facts.insert(
                        path.clone(),
                        FactDef {
                            path,
                            ty,
                            values: fact.values,
                            meaning: fact.meaning,
                            read_by: fact.read_by,
                            since: fact.since,
                            required: fact.required,
                            min: fact.min,
                            deprecated_since: fact.deprecated_since,
                            replaced_by: fact.replaced_by.map(Spanned::into_inner),
                            replaced_values: fact.replaced_values,
                            location: Location::new(vocabulary, fact.path.span()),
                        },
                    );
                }
            }
            Err(err) => errors.push(err),
        }
        for (path, span) in replacements {
            let Some(fact) = vocab.facts.get(&path) else {
                continue;
            };
            let ok = fact.deprecated_since.is_some()
                && fact
                    .replaced_by
                    .as_ref()
                    .and_then(|r| vocab.facts.get(r))
                    .is_some_and(|r| r.replaced_by.is_none());
            if !ok {
                errors.push(Diagnostic::error(
                    vocabulary,
                    span,
                    format!("deprecated fact `{path}` must give `deprecated_since` and a `replaced_by` that is a current fact"),
                ));
            }
        }

        if errors.is_empty() {
            Ok(vocab)
        } else {
            Err(errors)
        }
    }

    /// The fact at `path`.
    pub fn fact(&self, path: &str) -> Option<&FactDef> {
        self.facts.get(path)
    }

    /// Whether `id` is a data category.
    pub fn is_term(&self, id: &str) -> bool {
        self.term_parent.contains_key(id) && !self.deprecated_terms.contains(id)
    }

    /// Whether `code` is a region code (country, subdivision or group).
    pub fn is_region(&self, code: &str) -> bool {
        self.countries.contains(code)
            || self.subdivisions.contains(code)
            || self.groups.contains_key(code)
    }

    /// Whether `code` is an ISO 3166-1 alpha-2 country code.
    pub fn is_country(&self, code: &str) -> bool {
        self.countries.contains(code)
    }

    /// Whether `value` is allowed in `domain`.
    pub fn allows(&self, domain: &Domain, value: &str) -> bool {
        match domain {
            Domain::Enum(path) => self
                .fact(path)
                .is_some_and(|f| f.values.iter().any(|v| v == value)),
            Domain::Taxonomy => self.is_term(value),
            Domain::Region => self.is_region(value),
            Domain::Country => self.is_country(value),
            Domain::Text => true,
        }
    }

    /// The value that replaces a deprecated `value` of `domain`: a renamed enum value or a
    /// deprecated data category. Deprecated values are not [`allows`](Self::allows)ed.
    pub fn replacement(&self, domain: &Domain, value: &str) -> Option<&str> {
        match domain {
            Domain::Enum(path) => self
                .fact(path)
                .and_then(|f| f.replaced_values.get(value))
                .map(String::as_str),
            Domain::Taxonomy => self
                .terms
                .iter()
                .find(|t| t.id == value)
                .and_then(|t| t.replaced_by.as_deref()),
            _ => None,
        }
    }

    /// The values of a closed domain, for suggestions.
    pub fn domain_values(&self, domain: &Domain) -> Vec<&str> {
        match domain {
            Domain::Enum(path) => self
                .fact(path)
                .map(|f| f.values.iter().map(String::as_str).collect())
                .unwrap_or_default(),
            Domain::Taxonomy => self
                .term_parent
                .keys()
                .filter(|id| !self.deprecated_terms.contains(*id))
                .map(String::as_str)
                .collect(),
            Domain::Region => self
                .countries
                .iter()
                .chain(&self.subdivisions)
                .chain(self.groups.keys())
                .map(String::as_str)
                .collect(),
            Domain::Country => self.countries.iter().map(String::as_str).collect(),
            Domain::Text => Vec::new(),
        }
    }

    /// How a stated value relates to a value a rule asks about, in `domain`.
    pub fn relate(&self, domain: &Domain, stated: &str, asked: &str) -> Match {
        if stated == asked {
            return Match::Yes;
        }
        match domain {
            Domain::Taxonomy => {
                if self.term_under(stated, asked) {
                    Match::Yes
                } else if self.term_under(asked, stated) {
                    Match::Maybe
                } else {
                    Match::No
                }
            }
            Domain::Region => {
                if self.region_under(stated, asked) {
                    Match::Yes
                } else if self.region_under(asked, stated) {
                    Match::Maybe
                } else {
                    Match::No
                }
            }
            _ => Match::No,
        }
    }

    /// The strongest match between any stated value and any value asked for: `Yes` if one
    /// pair matches, else `Maybe` if one might, else `No` (what `any` of [`Self::relate`]
    /// over every pair gives, in fewer steps).
    pub fn relate_lists<'s, 'q>(
        &self,
        domain: &Domain,
        stated: impl Iterator<Item = &'s str>,
        asked: impl Iterator<Item = &'q str> + Clone,
    ) -> Match {
        let mut best = Match::No;
        if *domain == Domain::Taxonomy {
            let index = self.term_index();
            // The asked values' numbers, looked up once (on the stack: sets are short).
            const KEPT: usize = 32;
            let mut asked_ids = [None; KEPT];
            for (slot, a) in asked_ids.iter_mut().zip(asked.clone()) {
                *slot = index.ids.get(a).copied();
            }
            for s in stated {
                let stated_id = index.ids.get(s).copied();
                for (n, a) in asked.clone().enumerate() {
                    let asked_id = match asked_ids.get(n) {
                        Some(id) => *id,
                        None => index.ids.get(a).copied(),
                    };
                    let found = match (stated_id, asked_id) {
                        (Some(si), Some(ai)) => index.relate(si, ai),
                        // A value outside the taxonomy compares as text, as `relate` does.
                        _ => self.relate(domain, s, a),
                    };
                    match found {
                        Match::Yes => return Match::Yes,
                        Match::Maybe => best = Match::Maybe,
                        Match::No => {}
                    }
                }
            }
            return best;
        }
        for s in stated {
            for a in asked.clone() {
                match self.relate(domain, s, a) {
                    Match::Yes => return Match::Yes,
                    Match::Maybe => best = Match::Maybe,
                    Match::No => {}
                }
            }
        }
        best
    }

    fn term_index(&self) -> &TermIndex {
        self.term_index.get_or_init(|| {
            let mut index = TermIndex::default();
            for (n, term) in self.term_parent.keys().enumerate() {
                index
                    .ids
                    .insert(term.clone(), u32::try_from(n).unwrap_or(u32::MAX));
            }
            for term in self.term_parent.keys() {
                let mut ancestors = Vec::new();
                let mut current = self.term_parent.get(term).and_then(Option::as_deref);
                // The same bound as `term_under`: it guards against a cycle.
                for _ in 0..64 {
                    let Some(parent) = current else { break };
                    if let Some(&id) = index.ids.get(parent) {
                        ancestors.push(id);
                    }
                    current = self.term_parent.get(parent).and_then(Option::as_deref);
                }
                index.ancestors.push(ancestors);
            }
            index
        })
    }

    fn term_under(&self, term: &str, ancestor: &str) -> bool {
        let mut current = self.term_parent.get(term).and_then(Option::as_deref);
        // The taxonomy is a tree of a few dozen terms; the bound guards against a cycle.
        for _ in 0..64 {
            match current {
                Some(parent) if parent == ancestor => return true,
                Some(parent) => {
                    current = self.term_parent.get(parent).and_then(Option::as_deref);
                }
                None => return false,
            }
        }
        false
    }

    fn region_under(&self, region: &str, ancestor: &str) -> bool {
        let country = region.split('-').next().unwrap_or(region);
        if region != country && country == ancestor {
            return true;
        }
        self.groups
            .get(ancestor)
            .is_some_and(|members| members.contains(country) || members.contains(region))
    }
}

impl TermIndex {
    /// [`Vocabulary::relate`] of two taxonomy terms by number.
    fn relate(&self, stated: u32, asked: u32) -> Match {
        let under = |term: u32, ancestor: u32| {
            self.ancestors
                .get(term as usize)
                .is_some_and(|a| a.contains(&ancestor))
        };
        if stated == asked || under(stated, asked) {
            Match::Yes
        } else if under(asked, stated) {
            Match::Maybe
        } else {
            Match::No
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let mut vocab = Vocabulary::default();
        for (id, parent) in [("biometric", None), ("face-geometry", Some("biometric"))] {
            vocab
                .term_parent
                .insert(id.into(), parent.map(String::from));
        }
        vocab.countries = ["US", "FR"].into_iter().map(String::from).collect();
        vocab.subdivisions = ["US-IL".to_string()].into_iter().collect();
        vocab
            .groups
            .insert("EU".into(), ["FR".to_string()].into_iter().collect());
        vocab
    }

    #[test]
    fn children_match_parents_and_parents_maybe_match_children() {
        let v = vocab();
        assert_eq!(
            v.relate(&Domain::Taxonomy, "face-geometry", "biometric"),
            Match::Yes
        );
        assert_eq!(
            v.relate(&Domain::Taxonomy, "biometric", "face-geometry"),
            Match::Maybe
        );
        assert_eq!(v.relate(&Domain::Region, "US-IL", "US"), Match::Yes);
        assert_eq!(v.relate(&Domain::Region, "US", "US-IL"), Match::Maybe);
        assert_eq!(v.relate(&Domain::Region, "FR", "EU"), Match::Yes);
        assert_eq!(v.relate(&Domain::Region, "FR", "US"), Match::No);
    }
}
