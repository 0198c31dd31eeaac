//! `xinyidian report …`: import a subject's public credit report, show one, list a subject's
//! (rules T-3, T-4). Same use cases as the window.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use serde_json::{Value, json};

use xinyidian::desk::{Desk, DeskError, ReportId, ReportImport, ReportView};
use xinyidian::domain::report::Freshness;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in};

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// 导入主体的公共信用信息报告（PDF）：核对主体、生成日期（规则 T-3），保存原件。被拒绝时退出码为 1
    Import {
        /// 报告 PDF 文件
        file: PathBuf,
        /// 主体的统一社会信用代码、证件号码或用户编号
        #[arg(long, value_name = "CODE")]
        subject: String,
    },
    /// 显示一份信用报告：编号、生成时间、平台、主体、不良信息，以及按 --date 是否在有效期内
    Show {
        /// 报告记录编号（见 report list）
        id: i64,
    },
    /// 列出主体的信用报告（最新生成的在前）
    List {
        /// 主体的统一社会信用代码、证件号码或用户编号
        code: String,
    },
}

/// The facts of a report as `report show --json` prints them.
pub fn report_json(v: &ReportView, desk: &Desk) -> Result<Value> {
    let today = desk.today();
    let max_age = desk.report_max_age_days()?;
    let r = &v.report;
    let f = v.freshness(today, max_age);
    Ok(json!({
        "id": v.id,
        "subject_id": v.subject_id,
        "report_no": r.report_no,
        "generated_at": r.generated_at,
        "generated_time_known": r.generated_time_known,
        "platform": r.platform.label(),
        "platform_key": r.platform,
        "issuing_unit": r.issuing_unit,
        "kind": r.kind.map(|k| k.label()),
        "subject_name": r.subject_name,
        "subject_code": r.subject_code,
        "summary": r.summary,
        "adverse": r.adverse.iter().map(|e| json!({
            "kind": e.kind,
            "kind_label": e.kind.label(),
            "chapter": e.chapter.label(),
            "index": e.index,
            "title": e.title,
            "date": e.date.map(|d| d.date),
            "date_label": e.date.map(|d| d.label.label()),
        })).collect::<Vec<_>>(),
        "unread_adverse_chapters": r.unread_adverse_chapters().iter().map(|c| c.label()).collect::<Vec<_>>(),
        "as_of": today,
        "max_age_days": max_age,
        "fresh": f.is_some_and(Freshness::is_fresh),
        "freshness": f,
        "freshness_text": f.map(|f| f.explain(max_age)),
        "status_at_import": v.status_at_import,
        "status_at_import_label": v.status_at_import.label(),
        "sha256": v.sha256,
        "file_name": v.file_name,
        "media_type": v.media_type,
        "size": v.size,
        "imported_by": v.imported_by,
        "imported_by_name": v.imported_by_name,
        "imported_at": v.imported_at,
        "hand_entered": v.hand_entered,
        "hand_entered_facts": r.hand_entered.iter().map(|h| json!({
            "fact": h.fact, "label": h.fact.label(), "operator": h.operator, "previous": h.previous,
        })).collect::<Vec<_>>(),
        "extracted_facts": v.extracted,
        "problems": v.problems,
    }))
}

fn print_report(v: &ReportView, desk: &Desk) -> Result<()> {
    let r = &v.report;
    let max_age = desk.report_max_age_days()?;
    let dash = || "未读到".to_string();
    println!("信用报告记录 {}（{}）", v.id, v.file_name);
    println!("报告编号：{}", r.report_no.clone().unwrap_or_else(dash));
    println!(
        "报告生成时间：{}",
        r.fact_text(xinyidian::domain::report::ReportFact::GeneratedAt)
            .unwrap_or_else(dash)
    );
    println!(
        "下载平台：{}（出具单位：{}）",
        r.platform.label(),
        r.issuing_unit.clone().unwrap_or_else(dash)
    );
    println!(
        "主体：{}（{}）",
        r.subject_name.clone().unwrap_or_else(dash),
        r.subject_code.clone().unwrap_or_else(dash)
    );
    match v.freshness(desk.today(), max_age) {
        Some(f) => println!(
            "截至 {}：{}。{}",
            desk.today(),
            if f.is_fresh() { "有效" } else { "已过期" },
            f.explain(max_age)
        ),
        None => println!("报告生成日期未知，无法判断是否有效"),
    }
    if r.adverse.is_empty() {
        println!("不良信息：无");
    } else {
        println!("不良信息 {} 条：", r.adverse.len());
        for e in &r.adverse {
            println!("  {}：{e}", e.kind.label());
        }
    }
    let unread = r.unread_adverse_chapters();
    if !unread.is_empty() {
        let names: Vec<&str> = unread.iter().map(|c| c.label()).collect();
        println!("未读到的章节（请对照原件核对）：{}", names.join("、"));
    }
    for h in &r.hand_entered {
        println!("手工录入：{}（{}）", h.fact.label(), h.operator);
    }
    for p in &v.problems {
        println!("提示：{p}");
    }
    println!(
        "由 {}（{}）于 {} 导入，导入时状态：{}，SHA-256 {}",
        v.imported_by_name,
        v.imported_by,
        v.imported_at.format("%Y-%m-%d %H:%M"),
        v.status_at_import.label(),
        v.sha256
    );
    Ok(())
}

