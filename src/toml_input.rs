//! Reads TOML input defensively: an outline of the file before parsing (nesting limit, table
//! headers), and parse errors rewritten as short, lower-case diagnostics with a help line.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, suggestion};
use crate::source::SourceFile;

/// Deepest nesting accepted in a scenario or rule file: table header segments, dotted-key
/// segments, arrays and inline tables, counted together. The deepest fact of the vocabulary
/// needs five (`[[practice.disclosure]]` + `compelled.by_law` inside an inline table), so
/// anything near the limit is a mistake or an attack, and refusing it before the TOML parser
/// sees it keeps every later stage (parser, deserializer, drop) far from the stack's limits.
pub const MAX_NESTING: usize = 32;

/// A table header of the file: `[name]` or `[[name]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The dotted name, normalized (no spaces, no quotes around simple segments).
    pub name: String,
    /// `[[name]]` (an array of tables) rather than `[name]`.
    pub array: bool,
    /// The byte range of the header, brackets included.
    pub span: Range<usize>,
}

/// What a quick pass over the file found, before any parsing.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Every table header, in file order.
    pub headers: Vec<Header>,
    /// Whether the file has any key or header (not only blank lines and comments).
    pub has_content: bool,
}

/// One pass over the text: headers, whether there is content, and the nesting limit checked.
/// It follows TOML's strings and comments closely enough to count brackets and dots only where
/// they are syntax; it never fails on malformed TOML (the parser reports that afterwards).
pub fn outline(file: &Arc<SourceFile>) -> Result<Outline, Diagnostic> {
    let text = file.text.as_bytes();
    let mut out = Outline::default();
    // Open `[` / `{` of values with the depth each opens at; never deeper than MAX_NESTING + 1,
    // as the check stops there.
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut header_depth = 0usize;
    let mut key_segments = 0usize;
    let mut in_key = false;
    let mut line_start = true;
    let mut i = 0usize;
    let too_deep = |at: usize, depth: usize| {
        let end = next_char_end(&file.text, at);
        Diagnostic::error(
            file,
            at..end,
            format!("nesting is {depth} levels deep, over the limit of {MAX_NESTING}"),
        )
        .with_help(format!(
            "no consentry file needs more than a few levels; the limit is {MAX_NESTING} tables, keys, arrays and inline tables inside each other"
        ))
    };
    while let Some(&b) = text.get(i) {
        let base = stack.last().map_or(header_depth, |(_, depth)| *depth);
        match b {
            b'#' => {
                i = skip_line(text, i);
                continue;
            }
            b'\n' => {
                if stack.is_empty() {
                    line_start = true;
                    in_key = false;
                    key_segments = 0;
                }
            }
            b' ' | b'\t' | b'\r' => {}
            b'"' | b'\'' => {
                if line_start && stack.is_empty() {
                    in_key = true;
                    out.has_content = true;
                }
                if in_key && key_segments == 0 {
                    key_segments = 1;
                }
                line_start = false;
                i = skip_string(text, i);
                continue;
            }
            b'[' if line_start && stack.is_empty() => {
                let (header, end) = read_header(text, i);
                out.has_content = true;
                header_depth = header.name.split('.').count();
                if header_depth > MAX_NESTING {
                    return Err(too_deep(i, header_depth));
                }
                out.headers.push(header);
                line_start = false;
                i = end;
                continue;
            }
            b'[' | b'{' => {
                line_start = false;
                let depth = base + key_segments + 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(i, depth));
                }
                stack.push((b, depth));
                in_key = b == b'{';
                key_segments = 0;
            }
            b']' | b'}' => {
                line_start = false;
                in_key = false;
                key_segments = 0;
                stack.pop();
            }
            b',' => {
                in_key = stack.last().is_some_and(|(open, _)| *open == b'{');
                key_segments = 0;
            }
            b'=' => in_key = false,
            b'.' if in_key => {
                key_segments += 1;
                let depth = base + key_segments;
                if depth > MAX_NESTING {
                    return Err(too_deep(i, depth));
                }
            }
            _ => {
                if line_start && stack.is_empty() {
                    in_key = true;
                    out.has_content = true;
                }
                if in_key && key_segments == 0 {
                    key_segments = 1;
                }
                line_start = false;
            }
        }
        i += 1;
    }
    Ok(out)
}

/// The offset just past the character at `at` (for a one-character span).
fn next_char_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(at, |c| at + c.len_utf8())
}

