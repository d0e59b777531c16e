//! Reading one cell as a typed value, in the forms spreadsheets write: numbers with a
//! decimal point or comma and thousands separators, amounts with a currency sign, percents,
//! dates day- or month-first, datetimes, yes/no. Each parser returns the value in
//! PostgreSQL's input syntax (`1234.5`, `2024-03-01`), or `None` when the cell is not one.

/// The decimal separator of a column's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    /// `1,234.5`
    Dot,
    /// `1.234,5` (most of Europe, with `;` between cells)
    Comma,
}

/// The order of a date's day and month when the year comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    DayFirst,
    MonthFirst,
}

/// A number: sign, digits grouped by threes with the other separator (or a space or `'`),
/// and a fraction after `mark`. A leading zero before more digits (`007`, a code or a zip)
/// is not a number.
pub fn number(cell: &str, mark: DecimalMark) -> Option<String> {
    let (decimal, group) = match mark {
        DecimalMark::Dot => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let s = cell.trim();
    let (sign, digits) = match s.as_bytes().first()? {
        b'-' => ("-", &s[1..]),
        b'+' => ("", &s[1..]),
        _ => ("", s),
    };
    let (whole, fraction) = match digits.rsplit_once(decimal) {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(sign);
    let groups: Vec<&str> = whole.split([group, ' ', '\u{a0}', '\'']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    for g in &groups {
        if !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    let whole_digits = out.len() - sign.len();
    if whole_digits == 0 && fraction.is_none_or(str::is_empty) {
        return None;
    }
    if whole_digits > 1 && out[sign.len()..].starts_with('0') {
        return None;
    }
    if whole_digits == 0 {
        out.push('0');
    }
    if let Some(f) = fraction {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// A whole number (as [`number`], without a fraction).
pub fn integer(cell: &str, mark: DecimalMark) -> Option<String> {
    number(cell, mark).filter(|n| !n.contains('.'))
}

/// `12%`, `12,5 %` → the number before the sign (`12.5`): percent points.
pub fn percent(cell: &str, mark: DecimalMark) -> Option<String> {
    number(cell.trim().strip_suffix('%')?, mark)
}

const SIGNS: [(&str, &str); 6] = [
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("CHF", "CHF"),
    ("₹", "INR"),
];
const CODES: [&str; 9] = [
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "INR",
];

/// `$1,234.50`, `-€12,50`, `12.50 EUR` → (`USD`, `1234.50`). A bare number is not an amount.
pub fn currency(cell: &str, mark: DecimalMark) -> Option<(&'static str, String)> {
    let s = cell.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    let mut found = None;
    for (sign, code) in SIGNS {
        if let Some(rest) = s.strip_prefix(sign).or_else(|| s.strip_suffix(sign)) {
            found = Some((code, rest));
            break;
        }
    }
    if found.is_none() {
        for code in CODES {
            if let Some(rest) = s.strip_prefix(code).or_else(|| s.strip_suffix(code)) {
                found = Some((code, rest));
                break;
            }
        }
    }
    let (code, rest) = found?;
    let amount = number(rest.trim(), mark)?;
    Some((
        code,
        if negative && !amount.starts_with('-') {
            format!("-{amount}")
        } else {
            amount
        },
    ))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `Mar`, `march`, `Sept.` → 3, 3, 9.
fn month_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w))
        .map(|i| i as u32 + 1)
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn ymd(year: &str, month: &str, day: &str) -> Option<String> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !all_digits(year) || !all_digits(day) || day.len() > 2 {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    let m: u32 = if all_digits(month) && month.len() <= 2 {
        month.parse().ok()?
    } else {
        month_name(month)?
    };
    let d: u32 = day.parse().ok()?;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in(y, m)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date: `2024-03-01`, `2024/03/01`, `01/03/2024` or `03/01/2024` (by `order`),
/// `01.03.2024`, `1 Mar 2024`, `Mar 1, 2024` → `2024-03-01`.
pub fn date(cell: &str, order: DayOrder) -> Option<String> {
    let s = cell.trim();
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() == 3 {
        if parts[0].len() == 4 {
            return ymd(parts[0], parts[1], parts[2]);
        }
        // Dots are day-first everywhere they are used.
        if s.contains('.') || order == DayOrder::DayFirst {
            return ymd(parts[2], parts[1], parts[0]);
        }
        return ymd(parts[2], parts[0], parts[1]);
    }
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        [d, m, y] if d.bytes().all(|b| b.is_ascii_digit()) => ymd(y, m, d),
        [m, d, y] => ymd(y, m, d),
        _ => None,
    }
}

/// Which day order a date cell forces: `13/01/2024` is day-first, `01/13/2024` month-first.
pub fn forced_order(cell: &str) -> Option<DayOrder> {
    let parts: Vec<&str> = cell.trim().split('/').collect();
    if parts.len() != 3 || parts[0].len() == 4 {
        return None;
    }
    let first: u32 = parts[0].parse().ok()?;
    let second: u32 = parts[1].parse().ok()?;
    match (first > 12, second > 12) {
        (true, false) => Some(DayOrder::DayFirst),
        (false, true) => Some(DayOrder::MonthFirst),
        _ => None,
    }
}

/// A date and time: a [`date`], then `T` or a space, `HH:MM[:SS[.fff]]`, and an optional
/// `Z`, `±HH[:MM]` or `UTC` → `2024-03-01 14:05:00+01:00`. A date alone is midnight.
pub fn datetime(cell: &str, order: DayOrder) -> Option<String> {
    let s = cell.trim();
    let split = s
        .find('T')
        .filter(|&i| i == 10)
        .or_else(|| s.rfind(' ').filter(|&i| s[i + 1..].contains(':')));
    let Some(at) = split else {
        return date(s, order).map(|d| format!("{d} 00:00:00"));
    };
    let day = date(&s[..at], order)?;
    let rest = s[at + 1..].trim();
    let (clock, zone) = split_zone(rest)?;
    let pieces: Vec<&str> = clock.split(':').collect();
    let two = |p: &str, max: u32| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
            .filter(|v| *v <= max)
    };
    let (h, m, sec) = match pieces.as_slice() {
        [h, m] => (two(h, 23)?, two(m, 59)?, "00".to_owned()),
        [h, m, sec] => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            two(whole, 60)?;
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (two(h, 23)?, two(m, 59)?, (*sec).to_owned())
        }
        _ => return None,
    };
    Some(format!("{day} {h:02}:{m:02}:{sec}{zone}"))
}

fn split_zone(rest: &str) -> Option<(&str, String)> {
    if let Some(clock) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix(" UTC")) {
        return Some((clock.trim(), "+00:00".into()));
    }
    if let Some(i) = rest.rfind(['+', '-']) {
        let zone = &rest[i..];
        let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
        if (digits.len() == 2 || digits.len() == 4) && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some((rest[..i].trim(), zone.to_owned()));
        }
        return None;
    }
    Some((rest, String::new()))
}

/// yes/no in English words: `true`, `yes`, `y`, `t`, `on` and their opposites.
pub fn boolean(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" | "on" => Some(true),
        "false" | "no" | "n" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// `1`/`0` as yes/no: only for columns whose name asks a yes/no question.
pub fn digit_boolean(cell: &str) -> Option<bool> {
    match cell.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

/// Whether a cell reads as a number, date or boolean (a header cell never does).
pub fn looks_typed(cell: &str) -> bool {
    number(cell, DecimalMark::Dot).is_some()
        || number(cell, DecimalMark::Comma).is_some()
        || date(cell, DayOrder::DayFirst).is_some()
        || currency(cell, DecimalMark::Dot).is_some()
        || matches!(
            cell.trim().to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no"
        )
}

#[cfg(test)]
mod tests {
    use super::DayOrder::*;
    use super::DecimalMark::*;
    use super::*;

    #[test]
    fn numbers_in_both_locales() {
        assert_eq!(number("1,234.5", Dot).as_deref(), Some("1234.5"));
        assert_eq!(number("1.234,5", Comma).as_deref(), Some("1234.5"));
        assert_eq!(number("12,5", Comma).as_deref(), Some("12.5"));
        assert_eq!(number("-0,75", Comma).as_deref(), Some("-0.75"));
        assert_eq!(number(",5", Comma).as_deref(), Some("0.5"));
        assert_eq!(number("12,5", Dot), None);
        assert_eq!(number("007", Dot), None);
        assert_eq!(number("1,23", Dot), None);
        assert_eq!(number("abc", Dot), None);
        assert_eq!(integer("1 000", Comma).as_deref(), Some("1000"));
    }

    #[test]
    fn amounts_and_percents() {
        assert_eq!(currency("$1,234.50", Dot), Some(("USD", "1234.50".into())));
        assert_eq!(currency("12,50 €", Comma), Some(("EUR", "12.50".into())));
        assert_eq!(currency("-€3", Dot), Some(("EUR", "-3".into())));
        assert_eq!(currency("12", Dot), None);
        assert_eq!(percent("12,5 %", Comma).as_deref(), Some("12.5"));
    }

    #[test]
    fn dates_in_common_forms() {
        assert_eq!(date("2024-03-01", DayFirst).as_deref(), Some("2024-03-01"));
        assert_eq!(date("01/03/2024", DayFirst).as_deref(), Some("2024-03-01"));
        assert_eq!(
            date("01/03/2024", MonthFirst).as_deref(),
            Some("2024-01-03")
        );
        assert_eq!(date("1.3.2024", MonthFirst).as_deref(), Some("2024-03-01"));
        assert_eq!(date("1 Mar 2024", DayFirst).as_deref(), Some("2024-03-01"));
        assert_eq!(
            date("March 1, 2024", DayFirst).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(date("2023-02-29", DayFirst), None);
        assert_eq!(date("31/31/2024", DayFirst), None);
        assert_eq!(forced_order("13/01/2024"), Some(DayFirst));
    }

    #[test]
    fn datetimes_with_zones() {
        assert_eq!(
            datetime("2024-03-01T14:05:09Z", DayFirst).as_deref(),
            Some("2024-03-01 14:05:09+00:00")
        );
        assert_eq!(
            datetime("01/03/2024 14:05", DayFirst).as_deref(),
            Some("2024-03-01 14:05:00")
        );
        assert_eq!(
            datetime("2024-03-01 14:05:09.25+01:00", DayFirst).as_deref(),
            Some("2024-03-01 14:05:09.25+01:00")
        );
        assert_eq!(datetime("2024-03-01 25:00", DayFirst), None);
    }
}
