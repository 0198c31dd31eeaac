//! Test support shared by the tests and benchmarks of both crates (feature `testing`, enabled
//! only by their dev-dependencies; never part of the program). Test code: it panics on failure.

pub mod engines;
pub mod report_pdf;

/// The accepting unit the tests set up: letters cannot be issued without one (rule C-3).
pub fn test_unit() -> crate::domain::commitment::AcceptingUnit {
    let body = "91440800190364217";
    crate::domain::commitment::AcceptingUnit {
        name: "广东电网有限责任公司湛江供电局".into(),
        uscc: format!(
            "{body}{}",
            crate::domain::id_codes::uscc_check_char(body).unwrap_or('0')
        ),
    }
}
