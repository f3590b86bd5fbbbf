//! Loads scenario files: every key and value checked against the vocabulary, every fact located.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, suggestion};
use crate::source::{Location, SourceFile};
use crate::toml_input::{self, Header};
use crate::value::{Date, Value};
use crate::verdict::Verdict;
use crate::vocabulary::{Domain, FactDef, FactType, Vocabulary};

/// Most entries a list fact may hold.
pub const MAX_LIST_LEN: usize = 1_000;
/// Most practices a scenario may hold.
pub const MAX_ITEMS: usize = 1_000;
/// Most disclosures a scenario may hold across all its practices: each is a scope item with
/// a finding per disclosure rule, so this bounds the report (a 10 MB file of bare
/// `[[practice.disclosure]]` lines would otherwise ask for hundreds of thousands of findings).
pub const MAX_DISCLOSURES: usize = 1_000;

/// Whether `id` is a valid scenario id: lowercase letters, digits and `-`, not empty.
pub fn is_scenario_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A fact a scenario states, with where it says it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatedFact {
    /// The value.
    pub value: Value,
    /// Where the value is written.
    pub location: Location,
}

/// Facts by path.
pub type Facts = BTreeMap<String, StatedFact>;

/// One recipient of a practice's data.
#[derive(Debug, Clone)]
pub struct Disclosure {
    /// Its `id`, else its `recipient`, else `disclosure-N`.
    pub name: String,
    /// `practice.disclosure.*` facts.
    pub facts: Facts,
    /// Where the entry starts.
    pub location: Location,
}

/// One processing activity.
#[derive(Debug, Clone)]
pub struct Practice {
    /// Its `id`.
    pub id: String,
    /// `practice.*` facts (not disclosures).
    pub facts: Facts,
    /// Its recipients.
    pub disclosures: Vec<Disclosure>,
    /// Where the entry starts.
    pub location: Location,
}

/// What a scenario's `[expect]` says one rule (or scope item) must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The verdict expected.
    pub verdict: Verdict,
    /// The rule id.
    pub rule: String,
    /// Pinned practice id.
    pub practice: Option<String>,
    /// Pinned disclosure name.
    pub disclosure: Option<String>,
    /// The entry as written.
    pub written: String,
    /// Where it is written.
    pub location: Location,
}

/// The `[expect]` block.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Every entry.
    pub entries: Vec<Expectation>,
    /// Whether every rule with a verdict other than not-applicable must be listed.
    pub exhaustive: bool,
}

/// A loaded scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `scenario.id`.
    pub id: String,
    /// `scenario.title`, when given.
    pub title: Option<String>,
    /// The date the statutes are read as of.
    pub as_of: Date,
    /// The file.
    pub file: Arc<SourceFile>,
    /// `scenario.*`, `operator.*` and `service.*` facts.
    pub facts: Facts,
    /// The practices, in file order.
    pub practices: Vec<Practice>,
    /// The `[expect]` block, when present.
    pub expect: Option<Expect>,
}

const TOP_LEVEL: [&str; 5] = ["scenario", "operator", "service", "practice", "expect"];

struct Loader<'a> {
    vocab: &'a Vocabulary,
    file: &'a Arc<SourceFile>,
    errors: Vec<Diagnostic>,
    /// Disclosures read so far, across practices.
    disclosures: usize,
}

