//! Waivers: accepted risk written down in `consentry.toml` (or a `--waivers` file), checked
//! like every other input, and matched to findings after evaluation. A waived finding keeps
//! its verdict; it only stops counting toward `--fail-on`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, did_you_mean, suggestion};
use crate::engine::{Finding, ScenarioResult};
use crate::folders::FolderSearch;
use crate::rulebook::Rulebook;
use crate::source::{Location, SourceFile};
use crate::value::Date;
use crate::verdict::Verdict;

/// Name of the per-folder file that holds waivers.
pub const WAIVER_FILE: &str = "consentry.toml";

/// The keys of a `[[waiver]]` entry.
const KEYS: [&str; 6] = ["rule", "scenario", "scope", "reason", "owner", "expires"];
/// The keys every waiver must give.
const REQUIRED: [&str; 5] = ["rule", "scenario", "reason", "owner", "expires"];

/// One accepted finding (or set of findings): what it covers, why, who owns it, until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    /// The rule id.
    pub rule: String,
    /// The scenario id.
    pub scenario: String,
    /// The practice it is pinned to, if any.
    pub practice: Option<String>,
    /// The disclosure (of that practice) it is pinned to, if any.
    pub disclosure: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Last day it applies (inclusive).
    pub expires: Date,
    /// Where the `[[waiver]]` entry is written.
    pub location: Location,
    /// Whether the file speaks for every scenario of the run, so that a waiver naming a scenario
    /// the run did not check is stale rather than about some other folder.
    covers_run: bool,
    /// Where the `expires` date is written, for the expiry warning.
    expires_span: Range<usize>,
}

impl Waiver {
    /// What it covers, in the `[expect]` syntax: `bipa.15b`, `bipa.15b@practice`,
    /// `bipa.15d@practice/disclosure`.
    pub fn target(&self) -> String {
        match (&self.practice, &self.disclosure) {
            (Some(p), Some(d)) => format!("{}@{p}/{d}", self.rule),
            (Some(p), None) => format!("{}@{p}", self.rule),
            _ => self.rule.clone(),
        }
    }

    /// Whether it names `finding` of scenario `scenario`: same rule, and the same practice (and
    /// disclosure) where it is pinned to one. A practice pin covers every disclosure of it.
    pub fn covers(&self, scenario: &str, finding: &Finding) -> bool {
        self.scenario == scenario
            && self.rule == finding.rule
            && self
                .practice
                .as_ref()
                .is_none_or(|p| finding.practice.as_ref() == Some(p))
            && self
                .disclosure
                .as_ref()
                .is_none_or(|d| finding.disclosure.as_ref() == Some(d))
    }

    /// Whether it has expired on `today`: it applies through its `expires` day.
    pub fn expired_on(&self, today: Date) -> bool {
        self.expires < today
    }
}

/// What became of a waiver in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It waives at least one likely or possible violation.
    Applied,
    /// Its `expires` date has passed: it waives nothing and the findings count again.
    Expired,
    /// It matches no likely or possible violation of the run.
    Unmatched,
    /// It names a scenario this run did not check, from a waiver file that speaks only for
    /// part of the run's folders: neither applied nor reported.
    NotChecked,
}

impl Status {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Expired => "expired",
            Self::Unmatched => "unmatched",
            Self::NotChecked => "not-checked",
        }
    }
}

/// A waiver and what became of it.
#[derive(Debug, Clone)]
pub struct WaiverState {
    /// The waiver.
    pub waiver: Waiver,
    /// Applied, expired, unmatched or not checked.
    pub status: Status,
    /// Fingerprints of the likely and possible violations it names (waived when applied).
    pub findings: Vec<String>,
    /// Why it is expired or unmatched, in plain words; empty when applied.
    pub detail: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// Every waiver of a run and the findings it waives.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    /// Every waiver loaded, in file order.
    pub entries: Vec<WaiverState>,
    /// Finding fingerprint to the entry that waives it.
    waived: BTreeMap<String, usize>,
    /// Finding fingerprint to an expired entry that names it.
    expired: BTreeMap<String, usize>,
}

