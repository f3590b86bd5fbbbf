//! consentry: a rules engine for consent and children's-privacy law.
//!
//! Statutes are TOML rule packs (`rules/`), an app's data practices are TOML scenarios, and
//! evaluation gives reasoned findings: each legal element, the facts that decided it, what is
//! unknown, what would fix it, and the exposure. Data flows one way:
//! [`rulebook`] and [`scenario`] load and check, [`engine`] evaluates, [`waiver`] marks the
//! findings a team has accepted, [`report`] renders, and [`app`] wires them together for the
//! command line.

pub mod app;
pub mod condition;
pub mod coverage;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod expect;
pub mod exposure;
mod fnv;
pub mod folders;
pub mod git;
pub mod lint;
pub mod reading;
pub mod report;
pub mod rulebook;
pub mod scenario;
pub mod schema;
pub mod source;
pub mod template;
pub mod toml_input;
pub mod value;
pub mod verdict;
pub mod vocabulary;
pub mod waiver;
