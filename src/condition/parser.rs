//! Parses the text of a `when` condition into a syntax tree.

use std::ops::Range;

use super::{
    Collection, DateOffset, DateUnit, Expr, Literal, MAX_CONDITION_DEPTH, MAX_CONDITION_LEN, Node,
    Op, Quantifier,
};
use crate::value::Date;

/// A syntax error in a condition: what was wrong and where (byte range in the condition).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// One-line message.
    pub message: String,
    /// Where, within the condition text.
    pub span: Range<usize>,
    /// What to write instead.
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Def(String),
    Str(String),
    Int(i64),
    Date(Date),
    Op(Op),
    Plus,
    Minus,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

fn err(message: impl Into<String>, span: Range<usize>) -> ParseError {
    ParseError {
        message: message.into(),
        span,
        help: None,
    }
}

impl Lexer<'_> {
    fn tokens(mut self) -> Result<Vec<(Tok, Range<usize>)>, ParseError> {
        let mut out = Vec::new();
        loop {
            let (tok, span) = self.next_token()?;
            let end = tok == Tok::End;
            out.push((tok, span));
            if end {
                return Ok(out);
            }
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek_char() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.text.get(start..self.pos).unwrap_or_default()
    }

    fn next_token(&mut self) -> Result<(Tok, Range<usize>), ParseError> {
        self.take_while(char::is_whitespace);
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok((Tok::End, start..start));
        };
        let simple = |tok: Tok, len: usize, lexer: &mut Self| {
            lexer.pos += len;
            Ok((tok, start..start + len))
        };
        let rest = self.text.get(start..).unwrap_or_default();
        match c {
            '(' => simple(Tok::LParen, 1, self),
            ')' => simple(Tok::RParen, 1, self),
            '[' => simple(Tok::LBracket, 1, self),
            ']' => simple(Tok::RBracket, 1, self),
            ',' => simple(Tok::Comma, 1, self),
            '=' if rest.starts_with("==") => simple(Tok::Op(Op::Eq), 2, self),
            '!' if rest.starts_with("!=") => simple(Tok::Op(Op::Ne), 2, self),
            '<' if rest.starts_with("<=") => simple(Tok::Op(Op::Le), 2, self),
            '>' if rest.starts_with(">=") => simple(Tok::Op(Op::Ge), 2, self),
            '<' => simple(Tok::Op(Op::Lt), 1, self),
            '>' => simple(Tok::Op(Op::Gt), 1, self),
            '=' => Err(ParseError {
                help: Some("compare with `==`".into()),
                ..err("a single `=` is not an operator", start..start + 1)
            }),
            '\'' | '"' => {
                self.pos += 1;
                let body = self.take_while(|ch| ch != c).to_string();
                if self.peek_char() != Some(c) {
                    return Err(err("unterminated string", start..self.pos));
                }
                self.pos += 1;
                Ok((Tok::Str(body), start..self.pos))
            }
            '$' => {
                self.pos += 1;
                let name = self
                    .take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                    .to_string();
                if name.is_empty() {
                    return Err(err("expected a definition name after `$`", start..self.pos));
                }
                Ok((Tok::Def(name), start..self.pos))
            }
            '+' => simple(Tok::Plus, 1, self),
            '-' if !rest[1..].starts_with(|ch: char| ch.is_ascii_digit()) => {
                simple(Tok::Minus, 1, self)
            }
            '0'..='9' | '-' => {
                let word = self
                    .take_while(|ch| ch.is_ascii_digit() || ch == '-' || ch == '_')
                    .to_string();
                let span = start..self.pos;
                if word.len() == 10 && word.as_bytes().get(4) == Some(&b'-') {
                    return Date::parse(&word)
                        .map(|d| (Tok::Date(d), span.clone()))
                        .ok_or_else(|| err(format!("`{word}` is not a calendar date"), span));
                }
                word.replace('_', "")
                    .parse::<i64>()
                    .map(|i| (Tok::Int(i), span.clone()))
                    .map_err(|_| err(format!("`{word}` is not a number or a date"), span))
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let word = self
                    .take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
                    .to_string();
                let span = start..self.pos;
                let tok = match word.as_str() {
                    "in" => Tok::Op(Op::In),
                    "contains" => Tok::Op(Op::Contains),
                    "overlaps" => Tok::Op(Op::Overlaps),
                    _ => Tok::Name(word),
                };
                Ok((tok, span))
            }
            other => Err(err(
                format!("unexpected character `{other}`"),
                start..start + other.len_utf8(),
            )),
        }
    }
}

