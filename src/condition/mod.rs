//! The condition language of rule elements: syntax tree, parser, printer and type checker.

mod check;
mod parser;

use std::fmt;
use std::ops::Range;

pub use check::{CheckError, Definitions, ScopeKind, check};
pub use parser::{ParseError, parse};

use crate::value::Date;

/// Longest `when` expression accepted, in bytes; longer ones are refused before parsing.
pub const MAX_CONDITION_LEN: usize = 4_096;
/// Deepest nesting of parentheses, `not` and quantifiers accepted.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A parsed condition with the span (byte range within the `when` string) of each node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub node: Node,
    /// Where it is in the condition text.
    pub span: Range<usize>,
}

/// A literal value in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A quoted string.
    Str(String),
    /// A date `YYYY-MM-DD`.
    Date(Date),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// scalar `in` list or definition
    In,
    /// list `contains` value
    Contains,
    /// list `overlaps` list or definition
    Overlaps,
}

/// `any` or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// At least one item satisfies the body.
    Any,
    /// Every item satisfies the body.
    All,
}

/// What a quantifier ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// The scenario's practices.
    Practices,
    /// The current practice's disclosures.
    Disclosures,
}

/// A node of the syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A literal.
    Lit(Literal),
    /// A list literal.
    List(Vec<Literal>),
    /// A fact path, with an optional map key (`service.users['US-IL']`).
    Path {
        /// Dotted path.
        path: String,
        /// Map key.
        key: Option<String>,
    },
    /// A definition of the statute pack, `$name`.
    Def(String),
    /// Negation.
    Not(Box<Expr>),
    /// Conjunction (two or more operands).
    And(Vec<Expr>),
    /// Disjunction (two or more operands).
    Or(Vec<Expr>),
    /// A comparison.
    Cmp(Box<Expr>, Op, Box<Expr>),
    /// A quantifier over practices or disclosures.
    Quant(Quantifier, Collection, Box<Expr>),
    /// A date moved by a whole number of years or days: `scenario.as_of - 5 years`.
    Offset(Box<Expr>, DateOffset),
}

/// A signed distance in calendar years or in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateOffset {
    /// How many units, negative for `-`.
    pub amount: i64,
    /// Years or days.
    pub unit: DateUnit,
}

/// The unit of a [`DateOffset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// Calendar years: the same month and day, February 29 becoming February 28.
    Years,
    /// Days.
    Days,
}

impl DateOffset {
    /// `date` moved by the offset, if the result is a date the language can hold.
    pub fn apply(self, date: Date) -> Option<Date> {
        match self.unit {
            DateUnit::Years => {
                let year = u16::try_from(i64::from(date.year) + self.amount).ok()?;
                Date::new(year, date.month, date.day)
                    .or_else(|| Date::new(year, date.month, date.day.saturating_sub(1)))
            }
            DateUnit::Days => {
                let days = date.days_since_epoch().checked_add(self.amount)?;
                let moved = Date::from_days_since_epoch(days);
                (moved.days_since_epoch() == days).then_some(moved)
            }
        }
    }
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::Contains => "contains",
            Op::Overlaps => "overlaps",
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Str(s) => write!(f, "{}", Quoted(s)),
            Literal::Date(d) => write!(f, "{d}"),
        }
    }
}

impl fmt::Display for Expr {
    /// Prints the condition in canonical form, with only the parentheses the tree needs;
    /// parsing the output gives back the same tree (up to spans).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Node::Lit(lit) => write!(f, "{lit}"),
            Node::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Node::Path { path, key: None } => write!(f, "{path}"),
            Node::Path {
                path,
                key: Some(key),
            } => write!(f, "{path}[{}]", Quoted(key)),
            Node::Def(name) => write!(f, "${name}"),
            Node::Not(inner) => match inner.node {
                Node::And(_) | Node::Or(_) => write!(f, "not ({inner})"),
                _ => write!(f, "not {inner}"),
            },
            Node::And(items) | Node::Or(items) => {
                let is_and = matches!(self.node, Node::And(_));
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if is_and { " and " } else { " or " })?;
                    }
                    // Only the parentheses the tree needs: `and` binds tighter than `or`, and
                    // `not` tighter than both. Extra ones would make the printed condition
                    // nest deeper than the one parsed, past the depth limit for deep trees.
                    let wrap = match item.node {
                        Node::Or(_) => true,
                        Node::And(_) => is_and,
                        _ => false,
                    };
                    if wrap {
                        write!(f, "({item})")?;
                    } else {
                        write!(f, "{item}")?;
                    }
                }
                Ok(())
            }
            Node::Cmp(left, op, right) => {
                write!(f, "{} {} {}", Operand(left), op.symbol(), Operand(right))
            }
            Node::Quant(q, collection, body) => {
                let q = match q {
                    Quantifier::Any => "any",
                    Quantifier::All => "all",
                };
                let c = match collection {
                    Collection::Practices => "practice",
                    Collection::Disclosures => "practice.disclosure",
                };
                write!(f, "{q}({c}, {body})")
            }
            Node::Offset(base, offset) => {
                let sign = if offset.amount < 0 { '-' } else { '+' };
                let unit = match (offset.unit, offset.amount.unsigned_abs()) {
                    (DateUnit::Years, 1) => "year",
                    (DateUnit::Years, _) => "years",
                    (DateUnit::Days, 1) => "day",
                    (DateUnit::Days, _) => "days",
                };
                write!(
                    f,
                    "{} {sign} {} {unit}",
                    Operand(base),
                    offset.amount.unsigned_abs()
                )
            }
        }
    }
}

