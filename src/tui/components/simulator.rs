//! The policy simulator popup (phase 4, `s`): choose one or two users in a small form, run
//! every operation on every table as them in a transaction that is always rolled back (the
//! design's bundle applied first), and read the table × operation grid. Esc closes.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::form::{ChoiceList, Form, FormOutcome, TextInput};
use super::popup::centred;
use super::{fit, pad, pane_block};
use crate::rls::simulate::{Outcome, Probe, SimUser, SimulationReport, Subject, TableProbes};
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

/// Where the popup is: choosing users, waiting for the job, or showing its answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Choosing(Box<Form>),
    Running,
    Done(Vec<SimulationReport>),
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Simulator {
    pub stage: Stage,
    /// The users of the last run (`s` runs them again).
    pub subjects: Vec<Subject>,
}

/// What a key asks `update` for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimOutcome {
    Stay,
    Close,
    /// Run the simulation for these users.
    Run(Vec<Subject>),
}

const FIRST: [&str; 3] = ["generated user", "anon", "existing user"];
const SECOND: [&str; 4] = ["nobody", "generated user", "anon", "existing user"];

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new()
    }
}

impl Simulator {
    /// Opens on the users form: a generated user, another beside (⏎ compares two).
    pub fn new() -> Simulator {
        Simulator {
            stage: Stage::Choosing(Box::new(users_form())),
            subjects: Vec::new(),
        }
    }

    /// The popup showing a finished simulation (also what the snapshots draw).
    pub fn done(reports: Vec<SimulationReport>) -> Simulator {
        Simulator {
            stage: Stage::Done(reports),
            subjects: Vec::new(),
        }
    }

    pub fn is_choosing(&self) -> bool {
        matches!(self.stage, Stage::Choosing(_))
    }

    /// `action` is the key's meaning in the popup's context (Input while choosing, Dialog
    /// after).
    pub fn on_key(&mut self, key: &KeyEvent, action: Option<Action>) -> SimOutcome {
        match &mut self.stage {
            Stage::Choosing(form) => match form.on_key(key) {
                FormOutcome::Stay => SimOutcome::Stay,
                FormOutcome::Cancel => SimOutcome::Close,
                FormOutcome::Confirm => match subjects(form) {
                    Ok(subjects) => {
                        self.subjects = subjects.clone();
                        SimOutcome::Run(subjects)
                    }
                    Err((id, message)) => {
                        form.reject(id, message);
                        SimOutcome::Stay
                    }
                },
            },
            Stage::Running => match action {
                Some(Action::Cancel) => SimOutcome::Close,
                _ => SimOutcome::Stay,
            },
            Stage::Done(_) | Stage::Failed(_) => match (action, key.code) {
                (Some(Action::Cancel), _) | (_, KeyCode::Esc) => SimOutcome::Close,
                (_, KeyCode::Char('s')) | (Some(Action::Confirm), _)
                    if !self.subjects.is_empty() =>
                {
                    SimOutcome::Run(self.subjects.clone())
                }
                (_, KeyCode::Char('u')) => {
                    self.stage = Stage::Choosing(Box::new(users_form()));
                    SimOutcome::Stay
                }
                _ => SimOutcome::Stay,
            },
        }
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let lines = match &self.stage {
            Stage::Choosing(form) => return form.draw(frame, theme, area),
            Stage::Running => vec![Line::styled(
                "running every operation as the chosen users, then rolling back…  esc cancels",
                theme.style(Role::Warning),
            )],
            Stage::Failed(message) => vec![
                Line::styled(
                    format!("the simulation failed: {message}"),
                    theme.style(Role::Danger),
                ),
                Line::styled(
                    "nothing was kept · u users · esc close",
                    theme.style(Role::Dim),
                ),
            ],
            Stage::Done(reports) => grid_lines(reports, theme),
        };
        let width = area.width.saturating_sub(2).min(140);
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = centred(area, width, height);
        let inner = popup.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = lines.into_iter().map(|line| clip(line, inner)).collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .style(theme.style(Role::Overlay))
                .block(
                    pane_block(theme, "Simulator · rolled back".into(), true).title_bottom(
                        Span::styled(
                            match self.stage {
                                Stage::Running => " esc cancel ",
                                _ => " s run again · u users · esc close ",
                            },
                            theme.style(Role::Dim),
                        ),
                    ),
                ),
            popup,
        );
    }
}

fn users_form() -> Form {
    Form::new("Simulate as")
        .field("first", "user", ChoiceList::new(FIRST, 0))
        .field(
            "first_email",
            "email/id",
            TextInput::new("").placeholder("an existing user's email or id"),
        )
        .field("second", "beside", ChoiceList::new(SECOND, 1))
        .field(
            "second_email",
            "email/id",
            TextInput::new("").placeholder("an existing user's email or id"),
        )
}

