//! The commands behind the CLI: file discovery, loading, evaluation and rendering, returning
//! text (or, for `check`, writing the report to a writer it is given) and an exit status
//! instead of printing, so tests and the binary share one path.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Severity, bad_files, cap_per_file, suggestion};
use crate::engine::{Detail, ScenarioResult, evaluate, evaluate_with};
use crate::expect;
use crate::folders::{FolderSearch, io_reason};
use crate::report::{self, ReportStream};
use crate::rulebook::{Rulebook, embedded_files};
use crate::scenario::Scenario;
use crate::source::SourceFile;
use crate::value::Date;
use crate::waiver::{self, WaiverSource};

/// Largest scenario or rule file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Name of the per-folder configuration file, never read as a scenario.
pub const CONFIG_FILE: &str = "consentry.toml";

/// The process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing reached the `--fail-on` level (or every expectation held).
    Clean = 0,
    /// Findings at the `--fail-on` level, or `[expect]` mismatches.
    Findings = 1,
    /// Bad input or usage: a file could not be loaded, or the rulebook is invalid.
    BadInput = 2,
}

/// What a command produced.
#[derive(Debug)]
pub struct Outcome {
    /// The report (stdout or `--output`).
    pub stdout: String,
    /// Diagnostics and notes for people (stderr).
    pub stderr: String,
    /// The exit status.
    pub exit: Exit,
}

pub use crate::report::Format;

/// Where `check` takes its waivers from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WaiverFiles {
    /// The `consentry.toml` files next to and above the paths checked ([`waiver::discover`]).
    #[default]
    Discover,
    /// These files only (`--waivers FILE`).
    Files(Vec<PathBuf>),
    /// None at all (`--no-waivers`).
    Ignore,
}

/// Receives progress while scenarios are checked, so the CLI can draw a bar; the library
/// itself prints nothing.
pub trait Progress: Sync {
    /// Checking starts on `files` scenario files.
    fn start(&self, files: usize) {
        let _ = files;
    }
    /// One file is loaded and evaluated (or failed to load).
    fn advance(&self, file: &Path) {
        let _ = file;
    }
    /// Every file is done.
    fn finish(&self) {}
}

/// Progress that is not shown.
pub struct NoProgress;

impl Progress for NoProgress {}

pub use crate::verdict::FailOn;

/// Where the rules come from and which packs to use.
#[derive(Debug, Clone, Default)]
pub struct RuleOptions {
    /// `--rules DIR` folders; empty means the embedded rulebook.
    pub dirs: Vec<PathBuf>,
    /// `--statute` ids; empty means all.
    pub statutes: Vec<String>,
}

/// Options of `check` and `test`.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files and folders; empty means `scenarios/`.
    pub paths: Vec<PathBuf>,
    /// Rule source and filter.
    pub rules: RuleOptions,
    /// `--as-of`.
    pub as_of: Option<Date>,
    /// `--format`.
    pub format: Format,
    /// `--fail-on`.
    pub fail_on: FailOn,
    /// `--all`.
    pub all: bool,
    /// Colour the human output.
    pub color: bool,
    /// Where the waivers come from.
    pub waivers: WaiverFiles,
    /// The date waivers expire against; `None` means the system clock's today.
    pub today: Option<Date>,
}

