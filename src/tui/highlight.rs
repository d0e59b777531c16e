//! Syntax highlighting of the bundle for the preview: keywords, identifiers, strings,
//! numbers and comments, by role (the theme picks colours), with destructive statements in
//! the danger role. Computed once per plan with the same tokenizer the bundle parser uses,
//! so quoting, comments and dollar-quoted bodies never confuse it; drawing only maps the
//! visible lines to spans.

use std::sync::Arc;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Whitespace};

use crate::plan::Bundle;

use super::theme::Role;

/// One line of highlighted text: `(text, role)` segments.
pub type Segments = Vec<(String, Role)>;

/// `bundle.text`, line by line, as `(text, role)` segments. Lines are shared with the
/// [`HighlightCache`] (an edit changes a few statements; the other lines are neither copied
/// nor freed when the plan is made again).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlighted {
    pub lines: Vec<Arc<Segments>>,
    /// The statement (index into `bundle.statements`) each line belongs to, if any.
    pub statement: Vec<Option<usize>>,
}

/// Keywords written in lower case that still read as keywords (policy expressions are
/// user-written and often lower case); other words count as keywords only in upper case,
/// so a column called `name` or `type` stays an identifier.
const LOWER_KEYWORDS: &[&str] = &[
    "select", "from", "where", "and", "or", "not", "null", "true", "false", "in", "is", "exists",
    "as", "case", "when", "then", "else", "end",
];

fn role_of(token: &Token, source: &str) -> Role {
    match token {
        Token::Word(w) if w.quote_style.is_some() => Role::Identifier,
        Token::Word(w)
            if w.keyword != Keyword::NoKeyword
                && (source.bytes().all(|b| !b.is_ascii_lowercase())
                    || LOWER_KEYWORDS.contains(&source)) =>
        {
            Role::Keyword
        }
        Token::Word(_) => Role::Identifier,
        Token::Number(..) => Role::Number,
        Token::SingleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::EscapedStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_) => Role::String,
        Token::DoubleQuotedString(_) => Role::Identifier,
        Token::Whitespace(
            Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
        ) => Role::Comment,
        _ => Role::Text,
    }
}

/// Splits `piece` on newlines into `lines`, every part with `role`.
fn push(lines: &mut Vec<Vec<(String, Role)>>, piece: &str, role: Role) {
    let mut parts = piece.split('\n');
    if let Some(first) = parts.next()
        && !first.is_empty()
    {
        lines
            .last_mut()
            .expect("there is always a line")
            .push((first.replace('\t', "    "), role));
    }
    for part in parts {
        lines.push(Vec::new());
        if !part.is_empty() {
            lines
                .last_mut()
                .expect("just pushed")
                .push((part.replace('\t', "    "), role));
        }
    }
}

/// Any SQL text (a whole bundle, a policy expression being typed), line by line, as
/// `(text, role)` segments; tabs become four spaces. Text the tokenizer cannot read (an
/// unterminated string while typing) stays plain.
pub fn highlight_text(text: &str) -> Vec<Vec<(String, Role)>> {
    let mut lines: Vec<Vec<(String, Role)>> = vec![Vec::new()];
    match crate::sql_tokens::tokens(text) {
        Ok(tokens) => {
            let mut at = 0;
            for (token, range) in tokens {
                if range.start > at {
                    push(&mut lines, &text[at..range.start], Role::Text);
                }
                if range.end > range.start.max(at) {
                    let piece = &text[range.start.max(at)..range.end];
                    push(&mut lines, piece, role_of(&token, piece));
                }
                at = at.max(range.end);
            }
            if at < text.len() {
                push(&mut lines, &text[at..], Role::Text);
            }
        }
        Err(_) => push(&mut lines, text, Role::Text),
    }
    lines
}

/// Highlighted pieces of a bundle by their text: an edit changes a few statements, so the
/// next plan tokenizes only those (the rest are taken from here).
pub type HighlightCache = std::collections::HashMap<String, Vec<Arc<Segments>>>;

pub fn highlight(bundle: &Bundle) -> Highlighted {
    highlight_cached(bundle, &mut HighlightCache::new())
}

/// [`highlight`], tokenizing each statement (with the text up to the next one) on its own
/// and only when `cache` does not hold it; afterwards `cache` holds exactly this bundle's
/// pieces. The result is the same as tokenizing the whole text: statements are complete
/// token sequences, and the text between them is semicolons, blank lines and comments.
/// Statements start lines, so each piece is whole lines and its lines are taken from the
/// cache as they are.
pub fn highlight_cached(bundle: &Bundle, cache: &mut HighlightCache) -> Highlighted {
    let text = &bundle.text;
    let mut used = HighlightCache::with_capacity(bundle.statements.len() * 2 + 1);
    let mut lines: Vec<Arc<Segments>> = vec![Arc::default()];
    let mut at = 0;
    let mut add = |piece: &str, lines: &mut Vec<Arc<Segments>>| {
        if piece.is_empty() {
            return;
        }
        if !used.contains_key(piece) {
            let (key, highlighted) = cache.remove_entry(piece).unwrap_or_else(|| {
                let fresh = highlight_text(piece).into_iter().map(Arc::new).collect();
                (piece.to_owned(), fresh)
            });
            used.insert(key, highlighted);
        }
        let mut pieces = used[piece].iter();
        if let Some(first) = pieces.next() {
            let last = lines.last_mut().expect("there is always a line");
            if last.is_empty() {
                *last = Arc::clone(first);
            } else if !first.is_empty() {
                Arc::make_mut(last).extend(first.iter().cloned());
            }
        }
        lines.extend(pieces.cloned());
    };
    for s in &bundle.statements {
        add(&text[at..s.range.start], &mut lines);
        at = s.range.start;
    }
    add(&text[at..], &mut lines);
    *cache = used;
    mark_statements(bundle, lines)
}

