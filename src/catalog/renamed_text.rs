//! A column rename as the server prints it afterwards: PostgreSQL stores a CHECK's or an
//! index's expression by column number, so `pg_get_constraintdef` and `pg_get_indexdef` name
//! the column by its new name at once. [`Catalog::apply`](super::Catalog::apply) follows, so
//! planning against the renamed catalog does not see a changed CHECK or index where there is
//! none.

use sqlparser::tokenizer::Token;

use crate::sql_tokens::tokens;

/// `text` with every reference to the column `from` naming `to` instead. A word is a column
/// reference unless it is a type after `::`, a function before `(`, or part of a qualified
/// name (`public.boards`); text that does not tokenize is left as it is.
pub fn rename_column_in(text: &str, from: &str, to: &str) -> String {
    replace_words(text, from, to, |before, after| {
        !matches!(before, Some(Token::DoubleColon | Token::Period))
            && !matches!(after, Some(Token::LParen | Token::Period))
    })
}

/// `text` with the words naming `from` replaced by `to` where `wanted` (given the tokens
/// before and after the word) says so.
fn replace_words(
    text: &str,
    from: &str,
    to: &str,
    wanted: impl Fn(Option<&Token>, Option<&Token>) -> bool,
) -> String {
    let Ok(all) = tokens(text) else {
        return text.to_owned();
    };
    let solid: Vec<usize> = (0..all.len())
        .filter(|&i| !matches!(all[i].0, Token::Whitespace(_)))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (n, &i) in solid.iter().enumerate() {
        let (Token::Word(word), range) = &all[i] else {
            continue;
        };
        let same = match word.quote_style {
            None => word.value.to_lowercase() == from,
            Some('"') => word.value == from,
            Some(_) => false,
        };
        let before = n.checked_sub(1).map(|p| &all[solid[p]].0);
        let after = solid.get(n + 1).map(|&a| &all[a].0);
        if same && wanted(before, after) {
            out.push_str(&text[copied..range.start]);
            out.push_str(&printed_name(to));
            copied = range.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `text` with every word `from` (a table's, trigger's or function's name, wherever it
/// stands) naming `to` instead.
pub fn rename_name_in(text: &str, from: &str, to: &str) -> String {
    replace_words(text, from, to, |_, _| true)
}

/// A name as the server prints it: bare when it is a plain lowercase word, quoted otherwise.
fn printed_name(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        crate::sql::ident(name)
    }
}

#[cfg(test)]
mod tests {
    use super::{rename_column_in, rename_name_in};

    #[test]
    fn only_the_column_is_renamed() {
        assert_eq!(
            rename_column_in("CHECK ((char_length(title) <= 100))", "title", "heading"),
            "CHECK ((char_length(heading) <= 100))"
        );
        assert_eq!(
            rename_column_in(
                "CREATE INDEX idx_t_score ON public.score USING btree (score) WHERE (score > 0)",
                "score",
                "Points"
            ),
            "CREATE INDEX idx_t_score ON public.score USING btree (\"Points\") WHERE (\"Points\" > 0)"
        );
        assert_eq!(
            rename_column_in("CHECK ((\"text\")::text <> ''::text)", "text", "body"),
            "CHECK ((body)::text <> ''::text)"
        );
        assert_eq!(
            rename_column_in("CHECK (titles <> 'title')", "title", "x"),
            "CHECK (titles <> 'title')"
        );
    }

    #[test]
    fn a_name_is_renamed_wherever_it_stands() {
        assert_eq!(
            rename_name_in(
                "CREATE TRIGGER boards_hook_trigger BEFORE INSERT ON public.boards FOR EACH ROW \
                 EXECUTE FUNCTION boards_hook_trigger_fn()",
                "boards",
                "cards"
            ),
            "CREATE TRIGGER boards_hook_trigger BEFORE INSERT ON public.cards FOR EACH ROW \
             EXECUTE FUNCTION boards_hook_trigger_fn()"
        );
    }
}