/// Reads a scenario or rule file, refusing what is not a regular file or is over
/// [`MAX_FILE_BYTES`] before reading it whole (a FIFO or a device would otherwise block or
/// never end), and anything that is not UTF-8 text.
fn read_source(path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    use std::io::Read as _;
    let name = path.display().to_string();
    let cannot_read = |e: &std::io::Error| {
        let mut diag = Diagnostic::file_error(&name, format!("cannot read file: {}", io_reason(e)));
        if let Ok(target) = std::fs::read_link(path) {
            if e.kind() == std::io::ErrorKind::NotFound {
                diag = Diagnostic::file_error(
                    &name,
                    format!(
                        "cannot read file: it is a link to `{}`, which does not exist",
                        target.display()
                    ),
                );
            }
            diag = diag.with_help("fix or remove the broken link");
        }
        diag
    };
    let metadata = std::fs::metadata(path).map_err(|e| cannot_read(&e))?;
    if metadata.is_dir() {
        return Err(Diagnostic::file_error(
            &name,
            "this is a folder, not a file",
        ));
    }
    if !metadata.is_file() {
        return Err(
            Diagnostic::file_error(&name, "not a regular file (a pipe, socket or device)")
                .with_help("consentry reads scenario and rule files only"),
        );
    }
    let too_big = |len: u64| {
        Diagnostic::file_error(
            &name,
            format!(
                "file is {len} bytes, over the limit of {MAX_FILE_BYTES} bytes ({} MiB)",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_help("split it into several files; a scenario describes one app as of one date")
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_big(metadata.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| cannot_read(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        // The file grew between the size check and the read.
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(
            Diagnostic::file_error(&name, "file is UTF-16 text, not UTF-8")
                .with_help("save the file as UTF-8"),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = SourceFile::new(name, text);
            // `SourceFile::new` drops a byte-order mark: offsets move back by its length.
            let bom = if err.as_bytes().starts_with("\u{feff}".as_bytes()) {
                '\u{feff}'.len_utf8()
            } else {
                0
            };
            let offset = offset.saturating_sub(bom);
            Err(
                Diagnostic::error(&file, offset..offset + 1, "file is not valid UTF-8")
                    .with_help("save the file as UTF-8"),
            )
        }
    }
}

/// The scenario files under `paths` (folders searched recursively for `*.toml`), sorted, and a
/// diagnostic for each path that does not exist or holds no scenario.
pub fn scenario_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let defaults = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let keep = |path: &Path| {
        path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_some_and(|n| n != CONFIG_FILE)
    };
    let mut search = FolderSearch::new(&keep);
    for path in paths {
        if path.is_dir() {
            // `None`: the folder was searched already (given twice, or inside another); it
            // still must hold a scenario.
            let found = search
                .folder(path)
                .unwrap_or_else(|| search.files.iter().filter(|f| f.starts_with(path)).count());
            if found == 0 {
                search.errors.push(Diagnostic::file_error(
                    path.display().to_string(),
                    "no scenario files (*.toml) in this folder",
                ));
            }
        } else if path.exists() || path.is_symlink() {
            search.files.insert(path.clone());
        } else {
            search.errors.push(Diagnostic::file_error(
                path.display().to_string(),
                "no such file or folder",
            ));
        }
    }
    (search.files.into_iter().collect(), search.errors)
}

/// Where one rulebook's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// The rulebook compiled into the binary.
    Embedded,
    /// The `*.toml` files of these folders on disk (`--rules DIR`).
    Folders(Vec<PathBuf>),
    /// The `*.toml` files of these folders as they were at a git revision (`--base-rev`).
    GitRevision {
        /// A branch, tag or commit.
        rev: String,
        /// The folders, each inside a git working tree.
        dirs: Vec<PathBuf>,
    },
}

impl RuleSource {
    /// The source in words, for report headers: `embedded`, `rules`, `main:rules`.
    pub fn describe(&self) -> String {
        let join = |dirs: &[PathBuf], prefix: &str| {
            dirs.iter()
                .map(|d| format!("{prefix}{}", d.display()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            RuleSource::Embedded => "the embedded rulebook".to_string(),
            RuleSource::Folders(dirs) => join(dirs, ""),
            RuleSource::GitRevision { rev, dirs } => join(dirs, &format!("{rev}:")),
        }
    }
}

/// Loads the rulebook: embedded, or from `--rules` folders (whose vocabulary, taxonomy and
/// regions files, when absent, come from the embedded rulebook).
pub fn load_rulebook(options: &RuleOptions) -> Result<Rulebook, Vec<Diagnostic>> {
    let source = if options.dirs.is_empty() {
        RuleSource::Embedded
    } else {
        RuleSource::Folders(options.dirs.clone())
    };
    load_rulebook_from(&source, &options.statutes)
}

/// Loads the rulebook of `source`, keeping only the `statutes` packs (all when empty). Rule
/// files read from folders and from a git revision take the same path: every file of every
/// folder is read (all problems reported), then the embedded vocabulary, taxonomy and regions
/// stand in for whichever of them no folder has.
pub fn load_rulebook_from(
    source: &RuleSource,
    statutes: &[String],
) -> Result<Rulebook, Vec<Diagnostic>> {
    let mut book = match source {
        RuleSource::Embedded => Rulebook::embedded()?,
        RuleSource::Folders(dirs) => {
            rulebook_from_folders(dirs.iter().map(|dir| folder_rule_files(dir)))?
        }
        RuleSource::GitRevision { rev, dirs } => rulebook_from_folders(
            dirs.iter()
                .map(|dir| crate::git::rule_files_at(dir, rev).map_err(|d| vec![d])),
        )?,
    };
    if !statutes.is_empty() {
        book.retain_statutes(statutes).map_err(|d| vec![d])?;
    }
    Ok(book)
}

/// The `*.toml` files of one rules folder on disk, sorted; every unreadable file is reported.
fn folder_rule_files(dir: &Path) -> Result<Vec<Arc<SourceFile>>, Vec<Diagnostic>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![Diagnostic::file_error(
            dir.display().to_string(),
            format!("cannot read rules folder: {}", io_reason(&e)),
        )]
    })?;
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(e) => errors.push(Diagnostic::file_error(
                dir.display().to_string(),
                format!("cannot list rules folder: {}", io_reason(&e)),
            )),
        }
    }
    paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    if paths.is_empty() {
        errors.push(Diagnostic::file_error(
            dir.display().to_string(),
            "no rule files (*.toml) in this rules folder",
        ));
    }
    let mut files = Vec::new();
    for path in paths {
        match read_source(&path) {
            Ok(file) => files.push(file),
            Err(diag) => errors.push(diag),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Loads a rulebook from the files of several folders, however they were read.
fn rulebook_from_folders(
    folders: impl Iterator<Item = Result<Vec<Arc<SourceFile>>, Vec<Diagnostic>>>,
) -> Result<Rulebook, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for folder in folders {
        match folder {
            Ok(found) => files.extend(found),
            Err(diags) => errors.extend(diags),
        }
    }
    if !errors.is_empty() {
        return Err(cap_per_file(errors));
    }
    let file_name = |name: &str| name.rsplit(['/', '\\']).next().unwrap_or(name).to_string();
    let missing: Vec<Arc<SourceFile>> = embedded_files()
        .into_iter()
        .filter(|support| {
            let name = file_name(&support.name);
            ["vocabulary.toml", "taxonomy.toml", "regions.toml"].contains(&name.as_str())
                && !files.iter().any(|f| file_name(&f.name) == name)
        })
        .collect();
    files.extend(missing);
    Rulebook::load(&files).map_err(cap_per_file)
}

fn render_diagnostics(diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for diag in diagnostics {
        out.push_str(&diag.render(color));
        out.push_str("\n\n");
    }
    out
}

fn failed(diagnostics: Vec<Diagnostic>, color: bool) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr: render_diagnostics(&diagnostics, color),
        exit: Exit::BadInput,
    }
}

