//! Escaping of untrusted text: everything read from a scenario, rule or waiver file is
//! escaped before it goes into XML, HTML or Markdown.

/// Text safe in XML and HTML content and in quoted attribute values. Characters XML 1.0 does
/// not allow (control characters other than tab and newlines) become U+FFFD.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20
                || matches!(c, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}') =>
            {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Text that Markdown shows as written: markup characters are backslash-escaped, raw HTML
/// cannot open, and line breaks become spaces so the text stays in its list item or cell.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Markdown code span: backticks cannot close it early.
pub(crate) fn markdown_code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let ticks = longest_run(&clean, '`') + 1;
    let fence = "`".repeat(ticks);
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_illegal_characters() {
        assert_eq!(
            xml("<script>alert('x') & \"y\"</script>\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\u{fffd}"
        );
    }

    #[test]
    fn markdown_escapes_markup_and_keeps_one_line() {
        assert_eq!(
            markdown("<b>*x*</b> | [a](b)\nnext"),
            "\\<b\\>\\*x\\*\\</b\\> \\| \\[a\\](b) next"
        );
        assert_eq!(markdown_code("a = `b`"), "`` a = `b` ``");
        assert_eq!(markdown_code("plain"), "`plain`");
    }
}
