//! What several test files of this binary share: a desk with an administrator (A1) and a clerk
//! (C1) at a fixed time, dates and valid codes.

use chrono::{NaiveDate, NaiveDateTime};
use xinyidian_core::desk::{Desk, FixedClock};
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::operator::{OperatorDraft, Role};
use xinyidian_core::store::Store;

/// The password of every operator made here.
pub const PW: &str = "counter-2026";

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn uscc(n: u32) -> String {
    let body = format!("91440800{n:09}");
    format!("{body}{}", uscc_check_char(&body).unwrap())
}

pub fn desk_at(store: Store, today: NaiveDate) -> Desk {
    let at = NaiveDateTime::new(today, chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    let mut desk = Desk::new(store, Box::new(FixedClock::At(at)));
    {
        desk.setup_admin(
            &OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员甲".into(),
                ..OperatorDraft::default()
            },
            PW,
        )
        .unwrap();
        desk.set_accepting_unit(&xinyidian_core::dev::test_unit())
            .unwrap();
        desk.add_operator(
            &OperatorDraft {
                staff_no: "C1".into(),
                name: "柜员乙".into(),
                role: Role::Clerk,
                ..OperatorDraft::default()
            },
            PW,
        )
        .unwrap();
    }
    desk
}