impl Waivers {
    /// No waivers (`--no-waivers`, or no waiver file).
    pub const fn none() -> Self {
        Self {
            entries: Vec::new(),
            waived: BTreeMap::new(),
            expired: BTreeMap::new(),
        }
    }

    /// The waiver that waives the finding with `fingerprint`, if any.
    pub fn waiver_for(&self, fingerprint: &str) -> Option<&Waiver> {
        self.waived
            .get(fingerprint)
            .and_then(|&i| self.entries.get(i))
            .map(|e| &e.waiver)
    }

    /// An expired waiver that names the finding with `fingerprint`, if any (and none applies).
    pub fn expired_for(&self, fingerprint: &str) -> Option<&Waiver> {
        self.expired
            .get(fingerprint)
            .and_then(|&i| self.entries.get(i))
            .map(|e| &e.waiver)
    }

    /// How many waivers ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    /// The waivers a report shows: every one but those about scenarios the run did not check.
    pub fn reported(&self) -> impl Iterator<Item = &WaiverState> {
        self.entries
            .iter()
            .filter(|e| e.status != Status::NotChecked)
    }

    /// A warning for each expired or unmatched waiver, at its entry in the waiver file.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .filter(|e| matches!(e.status, Status::Expired | Status::Unmatched))
            .map(|e| {
                // An expired waiver points at its date; an unmatched one at its header.
                let span = if e.status == Status::Expired {
                    e.waiver.expires_span.clone()
                } else {
                    e.waiver.location.span.clone()
                };
                let diag =
                    Diagnostic::error(&e.waiver.location.file, span, e.detail.clone()).warning();
                match &e.help {
                    Some(help) => diag.with_help(help.clone()),
                    None => diag,
                }
            })
            .collect()
    }
}

/// A waiver file to read, and whether it speaks for every scenario of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverSource {
    /// The file.
    pub path: PathBuf,
    /// True for `--waivers` files and for `consentry.toml` files inside a folder the run checks
    /// whole; false for those found in a parent folder or next to a single scenario file.
    pub covers_run: bool,
}

/// The `consentry.toml` files that apply to a run over `paths` (empty means `scenarios/`): in
/// each folder given and every folder below it, in the folder of each file given, and in the
/// parent folders of those up to the current directory.
pub fn discover(paths: &[PathBuf]) -> Vec<WaiverSource> {
    let defaults = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let mut found: Vec<WaiverSource> = Vec::new();
    let mut seen: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut add = |path: PathBuf, covers_run: bool| {
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        match seen.get(&key).and_then(|&i| found.get_mut(i)) {
            Some(source) => source.covers_run |= covers_run,
            None => {
                seen.insert(key, found.len());
                found.push(WaiverSource { path, covers_run });
            }
        }
    };
    for path in paths {
        let is_dir = path.is_dir();
        let own = if is_dir {
            // A folder given is checked whole, and so is every folder below it.
            let keep = |file: &Path| file.file_name().is_some_and(|n| n == WAIVER_FILE);
            let mut search = FolderSearch::new(&keep);
            // Unreadable folders are reported by the search for scenarios over the same paths.
            search.folder(path);
            for file in search.files {
                add(file, true);
            }
            path.clone()
        } else {
            let own = path.parent().map(Path::to_path_buf).unwrap_or_default();
            if folder(&own).join(WAIVER_FILE).is_file() {
                add(tidy(&own, WAIVER_FILE), false);
            }
            own
        };
        // Parents up to the current directory: a team's waivers can sit at the repository root.
        let mut current = own;
        loop {
            let canonical = folder(&current).canonicalize().ok();
            let (Some(canonical), Some(cwd)) = (&canonical, &cwd) else {
                break;
            };
            if canonical == cwd || !canonical.starts_with(cwd) {
                break;
            }
            let Some(parent) = current.parent() else {
                break;
            };
            current = parent.to_path_buf();
            if folder(&current).join(WAIVER_FILE).is_file() {
                add(tidy(&current, WAIVER_FILE), false);
            }
        }
    }
    found
}