struct Parser {
    tokens: Vec<(Tok, Range<usize>)>,
    index: usize,
    depth: usize,
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_CONDITION_LEN {
        return Err(ParseError {
            help: Some(
                "split it into several elements, or name long lists as a `[[definition]]`".into(),
            ),
            ..err(
                format!("condition is longer than the limit of {MAX_CONDITION_LEN} bytes"),
                0..text.len(),
            )
        });
    }
    let tokens = Lexer { text, pos: 0 }.tokens()?;
    let mut parser = Parser {
        tokens,
        index: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    match parser.peek() {
        (Tok::End, _) => Ok(expr),
        (_, span) => Err(ParseError {
            help: Some("join conditions with `and` / `or`".into()),
            ..err("unexpected text after the end of the condition", span)
        }),
    }
}

impl Parser {
    fn peek(&self) -> (Tok, Range<usize>) {
        self.tokens
            .get(self.index)
            .cloned()
            .unwrap_or((Tok::End, 0..0))
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let tok = self.peek();
        self.index += 1;
        tok
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek().0, Tok::Name(ref w) if w == word)
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<Range<usize>, ParseError> {
        let (tok, span) = self.bump();
        if &tok == want {
            Ok(span)
        } else {
            Err(err(format!("expected {what}"), span))
        }
    }

    fn nested<T>(
        &mut self,
        span: &Range<usize>,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(ParseError {
                help: Some(
                    "split it into several elements, or drop parentheses `and` / `or` do not need"
                        .into(),
                ),
                ..err(
                    format!("condition nests deeper than the limit of {MAX_CONDITION_DEPTH}"),
                    span.clone(),
                )
            });
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        self.chain("or", Self::and, Node::Or)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        self.chain("and", Self::unary, Node::And)
    }

