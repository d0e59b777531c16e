//! A table proposed from a sample of a CSV file: a field per column, its type the strictest
//! reading every non-empty cell of the sample passed, with the evidence (how many matched,
//! examples that did not) the user judges it by before anything is created.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::convert::{ColumnFormat, Conversion, Mapping, Target, list_parts};
use super::source::Dialect;
use super::values::{self, DayOrder, DecimalMark};
use crate::design::names::{NameKind, derive_db_name};
use crate::design::{Check, Field, FieldType, Table, field_types::is_system_field};

/// How many cells that did not match are kept as examples.
const EXAMPLES: usize = 3;
/// The most choices a select proposal may have.
const MAX_CHOICES: usize = 12;
/// Longer text than this is long text.
const LONG_TEXT: usize = 255;

/// Why a column got its type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    /// Non-empty cells that read as the proposed type, of `non_empty`.
    pub matched: u64,
    pub non_empty: u64,
    pub empty: u64,
    /// How the cells were read: `decimal comma`, `day first`, `USD`, …
    pub reading: String,
    /// For a text column, the typed reading most cells passed: `93% read as a number; not:
    /// "n/a", "-"`.
    pub near_miss: Option<String>,
    /// Every sampled cell was filled and different from the others.
    pub unique_candidate: bool,
    pub distinct: u64,
}

impl Evidence {
    /// `100% of 250` (what matched), for the proposal screen.
    pub fn share(&self) -> String {
        if self.non_empty == 0 {
            return "all empty".into();
        }
        let percent = self.matched as f64 * 100.0 / self.non_empty as f64;
        format!("{percent:.0}% of {}", self.non_empty)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnProposal {
    /// The header as the file has it (`column 3` without a header).
    pub header: String,
    pub field: Field,
    pub format: ColumnFormat,
    pub evidence: Evidence,
}

/// The analysis of a file: its dialect, and a field per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub file: String,
    pub dialect: Dialect,
    pub columns: Vec<ColumnProposal>,
    pub rows_sampled: u64,
    /// The sample was the whole file.
    pub whole_file: bool,
}

impl Proposal {
    /// The proposed table, named `name`.
    pub fn table(&self, name: &str) -> Table {
        let mut table = Table::new(name);
        table.fields = self.columns.iter().map(|c| c.field.clone()).collect();
        table
    }

    /// How the rows go into `table` (the proposal, perhaps corrected): each CSV column to the
    /// field of the same name, converted as that field's type asks, read in the formats the
    /// sample showed; a column whose field was removed is skipped.
    pub fn mapping(&self, table: &Table) -> Mapping {
        let names: Vec<Option<String>> = self
            .columns
            .iter()
            .map(|c| Some(c.field.name.clone()))
            .collect();
        self.mapping_to(table, &names)
    }

