//! Diagnostics: every problem with an input file, with its location, a message and a help line.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{Level, Renderer, Snippet};

use crate::source::SourceFile;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something consentry could not load; the run exits 2.
    Error,
    /// Something worth fixing that does not stop the run.
    Warning,
}

/// One problem in one file: rendered like a compiler error, or as JSON.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.message)]
pub struct Diagnostic(Box<DiagnosticData>);

/// The contents of a [`Diagnostic`] (boxed so results carrying one stay small).
#[derive(Debug, Clone)]
pub struct DiagnosticData {
    /// Error or warning.
    pub severity: Severity,
    /// The file, when the problem is in one.
    pub file: Option<Arc<SourceFile>>,
    /// File name when there is no text to show (e.g. an unreadable file).
    pub file_name: String,
    /// Byte range of the problem, when known.
    pub span: Option<Range<usize>>,
    /// One-line, lower-case message.
    pub message: String,
    /// Short label under the underlined span.
    pub label: Option<String>,
    /// What to do about it: "did you mean", allowed values, a fix.
    pub help: Option<String>,
}

impl std::ops::Deref for Diagnostic {
    type Target = DiagnosticData;

    fn deref(&self) -> &DiagnosticData {
        &self.0
    }
}

impl Diagnostic {
    /// An error at `span` in `file`.
    pub fn error(file: &Arc<SourceFile>, span: Range<usize>, message: impl Into<String>) -> Self {
        Self(Box::new(DiagnosticData {
            severity: Severity::Error,
            file: Some(Arc::clone(file)),
            file_name: file.name.clone(),
            span: Some(span),
            message: message.into(),
            label: None,
            help: None,
        }))
    }

    /// An error about a file as a whole (unreadable, not UTF-8, ...).
    pub fn file_error(file_name: impl Into<String>, message: impl Into<String>) -> Self {
        Self(Box::new(DiagnosticData {
            severity: Severity::Error,
            file: None,
            file_name: file_name.into(),
            span: None,
            message: message.into(),
            label: None,
            help: None,
        }))
    }

    /// The same diagnostic as a warning.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.0.severity = Severity::Warning;
        self
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Adds a label under the span.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    /// 1-based line and column, or (0, 0) for file-level problems.
    pub fn line_col(&self) -> (usize, usize) {
        match (&self.file, &self.span) {
            (Some(file), Some(span)) => file.line_col(span.start),
            _ => (0, 0),
        }
    }

    /// Renders the diagnostic with the source line and the span underlined. Only the lines
    /// the span covers are handed to the renderer (at most [`MAX_SHOWN_LINES`]), so rendering
    /// many diagnostics of a large file stays cheap.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut message = level.title(&self.message);
        let label = self.label.as_deref().unwrap_or("");
        let excerpt = match (&self.file, &self.span) {
            (Some(file), Some(span)) => Some(excerpt(file, span.clone())),
            _ => None,
        };
        if let Some(excerpt) = &excerpt {
            message = message.snippet(
                Snippet::source(&excerpt.text)
                    .line_start(excerpt.first_line)
                    .origin(&self.file_name)
                    .fold(true)
                    .annotation(level.span(excerpt.span.clone()).label(label)),
            );
        }
        if let Some(help) = &self.help {
            message = message.footer(Level::Help.title(help));
        }
        let rendered = renderer.render(message).to_string();
        if excerpt.is_some() {
            return rendered;
        }
        // A problem with the file as a whole has no line to show: name the file where the
        // snippet would be, the way compilers do for a file they cannot read.
        let mut lines = rendered.lines();
        let mut out = String::new();
        if let Some(title) = lines.next() {
            out.push_str(title);
            out.push('\n');
        }
        out.push_str(&format!(" --> {}\n", self.file_name));
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    }
}

/// Most source lines shown for one diagnostic; a longer span is shown by its first line.
pub const MAX_SHOWN_LINES: usize = 6;

/// Longest span underlined in full; a longer one is marked by its first character.
const MAX_UNDERLINE_BYTES: usize = 120;

fn ceil_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The lines of `file` a diagnostic at `span` shows, with the span relative to them.
struct Excerpt {
    text: String,
    first_line: usize,
    span: Range<usize>,
}

