//! Ranking picker entries against what was typed (nucleo's matcher, as in the helix
//! editor): fuzzy on the label, a plain substring on the description; every label match
//! before any description-only match, the best first, ties in the original order.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// One entry that matched: its index and the matched character positions in its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ranked {
    pub index: usize,
    pub label_hits: Vec<usize>,
}

/// `entries` are `(label, description)`; a blank query keeps every entry in order.
pub(crate) fn rank<'a>(
    query: &str,
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Ranked> {
    let entries: Vec<(&str, &str)> = entries.into_iter().collect();
    if query.trim().is_empty() {
        return (0..entries.len())
            .map(|index| Ranked {
                index,
                label_hits: Vec::new(),
            })
            .collect();
    }
    // The default scoring, not `prefer_prefix`: a run at a word boundary (`Sel` in
    // `singleSelect`) should beat letters scattered from the start (`singLE Line`).
    let mut matcher = Matcher::new(Config::DEFAULT);
    let fuzzy = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let substring = Pattern::new(
        query,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Substring,
    );
    let mut buf = Vec::new();
    // (label match?, score, index, hits)
    let mut found: Vec<(bool, u32, usize, Vec<usize>)> = Vec::new();
    for (index, (label, description)) in entries.iter().enumerate() {
        let mut hits = Vec::new();
        if let Some(score) = fuzzy.indices(Utf32Str::new(label, &mut buf), &mut matcher, &mut hits)
        {
            let mut hits: Vec<usize> = hits.into_iter().map(|h| h as usize).collect();
            hits.sort_unstable();
            hits.dedup();
            found.push((true, score, index, hits));
        } else if let Some(score) =
            substring.score(Utf32Str::new(description, &mut buf), &mut matcher)
        {
            found.push((false, score, index, Vec::new()));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    found
        .into_iter()
        .map(|(_, _, index, label_hits)| Ranked { index, label_hits })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPES: &[(&str, &str)] = &[
        ("multiLineText", "paragraphs"),
        ("number", "numbers"),
        ("singleSelect", "one of a list"),
        ("singleLineText", "one line of text"),
        ("multipleSelects", "several of a list"),
        ("date", "a calendar day"),
    ];

    fn labels(query: &str) -> Vec<&'static str> {
        rank(query, TYPES.iter().copied())
            .into_iter()
            .map(|r| TYPES[r.index].0)
            .collect()
    }

    #[test]
    fn the_best_match_comes_first() {
        assert_eq!(labels("").len(), TYPES.len());
        assert_eq!(labels("")[0], "multiLineText", "blank keeps the order");
        assert_eq!(labels("sinl")[0], "singleLineText");
        assert_eq!(labels("SEL")[..2], ["singleSelect", "multipleSelects"]);
        assert_eq!(labels("num"), ["number"]);
        assert!(labels("zzz").is_empty());
    }

    #[test]
    fn descriptions_match_after_labels_and_hits_mark_the_label() {
        // Only in descriptions: ties keep the original order.
        assert_eq!(labels("paragraph"), ["multiLineText"]);
        assert_eq!(labels("of a list"), ["singleSelect", "multipleSelects"]);
        // `list` is scattered through the label `multipleSelects`: a label match ranks first.
        assert_eq!(labels("list"), ["multipleSelects", "singleSelect"]);
        let ranked = rank("dat", TYPES.iter().copied());
        assert_eq!(TYPES[ranked[0].index].0, "date");
        assert_eq!(ranked[0].label_hits, [0, 1, 2]);
    }
}