/// `dir` as a folder to open: the empty path (the parent of `scenarios`) is the current one.
fn folder(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// `dir/name`, written without a leading `./` for the current directory.
fn tidy(dir: &Path, name: &str) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

/// Loads and checks the waivers of one file. Each bad entry is an error at its location; the
/// good entries are returned all the same, so one typo does not hide the others.
pub fn load(
    file: &Arc<SourceFile>,
    book: &Rulebook,
    statutes_filtered: bool,
    covers_run: bool,
) -> (Vec<Waiver>, Vec<Diagnostic>) {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let offset = file.text.len() - text.len();
    let shift = |span: Range<usize>| (span.start + offset)..(span.end + offset);
    let mut errors = Vec::new();
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(err) => {
            let span = err.span().map_or(offset..offset, shift);
            let message = err
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .trim()
                .to_string();
            errors.push(Diagnostic::error(
                file,
                span,
                format!("invalid TOML: {message}"),
            ));
            return (Vec::new(), errors);
        }
    };
    let mut waivers = Vec::new();
    for (key, value) in root.get_ref() {
        let name = key.get_ref().as_ref();
        if name != "waiver" {
            errors.push(
                Diagnostic::error(file, shift(key.span()), format!("unknown key `{name}`"))
                    .with_help(
                        did_you_mean(name, ["waiver"])
                            .unwrap_or_else(|| format!("{WAIVER_FILE} holds `[[waiver]]` entries")),
                    ),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            errors.push(
                Diagnostic::error(
                    file,
                    shift(value.span()),
                    "`waiver` must be a list of tables",
                )
                .with_help("write each waiver as `[[waiver]]`"),
            );
            continue;
        };
        for item in items {
            let span = shift(item.span());
            let DeValue::Table(table) = item.get_ref() else {
                errors.push(
                    Diagnostic::error(file, span, "each waiver must be a table")
                        .with_help("write each waiver as `[[waiver]]`"),
                );
                continue;
            };
            let mut entry = Entry {
                file,
                errors: &mut errors,
                shift: &shift,
            };
            if let Some(waiver) = entry.waiver(table, span, book, statutes_filtered) {
                waivers.push(Waiver {
                    covers_run,
                    ..waiver
                });
            }
        }
    }
    (waivers, errors)
}

struct Entry<'a, 'e> {
    file: &'a Arc<SourceFile>,
    errors: &'e mut Vec<Diagnostic>,
    shift: &'a dyn Fn(Range<usize>) -> Range<usize>,
}

impl Entry<'_, '_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let diag = Diagnostic::error(self.file, span, message);
        self.errors.push(match help {
            Some(help) => diag.with_help(help),
            None => diag,
        });
    }

    /// One `[[waiver]]` table, or `None` (with errors) when it is not a usable waiver.
    fn waiver(
        &mut self,
        table: &DeTable<'_>,
        span: Range<usize>,
        book: &Rulebook,
        statutes_filtered: bool,
    ) -> Option<Waiver> {
        let before = self.errors.len();
        let mut present: BTreeSet<String> = BTreeSet::new();
        let mut strings: BTreeMap<String, (String, Range<usize>)> = BTreeMap::new();
        let mut expires = None;
        let mut expires_span = span.start..span.start;
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            present.insert(name.to_string());
            let value_span = (self.shift)(value.span());
            match name {
                "expires" => match value.get_ref() {
                    DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                        (Some(d), None, None) => match Date::new(d.year, d.month, d.day) {
                            Some(date) => {
                                expires = Some(date);
                                expires_span = value_span.clone();
                            }
                            None => {
                                self.error(value_span, "`expires` is not a calendar date", None)
                            }
                        },
                        _ => self.error(
                            value_span,
                            "`expires` expects a date without a time",
                            Some("write a date like `2026-06-30`".into()),
                        ),
                    },
                    DeValue::String(s) if Date::parse(s).is_some() => self.error(
                        value_span,
                        "`expires` expects a date, found a string",
                        Some(format!("remove the quotes: `{s}`")),
                    ),
                    _ => self.error(
                        value_span,
                        "`expires` expects a date",
                        Some("write a date like `2026-06-30`, without quotes".into()),
                    ),
                },
                "rule" | "scenario" | "scope" | "reason" | "owner" => match value.get_ref() {
                    DeValue::String(s) if s.trim().is_empty() => {
                        self.error(value_span, format!("`{name}` is empty"), None);
                    }
                    DeValue::String(s) => {
                        strings.insert(name.to_string(), (s.trim().to_string(), value_span));
                    }
                    _ => self.error(value_span, format!("`{name}` expects a string"), None),
                },
                other => {
                    let help = suggestion(other, &KEYS);
                    self.error(
                        (self.shift)(key.span()),
                        format!("unknown key `{other}` in `[[waiver]]`"),
                        help,
                    );
                }
            }
        }
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|k| !present.contains(**k))
            .map(|k| format!("`{k}`"))
            .collect();
        if !missing.is_empty() {
            self.error(
                span.start..span.start,
                format!("waiver is missing {}", missing.join(", ")),
                Some(
                    "every waiver needs `rule`, `scenario`, `reason`, `owner` and `expires`".into(),
                ),
            );
        }
        let (rule, rule_span) = strings.get("rule").cloned().unwrap_or_default();
        if rule.contains('@') {
            let (id, scope) = rule.split_once('@').unwrap_or((&rule, ""));
            self.error(
                rule_span,
                "`rule` takes a rule id only",
                Some(format!(
                    "write the scope on its own: rule = \"{id}\", scope = \"{scope}\""
                )),
            );
        } else if !rule.is_empty() && !book.rules.contains_key(&rule) {
            let statute = rule.split('.').next().unwrap_or("");
            // With `--statute`, waivers of packs left out of the run are simply not in play.
            if statutes_filtered && !book.statutes.contains_key(statute) {
                return None;
            }
            let ids: Vec<&str> = book.rule_ids().collect();
            self.error(
                rule_span,
                format!("waiver names unknown rule `{rule}`"),
                suggestion(&rule, &ids).filter(|h| h.starts_with("did you mean")),
            );
        }
        let (mut practice, mut disclosure) = (None, None);
        if let Some((scope, scope_span)) = strings.get("scope") {
            let mut parts = scope.split('/');
            let (p, d, rest) = (parts.next(), parts.next(), parts.next());
            match (p, d, rest) {
                (Some(p), d, None) if !p.is_empty() && d.is_none_or(|d| !d.is_empty()) => {
                    practice = Some(p.to_string());
                    disclosure = d.map(str::to_string);
                }
                _ => self.error(
                    scope_span.clone(),
                    format!("scope `{scope}` is not `practice` or `practice/disclosure`"),
                    Some("e.g. scope = \"face-scan\" or scope = \"face-scan/vendor\"".into()),
                ),
            }
        }
        if self.errors.len() > before {
            return None;
        }
        let get = |key: &str| strings.get(key).map(|(s, _)| s.clone()).unwrap_or_default();
        Some(Waiver {
            rule,
            scenario: get("scenario"),
            practice,
            disclosure,
            reason: get("reason"),
            owner: get("owner"),
            expires: expires?,
            location: Location::new(self.file, header_span(&self.file.text, span.start)),
            covers_run: false,
            expires_span,
        })
    }
}

