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

    /// Renders the diagnostic with the source line and the span underlined.
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
        if let (Some(file), Some(span)) = (&self.file, &self.span) {
            let span = clamp_span(&file.text, span.clone());
            message = message.snippet(
                Snippet::source(&file.text)
                    .line_start(1)
                    .origin(&file.name)
                    .fold(true)
                    .annotation(level.span(span).label(label)),
            );
        }
        let origin_line;
        if self.file.is_none() {
            origin_line = format!("in {}", self.file_name);
            message = message.footer(Level::Note.title(&origin_line));
        }
        if let Some(help) = &self.help {
            message = message.footer(Level::Help.title(help));
        }
        renderer.render(message).to_string()
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

/// "did you mean `x`?" for the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|best| format!("did you mean `{best}`?"))
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, candidate)| candidate)
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
