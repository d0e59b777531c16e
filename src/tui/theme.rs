//! Colours come only from here: a theme maps roles (what a thing is) to styles.
//!
//! Themes are TOML files: the bundled ones in `themes/`, and any in the config directory's
//! `themes/` folder, which override a bundled theme of the same name. `NO_COLOR` (set and not
//! empty, per no-color.org) strips every colour and keeps the modifiers.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;

/// What a piece of the screen is; panes ask for a role, never for a colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Text,
    Dim,
    Accent,
    Header,
    Phase,
    PhaseCurrent,
    PhaseError,
    Border,
    BorderFocused,
    Selected,
    New,
    Managed,
    Danger,
    Warning,
    Ok,
    Info,
    Keyword,
    Identifier,
    String,
    Comment,
    Number,
    Status,
    StatusKey,
    Overlay,
}

impl Role {
    pub const ALL: [Role; 24] = [
        Role::Text,
        Role::Dim,
        Role::Accent,
        Role::Header,
        Role::Phase,
        Role::PhaseCurrent,
        Role::PhaseError,
        Role::Border,
        Role::BorderFocused,
        Role::Selected,
        Role::New,
        Role::Managed,
        Role::Danger,
        Role::Warning,
        Role::Ok,
        Role::Info,
        Role::Keyword,
        Role::Identifier,
        Role::String,
        Role::Comment,
        Role::Number,
        Role::Status,
        Role::StatusKey,
        Role::Overlay,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Dim => "dim",
            Role::Accent => "accent",
            Role::Header => "header",
            Role::Phase => "phase",
            Role::PhaseCurrent => "phase_current",
            Role::PhaseError => "phase_error",
            Role::Border => "border",
            Role::BorderFocused => "border_focused",
            Role::Selected => "selected",
            Role::New => "new",
            Role::Managed => "managed",
            Role::Danger => "danger",
            Role::Warning => "warning",
            Role::Ok => "ok",
            Role::Info => "info",
            Role::Keyword => "keyword",
            Role::Identifier => "identifier",
            Role::String => "string",
            Role::Comment => "comment",
            Role::Number => "number",
            Role::Status => "status",
            Role::StatusKey => "status_key",
            Role::Overlay => "overlay",
        }
    }
}

