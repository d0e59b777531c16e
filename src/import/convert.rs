//! How each CSV column becomes a column value: the [`Conversion`] a field's type (or a live
//! column's type) calls for, read in the column's formats (decimal comma, day order), and the
//! [`Mapping`] from CSV columns to table columns.

use std::borrow::Cow;

use super::values::{self, DayOrder, DecimalMark};
use crate::design::{Check, Field, FieldType};

/// A cell a conversion cannot read (the conversion's [`Conversion::expected`] says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// The formats a column was seen to use; a conversion reads its cells this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnFormat {
    pub mark: DecimalMark,
    pub order: DayOrder,
    /// `1`/`0` are yes/no (the column's name asks a yes/no question).
    pub digit_booleans: bool,
}

impl Default for ColumnFormat {
    fn default() -> Self {
        ColumnFormat {
            mark: DecimalMark::Dot,
            order: DayOrder::DayFirst,
            digit_booleans: false,
        }
    }
}

/// One column's conversion: a cell in, the value in PostgreSQL's input syntax out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversion {
    /// Kept as written (the server reads it).
    Text,
    /// Kept as written, checked here as the column's CHECK would (email, url, phone, choices,
    /// length), so a bad value is named with its line instead of failing the whole COPY.
    Checked(Check),
    Integer(DecimalMark),
    Number(DecimalMark),
    /// `12%` or `12` → `12`.
    Percent(DecimalMark),
    /// `$12.50` or `12.50` → `12.50`.
    Currency(DecimalMark),
    Date(DayOrder),
    DateTime(DayOrder),
    /// yes/no words (and `1`/`0` when `digits`); an empty cell is no, as a checkbox is.
    Boolean {
        digits: bool,
    },
    /// `a, b` or `a; b` → `{"a","b"}`, each part one of `choices` when there are any.
    List {
        choices: Vec<String>,
    },
}

impl Conversion {
    /// The conversion for a designed field.
    pub fn for_field(field: &Field, format: ColumnFormat) -> Conversion {
        let o = &field.options;
        match field.field_type {
            FieldType::SingleLineText => match o.max_length {
                Some(n) => Conversion::Checked(Check::MaxLength(n)),
                None => Conversion::Text,
            },
            FieldType::Number if o.integer => Conversion::Integer(format.mark),
            FieldType::Number => Conversion::Number(format.mark),
            FieldType::Rating => Conversion::Integer(format.mark),
            FieldType::Percent => Conversion::Percent(format.mark),
            FieldType::Currency => Conversion::Currency(format.mark),
            FieldType::SingleSelect if !o.choices.is_empty() => {
                Conversion::Checked(Check::InChoices(o.choices.clone()))
            }
            FieldType::MultiSelect => Conversion::List {
                choices: o.choices.clone(),
            },
            FieldType::Date => Conversion::Date(format.order),
            FieldType::DateTime => Conversion::DateTime(format.order),
            FieldType::Checkbox => Conversion::Boolean {
                digits: format.digit_booleans,
            },
            FieldType::Email => Conversion::Checked(Check::EmailPattern),
            FieldType::Phone => Conversion::Checked(Check::PhonePattern),
            FieldType::Url => Conversion::Checked(Check::HttpUrl),
            FieldType::Raw => o
                .sql_type
                .as_deref()
                .map_or(Conversion::Text, |t| Conversion::for_live_type(t, format)),
            _ => Conversion::Text,
        }
    }

    /// The conversion for a live column, by its type as `format_type` prints it.
    pub fn for_live_type(data_type: &str, format: ColumnFormat) -> Conversion {
        match data_type {
            "smallint" | "integer" | "bigint" => Conversion::Integer(format.mark),
            t if t.starts_with("numeric") || t == "real" || t == "double precision" => {
                Conversion::Number(format.mark)
            }
            "boolean" => Conversion::Boolean {
                digits: format.digit_booleans,
            },
            "date" => Conversion::Date(format.order),
            t if t.starts_with("timestamp") => Conversion::DateTime(format.order),
            "text[]" | "character varying[]" => Conversion::List {
                choices: Vec::new(),
            },
            _ => Conversion::Text,
        }
    }

    /// What a cell must be, for `value "x" is not <expected>`.
    pub fn expected(&self) -> String {
        match self {
            Conversion::Text => "text".into(),
            Conversion::Checked(Check::EmailPattern) => "an email address".into(),
            Conversion::Checked(Check::PhonePattern) => "a phone number".into(),
            Conversion::Checked(Check::HttpUrl) => "a web address (http or https)".into(),
            Conversion::Checked(Check::MaxLength(n)) => format!("text of at most {n} characters"),
            Conversion::Checked(Check::InChoices(c)) | Conversion::List { choices: c } => {
                format!("one of the choices ({})", c.join(", "))
            }
            Conversion::Checked(_) => "an accepted value".into(),
            Conversion::Integer(_) => "a whole number".into(),
            Conversion::Number(_) => "a number".into(),
            Conversion::Percent(_) => "a percent".into(),
            Conversion::Currency(_) => "an amount of money".into(),
            Conversion::Date(_) => "a date".into(),
            Conversion::DateTime(_) => "a date and time".into(),
            Conversion::Boolean { .. } => "yes or no".into(),
        }
    }

