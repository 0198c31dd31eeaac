//! Catching a dependency's panic without its message reaching the user.
//!
//! pdf-extract panics on some malformed content streams; [`catch_quietly`] catches the panic as
//! `catch_unwind` does, and while it runs on a thread, the process-wide panic hook stays silent
//! on that thread. The hook is installed once, the first time, and hands every other panic (any
//! thread, or this one outside a quiet region) to the hook that was there before, so the
//! program's own panic reporting and the test harness are unchanged.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// How many quiet regions are open on this thread (they nest).
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Closes a quiet region even when the closure unwinds.
struct Region;

impl Region {
    fn open() -> Self {
        QUIET.with(|q| q.set(q.get().saturating_add(1)));
        Region
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    }
}

/// Run `f`, catching a panic (`Err` then) without printing its message.
pub(crate) fn catch_quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    install_hook();
    let _region = Region::open();
    catch_unwind(AssertUnwindSafe(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_an_error_and_the_region_closes() {
        let r: std::thread::Result<()> = catch_quietly(|| panic!("from a dependency"));
        assert!(r.is_err());
        assert_eq!(QUIET.with(Cell::get), 0);
        assert_eq!(catch_quietly(|| 7).ok(), Some(7));
        let nested = catch_quietly(|| {
            assert_eq!(QUIET.with(Cell::get), 1);
            catch_quietly(|| panic!("inner")).is_err()
        });
        assert_eq!(nested.ok(), Some(true));
        assert_eq!(QUIET.with(Cell::get), 0);
    }
}
