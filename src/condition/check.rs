//! Type-checks a condition against the vocabulary and the statute pack's definitions.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Collection, Expr, Literal, Node, Op};
use crate::diagnostics::suggestion;
use crate::vocabulary::{Domain, FactType, Vocabulary};

/// What a rule is evaluated over: this decides which `practice.*` paths may be read directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// Once per scenario.
    Service,
    /// Once per practice.
    Practice,
    /// Once per disclosure of a practice.
    Disclosure,
}

/// The statute pack's definitions as the checker sees them: name → every value any version lists.
pub type Definitions = BTreeMap<String, Vec<String>>;

/// A type error in a condition, with the span (within the condition text) it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    /// One-line message.
    pub message: String,
    /// Where, within the condition text.
    pub span: Range<usize>,
    /// What to write instead.
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Bool,
    Num,
    Date,
    Scalar(Domain),
    List(Domain),
    Map,
    StrLit(String),
    ListLit(Vec<Literal>),
    Def(String),
}

impl Ty {
    fn describe(&self) -> String {
        match self {
            Ty::Bool => "a true/false value".into(),
            Ty::Num => "a number".into(),
            Ty::Date => "a date".into(),
            Ty::Scalar(_) => "a single value".into(),
            Ty::List(_) => "a list fact".into(),
            Ty::Map => "a region map".into(),
            Ty::StrLit(s) => format!("the text '{s}'"),
            Ty::ListLit(_) => "a list of values".into(),
            Ty::Def(name) => format!("the definition `${name}`"),
        }
    }
}

struct Checker<'a> {
    vocab: &'a Vocabulary,
    definitions: &'a Definitions,
}

fn fail(message: impl Into<String>, span: &Range<usize>) -> CheckError {
    CheckError {
        message: message.into(),
        span: span.clone(),
        help: None,
    }
}

/// Checks that `expr` is a well-typed true/false condition in `scope`.
pub fn check(
    expr: &Expr,
    scope: ScopeKind,
    vocab: &Vocabulary,
    definitions: &Definitions,
) -> Result<(), CheckError> {
    let checker = Checker { vocab, definitions };
    match checker.ty(expr, scope)? {
        Ty::Bool => Ok(()),
        other => Err(CheckError {
            help: Some("compare it, e.g. `practice.notice.written == true` or `practice.data overlaps $set`".into()),
            ..fail(format!("a condition must be true or false, but this is {}", other.describe()), &expr.span)
        }),
    }
}