/// The users the confirmed form names (an existing user by email, else by `auth.users` id);
/// `Err((input id, why))` when neither is typed.
fn subjects(form: &Form) -> Result<Vec<Subject>, (&'static str, String)> {
    let email = |id: &'static str| {
        let text = form.value_text(id).unwrap_or_default().trim().to_owned();
        if text.is_empty() {
            Err((id, "type the user's email or id".to_owned()))
        } else if text.contains('@') {
            Ok(Subject::user(SimUser::Email(text)))
        } else {
            Ok(Subject::user(SimUser::Existing(text)))
        }
    };
    let mut out = vec![match form.value_choice("first").unwrap_or(0) {
        1 => Subject::anon(),
        2 => email("first_email")?,
        _ => Subject::user(SimUser::Generated),
    }];
    match form.value_choice("second").unwrap_or(0) {
        1 => out.push(Subject::user(SimUser::Generated)),
        2 => out.push(Subject::anon()),
        3 => out.push(email("second_email")?),
        _ => {}
    }
    Ok(out)
}

/// A line cut to `width` characters (lines never wrap).
fn clip(line: Line<'_>, width: usize) -> Line<'_> {
    let mut left = width;
    let spans: Vec<Span> = line
        .spans
        .into_iter()
        .filter_map(|span| {
            if left == 0 {
                return None;
            }
            let text = fit(&span.content, left);
            left -= text.chars().count();
            Some(Span::styled(text, span.style))
        })
        .collect();
    Line::from(spans).style(line.style)
}

pub(crate) fn probe_cell(probe: &Probe) -> (String, Role) {
    match probe.outcome {
        Outcome::Allowed => (
            format!(
                "{} row{}",
                probe.rows,
                if probe.rows == 1 { "" } else { "s" }
            ),
            Role::Ok,
        ),
        Outcome::Denied => ("denied".into(), Role::Warning),
        Outcome::Failed => ("error".into(), Role::Danger),
    }
}

pub(crate) fn select_cell(t: &TableProbes) -> (String, Role) {
    match t.select.outcome {
        Outcome::Allowed => (format!("{} of {}", t.select.rows, t.total_rows), Role::Ok),
        _ => probe_cell(&t.select),
    }
}

pub(crate) fn insert_cell(t: &TableProbes) -> (String, Role) {
    let (own, role) = match t.insert.outcome {
        Outcome::Allowed => ("allowed".to_owned(), Role::Ok),
        _ => probe_cell(&t.insert),
    };
    match &t.insert_for_other {
        Some(other) => {
            let (text, other_role) = match other.outcome {
                Outcome::Allowed => ("others' too", Role::Warning),
                Outcome::Denied => ("not others'", Role::Ok),
                Outcome::Failed => ("others: error", Role::Danger),
            };
            let role = if role == Role::Ok { other_role } else { role };
            (format!("{own} · {text}"), role)
        }
        None => (own, role),
    }
}

/// The grid of every report, then (for two users) which rows each sees, then the server's
/// message of every probe that failed.
fn grid_lines<'a>(reports: &[SimulationReport], theme: &Theme) -> Vec<Line<'a>> {
    let tw = reports
        .iter()
        .flat_map(|r| &r.tables)
        .map(|t| short(&t.table).chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 24);
    let header = format!(
        "{}  {:<10}  {:<22}  {:<8}  {:<8}",
        pad("table", tw),
        "select",
        "insert",
        "update",
        "delete"
    );
    let mut lines = Vec::new();
    for report in reports {
        let who = match report.user {
            Some(_) => format!("{} ({})", brief(report), report.role.name()),
            None => report.who(),
        };
        lines.push(Line::from(vec![
            Span::styled("as ", theme.style(Role::Dim)),
            Span::styled(who, theme.style(Role::Accent)),
        ]));
        lines.push(Line::styled(header.clone(), theme.style(Role::Header)));
        if report.tables.is_empty() {
            lines.push(Line::styled("  no tables to probe", theme.style(Role::Dim)));
        }
        for t in &report.tables {
            let mut spans = vec![Span::styled(
                format!("{}  ", pad(short(&t.table), tw)),
                theme.style(Role::Identifier),
            )];
            for (i, (text, role)) in [
                select_cell(t),
                insert_cell(t),
                probe_cell(&t.update),
                probe_cell(&t.delete),
            ]
            .into_iter()
            .enumerate()
            {
                let w = [10, 22, 8, 8][i];
                spans.push(Span::styled(
                    format!("{}  ", pad(&text, w)),
                    theme.style(role),
                ));
            }
            lines.push(Line::from(spans));
        }
    }
    if let [a, b] = reports {
        lines.push(Line::styled(
            format!("rows each sees · {} | {}", brief(a), brief(b)),
            theme.style(Role::Header),
        ));
        for (ta, tb) in a.tables.iter().zip(&b.tables) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{}  ", pad(short(&ta.table), tw)),
                    theme.style(Role::Identifier),
                ),
                Span::styled(
                    format!("{} | {}", sees(ta), sees(tb)),
                    theme.style(Role::Text),
                ),
            ]));
        }
    }
    // The server's message of every failed probe, once per table and message.
    let mut failures: Vec<(String, Vec<&str>, String)> = Vec::new();
    for report in reports {
        for t in &report.tables {
            for (op, probe) in [
                ("select", &t.select),
                ("insert", &t.insert),
                ("update", &t.update),
                ("delete", &t.delete),
            ] {
                let (Outcome::Failed, Some(message)) = (probe.outcome, &probe.message) else {
                    continue;
                };
                let table = short(&t.table).to_owned();
                match failures
                    .iter_mut()
                    .find(|(ft, _, fm)| *ft == table && fm == message)
                {
                    Some((_, ops, _)) if !ops.contains(&op) => ops.push(op),
                    Some(_) => {}
                    None => failures.push((table, vec![op], message.clone())),
                }
            }
        }
    }
    for (table, ops, message) in failures {
        lines.push(Line::styled(
            format!("✗ {table} {} failed:", ops.join(", ")),
            theme.style(Role::Danger),
        ));
        lines.push(Line::styled(
            format!("  {message}"),
            theme.style(Role::Danger),
        ));
    }
    lines
}