fn mark_statements(bundle: &Bundle, mut lines: Vec<Arc<Segments>>) -> Highlighted {
    let text = &bundle.text;
    if text.ends_with('\n') && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut statement = vec![None; lines.len()];
    for (i, s) in bundle.statements.iter().enumerate() {
        // Counted within the statement: from the top of the text it would be quadratic.
        let last = s.line + text[s.range.clone()].matches('\n').count();
        for line in s.line..=last {
            if let Some(slot) = statement.get_mut(line - 1) {
                *slot = Some(i);
            }
        }
        if s.destructive {
            let safe = |role: &Role| !matches!(role, Role::Comment | Role::Danger);
            for line in s.line..=last {
                if let Some(segments) = lines.get_mut(line - 1)
                    && segments.iter().any(|(_, role)| safe(role))
                {
                    for (_, role) in Arc::make_mut(segments).iter_mut() {
                        if safe(role) {
                            *role = Role::Danger;
                        }
                    }
                }
            }
        }
    }
    Highlighted { lines, statement }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{BundleBuilder, Section};

    fn line_text(h: &Highlighted, i: usize) -> String {
        h.lines[i].iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn the_text_is_kept_exactly_and_roles_follow_the_tokens() {
        let mut b = BundleBuilder::new();
        b.push(Section::Transaction, "BEGIN", false);
        b.push(
            Section::Tables,
            "CREATE TABLE public.\"Todos\" (\n  title text DEFAULT 'a;b', n numeric DEFAULT 3\n)",
            false,
        );
        b.push(Section::Tables, "DROP TABLE public.old", true);
        b.push(Section::Transaction, "COMMIT", false);
        let bundle = b.finish();
        let h = highlight(&bundle);
        let joined: Vec<String> = (0..h.lines.len()).map(|i| line_text(&h, i)).collect();
        assert_eq!(joined.join("\n") + "\n", bundle.text.replace('\t', "    "));
        let roles: Vec<(String, Role)> = h.lines.iter().flat_map(|l| l.iter().cloned()).collect();
        let role = |t: &str| roles.iter().find(|(s, _)| s == t).map(|(_, r)| *r);
        assert_eq!(role("CREATE"), Some(Role::Keyword));
        assert_eq!(role("\"Todos\""), Some(Role::Identifier));
        assert_eq!(role("title"), Some(Role::Identifier));
        assert_eq!(role("'a;b'"), Some(Role::String));
        assert_eq!(role("3"), Some(Role::Number));
        assert!(
            roles
                .iter()
                .any(|(t, r)| t.starts_with("--") && *r == Role::Comment)
        );
        // The destructive statement is in the danger role, every token of it.
        let drop_line = h
            .lines
            .iter()
            .position(|l| l.iter().any(|(t, _)| t == "DROP"))
            .unwrap();
        assert!(
            h.lines[drop_line]
                .iter()
                .filter(|(t, _)| !t.trim().is_empty())
                .all(|(_, r)| *r == Role::Danger)
        );
        assert_eq!(h.statement[drop_line], Some(2));
    }

    /// Piece by piece, cached or not, the lines are those of the whole text tokenized at
    /// once; a second plan takes unchanged statements from the cache.
    #[test]
    fn statements_highlighted_one_by_one_are_the_whole_text_highlighted() {
        let mut b = BundleBuilder::new();
        b.push(Section::Transaction, "BEGIN", false);
        b.push(
            Section::Tables,
            "CREATE TABLE a (\n  x text DEFAULT 'q;\n r'\n)",
            false,
        );
        b.section_comment(Section::Policies, "owner only");
        b.push(
            Section::Policies,
            "CREATE POLICY p ON a USING ($$x$$ = 'y')",
            false,
        );
        b.push(Section::Triggers, "DROP TRIGGER t ON a", true);
        b.push(Section::Transaction, "COMMIT", false);
        let bundle = b.finish();
        let mut whole = highlight_text(&bundle.text);
        if bundle.text.ends_with('\n') && whole.last().is_some_and(Vec::is_empty) {
            whole.pop();
        }
        let merge = |lines: &[Vec<(String, Role)>]| -> Vec<String> {
            lines
                .iter()
                .map(|l| l.iter().map(|(t, _)| t.as_str()).collect())
                .collect()
        };
        let plain =
            |h: &Highlighted| -> Vec<Segments> { h.lines.iter().map(|l| (**l).clone()).collect() };
        let mut cache = HighlightCache::new();
        let first = highlight_cached(&bundle, &mut cache);
        assert_eq!(merge(&plain(&first)), merge(&whole));
        let kinds = |lines: &[Vec<(String, Role)>]| -> Vec<Role> {
            lines
                .iter()
                .flatten()
                .filter(|(t, _)| !t.trim().is_empty())
                .map(|(_, r)| *r)
                .collect()
        };
        let danger = first.statement.iter().position(|s| *s == Some(3)).unwrap();
        let mut expected = whole.clone();
        for (_, r) in expected[danger].iter_mut() {
            if *r != Role::Comment {
                *r = Role::Danger;
            }
        }
        assert_eq!(kinds(&plain(&first)), kinds(&expected));
        let pieces = cache.len();
        assert!(pieces >= bundle.statements.len());
        let again = highlight_cached(&bundle, &mut cache);
        assert_eq!(again, first);
        assert_eq!(
            cache.len(),
            pieces,
            "the cache holds this bundle's pieces only"
        );
    }
}