/// The span of the line that starts at `start` (the `[[waiver]]` header), without its newline.
fn header_span(text: &str, start: usize) -> Range<usize> {
    let rest = text.get(start..).unwrap_or("");
    let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
    start..start + len
}

/// Matches `waivers` to the findings of `results` as of `today`.
pub fn apply(waivers: Vec<Waiver>, results: &[ScenarioResult], today: Date) -> Waivers {
    let mut matcher = Matcher::new(waivers, today);
    for result in results {
        let view = matcher.scenario(result);
        matcher.record(&result.scenario.id, view);
    }
    matcher.finish()
}

/// How one waiver ended: its status, the violations it names, and why, in words.
struct Judgement {
    status: Status,
    violations: Vec<String>,
    detail: String,
    help: Option<String>,
}

/// Judges `waiver` against `result`, the checked scenario it names (`None`: the run did not
/// check it; `checked` are the ids it did check, for a "did you mean").
fn judge(
    waiver: &Waiver,
    result: Option<&ScenarioResult>,
    today: Date,
    checked: &BTreeSet<String>,
) -> Judgement {
    let named: Vec<&Finding> = result
        .map(|r| {
            r.findings
                .iter()
                .filter(|f| waiver.covers(&r.scenario.id, f))
                .collect()
        })
        .unwrap_or_default();
    let violations: Vec<String> = named
        .iter()
        .filter(|f| {
            matches!(
                f.verdict,
                Verdict::LikelyViolation | Verdict::PossibleViolation
            )
        })
        .map(|f| f.fingerprint.clone())
        .collect();
    let target = waiver.target();
    let (status, detail, help) = if result.is_none() && !waiver.covers_run {
        (Status::NotChecked, String::new(), None)
    } else if waiver.expired_on(today) {
        let counted = match violations.len() {
            0 => String::new(),
            1 => "; its finding counts again".to_string(),
            n => format!("; its {n} findings count again"),
        };
        (
            Status::Expired,
            format!(
                "waiver of `{target}` in scenario `{}` expired on {}{counted}",
                waiver.scenario, waiver.expires
            ),
            Some(
                "review the risk again: renew the waiver with a new `expires` date, or remove it"
                    .into(),
            ),
        )
    } else if result.is_none() {
        (
            Status::Unmatched,
            format!(
                "waiver of `{target}` names scenario `{}`, which this run did not check",
                waiver.scenario
            ),
            did_you_mean(&waiver.scenario, checked.iter().map(String::as_str))
                .or_else(|| Some("remove the waiver if the scenario is gone".into())),
        )
    } else if named.is_empty() {
        let help = result.and_then(|r| scope_help(waiver, r));
        (
            Status::Unmatched,
            format!(
                "waiver of `{target}` in scenario `{}` matches no finding",
                waiver.scenario
            ),
            help.or_else(|| {
                Some(
                    "the rule is not in force for the scenario's date, or the scope does not exist"
                        .into(),
                )
            }),
        )
    } else if violations.is_empty() {
        (
            Status::Unmatched,
            format!(
                "waiver of `{target}` in scenario `{}` has nothing to waive: no likely or possible violation",
                waiver.scenario
            ),
            Some("the findings it names are compliant or not applicable; remove the waiver".into()),
        )
    } else {
        (Status::Applied, String::new(), None)
    };
    Judgement {
        status,
        violations,
        detail,
        help,
    }
}