    /// [`Proposal::mapping`] with each CSV column going to the field `names` gives it
    /// (the field as renamed since), `None` skipping the column.
    pub fn mapping_to(&self, table: &Table, names: &[Option<String>]) -> Mapping {
        let targets = self
            .columns
            .iter()
            .zip(names)
            .map(
                |(c, name)| match table.fields.iter().find(|f| Some(&f.name) == name.as_ref()) {
                    Some(field) => Target::Column {
                        column: field
                            .db_name
                            .clone()
                            .unwrap_or_else(|| derive_db_name(&field.name, NameKind::Field)),
                        field: field.name.clone(),
                        conversion: Conversion::for_field(field, c.format),
                        required: field.options.required,
                    },
                    None => Target::Skip,
                },
            )
            .collect();
        Mapping {
            targets,
            constants: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InferError {
    #[error("cannot read {file}: {message}")]
    Read { file: String, message: String },
    #[error("{file} has no rows to analyse")]
    NoRows { file: String },
}

/// Reads the header and up to `sample_rows` records of `path` and proposes a field per column.
pub fn propose(path: &Path, dialect: Dialect, sample_rows: usize) -> Result<Proposal, InferError> {
    let file = path.display().to_string();
    let read_error = |message: String| InferError::Read {
        file: file.clone(),
        message,
    };
    let mut reader = dialect
        .reader(path)
        .map_err(|e| read_error(e.to_string()))?;
    let headers: Vec<String> = if dialect.has_header {
        reader
            .headers()
            .map_err(|e| read_error(e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let mut stats: Vec<Stats> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut rows = 0u64;
    let mut whole_file = true;
    loop {
        if rows as usize >= sample_rows {
            whole_file = false;
            break;
        }
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(read_error(e.to_string())),
        }
        rows += 1;
        if stats.len() < record.len() {
            stats.resize_with(record.len(), Stats::default);
        }
        for (cell, s) in record.iter().zip(stats.iter_mut()) {
            s.add(cell);
        }
    }
    let width = headers.len().max(stats.len());
    if width == 0 {
        return Err(InferError::NoRows { file });
    }
    stats.resize_with(width, Stats::default);
    let preferred = if dialect.delimiter == b';' {
        DecimalMark::Comma
    } else {
        DecimalMark::Dot
    };
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut columns: Vec<ColumnProposal> = stats
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let header = headers
                .get(i)
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1));
            let name = field_name(&header, &mut taken);
            let (field, format, evidence) = s.decide(&name, &header, preferred);
            ColumnProposal {
                header,
                field,
                format,
                evidence,
            }
        })
        .collect();
    if !whole_file {
        // Distinct in the sample is no promise for the rest of the file: a unique key
        // proposed from it would refuse the whole import at the first repeat. The evidence
        // still says "unique candidate".
        for c in &mut columns {
            c.field.options.unique = false;
        }
    }
    if let Some(first_text) = columns.iter_mut().find(|c| {
        matches!(
            c.field.field_type,
            FieldType::SingleLineText | FieldType::Email
        )
    }) {
        first_text.field.is_primary = true;
    }
    Ok(Proposal {
        file,
        dialect,
        columns,
        rows_sampled: rows,
        whole_file,
    })
}

/// The header as a field name whose column is free: not a system field (`id` becomes
/// `source id`), not taken by an earlier column (`name 2`).
fn field_name(header: &str, taken: &mut BTreeSet<String>) -> String {
    let mut name = header.to_owned();
    if is_system_field(&derive_db_name(&name, NameKind::Field)) {
        name = format!("source {name}");
    }
    let base = name.clone();
    let mut n = 2;
    while taken.contains(&derive_db_name(&name, NameKind::Field)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.insert(derive_db_name(&name, NameKind::Field));
    name
}

/// The readings a cell is tried as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Words,
    Digits,
    Integer(DecimalMark),
    Number(DecimalMark),
    Percent(DecimalMark),
    Currency(DecimalMark),
    Date(DayOrder),
    DateTime(DayOrder),
    Email,
    Url,
    Phone,
}

const KINDS: [Kind; 17] = [
    Kind::Words,
    Kind::Digits,
    Kind::Integer(DecimalMark::Dot),
    Kind::Integer(DecimalMark::Comma),
    Kind::Number(DecimalMark::Dot),
    Kind::Number(DecimalMark::Comma),
    Kind::Percent(DecimalMark::Dot),
    Kind::Percent(DecimalMark::Comma),
    Kind::Currency(DecimalMark::Dot),
    Kind::Currency(DecimalMark::Comma),
    Kind::Date(DayOrder::DayFirst),
    Kind::Date(DayOrder::MonthFirst),
    Kind::DateTime(DayOrder::DayFirst),
    Kind::DateTime(DayOrder::MonthFirst),
    Kind::Email,
    Kind::Url,
    Kind::Phone,
];

impl Kind {
    fn reads(self, cell: &str) -> bool {
        match self {
            Kind::Words => values::boolean(cell).is_some(),
            Kind::Digits => values::digit_boolean(cell).is_some(),
            Kind::Integer(m) => values::integer(cell, m).is_some(),
            Kind::Number(m) => values::number(cell, m).is_some(),
            Kind::Percent(m) => values::percent(cell, m).is_some(),
            Kind::Currency(m) => values::currency(cell, m).is_some(),
            Kind::Date(o) => values::date(cell, o).is_some(),
            Kind::DateTime(o) => values::datetime(cell, o).is_some(),
            Kind::Email => Check::EmailPattern.accepts(&cell.into()),
            Kind::Url => Check::HttpUrl.accepts(&cell.into()),
            Kind::Phone => {
                cell.bytes().filter(u8::is_ascii_digit).count() >= 7
                    && Check::PhonePattern.accepts(&cell.into())
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Words | Kind::Digits => "yes/no",
            Kind::Integer(_) => "a whole number",
            Kind::Number(_) => "a number",
            Kind::Percent(_) => "a percent",
            Kind::Currency(_) => "an amount of money",
            Kind::Date(_) => "a date",
            Kind::DateTime(_) => "a date and time",
            Kind::Email => "an email address",
            Kind::Url => "a web address",
            Kind::Phone => "a phone number",
        }
    }
}

#[derive(Debug, Default)]
struct Stats {
    non_empty: u64,
    empty: u64,
    matched: [u64; KINDS.len()],
    misses: [Vec<String>; KINDS.len()],
    distinct: HashMap<String, u64>,
    parts: HashMap<String, u64>,
    has_list: bool,
    max_chars: usize,
    newline: bool,
    day_first_forced: u64,
    month_first_forced: u64,
    currency_codes: BTreeSet<&'static str>,
}

impl Stats {
    fn add(&mut self, cell: &str) {
        let cell = cell.trim();
        if cell.is_empty() {
            self.empty += 1;
            return;
        }
        self.non_empty += 1;
        for (k, kind) in KINDS.iter().enumerate() {
            if kind.reads(cell) {
                self.matched[k] += 1;
            } else if self.misses[k].len() < EXAMPLES && !self.misses[k].iter().any(|m| m == cell) {
                self.misses[k].push(cell.chars().take(40).collect());
            }
        }
        match values::forced_order(cell.split([' ', 'T']).next().unwrap_or(cell)) {
            Some(DayOrder::DayFirst) => self.day_first_forced += 1,
            Some(DayOrder::MonthFirst) => self.month_first_forced += 1,
            None => {}
        }
        for mark in [DecimalMark::Dot, DecimalMark::Comma] {
            if let Some((code, _)) = values::currency(cell, mark) {
                self.currency_codes.insert(code);
            }
        }
        *self.distinct.entry(cell.to_owned()).or_default() += 1;
        if cell.contains([',', ';']) {
            self.has_list = true;
        }
        for part in list_parts(cell) {
            if self.parts.len() <= MAX_CHOICES || self.parts.contains_key(part) {
                *self.parts.entry(part.to_owned()).or_default() += 1;
            } else {
                self.parts.insert(part.to_owned(), 1);
            }
        }
        self.max_chars = self.max_chars.max(cell.chars().count());
        self.newline |= cell.contains('\n');
    }

