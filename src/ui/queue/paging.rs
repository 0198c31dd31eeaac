//! Paging of the 待办 table (issue 8): the page holds a window of [`WINDOW`] rows around what
//! is on screen, and a prefetch thread with its own connection reads the next window before
//! the table scrolls out of the current one.

use std::sync::mpsc;

use super::{MARGIN, QueuePage, WINDOW};
use crate::desk::{Desk, DeskError};
use crate::domain::case::{QueueQuery, QueueRow};

/// A window asked for: (generation, query, first row).
pub(super) type WindowRequest = (u64, QueueQuery, usize);

/// A window read: (generation, first row, rows).
pub(super) type WindowReply = (u64, usize, Result<Vec<QueueRow>, DeskError>);

/// A thread with its own connection that reads the next window while the table scrolls, so
/// that wheel scrolling rarely waits for the database. It ends with the page (its channel
/// closes).
pub(super) struct Prefetcher {
    pub(super) requests: mpsc::Sender<WindowRequest>,
    pub(super) replies: mpsc::Receiver<WindowReply>,
    pub(super) pending: bool,
}

impl Prefetcher {
    /// `None` for a database without a second connection (tests): windows are read in place.
    pub(super) fn start(desk: &Desk) -> Option<Self> {
        let worker = desk.worker_desk().ok()??;
        let (requests, inbox) = mpsc::channel::<WindowRequest>();
        let (outbox, replies) = mpsc::channel();
        std::thread::Builder::new()
            .name("xinyidian-queue".into())
            .spawn(move || {
                while let Ok(mut req) = inbox.recv() {
                    // Only the latest request matters.
                    while let Ok(newer) = inbox.try_recv() {
                        req = newer;
                    }
                    let (generation, q, start) = req;
                    let rows = worker.case_queue_window(&q, start as u64, WINDOW as u64);
                    if outbox.send((generation, start, rows)).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Self {
            requests,
            replies,
            pending: false,
        })
    }
}

impl QueuePage {
    /// Fetch the window holding row `i` (half of it before `i`, so that scrolling either way
    /// stays inside it for a while). Returns false, with the error shown, when it failed.
    pub(super) fn fetch_around(&mut self, desk: &Desk, i: usize) -> bool {
        let start = i.saturating_sub(WINDOW / 2);
        match desk.case_queue_window(&self.query(), start as u64, WINDOW as u64) {
            Ok(rows) => {
                self.start = start;
                self.rows = rows;
                true
            }
            Err(e) => {
                self.error = Some(e.to_string());
                false
            }
        }
    }

    /// Take a window read ahead, when it is of the current rows and holds what is on screen;
    /// ask for one when the screen nears an edge of the window or left it (a jump: the rows
    /// show as “…” for the frame or two the read takes, the frame itself never waits).
    pub(super) fn prefetch_ui(&mut self, ui: &egui::Ui) {
        let q = self.query();
        let Some(p) = &mut self.prefetch else {
            return;
        };
        while let Ok((generation, start, rows)) = p.replies.try_recv() {
            p.pending = false;
            let (lo, hi) = self.visible;
            if let Ok(rows) = rows
                && generation == self.generation
                && start <= lo
                && hi < start + rows.len()
            {
                self.start = start;
                self.rows = rows;
            }
        }
        let (lo, hi) = self.visible;
        let end = self.start + self.rows.len();
        let near_end = hi + MARGIN >= end && end < self.total;
        let near_start = lo < self.start + MARGIN && self.start > 0;
        let missing = lo < self.start || hi >= end;
        if missing || ((near_end || near_start) && !p.pending) {
            let start = ((lo + hi) / 2).saturating_sub(WINDOW / 2);
            p.pending = p.requests.send((self.generation, q, start)).is_ok();
        }
        if p.pending {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(30));
        }
    }
}