impl Waivers {
    /// The waivers of `states` (in file order) and the findings they waive.
    fn from_states(states: Vec<WaiverState>) -> Self {
        let mut out = Waivers::none();
        for (index, state) in states.iter().enumerate() {
            let map = match state.status {
                Status::Applied => &mut out.waived,
                Status::Expired => &mut out.expired,
                _ => continue,
            };
            for fingerprint in &state.findings {
                // The first waiver in file order that names a finding is the one that waives it.
                map.entry(fingerprint.clone()).or_insert(index);
            }
        }
        // A finding that a live waiver covers is waived, whatever an expired one says of it.
        let waived: Vec<String> = out.waived.keys().cloned().collect();
        for fingerprint in waived {
            out.expired.remove(&fingerprint);
        }
        out.entries = states;
        out
    }
}

/// The waivers that name one scenario, matched to its findings: what rendering that scenario
/// needs, made apart from the other scenarios (in parallel) and recorded in file order.
#[derive(Debug, Clone, Default)]
pub struct ScenarioWaivers {
    /// The waivers naming the scenario and the findings they waive (only those entries).
    pub view: Waivers,
    /// The index of each entry of `view` among all the run's waivers.
    indices: Vec<usize>,
}

/// Matches waivers to findings one scenario at a time, so a run never holds every result: a
/// waiver's fate depends only on the scenario it names, except the "did you mean" of one
/// naming a scenario the run did not check, which needs only the ids checked.
#[derive(Debug)]
pub struct Matcher {
    waivers: Vec<Waiver>,
    today: Date,
    /// Waiver indices by the scenario id they name, in file order.
    by_scenario: BTreeMap<String, Vec<usize>>,
    /// What became of each waiver whose scenario was checked.
    states: Vec<Option<WaiverState>>,
    /// Scenario ids checked so far.
    checked: BTreeSet<String>,
}

