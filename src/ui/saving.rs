//! Saving while another window holds the database (issue 14, point 9).
//!
//! SQLite lets one transaction write at a time. A long import in another window (or in this
//! window's 导入 page, which runs on its own connection) holds the write lock until it commits.
//! If a save on the window's thread simply waited for it, the window would freeze with no message
//! for as long as the import runs. Instead the window's desk waits only [`UI_LOCK_WAIT`] for the
//! lock; a save that finds it held comes back busy with nothing written, and [`save`] shows beside
//! the button that it is waiting, then tries again on later frames until it goes through (or the
//! clerk cancels it).

use std::time::{Duration, Instant};

use egui::RichText;

use crate::desk::DeskError;

/// How long one try of a save on the window's thread waits for the write lock: short enough that
/// the window keeps drawing while it waits.
pub const UI_LOCK_WAIT: Duration = Duration::from_millis(40);

/// How often a waiting save is tried again.
pub const RETRY_EVERY: Duration = Duration::from_millis(300);

/// A save that is waiting for the database, kept in egui's memory under the button's id.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    since: Instant,
    last_try: Instant,
    /// The frame that last drew this save; a wait not drawn on the previous frame belongs to a
    /// page the clerk has left and is dropped rather than saved behind their back.
    frame: u64,
}

/// Run the write `f` when `asked` (the button was clicked, Enter was pressed), and again on later
/// frames while an earlier try found the database held by another window's transaction.
///
/// Returns the write's result once it ran to an answer; `None` when nothing was asked, or while
/// the save is waiting (a line beside the button says so, with 取消保存). Call it on every frame
/// the button is drawn, right after the button, with a `salt` unique within the panel.
pub fn save<T>(
    ui: &mut egui::Ui,
    salt: &str,
    asked: bool,
    f: impl FnOnce() -> Result<T, DeskError>,
) -> Option<Result<T, DeskError>> {
    let id = ui.make_persistent_id(("xinyidian-save", salt));
    let ctx = ui.ctx().clone();
    let frame = ctx.cumulative_frame_nr();
    let waiting = ctx
        .data(|d| d.get_temp::<Waiting>(id))
        .filter(|w| w.frame + 1 >= frame);
    if let Some(w) = waiting {
        let mut cancelled = false;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    "数据库正被其他窗口的导入占用，已等待 {} 秒：导入完成后自动保存，填写的内容不会丢失",
                    w.since.elapsed().as_secs()
                ))
                .color(egui::Color32::from_rgb(160, 100, 0)),
            );
            cancelled = ui.small_button("取消保存").clicked();
        });
        if cancelled {
            ctx.data_mut(|d| d.remove::<Waiting>(id));
            return None;
        }
    }
    let due = asked || waiting.is_some_and(|w| w.last_try.elapsed() >= RETRY_EVERY);
    if !due {
        if let Some(w) = waiting {
            ctx.data_mut(|d| d.insert_temp(id, Waiting { frame, ..w }));
            ctx.request_repaint_after(RETRY_EVERY);
        } else {
            ctx.data_mut(|d| d.remove::<Waiting>(id));
        }
        return None;
    }
    match f() {
        Err(e) if e.is_busy() => {
            let now = Instant::now();
            let since = waiting.map_or(now, |w| w.since);
            ctx.data_mut(|d| {
                d.insert_temp(
                    id,
                    Waiting {
                        since,
                        last_try: now,
                        frame,
                    },
                )
            });
            if waiting.is_none() {
                // Show at once that the save is waiting.
                ctx.request_repaint();
            } else {
                ctx.request_repaint_after(RETRY_EVERY);
            }
            None
        }
        result => {
            ctx.data_mut(|d| d.remove::<Waiting>(id));
            if waiting.is_some() {
                // No input caused this frame: draw what the save changed.
                ctx.request_repaint();
            }
            Some(result)
        }
    }
}

/// Whether a save of this panel is waiting for the database (its button should not start a
/// second one).
pub fn is_waiting(ui: &egui::Ui, salt: &str) -> bool {
    let id = ui.make_persistent_id(("xinyidian-save", salt));
    let frame = ui.ctx().cumulative_frame_nr();
    ui.ctx()
        .data(|d| d.get_temp::<Waiting>(id))
        .is_some_and(|w| w.frame + 1 >= frame)
}

/// A save whose input exists only on the frame of the click (a button in a table row): the
/// input is kept here while the save waits for the database, and dropped once it ran or the
/// clerk cancelled the wait.
pub struct Queued<T>(Option<T>);

impl<T> Default for Queued<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Queued<T> {
    /// As [`save`]: `asked` is this frame's click with its input. Gives the input back with
    /// the result once the save ran.
    pub fn run<R>(
        &mut self,
        ui: &mut egui::Ui,
        salt: &str,
        asked: Option<T>,
        f: impl FnOnce(&T) -> Result<R, DeskError>,
    ) -> Option<(T, Result<R, DeskError>)> {
        let fresh = asked.is_some();
        if asked.is_some() {
            self.0 = asked;
        }
        let item = self.0.as_ref()?;
        match save(ui, salt, fresh, || f(item)) {
            Some(result) => self.0.take().map(|item| (item, result)),
            None => {
                if !is_waiting(ui, salt) {
                    self.0 = None;
                }
                None
            }
        }
    }

    /// Whether an input is kept (its save is waiting for the database).
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

/// As [`save`] for a write whose input is parsed from what was typed: a parse error is the
/// answer when asked, and nothing while the save waits and the clerk's edit does not parse.
pub fn save_parsed<V, T>(
    ui: &mut egui::Ui,
    salt: &str,
    asked: bool,
    parsed: Result<V, DeskError>,
    f: impl FnOnce(V) -> Result<T, DeskError>,
) -> Option<Result<T, DeskError>> {
    match parsed {
        Ok(v) => save(ui, salt, asked, || f(v)),
        Err(e) => asked.then_some(Err(e)),
    }
}
