//! 信易电柜台 (xinyidian): the counter application of 湛江供电局's service halls for credit-based
//! electricity service (信易电, 守信用电主体, 失信记录).
//!
//! Layers, from the inside out: [`domain`] (pure rules), the store (SQLite, inside
//! `xinyidian_core`), [`desk`] (one function per counter action), [`ui`] (egui panels). The
//! binary's CLI and window both call `desk`. `domain`, `documents` and `desk` live in the core
//! crate (`crates/core`) and are re-exported here, so the window and CLI name them as before;
//! the store is not: nothing here reaches past the desk.

pub use xinyidian_core::{desk, documents, domain};

pub mod print;
pub mod ui;
