//! 信易电柜台 (xinyidian): the counter application of 湛江供电局's service halls for credit-based
//! electricity service (信易电, 守信用电主体, 失信记录).
//!
//! Layers, from the inside out: [`domain`] (pure rules), [`store`] (SQLite), [`desk`] (one
//! function per counter action), [`ui`] (egui panels). The binary's CLI and window both call
//! `desk`.

pub mod desk;
pub mod documents;
pub mod domain;
pub mod store;
pub mod ui;

pub mod assets;