    fn all(&self, kind: Kind) -> bool {
        self.non_empty > 0 && self.count(kind) == self.non_empty
    }

    fn count(&self, kind: Kind) -> u64 {
        KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |k| self.matched[k])
    }

    fn misses(&self, kind: Kind) -> &[String] {
        KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(&[], |k| &self.misses[k])
    }

    /// The field, the formats its cells are read in, and why.
    fn decide(
        &self,
        name: &str,
        header: &str,
        preferred: DecimalMark,
    ) -> (Field, ColumnFormat, Evidence) {
        let other = match preferred {
            DecimalMark::Dot => DecimalMark::Comma,
            DecimalMark::Comma => DecimalMark::Dot,
        };
        let order = if self.month_first_forced > 0 && self.day_first_forced == 0 {
            DayOrder::MonthFirst
        } else {
            DayOrder::DayFirst
        };
        let mut format = ColumnFormat {
            mark: preferred,
            order,
            digit_booleans: false,
        };
        let mut field = Field::new(name, FieldType::SingleLineText);
        let mut reading = String::new();
        let mut chosen: Option<Kind> = None;
        let yes_no_name = asks_yes_no(header);
        let first_all = |kinds: &[Kind]| kinds.iter().copied().find(|k| self.all(*k));

        if self.all(Kind::Words) {
            field.field_type = FieldType::Checkbox;
            chosen = Some(Kind::Words);
            reading = "yes/no words".into();
        } else if self.all(Kind::Digits) && yes_no_name {
            field.field_type = FieldType::Checkbox;
            format.digit_booleans = true;
            chosen = Some(Kind::Digits);
            reading = "1 is yes, 0 is no (the name asks yes or no)".into();
        } else if let Some(kind) = first_all(&[
            Kind::Integer(preferred),
            Kind::Number(preferred),
            Kind::Integer(other),
            Kind::Number(other),
        ]) {
            let (Kind::Integer(mark) | Kind::Number(mark)) = kind else {
                unreachable!()
            };
            field.field_type = FieldType::Number;
            field.options.integer = matches!(kind, Kind::Integer(_));
            format.mark = mark;
            chosen = Some(kind);
            reading = mark_label(mark, field.options.integer);
        } else if let Some(kind) = first_all(&[Kind::Percent(preferred), Kind::Percent(other)]) {
            let Kind::Percent(mark) = kind else {
                unreachable!()
            };
            field.field_type = FieldType::Percent;
            format.mark = mark;
            chosen = Some(kind);
            reading = format!("percent points, {}", mark_label(mark, false));
        } else if let Some(kind) = first_all(&[Kind::Currency(preferred), Kind::Currency(other)]) {
            let Kind::Currency(mark) = kind else {
                unreachable!()
            };
            field.field_type = FieldType::Currency;
            format.mark = mark;
            chosen = Some(kind);
            if self.currency_codes.len() == 1 {
                let code = *self.currency_codes.iter().next().expect("one code");
                field.options.currency_code = Some(code.to_owned());
                reading = format!("{code}, {}", mark_label(mark, false));
            } else {
                reading = format!("mixed currencies, {}", mark_label(mark, false));
            }
        } else if let Some(kind) = first_all(&[Kind::Date(order)]) {
            field.field_type = FieldType::Date;
            chosen = Some(kind);
            reading = order_label(order, self);
        } else if let Some(kind) = first_all(&[Kind::DateTime(order)]) {
            field.field_type = FieldType::DateTime;
            chosen = Some(kind);
            reading = order_label(order, self);
        } else if let Some(kind) = first_all(&[Kind::Email, Kind::Url, Kind::Phone]) {
            field.field_type = match kind {
                Kind::Email => FieldType::Email,
                Kind::Url => FieldType::Url,
                _ => FieldType::Phone,
            };
            chosen = Some(kind);
        } else if self.newline || self.max_chars > LONG_TEXT {
            field.field_type = FieldType::LongText;
            reading = if self.newline {
                "text with line breaks".into()
            } else {
                format!("text up to {} characters", self.max_chars)
            };
        } else if self.has_list && self.is_few(&self.parts) {
            field.field_type = FieldType::MultiSelect;
            field.options.choices = by_frequency(&self.parts);
            reading = format!("{} choices, several per cell", self.parts.len());
        } else if self.is_few(&self.distinct) && self.max_chars <= 40 {
            field.field_type = FieldType::SingleSelect;
            field.options.choices = by_frequency(&self.distinct);
            reading = format!("{} choices", self.distinct.len());
        } else {
            reading = format!("text up to {} characters", self.max_chars);
        }

        let distinct = self.distinct.len() as u64;
        let unique_candidate = self.empty == 0 && self.non_empty >= 2 && distinct == self.non_empty;
        if field.field_type != FieldType::Checkbox {
            field.options.required = self.empty == 0 && self.non_empty > 0;
        }
        if unique_candidate
            && (field.field_type == FieldType::Email || names_an_identity(header))
            && !matches!(
                field.field_type,
                FieldType::Checkbox | FieldType::SingleSelect | FieldType::MultiSelect
            )
        {
            field.options.unique = true;
        }
        let near_miss = if chosen.is_none() {
            self.near_miss()
        } else {
            None
        };
        let matched = match chosen {
            Some(kind) => self.count(kind),
            None => self.non_empty,
        };
        let evidence = Evidence {
            matched,
            non_empty: self.non_empty,
            empty: self.empty,
            reading,
            near_miss,
            unique_candidate,
            distinct,
        };
        (field, format, evidence)
    }