impl Checker<'_> {
    fn ty(&self, expr: &Expr, scope: ScopeKind) -> Result<Ty, CheckError> {
        match &expr.node {
            Node::Lit(Literal::Bool(_)) => Ok(Ty::Bool),
            Node::Lit(Literal::Int(_)) => Ok(Ty::Num),
            Node::Lit(Literal::Date(_)) => Ok(Ty::Date),
            Node::Lit(Literal::Str(s)) => Ok(Ty::StrLit(s.clone())),
            Node::List(items) => Ok(Ty::ListLit(items.clone())),
            Node::Def(name) => {
                if self.definitions.contains_key(name) {
                    Ok(Ty::Def(name.clone()))
                } else {
                    let names: Vec<&str> = self.definitions.keys().map(String::as_str).collect();
                    Err(CheckError {
                        help: suggestion(name, &names),
                        ..fail(format!("unknown definition `${name}`"), &expr.span)
                    })
                }
            }
            Node::Path { path, key } => self.path(path, key.as_deref(), scope, &expr.span),
            Node::Not(inner) => self.boolean(inner, scope).map(|()| Ty::Bool),
            Node::And(items) | Node::Or(items) => {
                for item in items {
                    self.boolean(item, scope)?;
                }
                Ok(Ty::Bool)
            }
            Node::Quant(_, collection, body) => {
                let inner = match (collection, scope) {
                    (Collection::Practices, ScopeKind::Service) => ScopeKind::Practice,
                    (Collection::Disclosures, ScopeKind::Practice) => ScopeKind::Disclosure,
                    (Collection::Practices, _) => {
                        return Err(fail(
                            "`any(practice, ...)` is only allowed in a service-scoped rule",
                            &expr.span,
                        ));
                    }
                    (Collection::Disclosures, _) => {
                        return Err(fail(
                            "`any(practice.disclosure, ...)` needs a current practice: use it in a practice-scoped rule or inside `any(practice, ...)`",
                            &expr.span,
                        ));
                    }
                };
                self.boolean(body, inner).map(|()| Ty::Bool)
            }
            Node::Offset(base, _) => match self.ty(base, scope)? {
                Ty::Date => Ok(Ty::Date),
                other => Err(CheckError {
                    help: Some(
                        "add years or days to a date, e.g. `scenario.as_of - 5 years`".into(),
                    ),
                    ..fail(
                        format!(
                            "only a date can be moved by years or days, not {}",
                            other.describe()
                        ),
                        &expr.span,
                    )
                }),
            },
            Node::Cmp(left, op, right) => {
                let l = self.ty(left, scope)?;
                let r = self.ty(right, scope)?;
                self.compare(&l, *op, &r, &left.span, &right.span, &expr.span)
            }
        }
    }

    fn boolean(&self, expr: &Expr, scope: ScopeKind) -> Result<(), CheckError> {
        match self.ty(expr, scope)? {
            Ty::Bool => Ok(()),
            other => Err(fail(
                format!(
                    "expected a true/false condition, found {}",
                    other.describe()
                ),
                &expr.span,
            )),
        }
    }

    fn path(
        &self,
        path: &str,
        key: Option<&str>,
        scope: ScopeKind,
        span: &Range<usize>,
    ) -> Result<Ty, CheckError> {
        let Some(fact) = self.vocab.fact(path) else {
            let paths: Vec<&str> = self.vocab.facts.keys().map(String::as_str).collect();
            return Err(CheckError {
                help: suggestion(path, &paths).filter(|h| h.starts_with("did you mean")),
                ..fail(format!("unknown fact path `{path}`"), span)
            });
        };
        if let Some(replacement) = &fact.replaced_by {
            return Err(CheckError {
                help: Some(format!("replaced by `{replacement}`")),
                ..fail(format!("fact `{path}` is deprecated"), span)
            });
        }
        if path.starts_with("practice.disclosure.") && scope != ScopeKind::Disclosure {
            return Err(CheckError {
                help: Some(
                    "wrap it in `any(practice.disclosure, ...)` or make the rule disclosure-scoped"
                        .into(),
                ),
                ..fail(
                    format!("`{path}` names a disclosure, but there is no current disclosure here"),
                    span,
                )
            });
        }
        if path.starts_with("practice.") && scope == ScopeKind::Service {
            return Err(CheckError {
                help: Some(
                    "wrap it in `any(practice, ...)` or make the rule practice-scoped".into(),
                ),
                ..fail(
                    format!("`{path}` names a practice, but there is no current practice here"),
                    span,
                )
            });
        }
        if let Some(key) = key {
            if fact.ty != FactType::MapRegionInt {
                return Err(fail(
                    format!("`{path}` is not a map and cannot be indexed"),
                    span,
                ));
            }
            if !self.vocab.is_region(key) {
                return Err(fail(format!("`{key}` is not a region code"), span));
            }
            return Ok(Ty::Num);
        }
        Ok(match fact.ty {
            FactType::Bool => Ty::Bool,
            FactType::Int | FactType::Number => Ty::Num,
            FactType::Date => Ty::Date,
            FactType::MapRegionInt => Ty::Map,
            ty if ty.is_list() => Ty::List(fact.domain()),
            _ => Ty::Scalar(fact.domain()),
        })
    }

    fn value_in(
        &self,
        domain: &Domain,
        value: &str,
        span: &Range<usize>,
    ) -> Result<(), CheckError> {
        if self.vocab.allows(domain, value) {
            return Ok(());
        }
        if let Some(replacement) = self.vocab.replacement(domain, value) {
            return Err(CheckError {
                help: Some(format!("replaced by `{replacement}`")),
                ..fail(format!("'{value}' is deprecated"), span)
            });
        }
        let what = match domain {
            Domain::Enum(path) => format!("a value of `{path}`"),
            Domain::Taxonomy => "a data category of the taxonomy".into(),
            Domain::Region => "a region code".into(),
            Domain::Country => "a country code".into(),
            Domain::Text => "text".into(),
        };
        let values = self.vocab.domain_values(domain);
        Err(CheckError {
            help: suggestion(value, &values),
            ..fail(format!("'{value}' is not {what}"), span)
        })
    }

    fn values_in(&self, domain: &Domain, set: &Ty, span: &Range<usize>) -> Result<(), CheckError> {
        match set {
            Ty::ListLit(items) => {
                for item in items {
                    match item {
                        Literal::Str(s) => self.value_in(domain, s, span)?,
                        other => {
                            return Err(fail(
                                format!("expected text values in the list, found {other}"),
                                span,
                            ));
                        }
                    }
                }
                Ok(())
            }
            Ty::Def(name) => {
                for value in self.definitions.get(name).into_iter().flatten() {
                    self.value_in(domain, value, span).map_err(|e| CheckError {
                        message: format!("definition `${name}`: {}", e.message),
                        ..e
                    })?;
                }
                Ok(())
            }
            other => Err(fail(
                format!(
                    "expected a list or a definition, found {}",
                    other.describe()
                ),
                span,
            )),
        }
    }

    fn compare(
        &self,
        l: &Ty,
        op: Op,
        r: &Ty,
        left_span: &Range<usize>,
        right_span: &Range<usize>,
        span: &Range<usize>,
    ) -> Result<Ty, CheckError> {
        let mismatch = || {
            fail(
                format!(
                    "cannot compare {} with {} using `{}`",
                    l.describe(),
                    r.describe(),
                    op_name(op)
                ),
                span,
            )
        };
        match op {
            Op::Eq | Op::Ne => match (l, r) {
                (Ty::Bool, Ty::Bool) | (Ty::Num, Ty::Num) | (Ty::Date, Ty::Date) => Ok(Ty::Bool),
                (Ty::Scalar(d), Ty::StrLit(s)) => {
                    self.value_in(d, s, right_span).map(|()| Ty::Bool)
                }
                (Ty::StrLit(s), Ty::Scalar(d)) => self.value_in(d, s, left_span).map(|()| Ty::Bool),
                (Ty::Scalar(a), Ty::Scalar(b)) if a == b => Ok(Ty::Bool),
                (Ty::List(_), _) => Err(CheckError {
                    help: Some(
                        "a list fact is tested with `contains 'value'` or `overlaps [...]`".into(),
                    ),
                    ..mismatch()
                }),
                _ => Err(mismatch()),
            },
            Op::Lt | Op::Le | Op::Gt | Op::Ge => match (l, r) {
                (Ty::Num, Ty::Num) | (Ty::Date, Ty::Date) => Ok(Ty::Bool),
                _ => Err(mismatch()),
            },
            Op::In => match l {
                Ty::Scalar(d) => self.values_in(d, r, right_span).map(|()| Ty::Bool),
                _ => Err(CheckError {
                    help: Some("use `contains` or `overlaps` for list facts".into()),
                    ..mismatch()
                }),
            },
            Op::Contains => match (l, r) {
                (Ty::List(d), Ty::StrLit(s)) => self.value_in(d, s, right_span).map(|()| Ty::Bool),
                _ => Err(mismatch()),
            },
            Op::Overlaps => match l {
                Ty::List(d) => self.values_in(d, r, right_span).map(|()| Ty::Bool),
                _ => Err(mismatch()),
            },
        }
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
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
