//! The 待办 queue with 100,000 open 信易电 cases: the queue query (target < 50 ms) and one frame
//! of the queue view (target < 8 ms), measured headless through egui_kittest like
//! `benches/ui_frame.rs` (layout and tessellation, without the GPU upload).
//!
//! Run: `cargo bench --bench cases`

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use egui_kittest::Harness;
use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::case::{Case, CaseId, CaseStatus, QueueQuery, QueueTab};
use xinyidian::domain::commitment::{
    AcceptingUnit, Commitment, CommitmentId, CommitmentType, LIABILITY, Publicity, proof_deadline,
};
use xinyidian::domain::ids::uscc_check_char;
use xinyidian::domain::letter::LetterFields;
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian::domain::trust::Business;
use xinyidian::store::Store;
use xinyidian::ui::queue::QueuePage;

const CASES: usize = 100_000;
const SUBJECTS: usize = 500;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.sqlite3");
    let clock = || Box::new(FixedClock::At(today().and_hms_opt(9, 0, 0).unwrap()));
    let mut subjects = Vec::new();
    {
        let mut d = Desk::new(Store::open(&path).unwrap(), clock());
        d.setup_admin(
            &OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员".into(),
                ..OperatorDraft::default()
            },
            "bench-password",
        )
        .unwrap();
        for n in 0..SUBJECTS {
            let body = format!("91440800{n:09}");
            subjects.push(
                d.create_subject(&SubjectDraft {
                    kind: SubjectKind::Organization,
                    name: format!("湛江市第{n}号钢构有限公司"),
                    code: format!("{body}{}", uscc_check_char(&body).unwrap()),
                    phone: format!("0759-23{n:05}"),
                    ..SubjectDraft::default()
                })
                .unwrap(),
            );
        }
    }
    // The fast path: every commitment and case through the store in one transaction.
    let started = Instant::now();
    {
        let mut store = Store::open(&path).unwrap();
        let now = today().and_hms_opt(9, 0, 0).unwrap();
        store
            .write(|w| {
                let mut commitments: Vec<(SubjectId, CommitmentId, String)> = Vec::new();
                for (i, s) in subjects.iter().enumerate() {
                    let code = format!("44080020250101{:06}", i + 1);
                    let c = Commitment {
                        id: CommitmentId(0),
                        subject_id: *s,
                        code: code.clone(),
                        committer_name: format!("湛江市第{i}号钢构有限公司"),
                        committer_kind: SubjectKind::Organization,
                        committer_code: String::new(),
                        commitment_type: CommitmentType::ProofSubstitute,
                        business: Business::NewConnection,
                        reason: String::new(),
                        content: String::new(),
                        liability: LIABILITY.into(),
                        made_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                        valid_until: None,
                        fulfilment: None,
                        unfulfilled: None,
                        liability_pursued: None,
                        fulfilment_decided_on: None,
                        accepting_unit: AcceptingUnit::default(),
                        deciding_unit: None,
                        publicity: Publicity::Public,
                        letter: LetterFields::default(),
                        signed_file: None,
                        signed_on: None,
                        issued_by: "A1".into(),
                    };
                    let id = w.insert_commitment(&c, i as u32 + 1, None, now)?;
                    commitments.push((*s, id, code));
                }
                let halls = [
                    "霞山营业厅",
                    "赤坎营业厅",
                    "坡头营业厅",
                    "麻章营业厅",
                    "开发区营业厅",
                ];
                let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
                for i in 0..CASES {
                    let (s, cid, code) = &commitments[i % SUBJECTS];
                    let connected = base
                        .checked_add_days(Days::new((i * 7919 % 500) as u64))
                        .unwrap();
                    let accepted = i % 10 == 0;
                    let case = Case {
                        id: CaseId(0),
                        subject_id: *s,
                        commitment_id: *cid,
                        commitment_code: code.clone(),
                        verdict_id: None,
                        business: Business::NewConnection,
                        account_no: format!("03{i:08}"),
                        usage_address: format!("湛江经济技术开发区钢铁产业园区 {i} 号"),
                        park_id: Some((i % 3) as i64 + 1),
                        park: String::new(),
                        applied_on: base,
                        opened_by: format!("C{}", i % 20),
                        hall: halls[i % halls.len()].into(),
                        status: if accepted {
                            CaseStatus::Accepted
                        } else {
                            CaseStatus::Connected
                        },
                        connected_on: (!accepted).then_some(connected),
                        deadline: if accepted {
                            None
                        } else {
                            proof_deadline(connected)
                        },
                        extensions: vec![],
                        proof: None,
                        decision: None,
                        withdrawal: None,
                    };
                    w.insert_case(&case, now)?;
                }
                Ok::<_, xinyidian::store::StoreError>(())
            })
            .unwrap();
    }
    println!(
        "写入 {CASES} 件在办案件：{:.1} 秒",
        started.elapsed().as_secs_f64()
    );

    let desk = Desk::new(Store::open(&path).unwrap(), clock());
    let mut all_rows = Vec::new();
    for (tab, name) in [
        (QueueTab::DueWithin(30), "30 天内到期"),
        (QueueTab::DueWithin(90), "90 天内到期"),
        (QueueTab::Overdue, "逾期"),
        (QueueTab::AwaitingDecision, "待认定"),
        (QueueTab::AllOpen, "全部在办"),
    ] {
        let mut q = QueueQuery::new(tab, today());
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..21 {
            let t = Instant::now();
            let rows = desk.case_queue(&q).unwrap();
            times.push(t.elapsed());
            n = rows.len();
            if tab == QueueTab::AllOpen {
                all_rows = rows;
            }
        }
        println!(
            "待办查询“{name}”（{n} 件）：中位数 {:.2} 毫秒",
            ms(median(times))
        );
        // The same tab filtered by hall and sorted by subject name.
        q.hall = Some("霞山营业厅".into());
        q.sort = xinyidian::domain::case::QueueSort::Subject;
        let mut times = Vec::new();
        for _ in 0..21 {
            let t = Instant::now();
            n = desk.case_queue(&q).unwrap().len();
            times.push(t.elapsed());
        }
        println!(
            "　按营业厅筛选、按主体排序（{n} 件）：中位数 {:.2} 毫秒",
            ms(median(times))
        );
    }
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let _ = desk.case_counts().unwrap();
        times.push(t.elapsed());
    }
    println!(
        "导航计数（各标签数量）：中位数 {:.2} 毫秒",
        ms(median(times))
    );

    // One frame of the queue view holding all 100,000 open cases, scrolling every frame.
    let counts = desk.case_counts().unwrap();
    let page = QueuePage::with_rows(all_rows, counts, today());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(
            |ui, (p, d): &mut (QueuePage, Desk)| {
                p.ui(ui, d);
            },
            (page, desk),
        );
    for _ in 0..10 {
        h.step();
    }
    h.hover_at(egui::pos2(600.0, 500.0));
    let mut times = Vec::new();
    for _ in 0..300 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -120.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "待办表 {CASES} 行，每帧耗时：中位数 {:.2} 毫秒，p95 {:.2} 毫秒，最大 {:.2} 毫秒",
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(pct(1.0))
    );
}