    fn chain(
        &mut self,
        keyword: &str,
        next: fn(&mut Self) -> Result<Expr, ParseError>,
        build: fn(Vec<Expr>) -> Node,
    ) -> Result<Expr, ParseError> {
        let first = next(self)?;
        if !self.is_keyword(keyword) {
            return Ok(first);
        }
        let start = first.span.start;
        let mut items = vec![first];
        while self.is_keyword(keyword) {
            self.bump();
            items.push(next(self)?);
        }
        let end = items.last().map_or(start, |e| e.span.end);
        Ok(Expr {
            node: build(items),
            span: start..end,
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_keyword("not") {
            let (_, span) = self.bump();
            let inner = self.nested(&span, Self::unary)?;
            let end = inner.span.end;
            return Ok(Expr {
                node: Node::Not(Box::new(inner)),
                span: span.start..end,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.operand()?;
        if let (Tok::Op(op), _) = self.peek() {
            self.bump();
            let right = self.operand()?;
            let span = left.span.start..right.span.end;
            return Ok(Expr {
                node: Node::Cmp(Box::new(left), op, Box::new(right)),
                span,
            });
        }
        Ok(left)
    }

    fn literal(&mut self) -> Result<(Literal, Range<usize>), ParseError> {
        match self.bump() {
            (Tok::Str(s), span) => Ok((Literal::Str(s), span)),
            (Tok::Int(i), span) => Ok((Literal::Int(i), span)),
            (Tok::Date(d), span) => Ok((Literal::Date(d), span)),
            (Tok::Name(w), span) if w == "true" || w == "false" => {
                Ok((Literal::Bool(w == "true"), span))
            }
            (Tok::Name(w), span) => Err(ParseError {
                help: Some(format!("quote text values: '{w}'")),
                ..err("expected a literal value in the list", span)
            }),
            (_, span) => Err(err("expected a literal value", span)),
        }
    }

    fn operand(&mut self) -> Result<Expr, ParseError> {
        let base = self.base_operand()?;
        let sign = match self.peek().0 {
            Tok::Plus => 1,
            Tok::Minus => -1,
            _ => return Ok(base),
        };
        self.bump();
        let (amount, amount_span) = match self.bump() {
            (Tok::Int(n), span) if n >= 0 => (n, span),
            (_, span) => {
                return Err(ParseError {
                    help: Some("write e.g. `scenario.as_of - 5 years`".into()),
                    ..err("expected a whole number of years or days", span)
                });
            }
        };
        let (unit, unit_span) = match self.bump() {
            (Tok::Name(w), span) if w == "year" || w == "years" => (DateUnit::Years, span),
            (Tok::Name(w), span) if w == "day" || w == "days" => (DateUnit::Days, span),
            (_, span) => {
                return Err(ParseError {
                    help: Some("the units are `years` and `days`".into()),
                    ..err("expected `years` or `days`", amount_span.start..span.end)
                });
            }
        };
        let span = base.span.start..unit_span.end;
        Ok(Expr {
            node: Node::Offset(
                Box::new(base),
                DateOffset {
                    amount: sign * amount,
                    unit,
                },
            ),
            span,
        })
    }

    fn base_operand(&mut self) -> Result<Expr, ParseError> {
        let (tok, span) = self.peek();
        match tok {
            Tok::LParen => {
                self.bump();
                let inner = self.nested(&span, Self::or)?;
                let close = self.expect(&Tok::RParen, "`)`")?;
                Ok(Expr {
                    node: inner.node,
                    span: span.start..close.end,
                })
            }
            Tok::LBracket => {
                self.bump();
                let mut items = Vec::new();
                if self.peek().0 != Tok::RBracket {
                    loop {
                        items.push(self.literal()?.0);
                        if self.peek().0 == Tok::Comma {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                let close = self.expect(&Tok::RBracket, "`,` or `]`")?;
                Ok(Expr {
                    node: Node::List(items),
                    span: span.start..close.end,
                })
            }
            Tok::Def(name) => {
                self.bump();
                Ok(Expr {
                    node: Node::Def(name),
                    span,
                })
            }
            Tok::Str(_) | Tok::Int(_) | Tok::Date(_) => {
                let (lit, span) = self.literal()?;
                Ok(Expr {
                    node: Node::Lit(lit),
                    span,
                })
            }
            Tok::Name(word) if word == "true" || word == "false" => {
                self.bump();
                Ok(Expr {
                    node: Node::Lit(Literal::Bool(word == "true")),
                    span,
                })
            }
            Tok::Name(word)
                if (word == "any" || word == "all")
                    && self
                        .tokens
                        .get(self.index + 1)
                        .is_some_and(|t| t.0 == Tok::LParen) =>
            {
                self.bump();
                self.bump();
                let quantifier = if word == "any" {
                    Quantifier::Any
                } else {
                    Quantifier::All
                };
                let (over, over_span) = self.bump();
                let collection = match over {
                    Tok::Name(ref c) if c == "practice" => Collection::Practices,
                    Tok::Name(ref c) if c == "practice.disclosure" => Collection::Disclosures,
                    _ => {
                        return Err(ParseError {
                            help: Some(
                                "write `any(practice.disclosure, ...)` or `any(practice, ...)`"
                                    .into(),
                            ),
                            ..err(
                                "a quantifier ranges over `practice` or `practice.disclosure`",
                                over_span,
                            )
                        });
                    }
                };
                self.expect(&Tok::Comma, "`,` after the collection")?;
                let body = self.nested(&span, Self::or)?;
                let close = self.expect(&Tok::RParen, "`)`")?;
                Ok(Expr {
                    node: Node::Quant(quantifier, collection, Box::new(body)),
                    span: span.start..close.end,
                })
            }
            Tok::Name(word) if matches!(word.as_str(), "and" | "or" | "not") => {
                Err(err(format!("expected a value before `{word}`"), span))
            }
            Tok::Name(path) => {
                self.bump();
                if path.ends_with('.') || path.contains("..") {
                    return Err(err(format!("`{path}` is not a valid fact path"), span));
                }
                let mut end = span.end;
                let mut key = None;
                if self.peek().0 == Tok::LBracket {
                    self.bump();
                    match self.bump() {
                        (Tok::Str(k), _) => key = Some(k),
                        (_, s) => return Err(err("expected a quoted key such as 'US-IL'", s)),
                    }
                    end = self.expect(&Tok::RBracket, "`]`")?.end;
                }
                Ok(Expr {
                    node: Node::Path { path, key },
                    span: span.start..end,
                })
            }
            Tok::End => Err(err("the condition ends too early", span)),
            _ => Err(err("expected a fact path, a value or `(`", span)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_not_over_and_over_or() {
        let expr = parse("not a.b == true and c.d or e.f in ['x', 'y']").ok();
        let printed = expr.map(|e| e.to_string());
        assert_eq!(
            printed.as_deref(),
            Some("not a.b == true and c.d or e.f in ['x', 'y']")
        );
    }

    #[test]
    fn printing_round_trips() {
        for text in [
            "any(practice.disclosure, practice.disclosure.consent == false)",
            "service.users['US-IL'] > 0 and practice.data overlaps $biometric_identifiers",
            "practice.period.start < 2024-08-02 or not (a.b and c.d)",
            "practice.period.end < scenario.as_of - 5 years",
            "a.b >= 2024-02-29 + 1 year and c.d < e.f + 30 days",
        ] {
            let first = parse(text).map(|e| e.to_string());
            let again = first.clone().and_then(|t| parse(&t)).map(|e| e.to_string());
            assert_eq!(first, again, "{text}");
        }
    }

    #[test]
    fn reports_errors_with_spans() {
        let e = parse("a.b = true").err();
        assert_eq!(e.as_ref().map(|e| e.span.clone()), Some(4..5));
        assert!(parse("a.b == 'open").is_err());
        assert!(parse("a.b ==").is_err());
        assert!(parse("(a.b").is_err());
        assert!(parse("a.b c.d").is_err());
        assert!(parse(&"(".repeat(100)).is_err());
    }
}
