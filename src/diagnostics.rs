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
    let (text, span) = within_indentation(plain_whitespace(&shown), relative);
    Excerpt {
        text,
        first_line,
        span,
    }
}

/// Longest line shown, in bytes, when a span starts inside its line's leading whitespace.
const MAX_INDENTED_LINE_BYTES: usize = 100;

/// The excerpt with every whitespace character but the space and the line ends replaced,
/// byte for byte, so the renderer (annotate-snippets 0.11) measures indentation and columns
/// alike: it counts a tab as four columns of indentation but zero columns before an
/// annotation, and control whitespace (a vertical tab, a form feed, U+0085) as one and zero,
/// which misplaces the underline and, on long lines, overflows. A tab becomes a space; other
/// whitespace becomes `?`s of its byte length, visible where it would have been invisible.
/// Byte offsets, so the span and the line and column named, do not change.
fn plain_whitespace(shown: &str) -> String {
    let mut out = String::with_capacity(shown.len());
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\n' => out.push(c),
            '\t' => out.push(' '),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if c.is_whitespace() => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
        }
    }
    out
}

/// The renderer (annotate-snippets 0.11) also overflows when it shortens a line too long for
/// the terminal around an annotation that starts inside the line's leading whitespace (it
/// assumes labels sit right of the indentation). For such a span, only its first line is
/// shown, cut after at most [`MAX_INDENTED_LINE_BYTES`] bytes (or just after the span's
/// start), so the renderer never has to shorten it; the span becomes the one character it
/// starts at. The line and column the diagnostic names are unchanged.
fn within_indentation(shown: String, span: Range<usize>) -> (String, Range<usize>) {
    let first_line = shown.split('\n').next().unwrap_or_default();
    let indentation = first_line
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(first_line.len(), |(at, _)| at);
    if span.start >= indentation {
        return (shown, span);
    }
    // Up to the limit, and always through the character the span starts at.
    let mut keep = 0;
    for (at, c) in first_line.char_indices() {
        let end = at + c.len_utf8();
        if end > MAX_INDENTED_LINE_BYTES && at > span.start {
            break;
        }
        keep = end;
    }
    let mut text = first_line.get(..keep).unwrap_or_default().to_string();
    if keep < first_line.len() {
        text.push('…');
    }
    let start = span.start.min(text.len());
    let end = ceil_char(&text, start + 1);
    (text, start..end)
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
    /// Regression (found by the scenario_loader fuzzer): a long line starting with vertical
    /// tabs, with the error at its first column, made the renderer subtract with overflow.
    #[test]
    fn a_span_inside_the_indentation_of_a_long_line_renders() {
        let line = format!(
            "{}delete-if-no-consent{}@",
            "\u{b}".repeat(21),
            "\u{b}".repeat(200)
        );
        let file = crate::source::SourceFile::new("x.toml", format!("a = 1\n{line}\n"));
        let diag = Diagnostic::error(&file, 6..7, "invalid TOML");
        let rendered = diag.render(false);
        assert!(rendered.contains("--> x.toml:2:1"), "{rendered}");
        assert!(rendered.contains("2 | ?????"), "{rendered}");
    }

    /// The same with spaces, which stay whitespace: the line is cut short around the span.
    #[test]
    fn a_span_inside_space_indentation_of_a_long_line_renders() {
        let line = format!("{}key = \"{}\"", " ".repeat(40), "x".repeat(300));
        let file = crate::source::SourceFile::new("x.toml", format!("a = 1\n{line}\n"));
        let diag = Diagnostic::error(&file, 6..7, "unexpected indentation");
        let rendered = diag.render(false);
        assert!(rendered.contains("--> x.toml:2:1"), "{rendered}");
        assert!(rendered.contains('…'), "{rendered}");
    }

    /// A tab-indented long line: the underline sits under the key, not at the margin.
    #[test]
    fn tabs_before_an_annotation_keep_the_underline_under_it() {
        let line = format!("\t\t\t\t\t\tdescriptoin = \"{}\"", "x".repeat(200));
        let file = crate::source::SourceFile::new("x.toml", format!("a = 1\n{line}\n"));
        let diag = Diagnostic::error(&file, 12..23, "unknown key `descriptoin`");
        let rendered = diag.render(false);
        assert!(rendered.contains("--> x.toml:2:7"), "{rendered}");
        assert!(rendered.contains("      descriptoin"), "{rendered}");
        let underline = rendered
            .lines()
            .find(|l| l.contains('^'))
            .unwrap_or_default();
        assert!(underline.contains("^^^^^^^^^^^"), "{rendered}");
        assert!(!underline.starts_with('^'), "{rendered}");
    }

    #[test]
    fn odd_whitespace_is_shown_byte_for_byte() {
        assert_eq!(
            plain_whitespace("\ta\u{b}b\u{a0}c\r\nd\re"),
            " a?b??c\r\nd?e"
        );
    }

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