/// The bundled themes, by name.
pub const BUNDLED: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Role, Style>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("no theme named {name:?}; available: {available}")]
    Unknown { name: String, available: String },
    #[error("theme {source_name}: {message}")]
    Unreadable {
        source_name: String,
        message: String,
    },
    #[error("theme {source_name}:{line}: {message}")]
    Syntax {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("theme {source_name}:{line}: unknown role {role:?}")]
    UnknownRole {
        source_name: String,
        line: usize,
        role: String,
    },
    #[error("theme {source_name}:{line}: roles.{role}: {source}")]
    BadColour {
        source_name: String,
        line: usize,
        role: String,
        source: NotAColour,
    },
    #[error("theme {source_name}: role {role:?} is missing")]
    MissingRole {
        source_name: String,
        role: &'static str,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, StyleSpec>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    dim: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::parse("dark", BUNDLED[0].1, None).expect("the bundled dark theme is valid")
    }
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// This theme with every colour removed, for `NO_COLOR`: modifiers stay, and a role that
    /// was set apart by its background (the selection, headers) is reversed instead, so it
    /// still stands out.
    pub fn without_colours(mut self) -> Theme {
        for style in self.styles.values_mut() {
            let mut plain = Style::default().add_modifier(style.add_modifier);
            if style.bg.is_some() {
                plain = plain.add_modifier(Modifier::REVERSED);
            }
            *style = plain;
        }
        self
    }

    /// This theme as the terminal should get it: without colours when `no_color` (the value of
    /// `NO_COLOR`) is set and not empty.
    pub fn respecting_no_color(self, no_color: Option<&std::ffi::OsStr>) -> Theme {
        match no_color {
            Some(value) if !value.is_empty() => self.without_colours(),
            _ => self,
        }
    }

    /// Loads `name`: from `<config_dir>/themes/<name>.toml` when present, else a bundled one.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let fallback = Theme::default();
        if let Some(path) = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")))
            && path.is_file()
        {
            let text = std::fs::read_to_string(&path).map_err(|e| ThemeError::Unreadable {
                source_name: path.display().to_string(),
                message: e.to_string(),
            })?;
            return Theme::parse(&path.display().to_string(), &text, Some(&fallback));
        }
        match BUNDLED.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => Theme::parse(name, text, Some(&fallback)),
            None => Err(ThemeError::Unknown {
                name: name.to_owned(),
                available: Theme::available(config_dir).join(", "),
            }),
        }
    }

    /// Bundled theme names plus those in the config directory.
    pub fn available(config_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUNDLED.iter().map(|(n, _)| (*n).to_owned()).collect();
        if let Some(Ok(entries)) = config_dir.map(|d| std::fs::read_dir(d.join("themes"))) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml")
                    && let Some(stem) = path.file_stem()
                {
                    names.push(stem.to_string_lossy().into_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Parses a theme; roles it leaves out come from `fallback` (or are an error without one).
    pub fn parse(
        source_name: &str,
        text: &str,
        fallback: Option<&Theme>,
    ) -> Result<Theme, ThemeError> {
        let source_name = source_name.to_owned();
        let file: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Syntax {
            source_name: source_name.clone(),
            line: line_of(text, e.span().map_or(0, |s| s.start)),
            message: e.message().trim().to_owned(),
        })?;
        let mut styles = BTreeMap::new();
        for (key, spec) in &file.roles {
            let role = Role::ALL
                .into_iter()
                .find(|r| r.key() == key.get_ref())
                .ok_or_else(|| ThemeError::UnknownRole {
                    source_name: source_name.clone(),
                    line: line_of(text, key.span().start),
                    role: key.get_ref().clone(),
                })?;
            let style = spec.style().map_err(|(source, at)| ThemeError::BadColour {
                source_name: source_name.clone(),
                line: line_of(text, at),
                role: key.get_ref().clone(),
                source,
            })?;
            styles.insert(role, style);
        }
        for role in Role::ALL {
            if let std::collections::btree_map::Entry::Vacant(slot) = styles.entry(role) {
                match fallback {
                    Some(f) => {
                        slot.insert(f.style(role));
                    }
                    None => {
                        return Err(ThemeError::MissingRole {
                            source_name,
                            role: role.key(),
                        });
                    }
                }
            }
        }
        Ok(Theme {
            name: file.name.unwrap_or(source_name),
            styles,
        })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a colour")]
pub struct NotAColour(pub String);

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl StyleSpec {
    /// The style, or the bad colour with the byte offset where it was written.
    fn style(&self) -> Result<Style, (NotAColour, usize)> {
        let color = |c: &Option<Spanned<String>>| -> Result<Option<Color>, (NotAColour, usize)> {
            c.as_ref()
                .map(|c| {
                    Color::from_str(c.get_ref())
                        .map_err(|_| (NotAColour(c.get_ref().clone()), c.span().start))
                })
                .transpose()
        };
        let mut style = Style::default();
        if let Some(fg) = color(&self.fg)? {
            style = style.fg(fg);
        }
        if let Some(bg) = color(&self.bg)? {
            style = style.bg(bg);
        }
        for (on, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.dim, Modifier::DIM),
        ] {
            if on {
                style = style.add_modifier(modifier);
            }
        }
        Ok(style)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_theme_defines_every_role() {
        for (name, text) in BUNDLED {
            let theme = Theme::parse(name, text, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(theme.name, *name);
        }
    }

    #[test]
    fn themes_differ_and_partial_user_themes_fall_back() {
        let dark = Theme::load("dark", None).unwrap();
        let light = Theme::load("light", None).unwrap();
        assert_ne!(dark.style(Role::Text), light.style(Role::Text));
        let custom = Theme::parse(
            "mine",
            "[roles]\ndanger = { fg = \"#ff0000\", bold = true }",
            Some(&dark),
        )
        .unwrap();
        assert_eq!(custom.style(Role::Danger).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(custom.style(Role::Keyword), dark.style(Role::Keyword));
    }

    #[test]
    fn bad_themes_say_what_is_wrong() {
        let err = Theme::parse(
            "x",
            "[roles]\ntext = { fg = \"nocolour\" }",
            Some(&Theme::default()),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("roles.text: \"nocolour\" is not a colour"),
            "{err}"
        );
        let err = Theme::parse(
            "x",
            "[roles]\ntexts = { fg = \"red\" }",
            Some(&Theme::default()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown role \"texts\""), "{err}");
        let err = Theme::load("neon", None).unwrap_err();
        assert!(
            err.to_string()
                .contains("available: dark, high-contrast, light"),
            "{err}"
        );
    }

    #[test]
    fn a_theme_in_the_config_dir_overrides_a_bundled_one() {
        let dir = std::env::temp_dir().join(format!("schemaforge-theme-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("themes")).unwrap();
        std::fs::write(
            dir.join("themes/dark.toml"),
            "name = \"dark\"\n[roles]\ntext = { fg = \"red\" }\n",
        )
        .unwrap();
        std::fs::write(dir.join("themes/solar.toml"), "[roles]\n").unwrap();
        let theme = Theme::load("dark", Some(&dir)).unwrap();
        assert_eq!(theme.style(Role::Text).fg, Some(Color::Red));
        assert!(Theme::available(Some(&dir)).contains(&"solar".to_owned()));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// WCAG relative luminance of an `#rrggbb` colour.
    fn luminance(colour: Color) -> f64 {
        let Color::Rgb(r, g, b) = colour else {
            panic!("{colour:?} is not #rrggbb: the high-contrast theme names exact colours")
        };
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    #[test]
    fn high_contrast_gives_every_role_a_colour_readable_at_wcag_aaa() {
        let text = BUNDLED
            .iter()
            .find(|(n, _)| *n == "high-contrast")
            .expect("high-contrast is bundled")
            .1;
        let theme = Theme::parse("high-contrast", text, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Theme::load("high-contrast", None).unwrap(), theme);
        for role in Role::ALL {
            let style = theme.style(role);
            let fg = style
                .fg
                .unwrap_or_else(|| panic!("{} has no colour", role.key()));
            // Without a background of its own a role sits on the black terminal.
            let bg = style.bg.unwrap_or(Color::Rgb(0, 0, 0));
            let (light, dark) = {
                let (a, b) = (luminance(fg), luminance(bg));
                (a.max(b), a.min(b))
            };
            let ratio = (light + 0.05) / (dark + 0.05);
            assert!(ratio >= 7.0, "{}: contrast {ratio:.1} < 7", role.key());
        }
        for role in [
            Role::Selected,
            Role::Danger,
            Role::Accent,
            Role::PhaseCurrent,
        ] {
            assert!(
                theme.style(role).add_modifier.contains(Modifier::BOLD),
                "{} is emphasised with bold",
                role.key()
            );
        }
    }

    #[test]
    fn a_user_theme_error_names_the_file_and_line() {
        let dir =
            std::env::temp_dir().join(format!("schemaforge-theme-bad-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("themes")).unwrap();
        let file = dir.join("themes/mine.toml");
        let cases = [
            (
                "name = \"mine\"\n[roles]\ntext = { fg = \"red\" }\ntexts = { fg = \"red\" }\n",
                ":4: unknown role \"texts\"",
            ),
            (
                "[roles]\ntext = { fg = \"red\" }\n\ndim = { fg = \"gray\", bg = \"#12345\" }\n",
                ":4: roles.dim: \"#12345\" is not a colour",
            ),
            (
                "[roles]\ntext = { fg = \"red\",\n  colour = \"blue\" }\n",
                ":3: unknown field `colour`",
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(&file, text).unwrap();
            let err = Theme::load("mine", Some(&dir)).unwrap_err().to_string();
            let named = format!("{}{expected}", file.display());
            assert!(err.contains(&named), "{err:?} should contain {named:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_color_strips_colours_and_keeps_modifiers() {
        let dark = Theme::load("dark", None).unwrap();
        assert_eq!(
            dark.clone().respecting_no_color(None),
            dark,
            "unset: unchanged"
        );
        assert_eq!(
            dark.clone()
                .respecting_no_color(Some(std::ffi::OsStr::new(""))),
            dark,
            "empty counts as unset (no-color.org)"
        );
        for name in ["dark", "light", "high-contrast"] {
            let plain = Theme::load(name, None)
                .unwrap()
                .respecting_no_color(Some(std::ffi::OsStr::new("1")));
            for role in Role::ALL {
                let style = plain.style(role);
                assert_eq!((style.fg, style.bg), (None, None), "{name} {}", role.key());
            }
            let keyword = plain.style(Role::Keyword).add_modifier;
            assert!(keyword.contains(Modifier::BOLD), "{name}: bold stays");
            assert_eq!(plain.style(Role::Text), Style::default(), "{name}");
            // The selection had only its background to stand out by: it is reversed instead.
            let selected = plain.style(Role::Selected).add_modifier;
            assert!(selected.contains(Modifier::REVERSED), "{name}");
        }
    }
}