fn skip_line(text: &[u8], mut i: usize) -> usize {
    while let Some(&b) = text.get(i) {
        if b == b'\n' {
            return i;
        }
        i += 1;
    }
    i
}

/// Skips a string starting at `i` (any of TOML's four kinds); returns the offset after it, or
/// the end of the line for an unterminated single-line string.
fn skip_string(text: &[u8], i: usize) -> usize {
    let quote = text.get(i).copied().unwrap_or(b'"');
    let triple = text.get(i..i + 3) == Some(&[quote, quote, quote][..]);
    let escapes = quote == b'"';
    let mut j = if triple { i + 3 } else { i + 1 };
    while let Some(&b) = text.get(j) {
        if escapes && b == b'\\' {
            j += 2;
            continue;
        }
        if b == b'\n' && !triple {
            return j;
        }
        if b == quote {
            if !triple {
                return j + 1;
            }
            if text.get(j..j + 3) == Some(&[quote, quote, quote][..]) {
                // Up to two quotes may end the content right before the closing three.
                let mut end = j + 3;
                while end < j + 5 && text.get(end) == Some(&quote) {
                    end += 1;
                }
                return end;
            }
        }
        j += 1;
    }
    j
}

/// Reads a header starting at the `[` at `i`; returns it and the offset after its last `]`.
fn read_header(text: &[u8], i: usize) -> (Header, usize) {
    let array = text.get(i + 1) == Some(&b'[');
    let mut j = if array { i + 2 } else { i + 1 };
    let mut name = String::new();
    while let Some(&b) = text.get(j) {
        match b {
            b']' | b'\n' => break,
            b'"' | b'\'' => {
                let end = skip_string(text, j);
                let inner = text.get(j + 1..end.saturating_sub(1)).unwrap_or_default();
                name.push_str(&String::from_utf8_lossy(inner));
                j = end;
                continue;
            }
            b' ' | b'\t' => {}
            _ => name.push(char::from(b)),
        }
        j += 1;
    }
    // Non-ASCII bytes of bare keys are invalid TOML anyway; the parser reports them.
    let mut end = j;
    for _ in 0..if array { 2 } else { 1 } {
        if text.get(end) == Some(&b']') {
            end += 1;
        }
    }
    (
        Header {
            name,
            array,
            span: i..end,
        },
        end,
    )
}

/// A TOML syntax or shape error as a diagnostic: the parser's message made short and
/// lower-case, with a help line where the mistake is a common one.
pub fn parse_error(
    file: &Arc<SourceFile>,
    message: &str,
    span: Option<Range<usize>>,
) -> Diagnostic {
    let message = message.lines().next().unwrap_or(message).trim();
    let span = span.unwrap_or(0..0);
    let spanned = file.text.get(span.clone()).unwrap_or_default();
    let before = span
        .start
        .checked_sub(1)
        .and_then(|i| file.text.get(i..span.start));
    let (message, help): (String, Option<String>) = if message == "duplicate key" {
        if before == Some("[") {
            (
                format!("table `[{spanned}]` is defined twice"),
                Some("write each table once, with all its keys".into()),
            )
        } else {
            (
                format!("key `{spanned}` is set twice in this table"),
                Some("keep one of the two lines".into()),
            )
        }
    } else if message.starts_with("string values must be quoted") {
        (
            "text values must be quoted".into(),
            Some(format!("write `\"{spanned}\"`")),
        )
    } else if message.starts_with("unexpected key or value")
        && file
            .text
            .get(span.start..)
            .is_some_and(|rest| rest.starts_with(','))
    {
        (
            "unexpected `,` after a value".into(),
            Some("TOML puts one key per line, without commas".into()),
        )
    } else if message.starts_with("invalid basic string")
        || message.starts_with("invalid literal string")
    {
        (
            "this string is not closed on its line".into(),
            Some(
                "end it with the quote it starts with; for text over several lines use `\"\"\"`"
                    .into(),
            ),
        )
    } else if message.starts_with("unclosed table") || message.starts_with("unclosed array table") {
        (
            format!("invalid TOML: {message}"),
            Some(
                "a table header is one line: `[name]`, or `[[name]]` for one entry of a list"
                    .into(),
            ),
        )
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        unknown_field(rest)
    } else if let Some(field) = message.strip_prefix("missing field ") {
        (
            format!("missing key {field}"),
            Some(format!(
                "add {field}: docs/authoring.md lists the keys of each table"
            )),
        )
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        let expected = expected.replace("a TOML datetime", "a date like 2024-08-02");
        let help = found
            .strip_prefix("string \"")
            .and_then(|s| s.strip_suffix('"'))
            .filter(|_| expected.starts_with("a date"))
            .map(|s| format!("remove the quotes: `{s}`"));
        (format!("expected {expected}, found {found}"), help)
    } else if message == "recursion limit" || message.starts_with("cannot recurse further") {
        (
            format!("nesting is over the limit of {MAX_NESTING} levels"),
            None,
        )
    } else {
        (format!("invalid TOML: {message}"), None)
    };
    let diag = Diagnostic::error(file, span, message);
    match help {
        Some(help) => diag.with_help(help),
        None => diag,
    }
}

