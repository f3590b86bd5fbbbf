//! Streaming reports: each scenario's part is rendered on its own (in parallel, by the caller),
//! written in file order and dropped; only running totals stay until the end.
//!
//! Formats whose header carries run totals (Markdown, HTML, JUnit, SARIF) keep their scenario
//! sections in a [`Spill`] (memory, then a temporary file) and write the header first when the
//! run ends, so every format gives the same bytes as a report rendered in one piece.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::spill::Spill;
use super::{Report, Totals, html, human, json, junit, markdown, sarif};
use crate::diagnostics::Diagnostic;
use crate::engine::{Finding, ScenarioResult};
use crate::rulebook::Rulebook;
use crate::verdict::{FailOn, Verdict};
use crate::waiver::Waivers;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The memo for people.
    #[default]
    Human,
    /// The documented JSON shape.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test tabs.
    Junit,
    /// A Markdown memo, for counsel.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// What holds for a whole report, whatever the scenarios.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// The format.
    pub format: Format,
    /// Colour (the human format only).
    pub color: bool,
    /// `--all`.
    pub all: bool,
    /// `--fail-on`.
    pub fail_on: FailOn,
}

/// The running totals of a report: what the run-level parts (summaries, headers, the exit
/// status) need, added up scenario by scenario.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Scenarios reported.
    pub scenarios: usize,
    /// Findings of every verdict.
    pub findings: usize,
    /// Findings that reach `--fail-on` and are not waived.
    pub failing: usize,
    /// Findings by verdict.
    pub verdicts: BTreeMap<Verdict, usize>,
    /// The exposure totals of the run.
    pub totals: Totals,
    /// Whether any scenario section showed exposure totals (the human memo then explains them).
    pub any_totals: bool,
}

impl Tally {
    /// Adds `result`, whose waivers are those of `report`.
    pub fn add(&mut self, report: &Report<'_>, result: &ScenarioResult) {
        self.add_counted(Counted::of(report, result));
    }

    /// Adds a scenario counted apart (by the thread that evaluated it).
    pub fn add_counted(&mut self, counted: Counted) {
        self.scenarios += 1;
        self.findings += counted.findings;
        for (verdict, count) in Verdict::ALL.into_iter().zip(counted.verdicts) {
            if count > 0 {
                *self.verdicts.entry(verdict).or_default() += count;
            }
        }
        self.failing += counted.failing;
        // Finding by finding, in file order: the same floating-point sums as adding up the
        // whole run at once.
        for (finding, findings, waived) in &counted.violations {
            self.totals.add_counted(finding, *findings, *waived);
        }
    }

    /// The tally of a whole report at once.
    pub fn of(report: &Report<'_>) -> Self {
        let mut tally = Self::default();
        for result in report.results {
            tally.add(report, result);
        }
        tally
    }
}

/// What one scenario adds to a [`Tally`], taken from its result so the result itself can be
/// dropped where it was made.
#[derive(Debug, Default)]
pub struct Counted {
    findings: usize,
    /// Findings by verdict, in the order of [`Verdict::ALL`].
    verdicts: [usize; 4],
    failing: usize,
    /// The likely and possible violations as the totals count them ([`super::totals::linked`]):
    /// each finding's exposure estimate and verdict (the rest of it is left out), how many
    /// findings it stands for and how many of those are waived.
    violations: Vec<(Finding, usize, usize)>,
}

impl Counted {
    /// Counts `result`, whose waivers are those of `report`.
    pub fn of(report: &Report<'_>, result: &ScenarioResult) -> Self {
        let mut counted = Counted {
            findings: result.findings.len(),
            ..Counted::default()
        };
        for finding in &result.findings {
            for (slot, verdict) in counted.verdicts.iter_mut().zip(Verdict::ALL) {
                if finding.verdict == verdict {
                    *slot += 1;
                }
            }
            if matches!(
                finding.verdict,
                Verdict::LikelyViolation | Verdict::PossibleViolation
            ) {
                let waived = report.waiver(finding).is_some();
                if report.fail_on.reached_by(finding.verdict) && !waived {
                    counted.failing += 1;
                }
            }
        }
        let violations = result
            .findings
            .iter()
            .filter(|f| {
                matches!(
                    f.verdict,
                    Verdict::LikelyViolation | Verdict::PossibleViolation
                )
            })
            .map(|f| (f, report.waiver(f).is_some()));
        counted.violations = super::totals::linked(violations)
            .into_iter()
            .map(|(finding, findings, waived)| (estimate_only(finding), findings, waived))
            .collect();
        counted
    }
}

