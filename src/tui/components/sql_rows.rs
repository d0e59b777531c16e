//! Highlighted SQL laid out for a pane: each line numbered in a gutter and soft-wrapped
//! at the pane's edge (between words when it can), its continuation rows marked `↪`
//! with no number and indented under the line's own indentation. So nothing is cut and
//! nothing runs into the next column; the text itself (what `y` copies) is unchanged.

use std::ops::Range;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::tui::highlight::Highlighted;
use crate::tui::theme::{Role, Theme};

/// The gutter: four digits of line number and one column for a mark.
pub const GUTTER: usize = 5;

/// How one line is marked: a gutter mark and its role, the danger role over the whole
/// line (the failing statement), and the column (1-based) to underline.
#[derive(Clone, Copy, Debug, Default)]
pub struct Marks {
    pub mark: Option<(char, Role)>,
    pub failing: bool,
    pub error_at: Option<usize>,
}

/// Where a line of `chars` characters breaks for a text area `width` wide: the indent of
/// its continuation rows and each row's character range. An empty line is one empty row.
pub fn row_ranges(chars: &[char], width: usize) -> (usize, Vec<Range<usize>>) {
    let width = width.max(1);
    let leading = chars.iter().take_while(|c| **c == ' ').count();
    let indent = (leading + 2).min(width / 2);
    let mut rows = Vec::new();
    let mut start = 0;
    loop {
        let room = if rows.is_empty() {
            width
        } else {
            (width - indent).max(1)
        };
        if chars.len() - start <= room {
            rows.push(start..chars.len());
            // A section rule (`-- grants ────`) is cut at the edge, not wrapped.
            while rows.len() > 1
                && rows
                    .last()
                    .is_some_and(|r| chars[r.clone()].iter().all(|c| matches!(c, '─' | ' ')))
            {
                rows.pop();
            }
            return (indent, rows);
        }
        let end = start + room;
        // After the last space in the row's last third, so words stay whole; a long token
        // (a hash, a long name) is cut rather than leave most of the row empty.
        let brk = (start + room * 2 / 3..end)
            .rev()
            .find(|&i| chars[i] == ' ')
            .map_or(end, |i| i + 1);
        rows.push(start..brk);
        start = brk;
    }
}

/// Screen rows line `i` of `lines` takes in a text area `width` wide.
pub fn rows_of(lines: &Highlighted, i: usize, width: usize) -> usize {
    let chars: Vec<char> = lines.lines[i].iter().flat_map(|(t, _)| t.chars()).collect();
    row_ranges(&chars, width).1.len()
}

/// The largest first line that still fills a pane `height` rows high whose text is
/// `width` wide (scrolling further would only show blank rows).
pub fn max_scroll(lines: &Highlighted, width: usize, height: usize) -> usize {
    let mut used = 0;
    for i in (0..lines.lines.len()).rev() {
        used += rows_of(lines, i, width);
        if used > height.max(1) {
            return i + 1;
        }
    }
    0
}

/// The rows of `lines` from line `scroll` on, to fill `width` × `height` (gutter included).
pub fn rows<'a>(
    theme: &Theme,
    lines: &Highlighted,
    scroll: usize,
    width: usize,
    height: usize,
    marks: impl Fn(usize) -> Marks,
) -> Vec<Line<'a>> {
    let text_width = width.saturating_sub(GUTTER).max(1);
    let mut out = Vec::new();
    for (i, segments) in lines.lines.iter().enumerate().skip(scroll) {
        if out.len() >= height {
            break;
        }
        let m = marks(i);
        let danger = theme.style(Role::Danger);
        let styled: Vec<(char, Style)> = segments
            .iter()
            .flat_map(|(text, role)| {
                let mut style = theme.style(*role);
                if m.failing {
                    style = style.patch(danger);
                }
                text.chars().map(move |c| (c, style))
            })
            .enumerate()
            .map(|(col, (c, style))| {
                if m.error_at == Some(col + 1) {
                    (c, style.add_modifier(Modifier::UNDERLINED))
                } else {
                    (c, style)
                }
            })
            .collect();
        let chars: Vec<char> = styled.iter().map(|(c, _)| *c).collect();
        let (indent, ranges) = row_ranges(&chars, text_width);
        let (mark, mark_style) = match m.mark {
            Some((c, role)) => (c, theme.style(role)),
            None => (' ', theme.style(Role::Dim)),
        };
        for (row, range) in ranges.into_iter().enumerate() {
            if out.len() >= height {
                break;
            }
            let mut spans = if row == 0 {
                vec![Span::styled(format!("{:>4}{mark}", i + 1), mark_style)]
            } else {
                vec![
                    Span::styled("   ↪", theme.style(Role::Dim)),
                    Span::styled(mark.to_string(), mark_style),
                    Span::raw(" ".repeat(indent)),
                ]
            };
            spans.extend(runs(&styled[range]));
            out.push(Line::from(spans));
        }
    }
    out
}