/// The dates checks of one scenario: an error when no rule of the rulebook is in force on the
/// date the law is read as of, a warning for each pack with no rule in force then.
/// `at` is where the date comes from: the scenario's `as_of` (a span), or `--as-of`.
fn date_diagnostics(book: &Rulebook, date: Date, at: DateSource<'_>) -> Vec<Diagnostic> {
    let out_of_force = book.packs_out_of_force(date);
    if out_of_force.is_empty() {
        return Vec::new();
    }
    let make = |message: String| match &at {
        DateSource::Stated(file, span) => Diagnostic::error(file, span.clone(), message),
        DateSource::Today(file) => Diagnostic::error(file, 0..0, message),
        DateSource::Flag => Diagnostic::file_error("--as-of", message),
    };
    let when = match at {
        DateSource::Today(_) => format!("{date} (today: the scenario gives no `as_of`)"),
        _ => date.to_string(),
    };
    let describe = |o: &crate::rulebook::OutOfForce| match o.ended {
        Some(ended) => format!("`{}` ended on {ended}", o.statute),
        None => format!("`{}` starts on {}", o.statute, o.first),
    };
    if !book.any_rule_in_force(date) && !book.rules.is_empty() {
        let packs: Vec<String> = out_of_force.iter().map(describe).collect();
        return vec![
            make(format!(
                "no rule of the loaded rulebook is in force on {when}"
            ))
            .with_help(format!(
                "{}; check the date, or choose another with `--as-of`",
                packs.join(", ")
            )),
        ];
    }
    // With every pack loaded, a pack whose dates do not cover the scenario is ordinary (the
    // bulk-data rule did not exist in 2019) and the report shows which packs were in force.
    // A pack the user chose with `--statute` is worth a warning.
    if book.filtered_out_rule_ids().next().is_none() {
        return Vec::new();
    }
    out_of_force
        .iter()
        .map(|o| {
            let help = match o.ended {
                Some(ended) => {
                    format!("its last rule ended on {ended}; its rules are left out of this report")
                }
                None => format!(
                    "its first rule takes effect on {}; its rules are left out of this report",
                    o.first
                ),
            };
            make(format!(
                "no rule of statute pack `{}` is in force on {when}",
                o.statute
            ))
            .warning()
            .with_help(help)
        })
        .collect()
}

/// Where the date a scenario is read as of comes from.
enum DateSource<'a> {
    /// The scenario's `as_of`, at this span.
    Stated(&'a Arc<SourceFile>, std::ops::Range<usize>),
    /// Not stated: today.
    Today(&'a Arc<SourceFile>),
    /// `--as-of`.
    Flag,
}

/// Loads one scenario file: read, parse and check it against the vocabulary, drop `[expect]`
/// entries naming rules of packs left out with `--statute`, and check its date against the
/// rulebook (unless `--as-of` overrides it). Returns the scenario with its warnings.
fn load_scenario(
    book: &Rulebook,
    rule_ids: &BTreeSet<&str>,
    path: &Path,
    as_of: Option<Date>,
    today: Date,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let file = read_source(path).map_err(|d| vec![d])?;
    let mut scenario = Scenario::load(&file, &book.vocabulary, rule_ids, today)?;
    if let Some(expect) = &mut scenario.expect {
        expect.entries.retain(|e| book.rules.contains_key(&e.rule));
    }
    let mut warnings = Vec::new();
    if as_of.is_none() {
        let at = match scenario.facts.get("scenario.as_of") {
            Some(fact) => DateSource::Stated(&file, fact.location.span.clone()),
            None => DateSource::Today(&file),
        };
        let diags = date_diagnostics(book, scenario.as_of, at);
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(diags);
        }
        warnings = diags;
    }
    Ok((scenario, warnings))
}

/// Loads every scenario under `paths` and evaluates the good ones; bad files become diagnostics
/// and never stop the others. Warnings (a pack not in force on a scenario's date) come with the
/// errors, marked as warnings.
pub fn run_scenarios(
    book: &Rulebook,
    paths: &[PathBuf],
    as_of: Option<Date>,
) -> (Vec<ScenarioResult>, Vec<Diagnostic>) {
    run_scenarios_with_progress(book, paths, as_of, &NoProgress)
}

/// [`run_scenarios`], telling `progress` of each file.
pub fn run_scenarios_with_progress(
    book: &Rulebook,
    paths: &[PathBuf],
    as_of: Option<Date>,
    progress: &dyn Progress,
) -> (Vec<ScenarioResult>, Vec<Diagnostic>) {
    let (files, mut errors) = scenario_files(paths);
    progress.start(files.len());
    let rule_ids: BTreeSet<&str> = book.expectable_rule_ids().collect();
    let today = Date::today();
    let flag_diagnostics = as_of
        .map(|date| date_diagnostics(book, date, DateSource::Flag))
        .unwrap_or_default();
    let evaluate_any = !flag_diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    errors.extend(flag_diagnostics);
    // Files are loaded and evaluated in parallel; results come back in file order, so the
    // output is the same whatever the number of threads.
    let loaded: Vec<_> = files
        .par_iter()
        .map(|path| {
            let outcome =
                load_scenario(book, &rule_ids, path, as_of, today).map(|(scenario, warnings)| {
                    let id = scenario.id.clone();
                    let id_span = scenario
                        .facts
                        .get("scenario.id")
                        .map_or(0..0, |f| f.location.span.clone());
                    let file = Arc::clone(&scenario.file);
                    let result = evaluate_any.then(|| evaluate(book, scenario, as_of));
                    (id, id_span, file, result, warnings)
                });
            progress.advance(path);
            outcome
        })
        .collect();
    let mut results = Vec::new();
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    for outcome in loaded {
        match outcome {
            Ok((id, id_span, file, result, warnings)) => {
                errors.extend(warnings);
                if let Some(other) = seen_ids.get(&id) {
                    errors.push(
                        Diagnostic::error(
                            &file,
                            id_span,
                            format!("scenario id `{id}` is also used by {other}"),
                        )
                        .with_help("scenario ids must be unique"),
                    );
                    continue;
                }
                seen_ids.insert(id, file.name.clone());
                results.extend(result);
            }
            Err(diags) => errors.extend(cap_per_file(diags)),
        }
    }
    progress.finish();
    (results, errors)
}