impl Scenario {
    /// Loads and checks a scenario. `rule_ids` are the rulebook's, for checking `[expect]`.
    pub fn load(
        file: &Arc<SourceFile>,
        vocab: &Vocabulary,
        rule_ids: &BTreeSet<&str>,
        today: Date,
    ) -> Result<Self, Vec<Diagnostic>> {
        // INVARIANT: `SourceFile::new` drops a byte-order mark, so offsets into `file.text`
        // are the parser's offsets; `shift` stays for loaders handed a sub-text.
        let offset = 0;
        let outline = toml_input::outline(file).map_err(|d| vec![d])?;
        if !outline.has_content {
            return Err(vec![
                Diagnostic::error(file, 0..0, "scenario file is empty").with_help(
                    "a scenario starts with `[scenario]` and `id = \"my-app\"` (README, \"Writing a scenario\")",
                ),
            ]);
        }
        let orphans = orphan_practice_tables(file, &outline.headers);
        if !orphans.is_empty() {
            return Err(orphans);
        }
        let root = match DeTable::parse(&file.text) {
            Ok(root) => root,
            Err(err) => {
                return Err(vec![toml_input::parse_error(
                    file,
                    err.message(),
                    err.span(),
                )]);
            }
        };
        let mut loader = Loader {
            vocab,
            file,
            errors: Vec::new(),
            disclosures: 0,
        };
        let shift = |span: Range<usize>| (span.start + offset)..(span.end + offset);
        let mut facts = Facts::new();
        let mut practices = Vec::new();
        let mut expect = None;
        let mut expect_value = None;
        for (key, value) in root.get_ref() {
            let name = key.get_ref().as_ref();
            match name {
                "practice" => practices = loader.practices(value, &shift),
                "expect" => expect_value = Some(value),
                "scenario" | "operator" | "service" => {
                    if let DeValue::Table(table) = value.get_ref() {
                        loader.table(table, name, &mut facts, &shift);
                    } else {
                        loader.error(
                            shift(value.span()),
                            format!("`{name}` must be a table"),
                            Some(format!("write `[{name}]` on its own line")),
                        );
                    }
                }
                other => {
                    let help = suggestion(other, &TOP_LEVEL)
                        .map(|h| h.replace("allowed values", "allowed tables"));
                    loader.error(shift(key.span()), format!("unknown table `{other}`"), help);
                }
            }
        }
        if let Some(value) = expect_value {
            expect = loader.expect(value, rule_ids, &practices, &shift);
        }
        loader.required(&facts, &practices, &shift(root.span()), &outline.headers);
        for practice in &practices {
            let date = |path: &str| match practice.facts.get(path) {
                Some(StatedFact {
                    value: Value::Date(d),
                    location,
                }) => Some((*d, location.span.clone())),
                _ => None,
            };
            if let (Some((start, _)), Some((end, span))) =
                (date("practice.period.start"), date("practice.period.end"))
            {
                if end < start {
                    loader.error(
                        span,
                        format!("the practice ends ({end}) before it starts ({start})"),
                        Some("check `practice.period.start` and `practice.period.end`".into()),
                    );
                }
            }
        }
        let id = match facts
            .get("scenario.id")
            .map(|f| (&f.value, f.location.span.clone()))
        {
            Some((Value::Str(id), span)) => {
                if !is_scenario_id(id) {
                    loader.error(
                        span,
                        format!("scenario id `{id}` must be lowercase-kebab"),
                        Some(
                            "use lowercase letters, digits and `-`, e.g. `tiktok-hong-2019`".into(),
                        ),
                    );
                }
                id.clone()
            }
            _ => String::new(),
        };
        if !loader.errors.is_empty() {
            return Err(loader.errors);
        }
        let title = match facts.get("scenario.title") {
            Some(StatedFact {
                value: Value::Str(t),
                ..
            }) => Some(t.clone()),
            _ => None,
        };
        let as_of = match facts.get("scenario.as_of") {
            Some(StatedFact {
                value: Value::Date(d),
                ..
            }) => *d,
            _ => today,
        };
        // Where a practice does not say where its subjects are, they are the service's users.
        if let Some(users) = facts.get("service.users") {
            if let Value::Map(map) = &users.value {
                for practice in &mut practices {
                    practice
                        .facts
                        .entry("practice.regions".into())
                        .or_insert_with(|| StatedFact {
                            value: Value::List(map.keys().cloned().collect()),
                            location: users.location.clone(),
                        });
                }
            }
        }
        Ok(Scenario {
            id,
            title,
            as_of,
            file: Arc::clone(file),
            facts,
            practices,
            expect,
        })
    }