/// Prints text in single quotes, or in double quotes when it holds a single quote (the
/// language has no escapes, so text with both kinds cannot be written; the parser never
/// produces it).
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains('\'') {
            write!(f, "\"{}\"", self.0)
        } else {
            write!(f, "'{}'", self.0)
        }
    }
}

/// Prints an operand of a comparison, in parentheses when it is a condition of its own
/// (`(a and b) == true`, `(x == 1) == true`), which a comparison cannot take bare.
struct Operand<'a>(&'a Expr);

impl fmt::Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.node {
            Node::And(_) | Node::Or(_) | Node::Not(_) | Node::Cmp(..) => write!(f, "({})", self.0),
            _ => write!(f, "{}", self.0),
        }
    }
}

impl Expr {
    /// The same tree with every span set to `0..0`: two conditions that differ only in layout
    /// compare equal (used by the print/parse round-trip checks).
    #[must_use]
    pub fn without_spans(&self) -> Expr {
        let node = match &self.node {
            Node::Not(inner) => Node::Not(Box::new(inner.without_spans())),
            Node::And(items) => Node::And(items.iter().map(Expr::without_spans).collect()),
            Node::Or(items) => Node::Or(items.iter().map(Expr::without_spans).collect()),
            Node::Cmp(left, op, right) => Node::Cmp(
                Box::new(left.without_spans()),
                *op,
                Box::new(right.without_spans()),
            ),
            Node::Quant(q, c, body) => Node::Quant(*q, *c, Box::new(body.without_spans())),
            Node::Offset(base, offset) => Node::Offset(Box::new(base.without_spans()), *offset),
            other => other.clone(),
        };
        Expr { node, span: 0..0 }
    }

    /// Every fact path the condition reads, in order of appearance (with repeats).
    pub fn paths(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a str>) {
        match &self.node {
            Node::Path { path, .. } => out.push(path),
            Node::Not(inner) | Node::Quant(_, _, inner) | Node::Offset(inner, _) => {
                inner.collect_paths(out)
            }
            Node::And(items) | Node::Or(items) => items.iter().for_each(|e| e.collect_paths(out)),
            Node::Cmp(left, _, right) => {
                left.collect_paths(out);
                right.collect_paths(out);
            }
            Node::Lit(_) | Node::List(_) | Node::Def(_) => {}
        }
    }

    /// Every definition the condition names.
    pub fn definitions(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_definitions(&mut out);
        out
    }

    fn collect_definitions<'a>(&'a self, out: &mut Vec<&'a str>) {
        match &self.node {
            Node::Def(name) => out.push(name),
            Node::Not(inner) | Node::Quant(_, _, inner) | Node::Offset(inner, _) => {
                inner.collect_definitions(out)
            }
            Node::And(items) | Node::Or(items) => {
                items.iter().for_each(|e| e.collect_definitions(out))
            }
            Node::Cmp(left, _, right) => {
                left.collect_definitions(out);
                right.collect_definitions(out);
            }
            Node::Lit(_) | Node::List(_) | Node::Path { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_move_dates_by_calendar_years_and_days() {
        let date = |y, m, d| {
            Date::new(y, m, d).unwrap_or(Date {
                year: 1970,
                month: 1,
                day: 1,
            })
        };
        let years = |n| DateOffset {
            amount: n,
            unit: DateUnit::Years,
        };
        let days = |n| DateOffset {
            amount: n,
            unit: DateUnit::Days,
        };
        assert_eq!(years(-5).apply(date(2024, 1, 1)), Some(date(2019, 1, 1)));
        assert_eq!(years(1).apply(date(2024, 2, 29)), Some(date(2025, 2, 28)));
        assert_eq!(days(1).apply(date(2024, 2, 28)), Some(date(2024, 2, 29)));
        assert_eq!(days(-366).apply(date(2025, 3, 1)), Some(date(2024, 2, 29)));
        assert_eq!(years(-3000).apply(date(2024, 1, 1)), None);
    }
}
