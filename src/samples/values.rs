//! Realistic values per field type, within every constraint of the field-type catalogue.
//!
//! Words, names and addresses come from the `fake` crate; what is schemaforge's own is the
//! fitting: `max_length`, `choices`, the rating scale, numeric precision and scale, and
//! uniqueness. A unique field derives its value from the row index (a suffix, a sequence, the
//! bits of a subset), so uniqueness holds by construction instead of by remembering every
//! value already given, which would grow with the row count.

use fake::Fake;
use fake::faker::company::en::{Buzzword, CompanyName};
use fake::faker::internet::en::DomainSuffix;
use fake::faker::lorem::en::{Paragraph, Sentence, Word, Words};
use fake::faker::name::en::{FirstName, LastName, Name};
use fake::faker::number::en::NumberWithFormat;
use rand::RngExt;
use serde_json::{Map, Value, json};

use super::ids::SampleRng;
use crate::design::field_types::DEFAULT_RATING_MAX;
use crate::design::{DefaultValue, FieldType, ResolvedField};

/// How often a nullable, non-unique field is left empty.
const NULL_RATIO: f64 = 0.1;
/// First day of generated dates: 2020-01-01, as days since 1970-01-01.
const DATE_BASE: i64 = 18_262;
/// Generated dates and times fall in the six years from `DATE_BASE`.
const DATE_SPAN_DAYS: i64 = 6 * 365;

/// What kind of text a text field most likely holds, guessed from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextHint {
    PersonName,
    Company,
    Label,
    Title,
}

/// What a row that leaves a nullable field empty holds. A NULL written into a column with a
/// default would override it, and COPY cannot say DEFAULT for one row: a literal default is
/// written as itself (what the default would give), and a field whose default is an
/// expression is never left empty.
#[derive(Debug, Clone, PartialEq)]
enum Empty {
    Null,
    Literal(Box<Value>),
    Never,
}

/// Everything needed to generate one field's values, taken from the resolved field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldGen {
    pub field_type: FieldType,
    pub column: String,
    pub nullable: bool,
    pub unique: bool,
    /// What the column gets when a row leaves it empty: its default, never an explicit NULL.
    empty: Empty,
    choices: Vec<String>,
    max_length: Option<u32>,
    precision: Option<u32>,
    scale: u32,
    integer: bool,
    rating_max: i64,
    hint: TextHint,
}

impl FieldGen {
    pub fn new(field: &ResolvedField) -> FieldGen {
        let o = &field.options;
        let lower = format!("{} {}", field.name, field.db_name).to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        let hint = if has(&["company", "organisation", "organization", "team", "client"]) {
            TextHint::Company
        } else if has(&["name", "author", "person", "owner", "assignee"])
            && !has(&["project", "file"])
        {
            TextHint::PersonName
        } else if has(&["label", "tag", "code", "slug", "category", "kind"]) {
            TextHint::Label
        } else {
            TextHint::Title
        };
        let hint = match hint {
            // "Projects.Name": a name, but of a thing, not a person.
            TextHint::PersonName if field.is_primary && !has(&["person", "author"]) => {
                TextHint::Title
            }
            h => h,
        };
        FieldGen {
            field_type: field.field_type,
            column: field.db_name.clone(),
            nullable: field.nullable,
            unique: field.unique,
            empty: match &field.default {
                None => Empty::Null,
                Some(DefaultValue::Literal(value)) => Empty::Literal(Box::new(value.clone())),
                Some(DefaultValue::Expression(_)) => Empty::Never,
            },
            choices: o.choices.clone(),
            max_length: o.max_length,
            precision: o.precision,
            scale: o.scale.unwrap_or(0),
            integer: o.integer,
            rating_max: o.max.unwrap_or(DEFAULT_RATING_MAX),
            hint,
        }
    }

