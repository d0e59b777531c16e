//! Hardening the `--db` parser (`ConnectTarget::resolve`): arbitrary text never panics, and
//! whatever it answers — an error, or a target described for headers and logs — never
//! shows the password the text carries.

mod fuzz_support;

use proptest::prelude::*;
use proptest::sample::select;
use schemaforge::db::{ConnectTarget, Env};

/// Everything the resolver lets a user see about `input`.
fn shown(input: &str) -> String {
    match ConnectTarget::resolve(Some(input), &Env::default()) {
        Err(e) => e.to_string(),
        Ok(t) => format!(
            "{}\n{t:?}\n{}\n{}",
            t.describe(),
            t.host_label(),
            t.notes.join("\n")
        ),
    }
}

fn check_hidden(input: &str, password: &str) -> Result<(), TestCaseError> {
    let text = shown(input);
    prop_assert!(
        !text.contains(password),
        "the password {:?} of {:?} is shown: {}",
        password,
        input,
        text
    );
    Ok(())
}

/// A password no other part of the input contains.
fn password() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{6,12}".prop_map(|s| format!("Sekr{s}"))
}

/// A password with the characters that confuse URL parsing (`@` is left out: see the
/// corpus README).
fn awkward_password() -> impl Strategy<Value = String> {
    (
        password(),
        select(&["/", "?", "#", ":", "%", "'", "\\", "&", "=", "%40"][..]),
        password(),
    )
        .prop_map(|(a, sep, b)| format!("{a}{sep}{b}"))
}

fn url_with(password: String) -> impl Strategy<Value = (String, String)> {
    (
        select(
            &[
                "postgres://",
                "postgresql://",
                "postgres://:",
                "postgresql:///",
            ][..],
        ),
        select(&["alice", "", "bob%20x", "ünï"][..]),
        select(
            &[
                "localhost",
                "",
                "db.example.com",
                "[::1]",
                "h1,h2",
                "%2Ftmp",
                "-",
                "a b",
            ][..],
        ),
        select(&["", ":5432", ":abc", ":99999", ":", ":0"][..]),
        select(&["", "/app", "/", "/a%2Fb", "/x?"][..]),
        select(
            &[
                "",
                "?sslmode=require",
                "?sslmode=bogus",
                "?foo=bar",
                "?connect_timeout=x",
                "?&&",
                "#frag",
            ][..],
        ),
    )
        .prop_map(move |(scheme, user, host, port, db, query)| {
            (
                format!("{scheme}{user}:{password}@{host}{port}{db}{query}"),
                password.clone(),
            )
        })
}

fn key_values_with(password: String) -> impl Strategy<Value = (String, String)> {
    (
        select(
            &[
                "password={}",
                "password='{}'",
                "PASSWORD={}",
                "password = {}",
                "password='{}",
                "password=\"{}\"",
            ][..],
        ),
        prop::sample::subsequence(
            vec![
                "host=localhost",
                "user=alice",
                "dbname=app",
                "port=abc",
                "port=5432",
                "bogus=1",
                "sslmode=nope",
                "=",
                "user",
            ],
            0..4,
        ),
        any::<bool>(),
    )
        .prop_map(move |(pw, others, first)| {
            let pw = pw.replace("{}", &password);
            let mut parts: Vec<String> = others.into_iter().map(str::to_string).collect();
            if first {
                parts.insert(0, pw);
            } else {
                parts.push(pw);
            }
            (parts.join(" "), password.clone())
        })
}

/// Inputs a user could paste with a password in them, sometimes mangled by one character.
fn input_with_password() -> impl Strategy<Value = (String, String)> {
    let plain = prop_oneof![
        password().prop_flat_map(url_with),
        awkward_password().prop_flat_map(url_with),
        password().prop_flat_map(key_values_with),
        awkward_password().prop_flat_map(key_values_with),
    ];
    (
        plain,
        any::<prop::sample::Index>(),
        prop::option::of(any::<char>()),
    )
        .prop_map(|((input, password), at, extra)| {
            let Some(ch) = extra else {
                return (input, password);
            };
            // A stray character anywhere but in the password and the twelve characters before
            // it (`password = `): there it would make another key, not a mangled one.
            let start = input.find(&password).unwrap();
            let mut i = at.index(input.len() + 1);
            if i + 12 > start && i <= start + password.len() {
                return (format!("{input} {ch}"), password);
            }
            while !input.is_char_boundary(i) {
                i -= 1;
            }
            let mut mangled = input.clone();
            mangled.insert(i, ch);
            (mangled, password)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        let _ = shown(&input);
    }

    #[test]
    fn a_password_is_never_shown((input, password) in input_with_password()) {
        check_hidden(&input, &password)?;
    }
}

/// Each corpus line is `input<TAB>password`; the password must never be shown. Lines of
/// `known_bug_*` files are listed in the README and skipped.
#[test]
fn connection_string_corpus() {
    let mut seen = 0;
    for (name, path) in fuzz_support::corpus_files("connection_strings") {
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let (input, password) = line.split_once('\t').expect("input<TAB>password");
            check_hidden(input, password).unwrap_or_else(|e| panic!("{name}: {e}"));
            seen += 1;
        }
    }
    assert!(seen >= 30, "the corpus holds {seen} inputs");
}