    /// Few distinct values, each seen at least twice on average, in enough rows to tell.
    fn is_few(&self, values: &HashMap<String, u64>) -> bool {
        let total: u64 = values.values().sum();
        !values.is_empty()
            && values.len() <= MAX_CHOICES
            && self.non_empty >= 6
            && total >= 2 * values.len() as u64
    }

    /// The typed reading at least half the cells passed, with cells that did not.
    fn near_miss(&self) -> Option<String> {
        let (k, count) = KINDS
            .iter()
            .enumerate()
            .filter(|(_, k)| !matches!(k, Kind::Digits | Kind::Phone))
            .map(|(i, _)| (i, self.matched[i]))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
        if self.non_empty == 0 || count * 2 < self.non_empty {
            return None;
        }
        let examples: Vec<String> = self
            .misses(KINDS[k])
            .iter()
            .map(|m| format!("{m:?}"))
            .collect();
        Some(format!(
            "{:.0}% read as {}; not: {}",
            count as f64 * 100.0 / self.non_empty as f64,
            KINDS[k].label(),
            examples.join(", ")
        ))
    }
}

fn by_frequency(values: &HashMap<String, u64>) -> Vec<String> {
    let mut pairs: Vec<(&String, &u64)> = values.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    pairs.into_iter().map(|(v, _)| v.clone()).collect()
}

fn mark_label(mark: DecimalMark, integer: bool) -> String {
    match (integer, mark) {
        (true, _) => "whole numbers".into(),
        (false, DecimalMark::Dot) => "decimal point".into(),
        (false, DecimalMark::Comma) => "decimal comma".into(),
    }
}

fn order_label(order: DayOrder, stats: &Stats) -> String {
    let ambiguous = stats.day_first_forced == 0 && stats.month_first_forced == 0;
    match (order, ambiguous) {
        (DayOrder::MonthFirst, _) => "month first (e.g. 01/13/2024 seen)".into(),
        (DayOrder::DayFirst, false) => "day first (e.g. 13/01/2024 seen)".into(),
        (DayOrder::DayFirst, true) => "ISO or day first".into(),
    }
}

fn words(header: &str) -> Vec<String> {
    derive_db_name(header, NameKind::Field)
        .split('_')
        .map(str::to_owned)
        .collect()
}

/// `is_active`, `Has children`, `enabled`, `Paid?`: a name a 1/0 column answers.
fn asks_yes_no(header: &str) -> bool {
    let w = words(header);
    let first = w.first().map(String::as_str).unwrap_or_default();
    let last = w.last().map(String::as_str).unwrap_or_default();
    header.trim_end().ends_with('?')
        || matches!(first, "is" | "has" | "can" | "should" | "was")
        || matches!(
            last,
            "active" | "enabled" | "flag" | "paid" | "verified" | "deleted" | "archived" | "done"
        )
}

/// `SKU`, `order id`, `customer_code`: a name whose values identify a row.
fn names_an_identity(header: &str) -> bool {
    let w = words(header);
    matches!(
        w.last().map(String::as_str),
        Some("id" | "code" | "sku" | "ref" | "reference" | "key" | "uuid" | "isbn" | "email")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(cells: &[&str], header: &str) -> (Field, ColumnFormat, Evidence) {
        let mut s = Stats::default();
        for c in cells {
            s.add(c);
        }
        s.decide(header, header, DecimalMark::Dot)
    }

    #[test]
    fn numbers_booleans_and_selects() {
        let (f, _, e) = decide(&["1", "2", "", "40"], "qty");
        assert_eq!(f.field_type, FieldType::Number);
        assert!(f.options.integer && !f.options.required);
        assert_eq!(e.share(), "100% of 3");
        let (f, fmt, _) = decide(&["1", "0", "1"], "is_active");
        assert_eq!(f.field_type, FieldType::Checkbox);
        assert!(fmt.digit_booleans);
        let (f, _, _) = decide(&["1", "0", "1"], "count");
        assert_eq!(f.field_type, FieldType::Number);
        let (f, _, _) = decide(&["red", "blue", "red", "red", "blue", "red"], "colour");
        assert_eq!(f.field_type, FieldType::SingleSelect);
        assert_eq!(f.options.choices, ["red", "blue"]);
        assert!(f.options.required);
    }

    #[test]
    fn text_with_a_near_miss_names_the_odd_cells() {
        let (f, _, e) = decide(
            &["1", "2", "3", "n/a", "5", "6", "7", "8", "9", "10"],
            "score",
        );
        assert_eq!(f.field_type, FieldType::SingleLineText);
        assert_eq!(
            e.near_miss.as_deref(),
            Some("90% read as a whole number; not: \"n/a\"")
        );
    }

    #[test]
    fn month_first_dates_are_seen_from_one_cell() {
        let (f, fmt, _) = decide(&["01/02/2024", "01/13/2024"], "day");
        assert_eq!(f.field_type, FieldType::Date);
        assert_eq!(fmt.order, DayOrder::MonthFirst);
    }

    #[test]
    fn identities_are_unique_and_system_names_are_moved() {
        let (f, _, e) = decide(&["A1", "B2", "C3"], "sku");
        assert!(e.unique_candidate && f.options.unique);
        let mut taken = BTreeSet::new();
        assert_eq!(field_name("id", &mut taken), "source id");
        assert_eq!(field_name("Name", &mut taken), "Name");
        assert_eq!(field_name("name", &mut taken), "name 2");
    }
}
