//! The one way a desk action writes: authorise it, read the clock once, run the write in one
//! transaction and append its audit row there (issue 16, point 4). A write states its audit row
//! by returning it, so no write can forget it.

use chrono::{NaiveDate, NaiveDateTime};

use super::auth::append_audit;
use super::{Desk, DeskError};
use crate::domain::operator::{Action, Operator};
use crate::store::Writer;

/// An authorised action and its moment: who acts, the real instant and the business date, both
/// taken from one reading of the clock.
pub(super) struct Act {
    action: Action,
    /// The signed-in operator the action was authorised for.
    pub me: Operator,
    /// The real instant (stored timestamps, the audit row).
    pub now: NaiveDateTime,
    /// The business date (rules, documents).
    pub today: NaiveDate,
}

/// The audit row a write appends: the subject it concerns and what was done. Its action text is
/// the authorised action's label.
pub(super) struct AuditLine {
    subject_id: Option<i64>,
    detail: String,
}

impl AuditLine {
    /// A row about `subject_id` (or about no subject), saying `detail`.
    pub fn new(subject_id: Option<i64>, detail: impl Into<String>) -> Self {
        Self {
            subject_id,
            detail: detail.into(),
        }
    }
}

/// Run `f` on the open transaction and append the audit row it returns.
fn run<T>(
    w: &Writer<'_>,
    act: &Act,
    f: impl FnOnce(&Writer<'_>, &Act) -> Result<(T, AuditLine), DeskError>,
) -> Result<T, DeskError> {
    let (out, line) = f(w, act)?;
    append_audit(
        w,
        Some(&act.me),
        act.now,
        act.action.label(),
        line.subject_id,
        line.detail,
    )?;
    Ok(out)
}

impl Desk {
    /// Authorise `action` for the signed-in operator and read the clock once. Checks of the
    /// input that need no transaction go between this and [`Desk::commit`], so that a refused
    /// input never waits for another window's import.
    pub(super) fn begin(&self, action: Action) -> Result<Act, DeskError> {
        let me = self.authorize(action)?;
        let now = self.clock.now();
        let today = self.clock.business_date().unwrap_or_else(|| now.date());
        Ok(Act {
            action,
            me,
            now,
            today,
        })
    }

    /// Run `f` in one transaction and append the audit row it returns, in that transaction.
    pub(super) fn commit<T>(
        &mut self,
        act: Act,
        f: impl FnOnce(&Writer<'_>, &Act) -> Result<(T, AuditLine), DeskError>,
    ) -> Result<T, DeskError> {
        self.store.write(|w| run(w, &act, f))
    }

    /// [`Desk::commit`] for a bulk import: the same transaction and audit row, written as
    /// [`crate::store::Store::write_bulk`] writes (no foreign-key checks, checkpoint behind).
    pub(super) fn commit_bulk<T>(
        &mut self,
        act: Act,
        f: impl FnOnce(&Writer<'_>, &Act) -> Result<(T, AuditLine), DeskError>,
    ) -> Result<T, DeskError> {
        self.store.write_bulk(|w| run(w, &act, f))
    }

    /// Authorise `action`, read the clock once, run `f` in one transaction and append its
    /// audit row: [`Desk::begin`] then [`Desk::commit`].
    pub(super) fn act<T>(
        &mut self,
        action: Action,
        f: impl FnOnce(&Writer<'_>, &Act) -> Result<(T, AuditLine), DeskError>,
    ) -> Result<T, DeskError> {
        let act = self.begin(action)?;
        self.commit(act, f)
    }
}