/// The waiver files of a `check` run, loaded and checked; their errors join `errors`.
fn load_waivers(
    book: &Rulebook,
    options: &CheckOptions,
    errors: &mut Vec<Diagnostic>,
) -> Vec<waiver::Waiver> {
    let sources = match &options.waivers {
        WaiverFiles::Ignore => return Vec::new(),
        WaiverFiles::Files(files) => files
            .iter()
            .map(|path| WaiverSource {
                path: path.clone(),
                covers_run: true,
            })
            .collect(),
        WaiverFiles::Discover => waiver::discover(&options.paths),
    };
    let mut waivers = Vec::new();
    for source in sources {
        match read_source(&source.path) {
            Ok(file) => {
                let (loaded, problems) = waiver::load(
                    &file,
                    book,
                    !options.rules.statutes.is_empty(),
                    source.covers_run,
                );
                waivers.extend(loaded);
                errors.extend(problems);
            }
            Err(diag) => errors.push(diag),
        }
    }
    waivers
}

/// `consentry check`.
pub fn check(options: &CheckOptions) -> Outcome {
    check_with_progress(options, &NoProgress)
}

/// `consentry check`, telling `progress` of each scenario file.
pub fn check_with_progress(options: &CheckOptions, progress: &dyn Progress) -> Outcome {
    let mut stdout = Vec::new();
    let checked = check_to(options, &mut stdout, progress);
    let stdout = String::from_utf8(stdout)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    match checked {
        Ok(Checked { stderr, exit }) => Outcome {
            stdout,
            stderr,
            exit,
        },
        // INVARIANT: writing to a `Vec` does not fail.
        Err(err) => Outcome {
            stdout,
            stderr: format!("error: cannot write the report: {err}\n"),
            exit: Exit::BadInput,
        },
    }
}

/// What `check` leaves besides the report it writes.
#[derive(Debug)]
pub struct Checked {
    /// Diagnostics and notes for people (stderr).
    pub stderr: String,
    /// The exit status.
    pub exit: Exit,
}

/// Scenario files loaded and evaluated at once per thread: enough that threads rarely wait
/// at the end of a batch, few enough that a batch's results and report parts stay small.
const FILES_PER_THREAD_PER_BATCH: usize = 32;