    /// The cell as the column's input text: `Ok(None)` is NULL (an empty cell).
    pub fn convert<'a>(&self, cell: &'a str) -> Result<Option<Cow<'a, str>>, Unreadable> {
        let trimmed = cell.trim();
        if trimmed.is_empty() {
            return Ok(match self {
                Conversion::Boolean { .. } => Some(Cow::Borrowed("f")),
                _ => None,
            });
        }
        let owned = |v: Option<String>| v.map(|v| Some(Cow::Owned(v))).ok_or(Unreadable);
        match self {
            // A line break inside a quoted cell of a Windows file is `\r\n`: kept as `\n`.
            Conversion::Text if cell.contains('\r') => {
                Ok(Some(Cow::Owned(cell.replace("\r\n", "\n"))))
            }
            Conversion::Text => Ok(Some(Cow::Borrowed(cell))),
            Conversion::Checked(check) => {
                let value = serde_json::Value::String(trimmed.to_owned());
                if check.accepts(&value) {
                    Ok(Some(Cow::Borrowed(trimmed)))
                } else {
                    Err(Unreadable)
                }
            }
            Conversion::Integer(mark) => owned(values::integer(trimmed, *mark)),
            Conversion::Number(mark) => owned(values::number(trimmed, *mark)),
            Conversion::Percent(mark) => {
                owned(values::percent(trimmed, *mark).or_else(|| values::number(trimmed, *mark)))
            }
            Conversion::Currency(mark) => owned(
                values::currency(trimmed, *mark)
                    .map(|(_, amount)| amount)
                    .or_else(|| values::number(trimmed, *mark)),
            ),
            Conversion::Date(order) => owned(values::date(trimmed, *order)),
            Conversion::DateTime(order) => owned(values::datetime(trimmed, *order)),
            Conversion::Boolean { digits } => {
                let b = values::boolean(trimmed)
                    .or_else(|| digits.then(|| values::digit_boolean(trimmed)).flatten());
                b.map(|b| Some(Cow::Borrowed(if b { "t" } else { "f" })))
                    .ok_or(Unreadable)
            }
            Conversion::List { choices } => {
                let parts = list_parts(trimmed);
                if !choices.is_empty() && parts.iter().any(|p| !choices.iter().any(|c| c == p)) {
                    return Err(Unreadable);
                }
                let quoted: Vec<String> = parts
                    .iter()
                    .map(|p| format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\"")))
                    .collect();
                Ok(Some(Cow::Owned(format!("{{{}}}", quoted.join(",")))))
            }
        }
    }
}

/// The parts of a multi-choice cell: split on `,` or `;`, trimmed, empty parts dropped.
pub fn list_parts(cell: &str) -> Vec<&str> {
    cell.split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Where one CSV column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Column {
        /// The table column (its PostgreSQL name).
        column: String,
        /// The field's name, for messages.
        field: String,
        conversion: Conversion,
        /// An empty cell is refused here, before the server's NOT NULL would stop the COPY.
        required: bool,
    },
    Skip,
}

/// CSV columns → table columns, and constants for columns the CSV does not have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    /// One per CSV column, in the file's order.
    pub targets: Vec<Target>,
    /// (column, value as its input text) set on every row.
    pub constants: Vec<(String, String)>,
}

impl Mapping {
    /// The COPY column list: the mapped columns in CSV order, then the constants.
    pub fn columns(&self) -> Vec<&str> {
        self.targets
            .iter()
            .filter_map(|t| match t {
                Target::Column { column, .. } => Some(column.as_str()),
                Target::Skip => None,
            })
            .chain(self.constants.iter().map(|(c, _)| c.as_str()))
            .collect()
    }
}

/// Appends `value` escaped for COPY text (backslash, tab, newline, carriage return).
pub fn escape_into(value: &str, out: &mut Vec<u8>) {
    for &b in value.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkboxes_read_words_and_empty_as_no() {
        let c = Conversion::Boolean { digits: false };
        assert_eq!(c.convert("Yes").unwrap().as_deref(), Some("t"));
        assert_eq!(c.convert("").unwrap().as_deref(), Some("f"));
        assert!(c.convert("1").is_err());
        let digits = Conversion::Boolean { digits: true };
        assert_eq!(digits.convert("1").unwrap().as_deref(), Some("t"));
    }

    #[test]
    fn lists_become_array_literals() {
        let c = Conversion::List {
            choices: vec!["red".into(), "blue".into()],
        };
        assert_eq!(
            c.convert("red, blue").unwrap().as_deref(),
            Some("{\"red\",\"blue\"}")
        );
        assert!(c.convert("green").is_err());
    }

    #[test]
    fn checked_text_follows_the_check() {
        let c = Conversion::Checked(Check::EmailPattern);
        assert!(c.convert("a@b.io").is_ok());
        assert!(c.convert("not an email").is_err());
        assert_eq!(c.convert(" ").unwrap(), None);
    }

    #[test]
    fn copy_text_escapes_controls() {
        let mut out = Vec::new();
        escape_into("a\tb\nc\\", &mut out);
        assert_eq!(out, b"a\\tb\\nc\\\\");
    }
}
