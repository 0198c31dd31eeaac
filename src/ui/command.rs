//! What a panel asks of the window.
//!
//! Every page and panel's `ui` returns `Option<Command>`, and the window carries it out in one
//! place ([`super::CounterApp`]'s `run`), so a panel never reaches into another panel's state
//! and there is one vocabulary for "what happens next" (as egui_demo_app's `Command` and rerun's
//! `SystemCommand`). What a panel does to its own state (a form saved, a tab switched) stays
//! inside the panel; only what crosses panels is a command.

use super::Notice;
use crate::desk::ReportId;
use crate::domain::subject::SubjectId;

/// A request from a panel to the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Show a message on the status line.
    Notice(Notice),
    /// Open a subject's page.
    OpenSubject(SubjectId),
    /// Open one credit report's page.
    OpenReport(ReportId),
    /// Back to the search results, with the cursor in the search box.
    BackToResults,
    /// An operator signed in (first-run setup or the sign-in form).
    SignedIn,
    /// The locked window was unlocked by the operator who locked it.
    Unlocked,
    /// The window goes back to sign-in: the operator signed out, another operator takes the
    /// window, or the account got locked while unlocking.
    SignedOut,
}

impl Command {
    /// A message for the status line.
    pub fn info(text: impl Into<String>) -> Self {
        Command::Notice(Notice::info(text))
    }

    /// A file was written: the status line says so and offers to open it and its folder.
    pub fn saved(text: impl Into<String>, path: std::path::PathBuf) -> Self {
        Command::Notice(Notice::saved(text, path))
    }

    /// An error message for the status line.
    pub fn error(text: impl Into<String>) -> Self {
        Command::Notice(Notice::error(text))
    }
}

impl From<Notice> for Command {
    fn from(n: Notice) -> Self {
        Command::Notice(n)
    }
}
