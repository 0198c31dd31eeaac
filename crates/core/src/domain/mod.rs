//! Pure types and rules: identifiers, subjects, records, verdicts. Nothing here touches the
//! database, the window, files or the clock; every rule that depends on the date takes `today`.

pub mod audit;
pub mod calendar;
pub mod case;
pub mod commitment;
pub mod credit;
pub mod dishonesty;
pub mod id_codes;
pub mod installation;
pub mod letter;
pub mod operator;
pub mod park;
pub mod platform;
pub mod record_draft;
pub mod records;
pub mod report;
pub mod stats;
pub mod subject;
pub mod text;
pub mod trust;
