//! Values a scenario can state: booleans, numbers, dates, strings, lists and region counts.

use std::collections::BTreeMap;
use std::fmt;

/// A calendar date (proleptic Gregorian), ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct Date {
    /// Year, e.g. 2019.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
}

impl Date {
    /// A date, if the year, month and day form a real calendar day.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        Self::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    }

    /// Today's date in UTC, from the system clock.
    pub fn today() -> Self {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        Self::from_days_since_epoch(days)
    }

    /// Days from 1970-01-01 to this date (negative before it; Howard Hinnant's algorithm).
    pub fn days_since_epoch(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let shifted_month = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * shifted_month + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The civil date `days` after 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year: u16::try_from(year).unwrap_or(1970),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<Date> for String {
    fn from(date: Date) -> Self {
        date.to_string()
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let datetime = toml::value::Datetime::deserialize(deserializer)?;
        match (datetime.date, datetime.time) {
            (Some(date), None) => Date::new(date.year, date.month, date.day)
                .ok_or_else(|| serde::de::Error::custom("not a calendar date")),
            _ => Err(serde::de::Error::custom(
                "expected a date like 2024-08-02 (no time)",
            )),
        }
    }
}

/// A stated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction.
    Number(f64),
    /// A date.
    Date(Date),
    /// A string, enum value, taxonomy id, region or country code.
    Str(String),
    /// A list of strings (enum values, taxonomy ids, regions, ...).
    List(Vec<String>),
    /// Region → count.
    Map(BTreeMap<String, i64>),
}

impl Value {
    /// The value as a number, for ordered comparisons.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as JSON, for the machine-readable report.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Number(n) => serde_json::Value::from(*n),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => items
                .iter()
                .map(|s| serde_json::Value::from(s.as_str()))
                .collect(),
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(*v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Str(s) => write!(f, "\"{s}\""),
            Value::List(items) => {
                let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
                write!(f, "[{}]", quoted.join(", "))
            }
            Value::Map(map) => {
                let pairs: Vec<String> =
                    map.iter().map(|(k, v)| format!("\"{k}\" = {v}")).collect();
                write!(f, "{{ {} }}", pairs.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_validate_and_order() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("24-01-01").is_none());
        assert!(Date::parse("2024-08-01") < Date::parse("2024-08-02"));
    }

    #[test]
    fn epoch_days_convert_to_civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(19_937).to_string(),
            "2024-08-02"
        );
        for text in ["1900-03-01", "2000-02-29", "2024-08-02", "2099-12-31"] {
            let date = Date::parse(text).unwrap_or(Date {
                year: 1,
                month: 1,
                day: 1,
            });
            assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), date);
        }
    }
}
