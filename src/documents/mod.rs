//! Documents that come in and go out: the applicant's credit report (PDF), the commitment letter
//! (PDF), and record files from the marketing system (CSV/XLSX). No SQL and no window here.

pub mod cases_xlsx;
pub mod credit_report;
pub mod import;
pub mod letter_pdf;
pub mod trusted_xlsx;
pub mod xlsx_table;