/// "unknown field `x`, expected one of `a`, `b`" → an unknown-key message with a suggestion.
fn unknown_field(rest: &str) -> (String, Option<String>) {
    let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let word = field.trim_matches('`');
    let candidates: Vec<&str> = expected
        .trim_start_matches("one of ")
        .split(", ")
        .map(|c| c.trim_matches('`'))
        .filter(|c| !c.is_empty() && !c.starts_with("there are no"))
        .collect();
    let help = suggestion(word, &candidates)
        .map(|h| h.replace("allowed values", "allowed keys"))
        .or_else(|| Some("this table takes no keys".into()).filter(|_| candidates.is_empty()));
    (format!("unknown key `{word}`"), help)
}

/// Parses a rule, vocabulary, taxonomy or regions file into `T`, after the outline check.
pub(crate) fn parse_typed<T: serde::de::DeserializeOwned>(
    file: &Arc<SourceFile>,
) -> Result<T, Diagnostic> {
    let outline = outline(file)?;
    if !outline.has_content {
        return Err(Diagnostic::error(file, 0..0, "file is empty")
            .with_help("docs/authoring.md shows what each file of `rules/` holds"));
    }
    toml::from_str(&file.text).map_err(|err| parse_error(file, err.message(), err.span()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Result<Outline, String> {
        outline(&SourceFile::new("t.toml", text)).map_err(|d| d.message.clone())
    }

    #[test]
    fn headers_are_found_outside_strings_and_comments() {
        let outline = scan(
            "# [not]\n[scenario]\nid = \"[x]\"\ns = '''\n[y]\n'''\n[[ practice . \"disclosure\" ]]\n",
        )
        .unwrap_or_default();
        let names: Vec<(&str, bool)> = outline
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.array))
            .collect();
        assert_eq!(
            names,
            vec![("scenario", false), ("practice.disclosure", true)]
        );
        assert!(outline.has_content);
    }

    #[test]
    fn blank_and_comment_only_files_have_no_content() {
        assert!(scan("").is_ok_and(|o| !o.has_content));
        assert!(scan("\n  # just a note\n\n").is_ok_and(|o| !o.has_content));
        assert!(scan("a = 1").is_ok_and(|o| o.has_content));
    }

    #[test]
    fn deep_arrays_inline_tables_and_dotted_keys_hit_the_limit() {
        let arrays = format!("a = {}{}", "[".repeat(40), "]".repeat(40));
        assert!(scan(&arrays).is_err_and(|m| m.contains("over the limit of 32")));
        let dotted = format!("{} = 1", vec!["k"; 40].join("."));
        assert!(scan(&dotted).is_err());
        let header = format!("[{}]", vec!["k"; 40].join("."));
        assert!(scan(&header).is_err());
        let inline = format!("a = {}1{}", "{b = ".repeat(40), "}".repeat(40));
        assert!(scan(&inline).is_err());
        // Dots in values (numbers, strings) are not nesting.
        assert!(scan("a = 1.5\nb = \"x.y.z\"\nc = [1.0, 2.0]\nd.e = { f.g = [[1]] }").is_ok());
    }

    #[test]
    fn serde_messages_become_short_help_lines() {
        let file = SourceFile::new("t.toml", "whne = 1\n");
        let diag = parse_error(
            &file,
            "unknown field `whne`, expected one of `id`, `text`, `when`",
            Some(0..4),
        );
        assert_eq!(diag.message, "unknown key `whne`");
        assert_eq!(diag.help.as_deref(), Some("did you mean `when`?"));
        let diag = parse_error(
            &file,
            "invalid type: string \"2008-10-03\", expected a TOML datetime",
            Some(0..4),
        );
        assert_eq!(
            diag.message,
            "expected a date like 2024-08-02, found string \"2008-10-03\""
        );
        assert_eq!(
            diag.help.as_deref(),
            Some("remove the quotes: `2008-10-03`")
        );
    }
}
