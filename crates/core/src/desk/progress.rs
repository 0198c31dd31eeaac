//! Progress and cancellation for long actions (imports, demo data, re-checks, exports). The window
//! shows a progress bar with a 取消 button; the CLI prints progress on the terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The action was cancelled by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Shared progress of one long action: the worker reports, the UI or terminal reads, either side
/// may cancel. Cheap to clone.
#[derive(Clone, Default)]
pub struct Progress {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record how far the work is. Returns `Err(Cancelled)` once cancellation was asked for, so
    /// workers can stop with `?` at their next step.
    pub fn set(&self, done: u64, total: u64) -> Result<(), Cancelled> {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// (done, total).
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Fraction in 0..=1 for a progress bar.
    pub fn fraction(&self) -> f32 {
        let (done, total) = self.get();
        if total == 0 {
            0.0
        } else {
            (done as f64 / total as f64).clamp(0.0, 1.0) as f32
        }
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_seen_by_the_worker() {
        let p = Progress::new();
        let ui = p.clone();
        assert!(p.set(1, 4).is_ok());
        assert_eq!(ui.fraction(), 0.25);
        ui.cancel();
        assert_eq!(p.set(2, 4), Err(Cancelled));
        assert_eq!(ui.get(), (2, 4));
    }
}