/// `consentry check`, writing the report to `out` as it goes: scenarios are loaded, evaluated
/// and rendered in parallel, a batch at a time, and written in file order, so memory holds
/// one batch and the run's totals, never the whole report. An error is one writing to `out`.
pub fn check_to(
    options: &CheckOptions,
    out: &mut dyn std::io::Write,
    progress: &dyn Progress,
) -> std::io::Result<Checked> {
    let book = match load_rulebook(&options.rules) {
        Ok(book) => book,
        // Scripts reading `--format json` get the rulebook's errors in the usual shape.
        Err(diags) if options.format == Format::Json => {
            out.write_all(report::failed_json(&diags).as_bytes())?;
            out.flush()?;
            return Ok(Checked {
                stderr: String::new(),
                exit: Exit::BadInput,
            });
        }
        Err(diags) => {
            let failed = failed(diags, options.color);
            return Ok(Checked {
                stderr: failed.stderr,
                exit: failed.exit,
            });
        }
    };
    // One date for the whole run, so every waiver expires against the same day.
    let today = options.today.unwrap_or_else(Date::today);
    // Waivers are read first so each scenario's are matched as it is checked; their
    // problems are reported after the scenarios', as they always were.
    let mut waiver_errors = Vec::new();
    let loaded = load_waivers(&book, options, &mut waiver_errors);
    let mut matcher = waiver::Matcher::new(loaded, today);
    let settings = report::Settings {
        format: options.format,
        color: options.color,
        all: options.all,
        fail_on: options.fail_on,
    };
    let mut stream = ReportStream::new(&book, settings, out)?;
    let renderer = stream.renderer();
    let (files, mut errors) = scenario_files(&options.paths);
    progress.start(files.len());
    let rule_ids: BTreeSet<&str> = book
        .rule_ids()
        .chain(book.filtered_out_rule_ids())
        .collect();
    let scenario_today = Date::today();
    let flag_diagnostics = options
        .as_of
        .map(|date| date_diagnostics(&book, date, DateSource::Flag))
        .unwrap_or_default();
    let evaluate_any = !flag_diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    errors.extend(flag_diagnostics);
    // Scenario id -> the index of the first file with it (a name only when a duplicate needs it).
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    let batch = rayon::current_num_threads().max(1) * FILES_PER_THREAD_PER_BATCH;
    for (first, paths) in (0..).step_by(batch).zip(files.chunks(batch)) {
        // Load, evaluate, match waivers and render in parallel; results come back in file
        // order, so the report is the same whatever the number of threads.
        let done: Vec<_> = paths
            .par_iter()
            .map(|path| {
                let outcome = load_scenario(&book, &rule_ids, path, options.as_of, scenario_today)
                    .map(|(scenario, warnings)| {
                        let id = scenario.id.clone();
                        let id_span = scenario
                            .facts
                            .get("scenario.id")
                            .map_or(0..0, |f| f.location.span.clone());
                        let file = Arc::clone(&scenario.file);
                        // Everything that needs the whole result happens here, on the thread
                        // that made it, which also drops it.
                        let checked = evaluate_any.then(|| {
                            // Without `--all`, no report reads the reasoning of
                            // not-applicable findings.
                            let detail = if options.all {
                                Detail::Full
                            } else {
                                Detail::Applicable
                            };
                            let result = evaluate_with(&book, scenario, options.as_of, detail);
                            let waivers = matcher.scenario(&result);
                            let report = renderer.scenario_report(&result, &waivers.view);
                            let part = renderer.part(&report, &result);
                            let counted = report::Counted::of(&report, &result);
                            (waivers, counted, part)
                        });
                        (id, id_span, file, checked, warnings)
                    });
                progress.advance(path);
                outcome
            })
            .collect();
        for (index, outcome) in (first..).zip(done) {
            let (id, id_span, file, checked, warnings) = match outcome {
                Ok(loaded) => loaded,
                Err(diags) => {
                    errors.extend(cap_per_file(diags));
                    continue;
                }
            };
            errors.extend(warnings);
            if let Some(other) = seen_ids.get(&id).and_then(|&i| files.get(i)) {
                errors.push(
                    Diagnostic::error(
                        &file,
                        id_span,
                        format!("scenario id `{id}` is also used by {}", other.display()),
                    )
                    .with_help("scenario ids must be unique"),
                );
                continue;
            }
            seen_ids.insert(id.clone(), index);
            let Some((waivers, counted, part)) = checked else {
                continue;
            };
            stream.push(counted, part)?;
            matcher.record(&id, waivers);
        }
    }
    progress.finish();
    errors.extend(waiver_errors);
    let waivers = matcher.finish();
    errors.extend(waivers.warnings());
    let tally = stream.finish(&errors, &waivers)?;
    let exit = if errors.iter().any(|d| d.severity == Severity::Error) {
        Exit::BadInput
    } else if tally.failing > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    // JSON carries its diagnostics inside; every other format also prints them for people.
    let stderr = if options.format == Format::Json {
        String::new()
    } else {
        render_diagnostics(&errors, options.color)
    };
    Ok(Checked { stderr, exit })
}

