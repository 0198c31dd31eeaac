//! 50 counters on one PostgreSQL store (issue 17, performance): each counter is a thread with its
//! own connection, signed in as its own operator, running a mixed workload for a while: exact
//! look-ups by code, name-fragment look-ups, trust checks, letters (承诺编码), and case steps
//! (受理, 接电). Afterwards: errors, p50/p95 per action, the codes unique and gap-free, the audit
//! chain verified.
//!
//! Run: `XINYIDIAN_BENCH_PG=postgres://postgres@localhost:5433/postgres cargo bench --bench
//! shared_store` (`XYD_COUNTERS`, `XYD_SECONDS`, `XYD_THINK_MS` change the defaults 50, 60,
//! 1000: the pause of a counter between two actions; a clerk at a window takes far longer).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use xinyidian_core::desk::{Desk, OpenMode, OpenOptions, SystemClock};
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::letter::Relation;
use xinyidian_core::domain::operator::{OperatorDraft, Role};
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::Business;
use xinyidian_core::store::Store;

const PW: &str = "bench-password-2026";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn uscc(n: u32) -> String {
    let body = format!("91440800{n:09}");
    format!("{body}{}", uscc_check_char(&body).expect("check char"))
}

fn main() {
    let Ok(base) = std::env::var("XINYIDIAN_BENCH_PG") else {
        eprintln!(
            "跳过：请设置 XINYIDIAN_BENCH_PG=postgres://用户@服务器/数据库（会新建数据库 xyd_bench）"
        );
        return;
    };
    let counters = env_num("XYD_COUNTERS", 50) as usize;
    let seconds = env_num("XYD_SECONDS", 60);
    let think = Duration::from_millis(env_num("XYD_THINK_MS", 1000));
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("server");
    admin
        .batch_execute("DROP DATABASE IF EXISTS xyd_bench")
        .expect("drop");
    admin
        .batch_execute("CREATE DATABASE xyd_bench ENCODING 'UTF8' TEMPLATE template0")
        .expect("create");
    let (head, _) = base.rsplit_once('/').expect("database in the address");
    let url = format!("{head}/xyd_bench");
    let keys = tempfile::tempdir().expect("key folder");
    let opts = OpenOptions {
        key_dir: Some(keys.path().to_path_buf()),
        ..OpenOptions::new(OpenMode::Create)
    };
    let loc = std::path::PathBuf::from(&url);
    // Setup: an administrator, one clerk per counter, 20 companies per counter.
    let mut d = Desk::new(
        Store::open_with(&loc, &opts).expect("open"),
        Box::new(SystemClock),
    );
    d.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .expect("admin");
    d.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .expect("accepting unit");
    let per = 60u32;
    let mut subjects: Vec<Vec<(SubjectId, String, String)>> = Vec::new();
    for c in 0..counters as u32 {
        d.add_operator(
            &OperatorDraft {
                staff_no: format!("C{c:02}"),
                name: format!("柜员{c:02}"),
                role: Role::Supervisor,
                hall: "霞山营业厅".into(),
                window: format!("{c} 号窗口"),
            },
            PW,
        )
        .expect("clerk");
        let mut mine = Vec::new();
        for k in 0..per {
            let n = c * 1000 + k + 1;
            let code = uscc(n);
            let id = d
                .create_subject(&SubjectDraft {
                    kind: SubjectKind::Organization,
                    name: format!("湛江市第{n}钢构有限公司"),
                    code: code.clone(),
                    legal_rep_name: "陈海明".into(),
                    ..SubjectDraft::default()
                })
                .expect("subject");
            let account = format!("03{n:08}");
            d.add_account(
                id,
                &AccountDraft {
                    account_no: account.clone(),
                    usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
                    supply_start: "2020-01-01".into(),
                },
            )
            .expect("account");
            mine.push((id, code, account));
        }
        subjects.push(mine);
    }
    drop(d);
    eprintln!(
        "已准备 {counters} 个柜台，每个 {per} 个主体；运行 {seconds} 秒，每次操作后停 {think:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    type Times = BTreeMap<&'static str, Vec<Duration>>;
    let results: Vec<(Times, Vec<String>, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = subjects
            .iter()
            .enumerate()
            .map(|(c, mine)| {
                let (loc, opts) = (&loc, &opts);
                s.spawn(move || {
                    let mut times: Times = BTreeMap::new();
                    let mut errors = Vec::new();
                    let mut codes = Vec::new();
                    let mut d = Desk::new(
                        Store::open_with(loc, opts).expect("open"),
                        Box::new(SystemClock),
                    );
                    d.sign_in(&format!("C{c:02}"), PW).expect("sign in");
                    let mut timed =
                        |name: &'static str,
                         errors: &mut Vec<String>,
                         f: &mut dyn FnMut() -> Result<(), String>| {
                            let t = Instant::now();
                            let r = f();
                            times.entry(name).or_default().push(t.elapsed());
                            if let Err(e) = r {
                                errors.push(format!("{name}: {e}"));
                            }
                            std::thread::sleep(think);
                        };
                    let mut i = 0usize;
                    while Instant::now() < deadline {
                        let (id, code, account) = &mine[i % mine.len()];
                        i += 1;
                        timed("查询（代码）", &mut errors, &mut || {
                            d.lookup(code, 20).map(|_| ()).map_err(|e| e.to_string())
                        });
                        timed("查询（名称片段）", &mut errors, &mut || {
                            d.lookup("钢构", 20).map(|_| ()).map_err(|e| e.to_string())
                        });
                        timed("信用核查", &mut errors, &mut || {
                            d.run_check(*id, Some(Business::NewConnection), Some(account))
                                .map(|_| ())
                                .map_err(|e| e.to_string())
                        });
                        let mut commitment = None;
                        timed("出具承诺书", &mut errors, &mut || {
                            let mut f = d.letter_fields_for(*id).map_err(|e| e.to_string())?;
                            f.relation = Some(Relation::Tenant);
                            f.legal_rep_id_number = "11010519491231002X".into();
                            let c = d
                                .issue_letter(*id, Business::NewConnection, &f)
                                .map_err(|e| e.to_string())?
                                .commitment;
                            codes.push(c.code.clone());
                            commitment = Some(c.id);
                            Ok(())
                        });
                        let Some(cid) = commitment else { continue };
                        let mut case = None;
                        timed("受理案件", &mut errors, &mut || {
                            case = Some(
                                d.open_case(cid, Some(account))
                                    .map_err(|e| e.to_string())?
                                    .id,
                            );
                            Ok(())
                        });
                        if let Some(case) = case {
                            timed("接电", &mut errors, &mut || {
                                let today = chrono::Local::now().date_naive();
                                d.connect_case(case, today)
                                    .map(|_| ())
                                    .map_err(|e| e.to_string())
                            });
                        }
                    }
                    (times, errors, codes)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("counter"))
            .collect()
    });
    let mut all: Times = BTreeMap::new();
    let mut errors = Vec::new();
    let mut codes = Vec::new();
    for (t, e, c) in results {
        for (k, v) in t {
            all.entry(k).or_default().extend(v);
        }
        errors.extend(e);
        codes.extend(c);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut total = 0;
    for (name, mut v) in all {
        v.sort();
        total += v.len();
        let p = |q: f64| ms(v[((v.len() - 1) as f64 * q) as usize]);
        println!(
            "{name}\t{} 次\t中位 {:.2} ms\tp95 {:.2} ms\t最长 {:.2} ms",
            v.len(),
            p(0.5),
            p(0.95),
            p(1.0)
        );
    }
    codes.sort();
    // A second letter for the same subject and business is a reprint with the same code
    // (rule C-4): count each code once.
    let issued = codes.len();
    codes.dedup();
    let serials: Vec<u32> = codes
        .iter()
        .map(|c| c[c.len() - 6..].parse().expect("serial"))
        .collect();
    let gap_free = serials
        .iter()
        .enumerate()
        .all(|(i, s)| *s as usize == i + 1);
    let unique = codes.len() == serials.len();
    let mut d = Desk::new(
        Store::open_with(&loc, &opts).expect("open"),
        Box::new(SystemClock),
    );
    d.sign_in("A1", PW).expect("admin");
    let v = d.verify_audit().expect("verify");
    println!(
        "共 {total} 次操作，错误 {} 次；出具 {issued} 次，承诺编码 {} 个，唯一：{unique}，连续无缺号：{gap_free}；操作日志 {} 条，完整：{}",
        errors.len(),
        codes.len(),
        v.rows_checked,
        v.intact()
    );
    for e in errors.iter().take(10) {
        println!("错误：{e}");
    }
}
