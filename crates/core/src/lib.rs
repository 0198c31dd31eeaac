//! The core of 信易电柜台 (xinyidian): everything but the window and the command line.
//!
//! Layers, from the inside out: [`domain`] (pure rules and types, every id among them), [`store`]
//! (the embedded SQLite file or a shared PostgreSQL server, the only place with SQL), [`desk`] (one function per counter action, the lowest
//! layer that reads the clock); [`documents`] reads and writes the files (record imports, credit
//! reports, letters, lists). The program's window and command line call `desk` only. No window
//! code is linked here, so the core's tests build without egui.

pub mod desk;
pub mod documents;
pub mod domain;
pub mod store;

pub mod assets;

#[cfg(feature = "testing")]
pub mod dev;