impl Matcher {
    /// A matcher for `waivers`, which expire against `today`.
    pub fn new(waivers: Vec<Waiver>, today: Date) -> Self {
        let mut by_scenario: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, waiver) in waivers.iter().enumerate() {
            by_scenario
                .entry(waiver.scenario.clone())
                .or_default()
                .push(index);
        }
        let states = waivers.iter().map(|_| None).collect();
        Self {
            waivers,
            today,
            by_scenario,
            states,
            checked: BTreeSet::new(),
        }
    }

    /// The waivers naming `result`'s scenario, matched to its findings.
    pub fn scenario(&self, result: &ScenarioResult) -> ScenarioWaivers {
        let Some(indices) = self.by_scenario.get(&result.scenario.id) else {
            return ScenarioWaivers::default();
        };
        let states = indices
            .iter()
            .filter_map(|&i| self.waivers.get(i))
            .map(|waiver| {
                let judged = judge(waiver, Some(result), self.today, &self.checked);
                WaiverState {
                    waiver: waiver.clone(),
                    status: judged.status,
                    findings: judged.violations,
                    detail: judged.detail,
                    help: judged.help,
                }
            })
            .collect();
        ScenarioWaivers {
            view: Waivers::from_states(states),
            indices: indices.clone(),
        }
    }

    /// Records scenario `id` as checked, with what [`Matcher::scenario`] made of its waivers.
    /// Only the first scenario with an id counts (a later one is an error of its own).
    pub fn record(&mut self, id: &str, waivers: ScenarioWaivers) {
        // Without waivers nothing needs the ids checked (a run of many files would only
        // hold them).
        if self.waivers.is_empty() || !self.checked.insert(id.to_string()) {
            return;
        }
        for (index, state) in waivers.indices.into_iter().zip(waivers.view.entries) {
            if let Some(slot) = self.states.get_mut(index) {
                *slot = Some(state);
            }
        }
    }

    /// Every waiver and what became of it, once every scenario is recorded.
    pub fn finish(self) -> Waivers {
        let Matcher {
            waivers,
            today,
            states,
            checked,
            ..
        } = self;
        let states = waivers
            .into_iter()
            .zip(states)
            .map(|(waiver, state)| {
                state.unwrap_or_else(|| {
                    let judged = judge(&waiver, None, today, &checked);
                    WaiverState {
                        waiver,
                        status: judged.status,
                        findings: judged.violations,
                        detail: judged.detail,
                        help: judged.help,
                    }
                })
            })
            .collect();
        Waivers::from_states(states)
    }
}