pub fn run(cli: &Cli, cmd: &ReportCmd) -> Result<ExitCode> {
    match cmd {
        ReportCmd::Import { file, subject } => {
            let mut desk = open_desk_signed_in(cli)?;
            let s = desk.subject_by_code(subject)?;
            let outcome = match desk.import_report(s.id, file) {
                Ok(o) => o,
                Err(DeskError::ReportRefused(r)) => {
                    if cli.json {
                        println!(
                            "{}",
                            json!({"outcome": "refused", "reason": r, "message": r.to_string()})
                        );
                    } else {
                        eprintln!("未导入：{r}");
                    }
                    return Ok(1);
                }
                Err(e) => return Err(e.into()),
            };
            let code = match &outcome {
                ReportImport::Stored { .. } | ReportImport::AlreadyImported { .. } => 0,
                ReportImport::NeedsHandEntry(_) => 1,
            };
            if cli.json {
                let mut v = json!({
                    "outcome": match &outcome {
                        ReportImport::Stored { .. } => "stored",
                        ReportImport::AlreadyImported { .. } => "already_imported",
                        ReportImport::NeedsHandEntry(_) => "needs_hand_entry",
                    },
                    "message": outcome.message(),
                });
                if let Some(view) = outcome.view() {
                    v["report"] = report_json(view, &desk)?;
                }
                match &outcome {
                    ReportImport::Stored {
                        advice, warnings, ..
                    } => {
                        v["advice"] = json!(advice);
                        v["warnings"] = json!(warnings);
                    }
                    ReportImport::NeedsHandEntry(h) => {
                        v["missing"] =
                            json!(h.missing.iter().map(|f| f.label()).collect::<Vec<_>>());
                        v["partial_text"] = json!(h.partial_text);
                    }
                    ReportImport::AlreadyImported { .. } => {}
                }
                println!("{v}");
            } else {
                println!("{}", outcome.message());
                match &outcome {
                    ReportImport::Stored { view, warnings, .. } => {
                        for w in warnings {
                            println!("提示：{w}");
                        }
                        println!(
                            "报告记录编号：{}（用 report show {} 查看）",
                            view.id, view.id
                        );
                    }
                    ReportImport::NeedsHandEntry(h) => {
                        println!(
                            "需要手工录入：{}。请在柜台窗口中打开该主体，点“导入信用报告”后按原件录入",
                            h.missing
                                .iter()
                                .map(|f| f.label())
                                .collect::<Vec<_>>()
                                .join("、")
                        );
                    }
                    ReportImport::AlreadyImported { .. } => {}
                }
            }
            Ok(code)
        }
        ReportCmd::Show { id } => {
            let desk = open_desk(cli)?;
            let v = desk.report(ReportId(*id))?;
            if cli.json {
                println!("{}", report_json(&v, &desk)?);
            } else {
                print_report(&v, &desk)?;
            }
            Ok(0)
        }
        ReportCmd::List { code } => {
            let desk = open_desk(cli)?;
            let s = desk.subject_by_code(code)?;
            let views = desk.reports_of(s.id)?;
            if cli.json {
                let arr = views
                    .iter()
                    .map(|v| report_json(v, &desk))
                    .collect::<Result<Vec<_>>>()?;
                println!("{}", Value::Array(arr));
            } else {
                let max_age = desk.report_max_age_days()?;
                for v in &views {
                    let state = match v.freshness(desk.today(), max_age) {
                        Some(f) if f.is_fresh() => "有效",
                        Some(_) => "已过期",
                        None => "日期未知",
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t不良 {} 条\t{}\t{}",
                        v.id,
                        v.report.report_no.as_deref().unwrap_or("—"),
                        v.report
                            .generated_on()
                            .map_or_else(|| "—".into(), |d| d.to_string()),
                        v.report.platform.label(),
                        v.report.adverse.len(),
                        state,
                        v.file_name
                    );
                }
                println!("共 {} 份", views.len());
            }
            Ok(0)
        }
    }
}
