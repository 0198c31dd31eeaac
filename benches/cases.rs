//! The 待办 queue with 100,000 open 信易电 cases: the queue query (target < 50 ms) and one frame
//! of the queue view (target < 8 ms), measured headless through egui_kittest like
//! `benches/ui_frame.rs` (layout and tessellation, without the GPU upload).
//!
//! The page holds the tab's count and a window of rows around the visible ones, so every
//! query is "count + one window" and every frame draws the visible rows only.
//!
//! Run: `cargo bench --bench cases` (release), or on a slow machine
//! `CARGO_PROFILE_DEV_OPT_LEVEL=2 cargo bench --profile dev --bench cases`.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use egui_kittest::Harness;
use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::case::{Case, CaseId, CaseStatus, QueueQuery, QueueSort, QueueTab};
use xinyidian::domain::commitment::{
    AcceptingUnit, Commitment, CommitmentId, CommitmentType, LIABILITY, Publicity, proof_deadline,
};
use xinyidian::domain::id_codes::uscc_check_char;
use xinyidian::domain::letter::LetterFields;
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian::domain::trust::Business;
use xinyidian::ui::queue::{QueuePage, WINDOW};
use xinyidian_core::store::Store;

const CASES: usize = 100_000;
const SUBJECTS: usize = 500;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // XYD_BENCH_DB=path keeps the database (to look at query plans); else a temporary one.
    let path = match std::env::var_os("XYD_BENCH_DB") {
        Some(p) => {
            let p = std::path::PathBuf::from(p);
            let _ = std::fs::remove_file(&p);
            p
        }
        None => dir.path().join("cases.sqlite3"),
    };
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
                Ok::<_, xinyidian_core::store::StoreError>(())
            })
            .unwrap();
    }
    println!(
        "写入 {CASES} 件在办案件：{:.1} 秒",
        started.elapsed().as_secs_f64()
    );

    let desk = Desk::new(Store::open(&path).unwrap(), clock());
    // What the window does when a tab opens: the index-only count plus the first window.
    let first_page = |q: &QueueQuery| -> (u64, usize) {
        let total = desk.case_queue_count(q).unwrap();
        let rows = desk.case_queue_window(q, 0, WINDOW as u64).unwrap();
        (total, rows.len())
    };
    for (tab, name) in [
        (QueueTab::DueWithin(30), "30 天内到期"),
        (QueueTab::DueWithin(60), "60 天内到期"),
        (QueueTab::DueWithin(90), "90 天内到期"),
        (QueueTab::Overdue, "逾期"),
        (QueueTab::AwaitingDecision, "待认定"),
        (QueueTab::AwaitingConnection, "待接电"),
        (QueueTab::AllOpen, "全部在办"),
    ] {
        let mut q = QueueQuery::new(tab, today());
        let (total, n) = first_page(&q);
        let t = time(21, || {
            first_page(&q);
        });
        println!("待办首页“{name}”（共 {total} 件，取 {n} 行）：{t}");
        // The same tab filtered by hall and sorted by subject name.
        q.hall = Some("霞山营业厅".into());
        q.sort = QueueSort::Subject;
        let (total, _) = first_page(&q);
        let t = time(21, || {
            first_page(&q);
        });
        println!("　按营业厅筛选、按主体排序（共 {total} 件）：{t}");
    }
    // Every sort order, both directions, on the largest tab: the first and the last window.
    let all = QueueQuery::new(QueueTab::AllOpen, today());
    let total = desk.case_queue_count(&all).unwrap();
    let last = total.saturating_sub(WINDOW as u64);
    for sort in [
        QueueSort::Deadline,
        QueueSort::Subject,
        QueueSort::Applied,
        QueueSort::Hall,
        QueueSort::Clerk,
    ] {
        for descending in [false, true] {
            let q = QueueQuery {
                sort,
                descending,
                ..all.clone()
            };
            let first = time(11, || {
                first_page(&q);
            });
            let deep = time(11, || {
                desk.case_queue_window(&q, last, WINDOW as u64).unwrap();
            });
            println!(
                "全部在办按 {sort:?}{}排序：首页 {first}；末页（偏移 {last}）{deep}",
                if descending { "倒序" } else { "" }
            );
        }
    }
    let t = time(21, || {
        let _ = desk.case_counts().unwrap();
    });
    println!("导航计数（各标签数量）：{t}");

    // Frames of the queue view on 全部在办 (100,000 rows): the page as the window opens it.
    let mut page = QueuePage::load(&desk);
    // The bench signs in as nobody: open the largest tab by hand.
    page.show_tab(QueueTab::AllOpen, &desk);
    assert_eq!(page.total() as u64, total);
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
    // 1. Scrolling with the wheel, 120 points a frame (window refetches included).
    let mut times = Vec::new();
    for _ in 0..600 {
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
    println!("待办表 {total} 行，滚轮滚动每帧：{}", Stats::of(times));
    // 2. Through all 100,000 rows, 250 rows a frame (like dragging the scroll bar): most
    //    frames leave the window; the next one is read on the prefetch thread (rows show "…"
    //    meanwhile), so the frame does not wait for it.
    let mut times = Vec::new();
    let mut at = 0usize;
    while at < total as usize {
        h.state_mut().0.scroll_to_row(at);
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
        at += 250;
    }
    // The scroll is animated and windows are read on the prefetch thread: let both settle.
    for _ in 0..400 {
        h.step();
        if h.state().0.row(total as usize - 250).is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let shown_last = h.state().0.row(total as usize - 250).map(|r| r.case_id);
    assert!(shown_last.is_some(), "the window follows the scroll");
    println!(
        "待办表 {total} 行，每帧跳 250 行滚到底（{} 帧）：{}",
        times.len(),
        Stats::of(times)
    );
}

/// Median, p95 and maximum of some timings.
struct Stats {
    median: Duration,
    p95: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut v: Vec<Duration>) -> Self {
        v.sort();
        let pct = |p: f64| v[((v.len() as f64 - 1.0) * p) as usize];
        Self {
            median: pct(0.5),
            p95: pct(0.95),
            max: pct(1.0),
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "中位数 {:.2} 毫秒，p95 {:.2} 毫秒，最大 {:.2} 毫秒",
            ms(self.median),
            ms(self.p95),
            ms(self.max)
        )
    }
}

/// Run `f` `n` times.
fn time(n: usize, mut f: impl FnMut()) -> Stats {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    }
    Stats::of(v)
}