fn excerpt(file: &SourceFile, span: Range<usize>) -> Excerpt {
    let text = &file.text;
    let span = clamp_span(text, span);
    let line_begin = text
        .get(..span.start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let first_line_end = text
        .get(span.start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| span.start + i);
    let mut end = span.end.max(first_line_end);
    let covered = text
        .get(span.start..span.end)
        .map_or(0, |s| s.matches('\n').count());
    let mut span_end = span.end;
    if covered >= MAX_SHOWN_LINES {
        end = first_line_end;
        span_end = first_line_end.max(span.start);
    } else {
        end = text
            .get(end..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| end + i);
    }
    if span_end - span.start > MAX_UNDERLINE_BYTES {
        // A huge value (a list of thousands of entries) is pointed at by its first character;
        // the renderer then shortens the line around it instead of printing all of it.
        span_end = ceil_char(text, span.start + 1);
    }
    let (first_line, _) = file.line_col(line_begin);
    // INVARIANT: clamp_span keeps the span on character boundaries inside the text.
    let shown = text.get(line_begin..end).unwrap_or_default().to_string();
    let relative = (span.start - line_begin)..(span_end - line_begin);
    Excerpt {
        text: shown,
        first_line,
        span: relative,
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Keeps a span inside the text and on character boundaries, and at least one character wide
/// where the text allows, so the underline always shows.
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        if let Some(c) = text.get(start..).and_then(|rest| rest.chars().next()) {
            if c != '\n' {
                end = start + c.len_utf8();
            }
        }
    }
    start..end
}

/// Most diagnostics reported for one file; past it, one last diagnostic counts the rest. A
/// file with thousands of mistakes is almost surely not a scenario or rule file at all.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 50;

/// Keeps at most [`MAX_DIAGNOSTICS_PER_FILE`] diagnostics of each file (in order), followed by
/// a note of how many were left out.
pub fn cap_per_file(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    for diag in diagnostics {
        let index = match counts.iter().position(|(name, _)| *name == diag.file_name) {
            Some(i) => i,
            None => {
                counts.push((diag.file_name.clone(), 0));
                counts.len() - 1
            }
        };
        if let Some((_, count)) = counts.get_mut(index) {
            *count += 1;
            if *count <= MAX_DIAGNOSTICS_PER_FILE {
                out.push(diag);
            }
        }
    }
    for (name, count) in counts {
        if count > MAX_DIAGNOSTICS_PER_FILE {
            out.push(
                Diagnostic::file_error(
                    name,
                    format!(
                        "{} more problems in this file not shown (the limit is {MAX_DIAGNOSTICS_PER_FILE} per file)",
                        count - MAX_DIAGNOSTICS_PER_FILE
                    ),
                )
                .with_help("fix the first ones and run again"),
            );
        }
    }
    out
}

/// The files with at least one error (not only warnings), in the order first reported.
pub fn bad_files(diagnostics: &[Diagnostic]) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    for diag in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        if !files.contains(&diag.file_name.as_str()) {
            files.push(&diag.file_name);
        }
    }
    files
}

/// "did you mean `x`?" for the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|best| format!("did you mean `{best}`?"))
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).clamp(1, 4);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skipping far-off lengths keeps a
        // pasted megabyte-long key from costing a quadratic comparison with every candidate.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        // On a tie, the candidate sharing the longer start with the word (`USA`: `US`, not
        // `SA`), then the alphabetically first, so the suggestion is stable.
        .min_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| common_prefix(word, b.1).cmp(&common_prefix(word, a.1)))
                .then_with(|| a.1.cmp(b.1))
        })
        .map(|(_, candidate)| candidate)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The allowed values as a help line, when there are few enough to list.
pub fn allowed_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let values: Vec<&str> = values.into_iter().collect();
    (values.len() <= 12).then(|| {
        let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        format!("allowed values: {}", quoted.join(", "))
    })
}

/// The best help for an unknown word: a close match, or else the list of allowed values.
pub fn suggestion(word: &str, candidates: &[&str]) -> Option<String> {
    did_you_mean(word, candidates.iter().copied())
        .or_else(|| allowed_values(candidates.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            closest("writen", ["written", "states_purpose"]),
            Some("written")
        );
        assert_eq!(closest("zzzzzz", ["written", "states_purpose"]), None);
        assert_eq!(closest("USA", ["SA", "US", "UA"]), Some("US"));
    }

    #[test]
    fn renders_file_line_column_and_underline() {
        let file = SourceFile::new("s.toml", "[scenario]\nid = 3\n");
        let text = Diagnostic::error(&file, 16..17, "expected a string")
            .with_help("write `id = \"my-app\"`")
            .render(false);
        assert!(text.contains("s.toml:2:6"), "{text}");
        assert!(text.contains("^"), "{text}");
        assert!(text.contains("help: write"), "{text}");
    }
}