    /// How many distinct values this field can take when it is unique (`None`: more than any
    /// sample count allows).
    pub fn capacity(&self) -> Option<u64> {
        match self.field_type {
            FieldType::SingleSelect => Some(self.choices.len() as u64),
            FieldType::MultiSelect => 1u64.checked_shl(self.choices.len() as u32),
            FieldType::Rating => Some((self.rating_max.max(-1) + 1) as u64),
            FieldType::Checkbox => Some(2),
            FieldType::Number if !self.integer => {
                self.precision.map(|p| 10u64.saturating_pow(p.min(13)))
            }
            FieldType::SingleLineText => self
                .max_length
                .map(|n| 36u64.saturating_pow(n.min(12)).saturating_sub(1)),
            _ => None,
        }
    }

    /// The value of row `i`: a JSON value of the shape the column type takes.
    pub fn value(&self, rng: &mut SampleRng, i: u64) -> Value {
        if self.nullable && !self.unique && rng.random_bool(NULL_RATIO) {
            match &self.empty {
                Empty::Null => return Value::Null,
                Empty::Literal(value) => return Value::clone(value),
                Empty::Never => {}
            }
        }
        let unique = self.unique.then_some(i);
        match self.field_type {
            FieldType::SingleLineText => Value::String(self.single_line(rng, unique)),
            FieldType::MultiLineText => Value::String(with_index(
                (0..rng.random_range(1..4))
                    .map(|_| Sentence(4..12).fake_with_rng::<String, _>(rng))
                    .collect::<Vec<_>>()
                    .join("\n"),
                unique,
            )),
            FieldType::LongText => Value::String(with_index(
                (0..rng.random_range(1..3))
                    .map(|_| Paragraph(2..5).fake_with_rng::<String, _>(rng))
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                unique,
            )),
            FieldType::Number => self.number(rng, unique),
            FieldType::SingleSelect => {
                let k = match unique {
                    Some(i) => i as usize,
                    None => rng.random_range(0..self.choices.len().max(1)),
                };
                self.choices
                    .get(k)
                    .map_or(Value::Null, |c| Value::String(c.clone()))
            }
            FieldType::MultiSelect => {
                let bits = match unique {
                    Some(i) => i,
                    None => (0..self.choices.len())
                        .fold(0u64, |acc, k| acc | (u64::from(rng.random_bool(0.35)) << k)),
                };
                Value::Array(
                    self.choices
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| bits >> k & 1 == 1)
                        .map(|(_, c)| Value::String(c.clone()))
                        .collect(),
                )
            }
            FieldType::Date => {
                let day = match unique {
                    Some(i) => DATE_BASE + i as i64,
                    None => DATE_BASE + rng.random_range(0..DATE_SPAN_DAYS),
                };
                Value::String(date_text(day))
            }
            FieldType::DateTime => {
                let minute = match unique {
                    Some(i) => i as i64 * 7,
                    None => rng.random_range(0..DATE_SPAN_DAYS * 24 * 60),
                };
                let day = DATE_BASE + minute / (24 * 60);
                let m = minute % (24 * 60);
                Value::String(format!(
                    "{} {:02}:{:02}:00+00",
                    date_text(day),
                    m / 60,
                    m % 60
                ))
            }
            FieldType::Checkbox => Value::Bool(match unique {
                Some(i) => i == 1,
                None => rng.random_bool(0.4),
            }),
            FieldType::Attachment => attachments(rng),
            FieldType::Email => Value::String(email(rng, unique)),
            FieldType::Phone => Value::String(match unique {
                Some(i) => format!(
                    "+1 ({}) {:03}-{:04}",
                    200 + (i / 10_000_000) % 800,
                    (i / 10_000) % 1000,
                    i % 10_000
                ),
                None => NumberWithFormat("+1 (^##) ###-####").fake_with_rng(rng),
            }),
            FieldType::Url => {
                let word: &str = Word().fake_with_rng(rng);
                let suffix: String = DomainSuffix().fake_with_rng(rng);
                let path: Vec<String> = Words(1..3).fake_with_rng(rng);
                let mut url = format!("https://www.{word}.{suffix}/{}", path.join("-"));
                if let Some(i) = unique {
                    url.push_str(&format!("/{i}"));
                }
                Value::String(url)
            }
            FieldType::Duration => {
                let minutes = match unique {
                    Some(i) => i as i64 + 1,
                    None => rng.random_range(1..97) * 5,
                };
                Value::String(format!("{:02}:{:02}:00", minutes / 60, minutes % 60))
            }
            FieldType::Rating => json!(match unique {
                Some(i) => i as i64,
                None if self.rating_max < 1 => 0,
                None => rng.random_range(1..=self.rating_max),
            }),
            FieldType::Currency => decimal(
                match unique {
                    Some(i) => i as i64 * 100 + rng.random_range(0..100),
                    None => rng.random_range(100..1_000_000),
                },
                2,
            ),
            FieldType::Percent => decimal(
                match unique {
                    Some(i) => i as i64,
                    None => rng.random_range(0..=1000),
                },
                1,
            ),
            FieldType::Json => {
                let mut map = Map::new();
                map.insert("source".into(), json!("schemaforge sample"));
                map.insert(
                    "topic".into(),
                    json!(Buzzword().fake_with_rng::<String, _>(rng)),
                );
                map.insert("score".into(), json!(rng.random_range(0..100)));
                map.insert(
                    "tags".into(),
                    json!(Words(0..3).fake_with_rng::<Vec<String>, _>(rng)),
                );
                if let Some(i) = unique {
                    map.insert("seq".into(), json!(i));
                }
                Value::Object(map)
            }
            // Not columns a row is given a value for.
            FieldType::Formula
            | FieldType::Rollup
            | FieldType::Count
            | FieldType::Lookup
            | FieldType::Trigger => Value::Null,
            // Nothing is known about a raw type's values; the column is left to its default.
            FieldType::Raw => Value::Null,
        }
    }

    fn single_line(&self, rng: &mut SampleRng, unique: Option<u64>) -> String {
        let base: String = match self.hint {
            TextHint::PersonName => Name().fake_with_rng(rng),
            TextHint::Company => CompanyName().fake_with_rng(rng),
            TextHint::Label => Word().fake_with_rng::<&str, _>(rng).to_string(),
            TextHint::Title => {
                let words: Vec<String> = Words(2..6).fake_with_rng(rng);
                capitalise(&words.join(" "))
            }
        };
        let Some(max) = self.max_length.map(|m| m as usize) else {
            return with_index(base, unique);
        };
        match unique {
            None => truncate(&base, max),
            Some(i) => {
                let suffix = format!(" {}", i + 1);
                if suffix.chars().count() < max {
                    let mut text = truncate(&base, max - suffix.chars().count());
                    text.push_str(&suffix);
                    text
                } else {
                    base36(i, max)
                }
            }
        }
    }

    fn number(&self, rng: &mut SampleRng, unique: Option<u64>) -> Value {
        if self.integer {
            return json!(match unique {
                Some(i) => i as i64 + 1,
                None => rng.random_range(0..1000i64),
            });
        }
        let Some(p) = self.precision else {
            return decimal(
                match unique {
                    Some(i) => i as i64 * 100 + rng.random_range(0..100),
                    None => rng.random_range(0..100_000),
                },
                2,
            );
        };
        // numeric(p,s): at most p digits in all, s of them after the point. f64 carries
        // 15 significant digits exactly, so stay within 13.
        let scale = self.scale.min(p).min(6);
        let digits = p.min(13);
        let int_digits = digits.saturating_sub(scale).min(5);
        let limit = 10i64.pow(int_digits + scale);
        let mantissa = match unique {
            Some(i) => i as i64 % limit,
            None => rng.random_range(0..limit),
        };
        decimal(mantissa, scale)
    }
}