/// `consentry test`: every scenario's `[expect]` against its findings.
pub fn test(options: &CheckOptions) -> Outcome {
    let book = match load_rulebook(&options.rules) {
        Ok(book) => book,
        Err(diags) => return failed(diags, options.color),
    };
    let (results, errors) = run_scenarios(&book, &options.paths, options.as_of);
    let mut out = String::new();
    let (mut passed, mut failed_count, mut without) = (0, 0, 0);
    for result in &results {
        let scenario = &result.scenario;
        let Some(expect) = &scenario.expect else {
            without += 1;
            let _ = writeln!(
                out,
                "none  {} ({}): no [expect] block",
                scenario.id, scenario.file.name
            );
            continue;
        };
        let mismatches = expect::check(result, &book);
        if mismatches.is_empty() {
            passed += 1;
            let _ = writeln!(
                out,
                "ok    {} ({} expectation(s))",
                scenario.id,
                expect.entries.len()
            );
            continue;
        }
        failed_count += 1;
        let _ = writeln!(out, "FAIL  {} ({})", scenario.id, scenario.file.name);
        for mismatch in mismatches {
            match &mismatch.expectation {
                Some(e) => {
                    let _ = writeln!(
                        out,
                        "      {}: expected {}, found {}",
                        e.location.display(),
                        e.verdict,
                        mismatch.actual
                    );
                    let _ = writeln!(out, "        {}", e.written);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "      {}: exhaustive [expect] does not list `{}` ({})",
                        scenario.file.name, mismatch.rule, mismatch.actual
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{passed} passed, {failed_count} failed, {without} without [expect], {} file(s) with errors",
        bad_files(&errors).len()
    );
    let exit = if errors.iter().any(|d| d.severity == Severity::Error) {
        Exit::BadInput
    } else if failed_count > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Outcome {
        stdout: out,
        stderr: render_diagnostics(&errors, options.color),
        exit,
    }
}

/// Options of `validate`.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Scenario files and folders; empty means `scenarios/`.
    pub paths: Vec<PathBuf>,
    /// Rule source and filter.
    pub rules: RuleOptions,
    /// JSON instead of the human summary.
    pub json: bool,
    /// Exit 2 on warnings too.
    pub deny_warnings: bool,
    /// Colour the diagnostics.
    pub color: bool,
}

/// `consentry validate`: loads the rulebook and the scenarios without evaluating, and lints
/// the rulebook. Errors exit 2; warnings exit 2 only with `--deny-warnings`.
pub fn validate(options: &ValidateOptions) -> Outcome {
    let book = match load_rulebook(&options.rules) {
        Ok(book) => book,
        Err(diags) => {
            let diags = cap_per_file(diags);
            return Outcome {
                stdout: if options.json {
                    report::validation_json(None, 0, 0, &diags)
                } else {
                    String::new()
                },
                stderr: if options.json {
                    String::new()
                } else {
                    render_diagnostics(&diags, options.color)
                },
                exit: Exit::BadInput,
            };
        }
    };
    let mut diagnostics = crate::lint::lint(&book);
    let lint_warnings = diagnostics.len();
    let (files, errors) = scenario_files(&options.paths);
    diagnostics.extend(errors);
    let rule_ids: BTreeSet<&str> = book.expectable_rule_ids().collect();
    let today = Date::today();
    let mut good = 0;
    for path in &files {
        match load_scenario(&book, &rule_ids, path, None, today) {
            Ok((_, warnings)) => {
                good += 1;
                diagnostics.extend(warnings);
            }
            Err(diags) => diagnostics.extend(cap_per_file(diags)),
        }
    }
    let mut waiver_files = 0;
    for source in waiver::discover(&options.paths) {
        waiver_files += 1;
        match read_source(&source.path) {
            Ok(file) => diagnostics
                .extend(waiver::load(&file, &book, !options.rules.statutes.is_empty(), true).1),
            Err(diag) => diagnostics.push(diag),
        }
    }
    let bad = files.len() - good;
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let has_warnings = diagnostics.iter().any(|d| d.severity == Severity::Warning);
    let exit = if has_errors || (options.deny_warnings && has_warnings) {
        Exit::BadInput
    } else {
        Exit::Clean
    };
    if options.json {
        return Outcome {
            stdout: report::validation_json(Some(&book), good, bad, &diagnostics),
            stderr: String::new(),
            exit,
        };
    }
    let rules: usize = book.rules.values().map(Vec::len).sum();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let mut stdout = format!(
        "rulebook: {} statute pack(s), {} rule version(s), {} fact(s) in the vocabulary, {lint_warnings} lint warning(s)\nscenarios: {good} valid, {bad} with errors\n",
        book.statutes.len(),
        rules,
        book.vocabulary.facts.len(),
    );
    if waiver_files > 0 {
        let _ = writeln!(stdout, "waiver files: {waiver_files}");
    }
    if warnings > 0 {
        let _ = writeln!(
            stdout,
            "{warnings} warning(s){}",
            if options.deny_warnings {
                ", denied by --deny-warnings"
            } else {
                " (they fail the run only with --deny-warnings)"
            }
        );
    }
    Outcome {
        stdout,
        stderr: render_diagnostics(&diagnostics, options.color),
        exit,
    }
}

/// Every example scenario the rule versions name, evaluated against the whole rulebook on the
/// scenario's own date (paths are relative to the current folder, the repository root). Each
/// file is evaluated once, however many rules name it.
fn rule_examples(book: &Rulebook) -> Vec<report::Example> {
    let mut evaluated: std::collections::BTreeMap<
        String,
        Result<crate::engine::ScenarioResult, String>,
    > = std::collections::BTreeMap::new();
    let mut examples = Vec::new();
    for rule in book.rules_in_order().flatten() {
        let Some((violating, compliant)) = &rule.examples else {
            continue;
        };
        for (path, role) in [
            (violating, crate::verdict::Verdict::LikelyViolation),
            (compliant, crate::verdict::Verdict::Compliant),
        ] {
            let outcome = evaluated
                .entry(path.clone())
                .or_insert_with(|| {
                    let (mut results, errors) = run_scenarios(book, &[PathBuf::from(path)], None);
                    match errors.iter().find(|d| d.severity == Severity::Error) {
                        Some(problem) => Err(problem.message.clone()),
                        None => results
                            .pop()
                            .ok_or_else(|| "no scenario in the file".to_string()),
                    }
                })
                .clone();
            examples.push(report::Example {
                rule: rule.id.clone(),
                effective: rule.effective,
                role,
                path: path.clone(),
                outcome,
            });
        }
    }
    examples
}

/// `consentry rules --coverage [PATHS]`: findings per verdict per rule, never-decisive
/// elements and gaps. Exit 2 when a scenario does not load, else 0 (gaps are reported, not
/// failed: `tests/rulebook.rs` holds the shipped rulebook to having none).
fn coverage(book: &Rulebook, options: &RulesOptions) -> Outcome {
    let (results, errors) = run_scenarios(book, &options.paths, None);
    let coverage = crate::coverage::Coverage::compute(book, &results);
    let json = options.format == RulesFormat::Json;
    let stdout = if json {
        report::render_coverage_json(&coverage, &errors)
    } else {
        report::render_coverage_human(&coverage, options.color)
    };
    Outcome {
        stdout,
        stderr: if json {
            String::new()
        } else {
            render_diagnostics(&errors, options.color)
        },
        exit: if errors.iter().any(|d| d.severity == Severity::Error) {
            Exit::BadInput
        } else {
            Exit::Clean
        },
    }
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiffFormat {
    /// The memo for people.
    #[default]
    Human,
    /// Markdown for a pull-request comment.
    Markdown,
    /// The documented JSON shape.
    Json,
}

/// Options of `diff`.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Scenario files and folders; empty means `scenarios/`.
    pub paths: Vec<PathBuf>,
    /// `--base DIR` folders (when no `--base-rev`).
    pub base_dirs: Vec<PathBuf>,
    /// `--base-rev REV`: the base is the `--rules` folders (default `rules/`) at this revision.
    pub base_rev: Option<String>,
    /// `--rules DIR` folders; empty means the embedded rulebook, or `rules/` with `--base-rev`.
    pub rules_dirs: Vec<PathBuf>,
    /// `--statute` ids; empty means all.
    pub statutes: Vec<String>,
    /// `--as-of`.
    pub as_of: Option<Date>,
    /// `--format`.
    pub format: DiffFormat,
    /// `--fail-on-change`: exit 1 when anything changed.
    pub fail_on_change: bool,
    /// Colour the human output.
    pub color: bool,
}

impl DiffOptions {
    /// The two rule sources compared: `--base` folders against `--rules` (or the embedded
    /// rulebook); or, with `--base-rev`, the `--rules` folders (default `rules/`) at that
    /// revision against the same folders on disk.
    pub fn sources(&self) -> (RuleSource, RuleSource) {
        match &self.base_rev {
            Some(rev) => {
                let dirs = if self.rules_dirs.is_empty() {
                    vec![PathBuf::from("rules")]
                } else {
                    self.rules_dirs.clone()
                };
                (
                    RuleSource::GitRevision {
                        rev: rev.clone(),
                        dirs: dirs.clone(),
                    },
                    RuleSource::Folders(dirs),
                )
            }
            None => (
                RuleSource::Folders(self.base_dirs.clone()),
                if self.rules_dirs.is_empty() {
                    RuleSource::Embedded
                } else {
                    RuleSource::Folders(self.rules_dirs.clone())
                },
            ),
        }
    }
}

/// `consentry diff`: every scenario evaluated against two rulebooks, and the findings that
/// appeared, disappeared, changed verdict or changed their reasoning. Exit 2 on bad input
/// (a rulebook or scenario that does not load, under either rulebook), else 1 with
/// `--fail-on-change` when anything changed, else 0.
pub fn diff(options: &DiffOptions) -> Outcome {
    let (base_source, new_source) = options.sources();
    let books = (
        load_rulebook_from(&base_source, &options.statutes),
        load_rulebook_from(&new_source, &options.statutes),
    );
    let (base, new) = match books {
        // A scenario's [expect] may name a rule only one of them has (the rule this change
        // adds or removes): it must still load under both to be compared.
        (Ok(mut base), Ok(mut new)) => {
            base.accept_expectations_of(&new);
            new.accept_expectations_of(&base);
            (base, new)
        }
        (base, new) => {
            let mut diags = base.err().unwrap_or_default();
            diags.extend(new.err().unwrap_or_default());
            if options.format == DiffFormat::Json {
                return Outcome {
                    stdout: report::render_diff_failed_json(&diags),
                    stderr: String::new(),
                    exit: Exit::BadInput,
                };
            }
            return failed(diags, options.color);
        }
    };
    let (base_results, base_errors) = run_scenarios(&base, &options.paths, options.as_of);
    let (new_results, new_errors) = run_scenarios(&new, &options.paths, options.as_of);
    let (base_name, new_name) = (base_source.describe(), new_source.describe());
    let diff = crate::diff::compare(
        &crate::diff::Side {
            book: &base,
            source: &base_name,
            results: &base_results,
            errors: &base_errors,
        },
        &crate::diff::Side {
            book: &new,
            source: &new_name,
            results: &new_results,
            errors: &new_errors,
        },
    );
    let sides = report::DiffSides {
        base: &base,
        base_source: &base_name,
        new: &new,
        new_source: &new_name,
        as_of: options.as_of,
    };
    let stdout = match options.format {
        DiffFormat::Human => report::render_diff_human(&diff, &sides, options.color),
        DiffFormat::Markdown => report::render_diff_markdown(&diff, &sides),
        DiffFormat::Json => report::render_diff_json(&diff, &sides),
    };
    let exit = if diff.errors.iter().any(|d| d.severity == Severity::Error) {
        Exit::BadInput
    } else if options.fail_on_change && diff.any_change() {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Outcome {
        stdout,
        stderr: if options.format == DiffFormat::Json {
            String::new()
        } else {
            render_diagnostics(&diff.errors, options.color)
        },
        exit,
    }
}

/// Options of `new`.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The file to write; `.toml` is added when it has another or no extension.
    pub name: PathBuf,
    /// Overwrite an existing file.
    pub force: bool,
    /// The scenario's `as_of`; `None` means `today`.
    pub as_of: Option<Date>,
    /// Today's date (`CONSENTRY_TODAY`); `None` means the system clock's.
    pub today: Option<Date>,
    /// Where the vocabulary comes from.
    pub rules: RuleOptions,
    /// Colour the diagnostics.
    pub color: bool,
}

/// `consentry new NAME`: writes a commented scenario template (see [`crate::template`]) whose
/// id is the file stem, refusing to overwrite a file unless `force`. Exit 2 when the name is
/// not lowercase-kebab, the file exists, or it cannot be written.
pub fn new_scenario(options: &NewOptions) -> Outcome {
    let book = match load_rulebook(&options.rules) {
        Ok(book) => book,
        Err(diags) => return failed(diags, options.color),
    };
    let mut path = options.name.clone();
    if path.extension().is_none_or(|e| e != "toml") {
        let mut name = path.as_os_str().to_os_string();
        name.push(".toml");
        path = PathBuf::from(name);
    }
    let shown = path.display().to_string();
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if !crate::scenario::is_scenario_id(&id) {
        let kebab: String = id
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let mut diag = Diagnostic::file_error(
            &shown,
            format!("the scenario id is the file name, and `{id}` is not lowercase-kebab"),
        );
        diag = diag.with_help(if kebab.is_empty() {
            "use lowercase letters, digits and `-`, e.g. `consentry new acme-timeclock`".to_string()
        } else {
            format!("use lowercase letters, digits and `-`, e.g. `{kebab}`")
        });
        return failed(vec![diag], options.color);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return failed(
                vec![
                    Diagnostic::file_error(&shown, "its folder does not exist")
                        .with_help(format!("create `{}` first", parent.display())),
                ],
                options.color,
            );
        }
    }
    let as_of = options.as_of.or(options.today).unwrap_or_else(Date::today);
    let text = crate::template::scenario_template(&book.vocabulary, &id, as_of);
    let written = if options.force {
        std::fs::write(&path, &text)
    } else {
        // `create_new` refuses an existing file atomically: no check-then-write race.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
    };
    if let Err(e) = written {
        let diag = if e.kind() == std::io::ErrorKind::AlreadyExists {
            Diagnostic::file_error(&shown, "the file exists already")
                .with_help("choose another name, or overwrite it with `--force`")
        } else {
            Diagnostic::file_error(&shown, format!("cannot write the file: {}", io_reason(&e)))
        };
        return failed(vec![diag], options.color);
    }
    Outcome {
        stdout: format!(
            "wrote {shown}: scenario `{id}`, the law as of {as_of}\nnext: state the facts you know (leave the rest commented), then run\n  consentry check {shown}\n"
        ),
        stderr: String::new(),
        exit: Exit::Clean,
    }
}

/// `consentry schema`: the JSON Schema of scenario files, from the loaded vocabulary.
pub fn schema(rules: &RuleOptions, color: bool) -> Outcome {
    match load_rulebook(rules) {
        Ok(book) => Outcome {
            stdout: crate::schema::render(&book.vocabulary),
            stderr: String::new(),
            exit: Exit::Clean,
        },
        Err(diags) => failed(diags, color),
    }
}

/// `consentry explain RULE_ID [--as-of DATE]`: every version of the rule, or with `as_of` the
/// rule as read on that date and the changes before and after it.
pub fn explain(rules: &RuleOptions, rule_id: &str, as_of: Option<Date>, color: bool) -> Outcome {
    let book = match load_rulebook(rules) {
        Ok(book) => book,
        Err(diags) => return failed(diags, color),
    };
    let reading = as_of.and_then(|date| crate::reading::read(&book, rule_id, date));
    match book.rules.get(rule_id) {
        Some(_) if reading.is_some() => {
            let stdout = reading.map_or_else(String::new, |reading| {
                let neighbours = crate::reading::neighbours(&book, rule_id, reading.date);
                report::render_rule_as_of(&book, &reading, &neighbours, color)
            });
            Outcome {
                stdout,
                stderr: String::new(),
                exit: Exit::Clean,
            }
        }
        Some(versions) => Outcome {
            stdout: report::render_rule(&book, versions, color),
            stderr: String::new(),
            exit: Exit::Clean,
        },
        None => {
            let ids: Vec<&str> = book.rule_ids().collect();
            let mut diag = Diagnostic::file_error("explain", format!("unknown rule `{rule_id}`"));
            if let Some(help) = suggestion(rule_id, &ids) {
                diag = diag.with_help(help);
            }
            failed(vec![diag], color)
        }
    }
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RulesFormat {
    /// A list for people.
    #[default]
    Human,
    /// JSON for scripts.
    Json,
    /// The rule reference (`docs/rules.md`).
    Markdown,
}

/// Options of `rules`.
#[derive(Debug, Clone, Default)]
pub struct RulesOptions {
    /// Rule source and filter.
    pub rules: RuleOptions,
    /// `--format`.
    pub format: RulesFormat,
    /// `--coverage`: how the scenarios under `paths` cover the rules.
    pub coverage: bool,
    /// Scenario files and folders for `--coverage`; empty means `scenarios/`.
    pub paths: Vec<PathBuf>,
    /// Colour the human output.
    pub color: bool,
}

/// `consentry rules`: the packs and rules as a list, JSON or the Markdown rule reference; with
/// `--coverage`, how the scenarios cover them.
pub fn rules(options: &RulesOptions) -> Outcome {
    let color = options.color;
    let book = match load_rulebook(&options.rules) {
        Ok(book) => book,
        Err(diags) => return failed(diags, color),
    };
    if options.coverage {
        if options.format == RulesFormat::Markdown {
            return failed(
                vec![
                    Diagnostic::file_error("--format", "`--coverage` has no Markdown form")
                        .with_help("use `--format human` or `--format json`"),
                ],
                color,
            );
        }
        return coverage(&book, options);
    }
    if options.format == RulesFormat::Json {
        return Outcome {
            stdout: report::rules_json(&book),
            stderr: String::new(),
            exit: Exit::Clean,
        };
    }
    if options.format == RulesFormat::Markdown {
        return Outcome {
            stdout: report::render_rule_reference(&book, &rule_examples(&book)),
            stderr: String::new(),
            exit: Exit::Clean,
        };
    }
    let mut out = String::new();
    for statute in book.statutes.values() {
        let _ = writeln!(
            out,
            "{} — {} ({}), version {}",
            statute.id, statute.title, statute.citation, statute.version
        );
        for rule in book
            .rules_in_order()
            .flatten()
            .filter(|r| r.statute == statute.id)
        {
            let until = rule
                .until
                .map(|u| format!(" until {u}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<16} {:<24} {} [from {}{until}]",
                rule.id, rule.citation, rule.title, rule.effective
            );
        }
        let _ = writeln!(out);
    }
    Outcome {
        stdout: out,
        stderr: String::new(),
        exit: Exit::Clean,
    }
}