/// `lines` cut into rows at most `width` wide (between words when it can, continuation
/// rows indented), so their count is exactly the rows they take on screen.
pub fn wrap_lines<'a>(lines: Vec<Line<'a>>, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let styled: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| {
                let style = line.style.patch(s.style);
                s.content.chars().map(move |c| (c, style))
            })
            .collect();
        let chars: Vec<char> = styled.iter().map(|(c, _)| *c).collect();
        let (indent, ranges) = row_ranges(&chars, width);
        for (row, range) in ranges.into_iter().enumerate() {
            let mut spans = if row == 0 {
                vec![]
            } else {
                vec![Span::raw(" ".repeat(indent))]
            };
            spans.extend(runs(&styled[range]));
            out.push(Line::from(spans));
        }
    }
    out
}

/// Consecutive characters of one style as one span.
fn runs<'a>(styled: &[(char, Style)]) -> Vec<Span<'a>> {
    let mut spans: Vec<Span> = Vec::new();
    let mut text = String::new();
    let mut current: Option<Style> = None;
    for (c, style) in styled {
        if current.is_some_and(|s| s != *style) {
            spans.push(Span::styled(std::mem::take(&mut text), current.unwrap()));
        }
        current = Some(*style);
        text.push(*c);
    }
    if let Some(style) = current {
        spans.push(Span::styled(text, style));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let (_, rows) = row_ranges(&chars, width);
        rows.into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn long_lines_break_between_words_and_lose_nothing() {
        let text = r#"ALTER TABLE "public"."tasks" ADD COLUMN "contact_email" text"#;
        let rows = ranges(text, 30);
        assert!(rows.len() > 1, "{rows:?}");
        assert_eq!(rows.concat(), text, "wrapping keeps every character");
        assert!(rows[0].ends_with(' '), "breaks after a space: {rows:?}");
        let (indent, all) = row_ranges(&text.chars().collect::<Vec<_>>(), 30);
        assert_eq!(indent, 2);
        assert!(all[0].len() <= 30 && all[1..].iter().all(|r| r.len() <= 28));
    }

    #[test]
    fn a_word_longer_than_the_row_is_cut_and_short_lines_stay_one_row() {
        assert_eq!(ranges("abcdefghij", 4).concat(), "abcdefghij");
        assert_eq!(ranges("BEGIN;", 40), vec!["BEGIN;"]);
        assert_eq!(ranges("", 40), vec![""]);
    }

    #[test]
    fn wrapped_lines_fit_their_width_and_lose_no_text() {
        let text = "⚠ tasks.title: a long finding that says what to do about it";
        let rows = wrap_lines(vec![Line::raw(text), Line::raw("short")], 20);
        assert!(rows.len() > 3, "{rows:?}");
        assert!(rows.iter().all(|r| r.width() <= 20), "{rows:?}");
        let joined: String = rows.iter().map(|r| r.to_string()).collect();
        let squeeze = |t: &str| t.chars().filter(|c| *c != ' ').collect::<String>();
        assert_eq!(squeeze(&joined), squeeze(&format!("{text}short")));
        assert_eq!(rows.last().map(|r| r.to_string()), Some("short".into()));
    }

    #[test]
    fn a_section_rule_is_cut_at_the_edge_not_wrapped() {
        let rule = format!("-- grants {}", "─".repeat(70));
        assert_eq!(
            ranges(&rule, 40),
            vec![rule.chars().take(40).collect::<String>()]
        );
    }
}