    /// A stated non-practice fact.
    pub fn fact(&self, path: &str) -> Option<&StatedFact> {
        self.facts.get(path)
    }
}

/// `[practice.notice]` or `[[practice.disclosure]]` written before any `[[practice]]`: TOML
/// reads them as a table named `practice`, which hides the real mistake behind a confusing one.
fn orphan_practice_tables(file: &Arc<SourceFile>, headers: &[Header]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for header in headers {
        if header.name == "practice" && header.array {
            break;
        }
        if header.name == "practice" {
            // `[practice]` makes the later `[practice.x]` tables look orphaned: say the one
            // thing to fix.
            return vec![
                Diagnostic::error(
                    file,
                    header.span.clone(),
                    "`[practice]` must be written `[[practice]]`",
                )
                .with_help("a scenario holds a list of practices: each starts with `[[practice]]`, in double brackets"),
            ];
        }
        let Some(rest) = header.name.strip_prefix("practice.") else {
            continue;
        };
        let written = if header.array {
            format!("[[{}]]", header.name)
        } else {
            format!("[{}]", header.name)
        };
        let what = if rest == "disclosure" {
            "a disclosure"
        } else {
            "this table"
        };
        errors.push(
            Diagnostic::error(
                file,
                header.span.clone(),
                format!("`{written}` comes before any `[[practice]]`"),
            )
            .with_help(format!(
                "{what} belongs to the `[[practice]]` above it: write `[[practice]]` with an `id` first, then `{written}` below it"
            )),
        );
    }
    errors
}

type Shift<'s> = dyn Fn(Range<usize>) -> Range<usize> + 's;

