//! The `consentry` command: parses arguments, calls the library, writes the output, exits.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use consentry::app::{
    self, CheckOptions, Checked, DiffFormat, DiffOptions, Exit, FailOn, Format, NewOptions,
    Outcome, Progress, RuleOptions, RulesFormat, RulesOptions, ValidateOptions, WaiverFiles,
};
use consentry::value::Date;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Environment variable that pins the date waivers expire against (YYYY-MM-DD), for tests.
const TODAY_VAR: &str = "CONSENTRY_TODAY";
/// Fewest scenario files for which a progress bar is worth drawing.
const PROGRESS_MIN_FILES: usize = 10;

/// Reasoned findings on consent and children's-privacy law (BIPA, COPPA, ...) for an app's
/// data practices. Not legal advice.
#[derive(Parser)]
#[command(name = "consentry", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate every rule against every scenario and report the findings.
    Check(CheckArgs),
    /// Compare each scenario's findings with its [expect] block; exit 1 on any mismatch.
    Test(TestArgs),
    /// Show a rule: citation, elements, remedy, versions, source location.
    Explain {
        /// Rule id, e.g. bipa.15b.
        rule: String,
        #[command(flatten)]
        rules: RulesArgs,
        /// Show the rule as read on DATE (YYYY-MM-DD): the version, elements, definitions and
        /// remedy in force, and the previous and next dates on which any of them changes.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
    },
    /// List the statute packs and their rules, write the rule reference (--format markdown),
    /// or show how scenarios cover the rules (--coverage).
    Rules {
        /// Output format (--coverage: human or json).
        #[arg(long, value_enum, default_value_t = RulesFormatArg::Human)]
        format: RulesFormatArg,
        #[command(flatten)]
        rules: RulesArgs,
        /// Per rule, how many findings of the scenarios under PATHS reach each verdict, the
        /// elements never decisive, and the rules no scenario drives to likely-violation or
        /// compliant.
        #[arg(long)]
        coverage: bool,
        /// Scenario files or folders for --coverage (default: scenarios/).
        #[arg(requires = "coverage")]
        paths: Vec<PathBuf>,
    },
    /// Load and check the rulebook and scenarios without evaluating, and lint the rulebook.
    Validate {
        /// Scenario files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        rules: RulesArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Exit 2 on warnings as well as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of scenario files, built from the vocabulary.
    Schema {
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Evaluate every scenario against two rulebooks and show the findings that change.
    Diff(DiffArgs),
    /// Write a commented scenario template, generated from the vocabulary.
    New {
        /// The file to write (`.toml` is added when missing); its name is the scenario id.
        name: PathBuf,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
        /// The scenario's as_of (YYYY-MM-DD); default: today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[command(flatten)]
        rules: RulesArgs,
    },
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("base_rules").required(true).args(["base", "base_rev"]))]
struct DiffArgs {
    /// Scenario files or folders (recursive *.toml; default: scenarios/).
    paths: Vec<PathBuf>,
    /// Load the base rulebook from DIR (repeatable).
    #[arg(long = "base", value_name = "DIR")]
    base: Vec<PathBuf>,
    /// The base is the --rules folders (default rules/) as they were at git revision REV;
    /// the new side is the same folders on disk.
    #[arg(long = "base-rev", value_name = "REV", conflicts_with = "base")]
    base_rev: Option<String>,
    #[command(flatten)]
    rules: RulesArgs,
    /// Read the law as of DATE (YYYY-MM-DD) instead of each scenario's as_of.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormatArg::Human)]
    format: DiffFormatArg,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when any finding changed (verdict or reasoning).
    #[arg(long)]
    fail_on_change: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormatArg {
    Human,
    Markdown,
    Json,
}

#[derive(Args)]
struct RulesArgs {
    /// Load the rulebook from DIR instead of the embedded one (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Only these statute packs (comma-separated ids, e.g. bipa,coppa).
    #[arg(long = "statute", value_name = "ID", value_delimiter = ',')]
    statutes: Vec<String>,
}

#[derive(Args)]
struct TestArgs {
    /// Scenario files or folders (recursive *.toml; default: scenarios/).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RulesArgs,
    /// Read the law as of DATE (YYYY-MM-DD) instead of each scenario's as_of.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

#[derive(Args)]
struct CheckArgs {
    /// Scenario files or folders (recursive *.toml; default: scenarios/).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArgs,
    /// Read the law as of DATE (YYYY-MM-DD) instead of each scenario's as_of.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Exit 1 when a finding reaches this level.
    #[arg(long, value_enum, default_value_t = FailLevel::Likely)]
    fail_on: FailLevel,
    /// Also show compliant and not-applicable findings.
    #[arg(long)]
    all: bool,
    /// Read waivers from FILE instead of the consentry.toml files found (repeatable).
    #[arg(long = "waivers", value_name = "FILE", conflicts_with = "no_waivers")]
    waivers: Vec<PathBuf>,
    /// Show the report without applying any waiver.
    #[arg(long)]
    no_waivers: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormatArg {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailLevel {
    Likely,
    Possible,
    Never,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date like 2024-08-02"))
}

fn color_for(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn rule_options(args: RulesArgs) -> RuleOptions {
    RuleOptions {
        dirs: args.dirs,
        statutes: args.statutes,
    }
}

/// A progress bar on stderr, drawn only on a terminal outside CI and for runs of many files.
struct Bar {
    bar: ProgressBar,
    enabled: bool,
}

impl Bar {
    fn new() -> Self {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let enabled = std::io::stderr().is_terminal() && !ci && !dumb;
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Self { bar, enabled }
    }
}

impl Progress for Bar {
    fn start(&self, files: usize) {
        if !self.enabled || files < PROGRESS_MIN_FILES {
            return;
        }
        self.bar.set_length(files as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} checking {pos}/{len} scenarios [{bar:30}] {wide_msg}",
        ) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
    }

    fn advance(&self, file: &std::path::Path) {
        self.bar.set_message(file.display().to_string());
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn today_from_env() -> Result<Option<Date>, String> {
    match std::env::var(TODAY_VAR) {
        Ok(text) if !text.is_empty() => parse_date(&text)
            .map(Some)
            .map_err(|e| format!("error: {TODAY_VAR}: {e}")),
        _ => Ok(None),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let today = match today_from_env() {
        Ok(today) => today,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            return ExitCode::from(Exit::BadInput as u8);
        }
    };
    let stdout_color = color_for(std::io::stdout().is_terminal());
    let stderr_color = color_for(std::io::stderr().is_terminal());
    let mut output_file = None;
    let outcome = match cli.command {
        Command::Check(args) => {
            output_file = args.output;
            let waivers = if args.no_waivers {
                WaiverFiles::Ignore
            } else if args.waivers.is_empty() {
                WaiverFiles::Discover
            } else {
                WaiverFiles::Files(args.waivers)
            };
            let options = CheckOptions {
                paths: args.paths,
                rules: rule_options(args.rules),
                as_of: args.as_of,
                format: match args.format {
                    CheckFormat::Human => Format::Human,
                    CheckFormat::Json => Format::Json,
                    CheckFormat::Sarif => Format::Sarif,
                    CheckFormat::Junit => Format::Junit,
                    CheckFormat::Markdown => Format::Markdown,
                    CheckFormat::Html => Format::Html,
                },
                fail_on: match args.fail_on {
                    FailLevel::Likely => FailOn::Likely,
                    FailLevel::Possible => FailOn::Possible,
                    FailLevel::Never => FailOn::Never,
                },
                all: args.all,
                color: stdout_color
                    && output_file.is_none()
                    && matches!(args.format, CheckFormat::Human),
                waivers,
                today,
            };
            return check(&options, output_file);
        }
        Command::Test(args) => app::test(&CheckOptions {
            paths: args.paths,
            rules: rule_options(args.rules),
            as_of: args.as_of,
            format: Format::Human,
            fail_on: FailOn::Likely,
            all: false,
            color: stderr_color,
            ..CheckOptions::default()
        }),
        Command::Explain { rule, rules, as_of } => {
            app::explain(&rule_options(rules), &rule, as_of, stdout_color)
        }
        Command::Rules {
            format,
            rules,
            coverage,
            paths,
        } => app::rules(&RulesOptions {
            rules: rule_options(rules),
            format: match format {
                RulesFormatArg::Human => RulesFormat::Human,
                RulesFormatArg::Json => RulesFormat::Json,
                RulesFormatArg::Markdown => RulesFormat::Markdown,
            },
            coverage,
            paths,
            color: stdout_color,
        }),
        Command::Validate {
            paths,
            rules,
            format,
            deny_warnings,
        } => app::validate(&ValidateOptions {
            paths,
            rules: rule_options(rules),
            json: matches!(format, ListFormat::Json),
            deny_warnings,
            color: stderr_color,
        }),
        Command::Schema { rules } => app::schema(&rule_options(rules), stderr_color),
        Command::New {
            name,
            force,
            as_of,
            rules,
        } => app::new_scenario(&NewOptions {
            name,
            force,
            as_of,
            today,
            rules: rule_options(rules),
            color: stderr_color,
        }),
        Command::Diff(args) => {
            output_file = args.output;
            app::diff(&DiffOptions {
                paths: args.paths,
                base_dirs: args.base,
                base_rev: args.base_rev,
                rules_dirs: args.rules.dirs,
                statutes: args.rules.statutes,
                as_of: args.as_of,
                format: match args.format {
                    DiffFormatArg::Human => DiffFormat::Human,
                    DiffFormatArg::Markdown => DiffFormat::Markdown,
                    DiffFormatArg::Json => DiffFormat::Json,
                },
                fail_on_change: args.fail_on_change,
                color: stdout_color
                    && output_file.is_none()
                    && matches!(args.format, DiffFormatArg::Human),
            })
        }
    };
    emit(outcome, output_file)
}

/// Buffer between the report and the stream it goes to: large writes, few system calls.
const OUTPUT_BUFFER: usize = 1 << 20;

/// Runs `check`, streaming the report to `output` (a file) or stdout as scenarios are checked.
fn check(options: &CheckOptions, output: Option<PathBuf>) -> ExitCode {
    let bar = Bar::new();
    let (checked, target) = match &output {
        Some(path) => {
            let target = path.display().to_string();
            match std::fs::File::create(path) {
                Ok(file) => {
                    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, file);
                    let checked = app::check_to(options, &mut out, &bar)
                        .and_then(|c| out.flush().map(|()| c));
                    (checked, target)
                }
                Err(e) => (Err(e), target),
            }
        }
        None => {
            let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stdout().lock());
            let checked =
                app::check_to(options, &mut out, &bar).and_then(|c| out.flush().map(|()| c));
            (checked, "the report".to_string())
        }
    };
    match checked {
        Ok(Checked { stderr, exit }) => {
            let _ = std::io::stderr().write_all(stderr.as_bytes());
            ExitCode::from(exit as u8)
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write {target}: {e}");
            ExitCode::from(Exit::BadInput as u8)
        }
    }
}

fn emit(outcome: Outcome, output_file: Option<PathBuf>) -> ExitCode {
    let Outcome {
        stdout,
        stderr,
        exit,
    } = outcome;
    let _ = std::io::stderr().write_all(stderr.as_bytes());
    let written = match output_file {
        Some(path) => std::fs::write(&path, &stdout)
            .map_err(|e| format!("error: cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .write_all(stdout.as_bytes())
            .map_err(|e| format!("error: cannot write the report: {e}")),
    };
    if let Err(message) = written {
        let _ = writeln!(std::io::stderr(), "{message}");
        return ExitCode::from(Exit::BadInput as u8);
    }
    ExitCode::from(exit as u8)
}