/// The email (a generated user's: `generated` and the start of its id), else the start of
/// the id, else the role.
pub(crate) fn brief(report: &SimulationReport) -> String {
    match (&report.email, &report.user) {
        (Some(email), Some(id)) if email.ends_with("@schemaforge.invalid") => {
            format!("generated {}", &id[..id.len().min(8)])
        }
        (Some(email), _) => email.clone(),
        (None, Some(id)) => format!("user {}", &id[..id.len().min(8)]),
        (None, None) => report.role.name().to_owned(),
    }
}

/// `public.todos` → `todos` (other schemas keep their name).
fn short(table: &str) -> &str {
    table.strip_prefix("public.").unwrap_or(table)
}

/// `2 of 3 (id, id)`: the ids only for small tables.
pub(crate) fn sees(t: &TableProbes) -> String {
    match (&t.select.outcome, &t.visible_ids) {
        (Outcome::Allowed, Some(ids)) if !ids.is_empty() => {
            let ids: Vec<&str> = ids.iter().map(|id| &id[..id.len().min(8)]).collect();
            format!("{} of {} ({})", t.select.rows, t.total_rows, ids.join(" "))
        }
        (Outcome::Allowed, _) => format!("{} of {}", t.select.rows, t.total_rows),
        _ => probe_cell(&t.select).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::components::form::test_keys as keys;

    #[test]
    fn the_form_names_the_users_and_wants_an_email_or_id_when_asked_for_one() {
        let mut sim = Simulator::new();
        let enter = keys::key(KeyCode::Enter);
        assert_eq!(
            sim.on_key(&enter, None),
            SimOutcome::Run(vec![
                Subject::user(SimUser::Generated),
                Subject::user(SimUser::Generated)
            ]),
            "two generated users side by side unless told otherwise"
        );
        let mut sim = Simulator::new();
        for key in [KeyCode::Tab, KeyCode::Tab, KeyCode::Right] {
            sim.on_key(&keys::key(key), None);
        }
        assert_eq!(
            sim.on_key(&enter, None),
            SimOutcome::Run(vec![Subject::user(SimUser::Generated), Subject::anon()])
        );
        let mut sim = Simulator::new();
        sim.on_key(&keys::key(KeyCode::Left), None);
        assert_eq!(sim.on_key(&enter, None), SimOutcome::Stay, "no email typed");
        let Stage::Choosing(form) = &sim.stage else {
            panic!("still choosing");
        };
        assert_eq!(
            form.error("first_email").as_deref(),
            Some("type the user's email or id")
        );
        // Without an `@` the text is an `auth.users` id.
        let mut sim = Simulator::new();
        sim.on_key(&keys::key(KeyCode::Left), None);
        sim.on_key(&keys::key(KeyCode::Tab), None);
        for key in keys::chars("aaaaaaaa-0000") {
            sim.on_key(&key, None);
        }
        sim.on_key(&keys::key(KeyCode::Tab), None);
        sim.on_key(&keys::key(KeyCode::Left), None); // beside: nobody
        assert_eq!(
            sim.on_key(&enter, None),
            SimOutcome::Run(vec![Subject::user(SimUser::Existing(
                "aaaaaaaa-0000".into()
            ))])
        );
    }
}