impl Loader<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let diag = Diagnostic::error(self.file, span, message);
        self.errors.push(match help {
            Some(help) => diag.with_help(help),
            None => diag,
        });
    }

    /// The next path segments the vocabulary allows after `prefix.`.
    fn children(&self, prefix: &str) -> Vec<&str> {
        let dotted = format!("{prefix}.");
        let mut out: Vec<&str> = self
            .vocab
            .facts
            .keys()
            .filter_map(|path| path.strip_prefix(&dotted))
            .map(|rest| rest.split('.').next().unwrap_or(rest))
            .collect();
        if prefix == "practice" {
            out.push("disclosure");
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn table(&mut self, table: &DeTable<'_>, prefix: &str, facts: &mut Facts, shift: &Shift<'_>) {
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let path = format!("{prefix}.{name}");
            if let Some(fact) = self.vocab.fact(&path) {
                if let Some(replacement) = &fact.replaced_by {
                    let since = fact
                        .deprecated_since
                        .as_deref()
                        .map(|v| format!(" since {v}"))
                        .unwrap_or_default();
                    self.error(
                        shift(key.span()),
                        format!("`{path}` is deprecated{since}"),
                        Some(format!("replaced by `{replacement}`")),
                    );
                    continue;
                }
                if let Some(v) = self.value(fact, value, shift) {
                    facts.insert(
                        path,
                        StatedFact {
                            value: v,
                            location: Location::new(self.file, shift(value.span())),
                        },
                    );
                }
                continue;
            }
            let children = self.children(&path);
            match value.get_ref() {
                DeValue::Table(inner) if !children.is_empty() => {
                    self.table(inner, &path, facts, shift)
                }
                _ => {
                    let siblings = self.children(prefix);
                    let help = suggestion(name, &siblings);
                    self.error(
                        shift(key.span()),
                        format!("unknown key `{name}` in `[{prefix}]`"),
                        help,
                    );
                }
            }
        }
    }

    fn practices(&mut self, value: &Spanned<DeValue<'_>>, shift: &Shift<'_>) -> Vec<Practice> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(
                shift(value.span()),
                "`practice` must be an array of tables",
                Some("write each practice as `[[practice]]`".into()),
            );
            return Vec::new();
        };
        if items.len() > MAX_ITEMS {
            self.error(
                shift(value.span()),
                format!("more than {MAX_ITEMS} practices"),
                Some(format!(
                    "the limit is {MAX_ITEMS} practices per scenario; split the scenario"
                )),
            );
            return Vec::new();
        }
        let mut practices: Vec<Practice> = Vec::new();
        for item in items {
            let DeValue::Table(table) = item.get_ref() else {
                self.error(
                    shift(item.span()),
                    "each practice must be a table",
                    Some("write each practice as `[[practice]]`".into()),
                );
                continue;
            };
            let mut facts = Facts::new();
            let mut disclosures = Vec::new();
            let mut plain = DeTable::default();
            for (key, value) in table {
                if key.get_ref() == "disclosure" {
                    disclosures = self.disclosures(value, shift);
                } else {
                    plain.insert(key.clone(), value.clone());
                }
            }
            self.table(&plain, "practice", &mut facts, shift);
            let location = Location::new(self.file, shift(item.span()));
            let id = match facts.get("practice.id") {
                Some(StatedFact {
                    value: Value::Str(id),
                    location,
                }) => {
                    if practices.iter().any(|p| &p.id == id) {
                        self.error(
                            location.span.clone(),
                            format!("practice id `{id}` is used twice"),
                            Some("give each practice its own id".into()),
                        );
                    }
                    id.clone()
                }
                _ => format!("practice-{}", practices.len() + 1),
            };
            practices.push(Practice {
                id,
                facts,
                disclosures,
                location,
            });
        }
        practices
    }

    fn disclosures(&mut self, value: &Spanned<DeValue<'_>>, shift: &Shift<'_>) -> Vec<Disclosure> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(
                shift(value.span()),
                "`disclosure` must be an array of tables",
                Some(
                    "write each recipient as `[[practice.disclosure]]` after its `[[practice]]`"
                        .into(),
                ),
            );
            return Vec::new();
        };
        let mut out: Vec<Disclosure> = Vec::new();
        for item in items {
            if self.disclosures == MAX_DISCLOSURES {
                self.error(
                    shift(item.span()),
                    format!("more than {MAX_DISCLOSURES} disclosures in this scenario"),
                    Some(format!(
                        "the limit is {MAX_DISCLOSURES} disclosures per scenario, across its practices; split the scenario"
                    )),
                );
            }
            self.disclosures += 1;
            if self.disclosures > MAX_DISCLOSURES {
                continue;
            }
            let DeValue::Table(table) = item.get_ref() else {
                self.error(shift(item.span()), "each disclosure must be a table", None);
                continue;
            };
            let mut facts = Facts::new();
            self.table(table, "practice.disclosure", &mut facts, shift);
            let named = |path: &str| match facts.get(path) {
                Some(StatedFact {
                    value: Value::Str(s),
                    location,
                }) => Some((s.clone(), location.span.clone())),
                _ => None,
            };
            let (name, span) = named("practice.disclosure.id")
                .or_else(|| named("practice.disclosure.recipient"))
                .unwrap_or_else(|| (format!("disclosure-{}", out.len() + 1), shift(item.span())));
            if out.iter().any(|d| d.name == name) {
                self.error(
                    span,
                    format!("disclosure `{name}` appears twice in this practice"),
                    Some("give each disclosure its own `id`".into()),
                );
            }
            out.push(Disclosure {
                name,
                facts,
                location: Location::new(self.file, shift(item.span())),
            });
        }
        out
    }

    fn string_in(
        &mut self,
        fact: &FactDef,
        domain: &Domain,
        value: &Spanned<DeValue<'_>>,
        shift: &Shift<'_>,
    ) -> Option<String> {
        let DeValue::String(s) = value.get_ref() else {
            self.error(
                shift(value.span()),
                format!(
                    "`{}` expects a string, found {}",
                    fact.path,
                    value.get_ref().type_str()
                ),
                None,
            );
            return None;
        };
        if let Some(replacement) = self.vocab.replacement(domain, s) {
            self.error(
                shift(value.span()),
                format!("`{s}` is deprecated as a value of `{}`", fact.path),
                Some(format!("replaced by `{replacement}`")),
            );
            return None;
        }
        if !self.vocab.allows(domain, s) {
            let values = self.vocab.domain_values(domain);
            let what = match domain {
                Domain::Taxonomy => "a data category (rules/taxonomy.toml)".to_string(),
                Domain::Region => {
                    "a region code (ISO 3166-1 alpha-2, ISO 3166-2 such as `US-IL`, or `EU`)"
                        .to_string()
                }
                Domain::Country => "an ISO 3166-1 alpha-2 country code".to_string(),
                _ => format!("an allowed value of `{}`", fact.path),
            };
            self.error(
                shift(value.span()),
                format!("`{s}` is not {what}"),
                suggestion(s, &values),
            );
            return None;
        }
        Some(s.to_string())
    }

    fn value(
        &mut self,
        fact: &FactDef,
        value: &Spanned<DeValue<'_>>,
        shift: &Shift<'_>,
    ) -> Option<Value> {
        let span = shift(value.span());
        let wrong = |this: &mut Self, expected: &str| {
            let help = match fact.ty {
                FactType::Bool => Some("write `true` or `false` without quotes".to_string()),
                FactType::Date => Some("write a date like `2019-11-27` without quotes".to_string()),
                FactType::Int => {
                    Some("write a whole number without quotes, e.g. `1_400_000`".to_string())
                }
                FactType::Enum => {
                    crate::diagnostics::allowed_values(fact.values.iter().map(String::as_str))
                }
                _ => None,
            };
            this.error(
                span.clone(),
                format!(
                    "`{}` expects {expected}, found {}",
                    fact.path,
                    value.get_ref().type_str()
                ),
                help,
            );
            None
        };
        match fact.ty {
            FactType::Bool => match value.get_ref() {
                DeValue::Boolean(b) => Some(Value::Bool(*b)),
                _ => wrong(self, "true or false"),
            },
            FactType::Int => match value.get_ref() {
                DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) => self.bounded(fact, n as f64, &span).then_some(Value::Int(n)),
                    Err(_) => {
                        self.error(
                            span,
                            format!("`{}` is too large a number", fact.path),
                            Some(format!("the limit is {}", i64::MAX)),
                        );
                        None
                    }
                },
                _ => wrong(self, "a whole number"),
            },
            FactType::Number => {
                let number = match value.get_ref() {
                    DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .map(|n| n as f64),
                    DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
                    _ => return wrong(self, "a number"),
                };
                match number.filter(|n| n.is_finite()) {
                    Some(n) => self.bounded(fact, n, &span).then_some(Value::Number(n)),
                    None => {
                        self.error(
                            span,
                            format!("`{}` must be a finite number", fact.path),
                            None,
                        );
                        None
                    }
                }
            }
            FactType::Date => match value.get_ref() {
                DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => match Date::new(d.year, d.month, d.day) {
                        Some(date) if date.year >= 1900 => Some(Value::Date(date)),
                        _ => {
                            self.error(
                                span,
                                format!("`{}` is out of range", fact.path),
                                Some("dates from 1900 on are accepted".into()),
                            );
                            None
                        }
                    },
                    _ => wrong(self, "a date without a time"),
                },
                DeValue::String(s) if Date::parse(s).is_some() => {
                    self.error(
                        span,
                        format!("`{}` expects a date, found a string", fact.path),
                        Some(format!("remove the quotes: `{s}`")),
                    );
                    None
                }
                _ => wrong(self, "a date"),
            },
            FactType::Str => match value.get_ref() {
                DeValue::String(s) => Some(Value::Str(s.to_string())),
                _ => wrong(self, "a string"),
            },
            FactType::Enum | FactType::Taxonomy | FactType::Region | FactType::Country => {
                if !value.get_ref().is_str() {
                    return wrong(self, "a string");
                }
                self.string_in(fact, &fact.domain(), value, shift)
                    .map(Value::Str)
            }
            FactType::ListEnum
            | FactType::ListString
            | FactType::ListTaxonomy
            | FactType::ListRegion
            | FactType::ListCountry => {
                let DeValue::Array(items) = value.get_ref() else {
                    if let DeValue::String(one) = value.get_ref() {
                        self.error(
                            span,
                            format!("`{}` expects a list, found a string", fact.path),
                            Some(format!("write a list in brackets: `[\"{one}\"]`")),
                        );
                        return None;
                    }
                    return wrong(self, "a list");
                };
                if items.len() > MAX_LIST_LEN {
                    self.error(
                        span,
                        format!("`{}` has more than {MAX_LIST_LEN} entries", fact.path),
                        Some(format!("the limit is {MAX_LIST_LEN} entries per list")),
                    );
                    return None;
                }
                let domain = fact.domain();
                let mut out = Vec::new();
                let mut ok = true;
                for item in items {
                    match self.string_in(fact, &domain, item, shift) {
                        Some(s) if !out.contains(&s) => out.push(s),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                ok.then_some(Value::List(out))
            }
            FactType::MapRegionInt => {
                let DeValue::Table(table) = value.get_ref() else {
                    return wrong(
                        self,
                        "a table of region = count, e.g. `{ \"US\" = 1000, \"US-IL\" = 40 }`",
                    );
                };
                let mut out = BTreeMap::new();
                let mut ok = true;
                for (key, count) in table {
                    let region = key.get_ref().as_ref();
                    if !self.vocab.is_region(region) {
                        let values = self.vocab.domain_values(&Domain::Region);
                        self.error(
                            shift(key.span()),
                            format!("`{region}` is not a region code"),
                            suggestion(region, &values),
                        );
                        ok = false;
                        continue;
                    }
                    match count.get_ref() {
                        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                            Ok(n) if n >= 0 => {
                                out.insert(region.to_string(), n);
                            }
                            _ => {
                                self.error(
                                        shift(count.span()),
                                        format!("the count for `{region}` must be a whole number from 0 up"),
                                        Some("counts cannot be negative; leave the region out when the number is unknown".into()),
                                    );
                                ok = false;
                            }
                        },
                        _ => {
                            self.error(
                                shift(count.span()),
                                format!("the count for `{region}` must be a whole number"),
                                None,
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some(Value::Map(out))
            }
        }
    }

    fn bounded(&mut self, fact: &FactDef, n: f64, span: &Range<usize>) -> bool {
        match fact.min {
            Some(min) if n < min => {
                self.error(
                    span.clone(),
                    format!("`{}` must be at least {min}", fact.path),
                    Some(if min == 0.0 {
                        "counts cannot be negative; leave the fact out when the number is unknown"
                            .into()
                    } else {
                        format!("the smallest allowed value is {min}")
                    }),
                );
                false
            }
            _ => true,
        }
    }

    fn required(
        &mut self,
        facts: &Facts,
        practices: &[Practice],
        whole_file: &Range<usize>,
        headers: &[Header],
    ) {
        for fact in self.vocab.facts.values().filter(|f| f.required) {
            if fact.path.starts_with("practice.disclosure.") {
                for disclosure in practices.iter().flat_map(|p| &p.disclosures) {
                    if !disclosure.facts.contains_key(&fact.path) {
                        self.error(
                            disclosure.location.span.clone(),
                            format!("this disclosure is missing `{}`", fact.path),
                            Some(fact.meaning.clone()),
                        );
                    }
                }
            } else if fact.path.starts_with("practice.") {
                for practice in practices {
                    if !practice.facts.contains_key(&fact.path) {
                        self.error(
                            practice.location.span.clone(),
                            format!("this practice is missing `{}`", fact.path),
                            Some(fact.meaning.clone()),
                        );
                    }
                }
            } else if !facts.contains_key(&fact.path) {
                let (table, key) = fact
                    .path
                    .split_once('.')
                    .unwrap_or(("scenario", &fact.path));
                // Point at the table the key belongs in when the file has it.
                match headers.iter().find(|h| h.name == table && !h.array) {
                    Some(header) => self.error(
                        header.span.clone(),
                        format!("missing `{}`", fact.path),
                        Some(format!(
                            "add `{key} = ...` to `[{table}]`: {}",
                            fact.meaning
                        )),
                    ),
                    None => self.error(
                        whole_file.start..whole_file.start,
                        format!("missing `{}`", fact.path),
                        Some(format!(
                            "add `[{table}]` with `{key} = ...`: {}",
                            fact.meaning
                        )),
                    ),
                }
            }
        }
    }

    fn expect(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        rule_ids: &BTreeSet<&str>,
        practices: &[Practice],
        shift: &Shift<'_>,
    ) -> Option<Expect> {
        let DeValue::Table(table) = value.get_ref() else {
            self.error(shift(value.span()), "`expect` must be a table", None);
            return None;
        };
        let keys = [
            "likely-violation",
            "possible-violation",
            "compliant",
            "not-applicable",
            "exhaustive",
        ];
        let mut expect = Expect::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if name == "exhaustive" {
                match value.get_ref() {
                    DeValue::Boolean(b) => expect.exhaustive = *b,
                    _ => self.error(
                        shift(value.span()),
                        "`exhaustive` expects true or false",
                        None,
                    ),
                }
                continue;
            }
            let Some(verdict) = Verdict::parse(name) else {
                self.error(
                    shift(key.span()),
                    format!("unknown key `{name}` in `[expect]`"),
                    suggestion(name, &keys),
                );
                continue;
            };
            let DeValue::Array(items) = value.get_ref() else {
                self.error(
                    shift(value.span()),
                    format!("`{name}` expects a list of rule ids"),
                    Some(format!("e.g. `{name} = [\"bipa.15b\"]`")),
                );
                continue;
            };
            for item in items {
                let span = shift(item.span());
                let Some(written) = item.get_ref().as_str() else {
                    self.error(span, "expected a rule id as a string", None);
                    continue;
                };
                let (rule, scope) = match written.split_once('@') {
                    Some((rule, scope)) => (rule, Some(scope)),
                    None => (written, None),
                };
                if !rule_ids.contains(rule) {
                    let ids: Vec<&str> = rule_ids.iter().copied().collect();
                    self.error(
                        span.clone(),
                        format!("`[expect]` names unknown rule `{rule}`"),
                        suggestion(rule, &ids).filter(|h| h.starts_with("did you mean")),
                    );
                    continue;
                }
                let (practice, disclosure) = match scope
                    .map(|s| s.split_once('/').map_or((s, None), |(p, d)| (p, Some(d))))
                {
                    None => (None, None),
                    Some((practice_id, disclosure_name)) => {
                        let Some(practice) = practices.iter().find(|p| p.id == practice_id) else {
                            let ids: Vec<&str> = practices.iter().map(|p| p.id.as_str()).collect();
                            self.error(
                                span.clone(),
                                format!("`[expect]` names unknown practice `{practice_id}`"),
                                suggestion(practice_id, &ids),
                            );
                            continue;
                        };
                        if let Some(name) = disclosure_name {
                            if !practice.disclosures.iter().any(|d| d.name == name) {
                                let names: Vec<&str> = practice
                                    .disclosures
                                    .iter()
                                    .map(|d| d.name.as_str())
                                    .collect();
                                self.error(span.clone(), format!("`[expect]` names unknown disclosure `{name}` of practice `{practice_id}`"), suggestion(name, &names));
                                continue;
                            }
                        }
                        (
                            Some(practice_id.to_string()),
                            disclosure_name.map(String::from),
                        )
                    }
                };
                if expect.entries.iter().any(|e| e.written == written) {
                    self.error(
                        span.clone(),
                        format!("`{written}` is listed twice in `[expect]`"),
                        None,
                    );
                    continue;
                }
                expect.entries.push(Expectation {
                    verdict,
                    rule: rule.to_string(),
                    practice,
                    disclosure,
                    written: written.to_string(),
                    location: Location::new(self.file, span),
                });
            }
        }
        Some(expect)
    }
}