/// A finding reduced to what exposure totals read: its verdict and its estimate.
fn estimate_only(finding: &Finding) -> Finding {
    Finding {
        rule: String::new(),
        statute: String::new(),
        citation: String::new(),
        title: String::new(),
        version_effective: finding.version_effective,
        version_until: None,
        verdict: finding.verdict,
        practice: None,
        disclosure: None,
        location: finding.location.clone(),
        elements: Vec::new(),
        missing_facts: Vec::new(),
        assumptions: Vec::new(),
        fixes: Vec::new(),
        remedy: None,
        exposure: finding.exposure.clone(),
        fingerprint: String::new(),
        notes: Vec::new(),
    }
}

/// One scenario's part of a report, rendered apart from the others.
#[derive(Debug, Default)]
pub struct Part {
    /// The scenario's section (for JSON and SARIF: array elements, each after a comma).
    body: Vec<u8>,
    /// Its row of the overview (Markdown, HTML) or its entry in SARIF's run properties.
    row: Vec<u8>,
    /// Whether the section showed exposure totals (human memo).
    any_totals: bool,
}

/// Renders scenarios' parts of a report; shared by the threads that evaluate them.
#[derive(Clone, Copy)]
pub struct Renderer<'a> {
    book: &'a Rulebook,
    settings: Settings,
}

/// A report being written to `out`, scenario by scenario.
pub struct ReportStream<'a, W: Write> {
    renderer: Renderer<'a>,
    out: W,
    /// Sections waiting for the header (formats with run totals up front).
    body: Spill,
    /// Overview rows waiting likewise.
    rows: Spill,
    /// Whether an array element was written (its successors then keep their comma).
    any_body: bool,
    any_row: bool,
    tally: Tally,
}

impl<'a, W: Write> ReportStream<'a, W> {
    /// Starts a report on `out`, writing what precedes the first scenario where nothing in it
    /// depends on the scenarios.
    pub fn new(book: &'a Rulebook, settings: Settings, mut out: W) -> io::Result<Self> {
        if settings.format == Format::Json {
            json::head(&mut out, book)?;
        }
        Ok(Self {
            renderer: Renderer { book, settings },
            out,
            body: Spill::default(),
            rows: Spill::default(),
            any_body: false,
            any_row: false,
            tally: Tally::default(),
        })
    }

