//! On start without `--design`: a draft for this database was found; resume it?
//! The dialog says when it was saved and, once the live schema has been read, whether the
//! database already has everything in it (planned against it, nothing to do). Its facts
//! are kept in this popup's own state for as long as it is open.

use std::path::PathBuf;
use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::popup::dialog;
use super::{Outcome, plural};
use crate::tui::keymap::Action;
use crate::tui::theme::{Role, Theme};

/// The draft planned against the live schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftState {
    /// The live schema is still being read.
    Unknown,
    /// Nothing to do: the database has everything in it.
    Applied,
    /// This many statements are not applied yet.
    Pending(usize),
    /// It cannot be planned as it is (it has errors).
    Unplannable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResumeDraft {
    pub path: PathBuf,
    pub tables: usize,
    /// When the draft file was last written, if the file system says.
    pub saved: Option<SystemTime>,
    /// The draft itself, to plan once the live schema arrives.
    pub design: Box<crate::design::Design>,
    pub state: DraftState,
}

impl ResumeDraft {
    pub fn new(path: PathBuf, design: crate::design::Design) -> ResumeDraft {
        ResumeDraft {
            saved: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
            path,
            tables: design.tables.len(),
            design: Box::new(design),
            state: DraftState::Unknown,
        }
    }

    /// Plans the draft against the live schema just read.
    pub fn planned_against(
        &mut self,
        catalog: &crate::catalog::Catalog,
        settings: &crate::plan::PlanSettings,
    ) {
        let analysis = crate::analysis::analyse(&self.design, Some(catalog), settings);
        self.state = match (&analysis.plan, &analysis.bundle) {
            (Some(plan), _) if plan.is_empty() => DraftState::Applied,
            (Some(_), Some(bundle)) => DraftState::Pending(bundle.statements.len()),
            _ => DraftState::Unplannable,
        };
    }

    pub fn on_key(&self, action: Option<Action>) -> Outcome {
        match action {
            Some(Action::Confirm) => Outcome::ResumeDraft(self.path.clone()),
            Some(Action::Cancel) => Outcome::SkipDraft,
            _ => Outcome::Stay,
        }
    }

    /// The dialog's lines at time `now`.
    pub fn lines<'a>(&self, theme: &Theme, now: SystemTime) -> Vec<Line<'a>> {
        let when = self.saved.map_or_else(
            || "a draft for this database".to_owned(),
            |t| format!("a draft for this database, saved {}", saved_when(t, now)),
        );
        let (state, role) = match self.state {
            DraftState::Unknown => (
                "reading the live schema to see what of it is applied…".to_owned(),
                Role::Dim,
            ),
            DraftState::Applied => (
                "already applied: the database has everything in it".to_owned(),
                Role::Ok,
            ),
            DraftState::Pending(n) => (
                format!("not applied yet: {}", plural(n, "statement")),
                Role::Warning,
            ),
            DraftState::Unplannable => (
                "it has errors: it cannot be planned as it is".to_owned(),
                Role::Danger,
            ),
        };
        vec![
            Line::styled(
                format!("{when}, with {}", plural(self.tables, "table")),
                theme.style(Role::Text),
            ),
            Line::styled(state, theme.style(role)),
            Line::styled(
                "y / enter resumes it, n / esc starts without it",
                theme.style(Role::Dim),
            ),
        ]
    }

    pub fn draw(&self, frame: &mut Frame, theme: &Theme, area: Rect) {
        let lines = self.lines(theme, SystemTime::now());
        dialog(frame, theme, area, "Resume your draft?".into(), lines);
    }
}

/// `today at 08:12 UTC (5 minutes ago)`, `on 2026-11-28 at 17:03 UTC (2 days ago)`.
pub fn saved_when(saved: SystemTime, now: SystemTime) -> String {
    let secs = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    let (then, now) = (secs(saved), secs(now));
    let (date, time) = crate::tui::draft::utc_date_time(then);
    let (today, _) = crate::tui::draft::utc_date_time(now);
    let day = if date == today {
        "today".to_owned()
    } else {
        format!("on {date}")
    };
    let ago = now.saturating_sub(then);
    let ago = match ago {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} ago", plural((ago / 60) as usize, "minute")),
        3600..86_400 => format!("{} ago", plural((ago / 3600) as usize, "hour")),
        _ => format!("{} ago", plural((ago / 86_400) as usize, "day")),
    };
    format!("{day} at {time} UTC ({ago})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn the_time_it_was_saved_reads_as_a_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_796_027_562); // 2026-11-30 08:32:42
        assert_eq!(
            saved_when(now - Duration::from_secs(300), now),
            "today at 08:27 UTC (5 minutes ago)"
        );
        assert_eq!(
            saved_when(now - Duration::from_secs(2 * 86_400), now),
            "on 2026-11-28 at 08:32 UTC (2 days ago)"
        );
    }

    #[test]
    fn the_dialog_says_when_and_whether_it_is_applied() {
        let now = UNIX_EPOCH + Duration::from_secs(1_796_027_562);
        let mut offer = ResumeDraft {
            path: "/tmp/x/drafts/h_5432_db.json".into(),
            tables: 2,
            saved: Some(now - Duration::from_secs(120)),
            design: Box::default(),
            state: DraftState::Unknown,
        };
        let text = |o: &ResumeDraft| -> String {
            o.lines(&Theme::default(), now)
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let shown = text(&offer);
        assert!(
            shown.contains("saved today at 08:30 UTC (2 minutes ago), with 2 tables"),
            "{shown}"
        );
        assert!(!shown.contains("/tmp/"), "a time, not a path: {shown}");
        offer.state = DraftState::Applied;
        assert!(text(&offer).contains("already applied"), "{}", text(&offer));
        offer.state = DraftState::Pending(7);
        assert!(text(&offer).contains("not applied yet: 7 statements"));
    }
}