/// A "did you mean" for a waiver's practice or disclosure among the scenario's own.
fn scope_help(waiver: &Waiver, result: &ScenarioResult) -> Option<String> {
    let practice = waiver.practice.as_deref()?;
    let practices = &result.scenario.practices;
    match practices.iter().find(|p| p.id == practice) {
        None => {
            let ids: Vec<&str> = practices.iter().map(|p| p.id.as_str()).collect();
            suggestion(practice, &ids).map(|h| format!("no practice `{practice}`: {h}"))
        }
        Some(found) => {
            let disclosure = waiver.disclosure.as_deref()?;
            let names: Vec<&str> = found.disclosures.iter().map(|d| d.name.as_str()).collect();
            suggestion(disclosure, &names)
                .map(|h| format!("no disclosure `{disclosure}` in practice `{practice}`: {h}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::run_scenarios;

    const HONG: &str = "scenarios/tiktok-hong-2019.toml";

    fn book() -> Rulebook {
        Rulebook::embedded().expect("the embedded rulebook loads")
    }

    fn parse(text: &str) -> (Vec<Waiver>, Vec<Diagnostic>) {
        let file = SourceFile::new("consentry.toml", text);
        load(&file, &book(), false, true)
    }

    #[test]
    fn a_complete_waiver_loads_with_its_scope_and_location() {
        let (waivers, errors) = parse(
            "# accepted\n[[waiver]]\nrule = \"bipa.15d\"\nscenario = \"tiktok-hong-2019\"\nscope = \"face-scan-unposted/bytedance-beijing\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let waiver = waivers.first().expect("one waiver");
        assert_eq!(
            waiver.target(),
            "bipa.15d@face-scan-unposted/bytedance-beijing"
        );
        assert_eq!(waiver.location.line, 2);
        assert_eq!(waiver.expires, Date::new(2030, 1, 1).expect("date"));
    }

    #[test]
    fn missing_fields_unknown_keys_and_rules_are_errors_with_locations() {
        let (waivers, errors) = parse(
            "[[waiver]]\nrule = \"bipa.15bb\"\nscenario = \"x\"\nreasn = \"typo\"\nexpires = \"2030-01-01\"\n",
        );
        assert!(waivers.is_empty());
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{:?} {} {:?}", e.line_col(), e.message, e.help))
            .collect();
        let all = messages.join("\n");
        assert!(
            all.contains("(1, 1) waiver is missing `reason`, `owner`"),
            "{all}"
        );
        assert!(all.contains("unknown key `reasn`"), "{all}");
        assert!(all.contains("did you mean `reason`?"), "{all}");
        assert!(
            all.contains("(2, 8) waiver names unknown rule `bipa.15bb`"),
            "{all}"
        );
        assert!(all.contains("remove the quotes"), "{all}");
    }

    #[test]
    fn a_rule_with_a_scope_suffix_and_a_bad_scope_are_errors() {
        let (_, errors) = parse(
            "[[waiver]]\nrule = \"bipa.15b@x\"\nscenario = \"s\"\nscope = \"a/b/c\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
        );
        let all: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(all.contains(&"`rule` takes a rule id only"), "{all:?}");
        assert!(
            all.iter().any(|m| m.starts_with("scope `a/b/c`")),
            "{all:?}"
        );
    }

    fn hong_waiver(scope: Option<&str>, expires: Date) -> Waiver {
        let file = SourceFile::new("consentry.toml", "[[waiver]]\n");
        Waiver {
            rule: "bipa.15a".into(),
            scenario: "tiktok-hong-2019".into(),
            practice: scope.map(str::to_string),
            disclosure: None,
            reason: "r".into(),
            owner: "o".into(),
            expires,
            location: Location::new(&file, 0..0),
            covers_run: true,
            expires_span: 0..0,
        }
    }

    #[test]
    fn live_waivers_apply_expired_and_unmatched_ones_do_not() {
        let book = book();
        let (results, errors) = run_scenarios(&book, &[PathBuf::from(HONG)], None);
        assert!(errors.is_empty());
        let today = Date::new(2026, 1, 1).expect("date");
        let live = hong_waiver(Some("face-scan-unposted"), today);
        let expired = hong_waiver(None, Date::new(2025, 12, 31).expect("date"));
        let unmatched = hong_waiver(Some("no-such-practice"), today);
        let mut other = hong_waiver(None, today);
        other.scenario = "elsewhere".into();
        other.covers_run = false;
        let waivers = apply(vec![live, expired, unmatched, other], &results, today);
        let statuses: Vec<Status> = waivers.entries.iter().map(|e| e.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Applied,
                Status::Expired,
                Status::Unmatched,
                Status::NotChecked
            ]
        );
        let finding = results
            .iter()
            .flat_map(|r| &r.findings)
            .find(|f| f.rule == "bipa.15a" && f.practice.as_deref() == Some("face-scan-unposted"))
            .expect("the face-scan finding");
        assert!(waivers.waiver_for(&finding.fingerprint).is_some());
        assert!(waivers.expired_for(&finding.fingerprint).is_none());
        let warnings = waivers.warnings();
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("expired on 2025-12-31"))
        );
        assert!(
            waivers
                .entries
                .get(2)
                .and_then(|e| e.help.as_deref())
                .is_some_and(|h| h.contains("no practice `no-such-practice`")),
            "{:?}",
            waivers.entries.get(2)
        );
    }
}