    /// What renders the scenarios' parts (in parallel, while the stream waits for them).
    pub fn renderer(&self) -> Renderer<'a> {
        self.renderer
    }

    /// Adds a scenario (counted as `counted`, rendered as `part`) to the report, in file order.
    pub fn push(&mut self, counted: Counted, part: Part) -> io::Result<()> {
        self.tally.add_counted(counted);
        self.tally.any_totals |= part.any_totals;
        let Part { body, row, .. } = part;
        match self.renderer.settings.format {
            Format::Human => self.out.write_all(&body)?,
            Format::Json => {
                let body = element_bytes(&body, self.any_body);
                self.any_body |= !body.is_empty();
                self.out.write_all(body)?;
            }
            Format::Sarif => {
                let body = element_bytes(&body, self.any_body);
                self.any_body |= !body.is_empty();
                self.body.write(body)?;
                let row = element_bytes(&row, self.any_row);
                self.any_row |= !row.is_empty();
                self.rows.write(row)?;
            }
            Format::Junit | Format::Markdown | Format::Html => {
                self.body.write(&body)?;
                self.rows.write(&row)?;
            }
        }
        Ok(())
    }

    /// Ends the report: `errors` are every diagnostic of the run and `waivers` what became of
    /// each waiver. Returns the run's totals.
    pub fn finish(mut self, errors: &[Diagnostic], waivers: &Waivers) -> io::Result<Tally> {
        let tally = std::mem::take(&mut self.tally);
        let Renderer { book, settings } = self.renderer;
        let report = Report::new(book, &[], errors)
            .with_all(settings.all)
            .with_waivers(waivers)
            .with_fail_on(settings.fail_on)
            .with_tally(&tally);
        let out = &mut self.out;
        match settings.format {
            Format::Human => human::finish(out, &report, settings.color)?,
            Format::Json => json::tail(out, &report, self.any_body)?,
            Format::Sarif => sarif::finish(
                out,
                &report,
                &mut self.body,
                self.any_body,
                &mut self.rows,
                self.any_row,
            )?,
            Format::Junit => junit::finish(out, &report, &mut self.body)?,
            Format::Markdown => markdown::finish(out, &report, &mut self.body, &mut self.rows)?,
            Format::Html => html::finish(out, &report, &mut self.body, &mut self.rows)?,
        }
        self.out.flush()?;
        Ok(tally)
    }
}

impl<'a> Renderer<'a> {
    /// A report of one scenario, for rendering its part: `waivers` are (at least) those that
    /// name it.
    pub fn scenario_report<'r>(
        &self,
        result: &'r ScenarioResult,
        waivers: &'r Waivers,
    ) -> Report<'r>
    where
        'a: 'r,
    {
        Report::new(self.book, std::slice::from_ref(result), &[])
            .with_all(self.settings.all)
            .with_waivers(waivers)
            .with_fail_on(self.settings.fail_on)
    }

    /// Renders `result`'s part of the report (safe to call from several threads at once).
    pub fn part(&self, report: &Report<'_>, result: &ScenarioResult) -> Part {
        let mut part = Part::default();
        match self.settings.format {
            Format::Human => {
                let mut text = String::new();
                part.any_totals = human::section(&mut text, report, result, self.settings.color);
                part.body = text.into_bytes();
            }
            Format::Json => json::scenario(&mut part.body, report, result),
            Format::Sarif => sarif::scenario(&mut part.body, &mut part.row, report, result),
            Format::Junit => {
                let mut text = String::new();
                junit::suite(&mut text, report, result);
                part.body = text.into_bytes();
            }
            Format::Markdown => {
                let (mut section, mut row) = (String::new(), String::new());
                markdown::scenario(&mut section, report, result);
                markdown::overview_row(&mut row, report, result);
                part.body = section.into_bytes();
                part.row = row.into_bytes();
            }
            Format::Html => {
                let (mut section, mut row) = (String::new(), String::new());
                html::scenario(&mut section, report, result);
                html::matrix_row(&mut row, report, result);
                part.body = section.into_bytes();
                part.row = row.into_bytes();
            }
        }
        part
    }
}

/// An array element's bytes as written: without its leading comma when it is the first.
fn element_bytes(bytes: &[u8], any_before: bool) -> &[u8] {
    if any_before {
        bytes
    } else {
        bytes.strip_prefix(b",").unwrap_or(bytes)
    }
}

/// Renders a whole report at once into a string (the batch form of the streaming renderers).
pub(crate) fn render(report: &Report<'_>, format: Format, color: bool) -> String {
    let settings = Settings {
        format,
        color,
        all: report.all,
        fail_on: report.fail_on,
    };
    let mut out = Vec::new();
    let result = (|| -> io::Result<()> {
        let mut stream = ReportStream::new(report.rulebook, settings, &mut out)?;
        let renderer = stream.renderer();
        for result in report.results {
            let part = renderer.part(report, result);
            stream.push(Counted::of(report, result), part)?;
        }
        stream.finish(report.errors, report.waivers)?;
        Ok(())
    })();
    // INVARIANT: writing to a `Vec` cannot fail, and a spill that cannot make its temporary
    // file keeps the bytes in memory.
    let _ = result;
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