/// `mantissa / 10^scale` as a JSON number; the shortest round-trip form of the nearest f64
/// prints with at most `scale` decimals for the magnitudes generated here.
fn decimal(mantissa: i64, scale: u32) -> Value {
    if scale == 0 {
        return json!(mantissa);
    }
    json!(mantissa as f64 / 10f64.powi(scale as i32))
}

fn with_index(text: String, unique: Option<u64>) -> String {
    match unique {
        Some(i) => format!("{text} {}", i + 1),
        None => text,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn truncate(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// `i` in base 36, left-padded: the fallback for unique text too short for a word and suffix.
fn base36(mut i: u64, max: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(i % 36) as usize]);
        i /= 36;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    let text = String::from_utf8(out).expect("ascii");
    text.chars().take(max.max(1)).collect()
}

fn email(rng: &mut SampleRng, unique: Option<u64>) -> String {
    let first: &str = FirstName().fake_with_rng(rng);
    let last: &str = LastName().fake_with_rng(rng);
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let domain = ["com", "net", "org"][rng.random_range(0..3usize)];
    match unique {
        Some(i) => format!("{local}.{}@example.{domain}", i + 1),
        None => format!("{local}@example.{domain}"),
    }
}

/// A JSON array of 0–2 file descriptors, the shape the attachment type stores.
fn attachments(rng: &mut SampleRng) -> Value {
    const KINDS: [(&str, &str); 5] = [
        ("pdf", "application/pdf"),
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("csv", "text/csv"),
        ("txt", "text/plain"),
    ];
    let files = (0..rng.random_range(0..3))
        .map(|_| {
            let (ext, mime) = KINDS[rng.random_range(0..KINDS.len())];
            let words: Vec<String> = Words(1..3).fake_with_rng(rng);
            let name = format!("{}.{ext}", words.join("-"));
            json!({
                "name": name,
                "url": format!("https://files.example.com/{}/{name}", rng.random_range(1000..10_000)),
                "mime_type": mime,
                "size": rng.random_range(1_000..5_000_000),
            })
        })
        .collect();
    Value::Array(files)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn date_text(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// A person's name and email for a generated demo user.
pub(crate) fn demo_user(rng: &mut SampleRng, i: u64) -> (String, String) {
    let first: &str = FirstName().fake_with_rng(rng);
    let last: &str = LastName().fake_with_rng(rng);
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    (
        format!("{first} {last}"),
        format!("demo.{local}.{}@example.com", i + 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{FieldKind, FieldOptions};
    use crate::samples::ids::rng;
    use std::collections::HashSet;

    fn field(name: &str, t: FieldType, options: FieldOptions) -> ResolvedField {
        ResolvedField {
            name: name.into(),
            db_name: name.to_lowercase(),
            field_type: t,
            pg_type: t.pg_type(&options),
            nullable: !options.required,
            unique: options.unique,
            unique_constraint: None,
            default: None,
            checks: t.checks(&options),
            check_constraint: None,
            comment: None,
            is_primary: false,
            renamed_from: None,
            kind: FieldKind::Column,
            options,
        }
    }

    fn values(f: &ResolvedField, n: u64) -> Vec<Value> {
        let g = FieldGen::new(f);
        let mut r = rng(1, 2);
        (0..n).map(|i| g.value(&mut r, i)).collect()
    }

    #[test]
    fn every_stored_type_satisfies_its_checks() {
        let options = FieldOptions {
            choices: vec!["a".into(), "b c".into(), "d\"e".into()],
            max: Some(3),
            max_length: Some(12),
            required: true,
            ..Default::default()
        };
        for t in FieldType::ALL {
            // A raw type's values are unknown: left to the column's default.
            if t.storage() != crate::design::Storage::Column || t == FieldType::Raw {
                continue;
            }
            let mut o = options.clone();
            o.choices = if matches!(t, FieldType::SingleSelect | FieldType::MultiSelect) {
                options.choices.clone()
            } else {
                vec![]
            };
            let f = field("Value", t, o);
            for v in values(&f, 500) {
                assert!(!v.is_null(), "{t}: required gave null");
                for check in &f.checks {
                    assert!(check.accepts(&v), "{t}: {v} fails {check:?}");
                }
            }
        }
    }

    #[test]
    fn unique_values_are_distinct_and_within_limits() {
        for (t, o) in [
            (
                FieldType::SingleLineText,
                FieldOptions {
                    max_length: Some(6),
                    ..Default::default()
                },
            ),
            (FieldType::Email, FieldOptions::default()),
            (FieldType::Phone, FieldOptions::default()),
            (FieldType::Url, FieldOptions::default()),
            (FieldType::Date, FieldOptions::default()),
            (FieldType::DateTime, FieldOptions::default()),
            (FieldType::Duration, FieldOptions::default()),
            (FieldType::Currency, FieldOptions::default()),
            (
                FieldType::Number,
                FieldOptions {
                    precision: Some(4),
                    scale: Some(2),
                    ..Default::default()
                },
            ),
            (
                FieldType::Number,
                FieldOptions {
                    integer: true,
                    ..Default::default()
                },
            ),
            (FieldType::Json, FieldOptions::default()),
        ] {
            let f = field("Key", t, FieldOptions { unique: true, ..o });
            let vs = values(&f, 3000);
            let distinct: HashSet<String> = vs.iter().map(Value::to_string).collect();
            assert_eq!(distinct.len(), 3000, "{t}");
            for v in &vs {
                assert!(f.checks.iter().all(|c| c.accepts(v)), "{t}: {v}");
            }
        }
    }

    #[test]
    fn numbers_fit_precision_and_scale() {
        let f = field(
            "Estimate",
            FieldType::Number,
            FieldOptions {
                precision: Some(6),
                scale: Some(2),
                ..Default::default()
            },
        );
        for v in values(&f, 2000).iter().filter(|v| !v.is_null()) {
            let text = v.to_string();
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            assert!(int.trim_start_matches('-').len() <= 4, "{text}");
            assert!(frac.len() <= 2, "{text}");
        }
    }

    #[test]
    fn capacity_limits_unique_small_domains() {
        let o = FieldOptions {
            unique: true,
            max: Some(4),
            ..Default::default()
        };
        assert_eq!(
            FieldGen::new(&field("r", FieldType::Rating, o)).capacity(),
            Some(5)
        );
        let o = FieldOptions {
            choices: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        assert_eq!(
            FieldGen::new(&field("m", FieldType::MultiSelect, o)).capacity(),
            Some(4)
        );
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(DATE_BASE), "2020-01-01");
        assert_eq!(date_text(DATE_BASE + 59), "2020-02-29");
        assert_eq!(date_text(19_723), "2024-01-01");
    }

    #[test]
    fn text_hints_follow_the_field_name() {
        let name = field(
            "Contact name",
            FieldType::SingleLineText,
            FieldOptions::default(),
        );
        let v = values(&name, 20);
        assert!(v.iter().flat_map(Value::as_str).all(|s| s.contains(' ')));
        let text = field("Notes", FieldType::MultiLineText, FieldOptions::default());
        assert!(
            values(&text, 50)
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.contains('\n')))
        );
    }

    #[test]
    fn a_nullable_field_with_a_default_is_never_left_null() {
        let mut priority = field("Priority", FieldType::Rating, FieldOptions::default());
        let plain = values(&priority, 500);
        assert!(
            plain.iter().any(Value::is_null),
            "without a default, some are empty"
        );

        priority.default = Some(DefaultValue::Literal(json!(3)));
        let literal = values(&priority, 500);
        assert!(!literal.iter().any(Value::is_null));
        // Where a row leaves it empty, it holds what the default gives.
        let threes = literal.iter().filter(|v| **v == json!(3)).count();
        assert!(threes > 500 / 15, "{threes} threes");

        let mut due = field("Due", FieldType::Date, FieldOptions::default());
        due.default = Some(DefaultValue::Expression("current_date".into()));
        assert!(!values(&due, 500).iter().any(Value::is_null));
    }
}
