//! Counter actions of the exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3, issue 18):
//! export batches of what changed since the last accepted batch, the platform's feedback, its
//! dishonesty lists as dated snapshots (T-1(c)), and the publication file of commitments.
//!
//! A batch walks every record and commitment of its classes by id, in slices, beside what the
//! platform accepted of them (`platform_sent`): a row whose content (the cells of its class's
//! template) differs is sent, as 新增 when the platform never accepted it and as 更正 when it
//! did; a row the platform holds that is no longer current (a record gone, arrears no longer a
//! dishonesty record) is sent as 撤销 with the cells last sent. A row the platform refused is sent
//! again only once its content changed. Memory stays bounded whatever the number of records.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::act::AuditLine;
use super::{Desk, DeskError, Progress};
use crate::documents::platform::{
    BatchFileWriter, BatchFormat, BatchSummary, FileDigest, ManifestEntry, ManifestWriter,
    PublicationWriter, SummaryFile, read_feedback, read_list_file, write_batch_summary,
};
use crate::domain::commitment::AcceptingUnit;
use crate::domain::dishonesty::{DishonestyParams, Outcome, assess_record};
use crate::domain::operator::Action;
use crate::domain::platform::{
    Catalog, ChangeKind, ClassDef, PlatformClass, RecordContext, RowPlan,
};
use crate::domain::records::Record;
use crate::domain::subject::SubjectId;
use crate::domain::trust::ListHit;
use crate::store::{BatchRow, NewItem, NewListEntry, Reader, SentState, SnapshotRow};

/// Setting: send 窃电 records as their own class (rule E-1: not in the 2022 catalog).
pub const SEND_THEFT_KEY: &str = "platform_send_theft";
/// Setting: the city's own class/column template (the catalog file's text), replacing annex 4.
pub const CATALOG_KEY: &str = "platform_catalog";

/// Records or commitments read per slice.
const SLICE: i64 = 5000;
/// The separator of the cells kept for each sent row (never in a cell: control characters are
/// not data).
const SEP: char = '\u{1f}';
/// How many problems a refusal lists (the rest are counted).
const MAX_LISTED: usize = 200;

/// How a batch is made.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The classes to send; empty: every class of the catalog (窃电 only when the setting allows).
    pub classes: Vec<PlatformClass>,
    pub format: BatchFormat,
    /// Count only: nothing written, nothing recorded.
    pub dry_run: bool,
}

/// One class of a batch: how many rows of each change, and its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClassCount {
    pub class: String,
    pub new: u64,
    pub corrected: u64,
    pub withdrawn: u64,
    /// Rows the platform refused earlier whose content has not changed (not sent again).
    pub still_refused: u64,
    pub file: Option<String>,
    pub sha256: Option<String>,
}

impl ClassCount {
    /// Rows the batch sends of this class.
    pub fn rows(&self) -> u64 {
        self.new + self.corrected + self.withdrawn
    }
}

/// What an export did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// 批次号; `None` for a dry run or an empty batch.
    pub batch_no: Option<String>,
    pub classes: Vec<ClassCount>,
    /// The folder holding the batch's files.
    pub dir: Option<PathBuf>,
    pub dry_run: bool,
}

impl ExportSummary {
    /// Rows sent in all.
    pub fn rows(&self) -> u64 {
        self.classes.iter().map(ClassCount::rows).sum()
    }
}

/// What a feedback import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackSummary {
    pub batch_no: String,
    pub refused: u64,
    pub accepted: u64,
}

/// What a list import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListImportSummary {
    pub as_of: Option<NaiveDate>,
    pub entries: u64,
    /// Entries on the 严重失信主体名单.
    pub serious: u64,
    /// Registered subjects the new snapshot lists (in force today) that the previous did not,
    /// and those it no longer lists: their standing was re-decided.
    pub newly_listed: Vec<(SubjectId, String)>,
    pub no_longer_listed: Vec<(SubjectId, String)>,
}

/// A refused row of a batch, for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedRow {
    pub class: String,
    /// The row as Excel shows it in the class's file (header = 1).
    pub row: i64,
    pub record_key: String,
    pub change: String,
    pub reason: String,
}

/// What a class sends: records of some kinds, or the commitments.
#[derive(Debug, Clone, Copy)]
enum Source {
    Records(&'static str),
    Commitments,
}

fn source_of(class: PlatformClass) -> Source {
    match class {
        PlatformClass::Payment => Source::Records("payment"),
        PlatformClass::PersonPayment => Source::Records("person_payment"),
        PlatformClass::Arrears => Source::Records("arrears"),
        PlatformClass::PersonArrears => Source::Records("person_arrears"),
        PlatformClass::Violation => Source::Records("violation_usage"),
        PlatformClass::Theft => Source::Records("theft"),
        PlatformClass::Commitment => Source::Commitments,
    }
}

fn ref_kind(source: Source) -> &'static str {
    match source {
        Source::Records(_) => "r",
        Source::Commitments => "c",
    }
}

/// The 记录标识 of a row in the change list: 承诺编码 for a commitment (`c`) or a
/// 信用修复承诺书 (`k`), `R` + the record's number.
fn record_key(kind: &str, id: i64, code: Option<&str>) -> String {
    match (kind, code) {
        ("c" | "k", Some(code)) => code.to_string(),
        _ => format!("R{id}"),
    }
}

/// The digest a row's content is compared by: the first 8 bytes of the SHA-256 of its cells.
fn cells_digest(cells: &str) -> i64 {
    let hash = Sha256::digest(cells.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    i64::from_be_bytes(first)
}

fn join_cells(cells: &[String]) -> String {
    let mut out = String::with_capacity(cells.iter().map(|c| c.len() + 1).sum());
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        // A control character in a cell would break the split: such text is not data.
        if c.contains(SEP) {
            out.push_str(&c.replace(SEP, " "));
        } else {
            out.push_str(c);
        }
    }
    out
}

fn split_cells(cells: &str) -> Vec<String> {
    cells.split(SEP).map(str::to_string).collect()
}

/// A row of the batch being planned.
struct Planned {
    /// `r` record, `c` commitment, `k` 信用修复承诺书 (rule X-1).
    kind: &'static str,
    ref_id: i64,
    change: ChangeKind,
    digest: i64,
    cells: String,
    key: String,
}

/// A current row: its id, the cells, and its 记录标识.
struct Current {
    ref_id: i64,
    cells: String,
    key: String,
}

/// Decide the change of each row of a slice of current rows against what the platform holds
/// for the id range `(after, upto]`.
#[allow(clippy::too_many_arguments)]
fn merge(
    r: &Reader<'_>,
    kind: &'static str,
    class: &str,
    after: i64,
    upto: Option<i64>,
    current: Vec<Current>,
    count: &mut ClassCount,
    emit: &mut dyn FnMut(Planned) -> Result<(), DeskError>,
) -> Result<(), DeskError> {
    let sent = r.platform_sent_range(kind, class, after, upto)?;
    let mut sent = sent.into_iter().peekable();
    let withdraw = |s: SentState,
                    count: &mut ClassCount,
                    emit: &mut dyn FnMut(Planned) -> Result<(), DeskError>|
     -> Result<(), DeskError> {
        if !s.accepted || s.withdrawn {
            return Ok(());
        }
        let cells = r.platform_sent_cells(&s, class)?;
        count.withdrawn += 1;
        emit(Planned {
            kind,
            ref_id: s.ref_id,
            change: ChangeKind::Withdrawn,
            digest: s.digest,
            key: record_key(kind, s.ref_id, None),
            cells,
        })
    };
    for c in current {
        while let Some(s) = sent.next_if(|s| s.ref_id < c.ref_id) {
            withdraw(s, count, emit)?;
        }
        let digest = cells_digest(&c.cells);
        let held = sent.next_if(|s| s.ref_id == c.ref_id);
        let change = match held {
            Some(s) if s.refused_digest == Some(digest) => {
                count.still_refused += 1;
                None
            }
            Some(s) if s.accepted && !s.withdrawn && s.digest == digest => None,
            Some(s) if s.accepted && !s.withdrawn => Some(ChangeKind::Corrected),
            _ => Some(ChangeKind::New),
        };
        let Some(change) = change else { continue };
        match change {
            ChangeKind::Corrected => count.corrected += 1,
            _ => count.new += 1,
        }
        emit(Planned {
            kind,
            ref_id: c.ref_id,
            change,
            digest,
            cells: c.cells,
            key: c.key,
        })?;
    }
    for s in sent {
        withdraw(s, count, emit)?;
    }
    Ok(())
}

/// The rows of one class that a batch sends, in id order, through `emit`.
#[allow(clippy::too_many_arguments)]
fn plan_class(
    r: &Reader<'_>,
    def: &ClassDef,
    unit: &AcceptingUnit,
    today: NaiveDate,
    params: &DishonestyParams,
    relieved: &std::collections::HashSet<i64>,
    progress: &Progress,
    done: &mut u64,
    total: u64,
    emit: &mut dyn FnMut(Planned) -> Result<(), DeskError>,
) -> Result<ClassCount, DeskError> {
    let source = source_of(def.class);
    let kind = ref_kind(source);
    let class = def.class.key();
    let mut count = ClassCount {
        class: def.name.clone(),
        ..ClassCount::default()
    };
    let plan = RowPlan::new(def);
    let mut after = 0i64;
    loop {
        let (current, last, n) = match source {
            Source::Records(k) => {
                let slice = r.records_after(&[k], after, SLICE)?;
                let n = slice.len();
                let last = slice.last().map(|(_, s)| s.id.0);
                let current = slice
                    .into_iter()
                    .filter_map(|(_, s)| {
                        // A repaired record, or one withdrawn after an objection, is no
                        // longer sent: the platform hears it withdrawn (rules X-2, X-3).
                        if relieved.contains(&s.id.0) {
                            return None;
                        }
                        // Arrears go to the platform once determined as dishonesty (D-1), with
                        // that day as 认定日期; every other record of these classes always.
                        let decided_on = match &s.record {
                            Record::Arrears(_) => match assess_record(&s.record, today, params) {
                                Outcome::Dishonest(f) => Some(f.since),
                                Outcome::NotDishonest(_) => return None,
                            },
                            _ => None,
                        };
                        let ctx = RecordContext {
                            unit: unit.clone(),
                            decided_on,
                        };
                        Some(Current {
                            ref_id: s.id.0,
                            cells: join_cells(&plan.record_row(&s.record, &ctx)),
                            key: record_key("r", s.id.0, None),
                        })
                    })
                    .collect::<Vec<_>>();
                (current, last, n)
            }
            Source::Commitments => {
                let slice = r.commitments_after(after, SLICE)?;
                let n = slice.len();
                let last = slice.last().map(|c| c.id.0);
                let current = slice
                    .iter()
                    .map(|c| Current {
                        ref_id: c.id.0,
                        cells: join_cells(&plan.commitment_row(c)),
                        key: record_key("c", c.id.0, Some(&c.code)),
                    })
                    .collect();
                (current, last, n)
            }
        };
        // The last slice also covers every id above it (rows the platform holds whose
        // record is gone).
        let upto = if (n as i64) < SLICE { None } else { last };
        merge(r, kind, class, after, upto, current, &mut count, emit)?;
        *done += n as u64;
        progress
            .set(*done, total.max(*done))
            .map_err(|_| DeskError::Cancelled("导出已取消，未生成批次".into()))?;
        match upto {
            Some(l) => after = l,
            None => break,
        }
    }
    // 信用承诺信息 also carries each 信用修复承诺书 (承诺类型 信用修复型, rules X-1, E-1): the
    // applications' letters, by application id under their own kind.
    if matches!(source, Source::Commitments) {
        let mut after = 0i64;
        loop {
            let slice = r.repairs_after(after, SLICE)?;
            let n = slice.len();
            let last = slice.last().map(|a| a.id.0);
            let mut current = Vec::with_capacity(n);
            for a in &slice {
                let c = super::credit::repair_commitment_record(r, a, unit)?;
                current.push(Current {
                    ref_id: a.id.0,
                    cells: join_cells(&plan.commitment_row(&c)),
                    key: record_key("k", a.id.0, Some(&c.code)),
                });
            }
            let upto = if (n as i64) < SLICE { None } else { last };
            merge(r, "k", class, after, upto, current, &mut count, emit)?;
            *done += n as u64;
            match upto {
                Some(l) => after = l,
                None => break,
            }
        }
    }
    Ok(count)
}

/// The file a class's rows go to.
fn class_file(def: &ClassDef, format: BatchFormat) -> String {
    format!(
        "{}.{}",
        crate::documents::platform::sanitize_sheet_name(&def.name),
        format.extension()
    )
}

fn file_error(e: crate::documents::platform::PlatformFileError) -> DeskError {
    DeskError::FileWrite(e.to_string())
}

/// A batch's folder `out/批次号` (refused when it exists) and the hidden folder beside it where
/// the files are written until they are complete, made empty.
fn batch_dirs(out: &Path, batch_no: &str) -> Result<(PathBuf, PathBuf), DeskError> {
    let dir = out.join(batch_no);
    if dir.exists() {
        return Err(DeskError::FileWrite(format!(
            "“{}”已存在：请换一个导出位置，或移走该文件夹",
            dir.display()
        )));
    }
    let tmp = out.join(format!(".{batch_no}.写入中"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)
        .map_err(|e| DeskError::FileWrite(format!("无法在“{}”中写入：{e}", out.display())))?;
    Ok((dir, tmp))
}

/// The 记录标识 of a row a batch sent (the commitment's 承诺编码 looked up).
fn key_of_item(r: &Reader<'_>, i: &crate::store::ItemRow) -> Result<String, DeskError> {
    let code = match i.ref_kind.as_str() {
        "c" => r
            .commitment(crate::domain::commitment::CommitmentId(i.ref_id))?
            .map(|c| c.code),
        "k" => r
            .repair(crate::domain::credit::RepairId(i.ref_id))?
            .map(|a| a.commitment.code),
        _ => None,
    };
    Ok(record_key(&i.ref_kind, i.ref_id, code.as_deref()))
}

impl Desk {
    /// The class/column catalog in force: the city's template from the settings, else annex 4.
    pub fn platform_catalog(&self) -> Result<Catalog, DeskError> {
        match self.store.read().setting(CATALOG_KEY)? {
            Some(text) if !text.trim().is_empty() => Catalog::parse(&text).map_err(|e| {
                DeskError::Setting(format!(
                    "设置中的平台数据模板有误（{e}）：请由管理员重新导入模板，或清除后使用附件 4 的默认模板"
                ))
            }),
            _ => Ok(Catalog::builtin()),
        }
    }

    /// Replace the catalog by the city's own template (admin; empty: back to annex 4).
    pub fn set_platform_catalog(&mut self, text: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        if !text.trim().is_empty() {
            Catalog::parse(text)
                .map_err(|e| DeskError::Setting(format!("平台数据模板有误：{e}")))?;
        }
        self.commit(act, |w, _| {
            w.set_setting(CATALOG_KEY, text)?;
            let detail = if text.trim().is_empty() {
                "平台数据模板恢复为附件 4 默认（规则 E-1）".to_string()
            } else {
                "导入平台数据模板（规则 E-1）".to_string()
            };
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Whether 窃电 records are sent as their own class (rule E-1).
    pub fn sends_theft(&self) -> Result<bool, DeskError> {
        Ok(self.store.read().setting(SEND_THEFT_KEY)?.as_deref() == Some("1"))
    }

    /// Allow or stop sending 窃电 records (admin).
    pub fn set_sends_theft(&mut self, on: bool) -> Result<(), DeskError> {
        self.act(Action::ChangeSettings, |w, _| {
            w.set_setting(SEND_THEFT_KEY, if on { "1" } else { "0" })?;
            let detail = format!(
                "窃电信息{}报送市公共信用信息共享平台（规则 E-1）",
                if on { "" } else { "不" }
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    fn export_classes<'c>(
        &self,
        catalog: &'c Catalog,
        asked: &[PlatformClass],
    ) -> Result<Vec<&'c ClassDef>, DeskError> {
        let theft = self.sends_theft()?;
        let mut out = Vec::new();
        for def in catalog.classes() {
            let wanted = if asked.is_empty() {
                def.class != PlatformClass::Theft || theft
            } else {
                asked.contains(&def.class)
            };
            if wanted {
                out.push(def);
            }
        }
        if let Some(c) = asked.iter().find(|c| catalog.class(**c).is_none()) {
            return Err(DeskError::Platform(format!(
                "数据模板中没有“{}”这一类：请检查设置中的平台数据模板",
                c.label()
            )));
        }
        if asked.contains(&PlatformClass::Theft) && !theft {
            return Err(DeskError::Platform(
                "设置中未允许报送窃电信息（规则 E-1）：请由管理员在设置中开启后再导出".into(),
            ));
        }
        Ok(out)
    }

    /// Export a batch to `out` (a folder; the batch gets its own folder `批次号` inside): per
    /// class one file with the template's header, the change list and the batch summary
    /// (rule E-1, supervisors). One transaction: the batch and every row it sent are recorded
    /// together, or, on any failure or 取消, nothing is and no folder is left. An export while
    /// an earlier batch awaits the platform's answer is refused. With `dry_run`, counts only.
    pub fn platform_export(
        &mut self,
        opts: &ExportOptions,
        out: &Path,
        progress: &Progress,
    ) -> Result<ExportSummary, DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let catalog = self.platform_catalog()?;
        let defs: Vec<ClassDef> = self
            .export_classes(&catalog, &opts.classes)?
            .into_iter()
            .cloned()
            .collect();
        let unit = self.accepting_unit()?;
        if unit.uscc.trim().is_empty() && !opts.dry_run {
            return Err(DeskError::Platform(
                "设置中尚未填写承诺受理单位（经办机关）的统一社会信用代码：平台要求该项，请先在设置中填写".into(),
            ));
        }
        let params = self.dishonesty_params()?;
        let today = act.today;
        let relieved = super::credit::relieved_records(&self.store.read(), today)?;
        let total = {
            let r = self.store.read();
            (r.count_records()? + r.count_commitments()?).max(0) as u64
        };
        if opts.dry_run {
            let r = self.store.read();
            let mut done = 0;
            let mut classes = Vec::new();
            for def in &defs {
                classes.push(plan_class(
                    &r,
                    def,
                    &unit,
                    today,
                    &params,
                    &relieved,
                    progress,
                    &mut done,
                    total,
                    &mut |_| Ok(()),
                )?);
            }
            return Ok(ExportSummary {
                classes,
                dry_run: true,
                ..ExportSummary::default()
            });
        }
        if let Some(p) = self.store.read().pending_platform_batch()? {
            return Err(DeskError::Platform(format!(
                "批次 {} 尚待平台反馈：请先导入该批次的反馈文件或确认平台已全部接收，或将其作废，再生成新批次",
                p.batch_no
            )));
        }
        if !out.is_dir() {
            return Err(DeskError::FileWrite(format!(
                "导出位置“{}”不是已存在的文件夹：请选择一个文件夹",
                out.display()
            )));
        }
        let day = today.format("%Y%m%d").to_string();
        let serial = self
            .store
            .read()
            .platform_batches_on(&act.now.date().format("%Y-%m-%d").to_string())?
            + 1;
        let batch_no = format!("440800-{day}-{serial:03}");
        let (final_dir, tmp) = batch_dirs(out, &batch_no)?;
        let format = opts.format;
        let me = act.me.clone();
        let now = act.now;
        let result = self.commit(act, |w, _| {
            let batch =
                w.insert_platform_batch(&batch_no, now, &me.staff_no, format.extension(), "[]")?;
            let mut manifest =
                ManifestWriter::create(&tmp.join("变更清单.csv")).map_err(file_error)?;
            let mut classes = Vec::new();
            let mut files = Vec::new();
            let mut recorded = Vec::new();
            let mut done = 0;
            for def in &defs {
                let name = class_file(def, format);
                let mut writer = BatchFileWriter::create_with(
                    &tmp.join(&name),
                    format,
                    &def.name,
                    &def.columns,
                    None,
                )
                .map_err(file_error)?;
                let mut row_no = 0i64;
                let mut count = plan_class(
                    w,
                    def,
                    &unit,
                    today,
                    &params,
                    &relieved,
                    progress,
                    &mut done,
                    total,
                    &mut |p: Planned| {
                        row_no += 1;
                        writer
                            .write_row(&split_cells(&p.cells))
                            .map_err(file_error)?;
                        manifest
                            .write_entry(&ManifestEntry {
                                class: def.class,
                                file: name.clone(),
                                row_no: (row_no + 1) as u64,
                                change: p.change,
                                record_key: p.key.clone(),
                            })
                            .map_err(file_error)?;
                        w.insert_platform_item(
                            batch,
                            &NewItem {
                                class: def.class.key(),
                                row_no,
                                ref_kind: p.kind,
                                ref_id: p.ref_id,
                                change: p.change.key(),
                                digest: p.digest,
                                cells: &p.cells,
                            },
                        )?;
                        Ok(())
                    },
                )?;
                let digest = writer.finish().map_err(file_error)?;
                count.file = Some(name.clone());
                count.sha256 = Some(digest.sha256.clone());
                // What rewriting the file needs besides its rows.
                recorded.push(serde_json::json!({
                    "class": def.class.key(),
                    "file": name,
                    "sheet": def.name,
                    "columns": def.columns,
                    "rows": digest.rows,
                    "sha256": digest.sha256,
                }));
                files.push(SummaryFile {
                    class: Some(def.class),
                    file: name,
                    digest,
                });
                classes.push(count);
            }
            let digest = manifest.finish().map_err(file_error)?;
            files.push(SummaryFile {
                class: None,
                file: "变更清单.csv".into(),
                digest,
            });
            write_batch_summary(
                &tmp.join("批次说明.csv"),
                &BatchSummary {
                    batch_no: batch_no.clone(),
                    generated_at: now,
                    operator: format!("{} {}", me.staff_no, me.name),
                    files: files.clone(),
                },
            )
            .map_err(file_error)?;
            w.set_platform_batch_files(batch, &serde_json::Value::Array(recorded).to_string())?;
            let rows: u64 = classes.iter().map(ClassCount::rows).sum();
            let detail = format!(
                "生成报送批次 {batch_no}（规则 E-1）：{} 类 {rows} 行（{}）",
                classes.len(),
                classes
                    .iter()
                    .map(|c| format!(
                        "{} 新增 {} 更正 {} 撤销 {}",
                        c.class, c.new, c.corrected, c.withdrawn
                    ))
                    .collect::<Vec<_>>()
                    .join("；")
            );
            Ok((classes, AuditLine::new(None, detail)))
        });
        let classes = match result {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, &final_dir).map_err(|e| {
            DeskError::FileWrite(format!(
                "批次 {batch_no} 已记录，但无法把文件移到“{}”（{e}）：请用“重新生成批次文件”再写一次",
                final_dir.display()
            ))
        })?;
        Ok(ExportSummary {
            batch_no: Some(batch_no),
            classes,
            dir: Some(final_dir),
            dry_run: false,
        })
    }

    /// Every batch, newest first (supervisors).
    pub fn platform_batches(&self) -> Result<Vec<BatchRow>, DeskError> {
        self.authorize(Action::ExchangePlatform)?;
        Ok(self.store.read().platform_batches()?)
    }

    /// The rows of a batch the platform refused, with their reasons.
    pub fn platform_refusals(&self, batch_no: &str) -> Result<Vec<RefusedRow>, DeskError> {
        self.authorize(Action::ExchangePlatform)?;
        let r = self.store.read();
        let b = batch_named(&r, batch_no)?;
        let catalog = self.platform_catalog()?;
        r.refused_platform_items(b.id)?
            .into_iter()
            .map(|i| {
                let key = key_of_item(&r, &i)?;
                let class = PlatformClass::from_key(&i.class)
                    .and_then(|c| catalog.class(c).map(|d| d.name.clone()))
                    .unwrap_or(i.class.clone());
                Ok(RefusedRow {
                    class,
                    row: i.row_no + 1,
                    record_key: key,
                    change: ChangeKind::from_label_or_key(&i.change)
                        .map_or(i.change.clone(), |c| c.label().to_string()),
                    reason: i.refused.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Write a recorded batch's files again into `out/批次号`, byte for byte as first written
    /// (from the rows as sent, whatever changed since). Returns the folder.
    pub fn platform_rewrite(&mut self, batch_no: &str, out: &Path) -> Result<PathBuf, DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let r = self.store.read();
        let b = batch_named(&r, batch_no)?;
        let format = if b.format == "csv" {
            BatchFormat::CsvBom
        } else {
            BatchFormat::Xlsx
        };
        let files: Vec<serde_json::Value> = serde_json::from_str(&b.files).unwrap_or_default();
        let (dir, tmp) = batch_dirs(out, &b.batch_no)?;
        let written = (|| -> Result<(), DeskError> {
            let mut manifest =
                ManifestWriter::create(&tmp.join("变更清单.csv")).map_err(file_error)?;
            let mut summary_files = Vec::new();
            for f in &files {
                let (Some(class), Some(name)) = (
                    f["class"].as_str().and_then(PlatformClass::from_key),
                    f["file"].as_str(),
                ) else {
                    continue;
                };
                let header: Vec<String> = f["columns"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let sheet = f["sheet"].as_str().unwrap_or(name);
                let mut w =
                    BatchFileWriter::create_with(&tmp.join(name), format, sheet, &header, None)
                        .map_err(file_error)?;
                let mut after = 0;
                loop {
                    let items = r.platform_items(b.id, class.key(), after, SLICE)?;
                    for i in &items {
                        w.write_row(&split_cells(&i.cells)).map_err(file_error)?;
                        manifest
                            .write_entry(&ManifestEntry {
                                class,
                                file: name.to_string(),
                                row_no: (i.row_no + 1) as u64,
                                change: ChangeKind::from_label_or_key(&i.change)
                                    .unwrap_or(ChangeKind::New),
                                record_key: key_of_item(&r, i)?,
                            })
                            .map_err(file_error)?;
                    }
                    match items.last() {
                        Some(l) if items.len() as i64 == SLICE => after = l.row_no,
                        _ => break,
                    }
                }
                summary_files.push(SummaryFile {
                    class: Some(class),
                    file: name.to_string(),
                    digest: w.finish().map_err(file_error)?,
                });
            }
            summary_files.push(SummaryFile {
                class: None,
                file: "变更清单.csv".into(),
                digest: manifest.finish().map_err(file_error)?,
            });
            let generated_at = crate::store::ts_from_sql(&b.created_at).unwrap_or(act.now);
            let operator = r
                .operator_by_staff_no(&b.staff_no)?
                .map_or(b.staff_no.clone(), |(o, _)| {
                    format!("{} {}", o.staff_no, o.name)
                });
            write_batch_summary(
                &tmp.join("批次说明.csv"),
                &BatchSummary {
                    batch_no: b.batch_no.clone(),
                    generated_at,
                    operator,
                    files: summary_files,
                },
            )
            .map_err(file_error)?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &dir)
            .map_err(|e| DeskError::FileWrite(format!("无法写入“{}”：{e}", dir.display())))?;
        let detail = format!("重新生成报送批次 {} 的文件：{}", b.batch_no, dir.display());
        self.commit(act, |_, _| Ok(((), AuditLine::new(None, detail))))?;
        Ok(dir)
    }

    /// Import the platform's return file for the pending batch: refused rows are marked with
    /// their reasons and the batch is accepted (the watermark moves for every other row). All
    /// or nothing: a file for another batch, or any row naming a row or record the batch did
    /// not send, is refused with each problem named and nothing changes.
    pub fn platform_feedback(&mut self, path: &Path) -> Result<FeedbackSummary, DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let fb = read_feedback(path).map_err(|e| DeskError::Import(e.to_string()))?;
        let r = self.store.read();
        let pending = r.pending_platform_batch()?.ok_or_else(|| {
            DeskError::Platform("没有待反馈的批次：反馈文件只能用于最近生成、尚未确认的批次".into())
        })?;
        if let Some(no) = &fb.batch_no
            && no.trim() != pending.batch_no
        {
            return Err(DeskError::Platform(format!(
                "反馈文件属于批次 {no}，而待反馈的是批次 {}：请选择该批次的反馈文件（未作任何更改）",
                pending.batch_no
            )));
        }
        let mut problems: Vec<String> = fb.problems.iter().map(ToString::to_string).collect();
        // Each refused row, found in the batch: (class, row_no in our numbering, reason).
        let mut marks: Vec<(String, i64, String)> = Vec::new();
        for row in &fb.rows {
            let found = match (&row.record_key, row.row_no) {
                (Some(key), _) if !key.trim().is_empty() => {
                    item_by_key(&r, pending.id, key.trim(), row.class)?
                }
                (_, Some(n)) => match row.class {
                    Some(c) => {
                        let n = n as i64 - 1;
                        r.platform_items(pending.id, c.key(), n - 1, 1)?
                            .into_iter()
                            .find(|i| i.row_no == n)
                            .map(|i| (i.class, i.row_no))
                    }
                    None => {
                        problems.push(format!(
                            "第 {} 行：只有行号 {n}、没有信息类，无法确定是哪个文件的行：请补上“信息类”列",
                            row.line
                        ));
                        continue;
                    }
                },
                _ => None,
            };
            match found {
                Some((class, row_no)) => marks.push((class, row_no, row.reason.clone())),
                None => problems.push(format!(
                    "第 {} 行：批次 {} 中没有{}：请核对反馈文件是否属于本批次",
                    row.line,
                    pending.batch_no,
                    match (&row.record_key, row.row_no) {
                        (Some(k), _) if !k.trim().is_empty() =>
                            format!("记录标识为“{}”的记录", k.trim()),
                        (_, Some(n)) => format!("第 {n} 行"),
                        _ => "该行所指的记录".into(),
                    }
                )),
            }
        }
        if !problems.is_empty() {
            let n = problems.len();
            problems.truncate(MAX_LISTED);
            return Err(DeskError::Import(format!(
                "反馈文件有 {n} 处问题，未作任何更改（批次仍待反馈）：\n{}",
                problems.join("\n")
            )));
        }
        let me = act.me.staff_no.clone();
        let now = act.now;
        let batch_no = pending.batch_no.clone();
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.commit(act, |w, _| {
            let mut refused = 0u64;
            for (class, row_no, reason) in &marks {
                if w.refuse_platform_item(pending.id, class, *row_no, reason)? {
                    refused += 1;
                }
            }
            let note = format!("反馈文件“{file}”：拒收 {refused} 行");
            w.accept_platform_batch(pending.id, now, &me, &note)?;
            let total = w.count_platform_items(pending.id)?.max(0) as u64;
            let accepted = total.saturating_sub(refused);
            let detail = format!(
                "导入批次 {batch_no} 的平台反馈“{file}”：接收 {accepted} 行，拒收 {refused} 行"
            );
            Ok((
                FeedbackSummary {
                    batch_no: batch_no.clone(),
                    refused,
                    accepted,
                },
                AuditLine::new(None, detail),
            ))
        })
    }

    /// The platform took the pending batch whole (no return file): accept it.
    pub fn platform_accept(&mut self, batch_no: &str) -> Result<FeedbackSummary, DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let b = batch_named(&self.store.read(), batch_no)?;
        if b.status != "pending" {
            return Err(DeskError::Platform(format!(
                "批次 {batch_no} 已{}，不能再确认",
                status_label(&b.status)
            )));
        }
        let (me, now) = (act.me.staff_no.clone(), act.now);
        self.commit(act, |w, _| {
            w.accept_platform_batch(b.id, now, &me, "平台已全部接收")?;
            let rows = w.count_platform_items(b.id)?.max(0) as u64;
            Ok((
                FeedbackSummary {
                    batch_no: b.batch_no.clone(),
                    refused: 0,
                    accepted: rows,
                },
                AuditLine::new(
                    None,
                    format!("确认平台已全部接收批次 {}（{rows} 行）", b.batch_no),
                ),
            ))
        })
    }

    /// Void the pending batch (never sent, or sent in error): the watermark stays, the next
    /// batch sends its rows again. `reason` is required.
    pub fn platform_void(&mut self, batch_no: &str, reason: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::Platform("作废批次须填写原因".into()));
        }
        let b = batch_named(&self.store.read(), batch_no)?;
        let (me, now) = (act.me.staff_no.clone(), act.now);
        self.commit(act, |w, _| {
            w.decide_platform_batch(b.id, "void", now, &me, reason)?;
            Ok((
                (),
                AuditLine::new(None, format!("作废报送批次 {}：{reason}", b.batch_no)),
            ))
        })
    }

    /// Import a dishonesty-list snapshot of the platform (rule E-2, supervisors). `as_of` is the
    /// 名单截至 date, when the file does not say it. All or nothing: any row with a problem (a
    /// broken code or date) refuses the file with every problem named. The standing of every
    /// registered subject whose listing changed is decided again, in the same transaction.
    pub fn import_list_snapshot(
        &mut self,
        path: &Path,
        as_of: Option<NaiveDate>,
        progress: &Progress,
    ) -> Result<ListImportSummary, DeskError> {
        let act = self.begin(Action::ExchangePlatform)?;
        let today = act.today;
        let bytes_hash = {
            let bytes = std::fs::read(path)
                .map_err(|e| DeskError::FileRead(format!("无法读取“{}”：{e}", path.display())))?;
            hex::encode(Sha256::digest(&bytes))
        };
        let file = read_list_file(path, today).map_err(|e| DeskError::Import(e.to_string()))?;
        if !file.problems.is_empty() {
            let n = file.problems.len();
            let listed: Vec<String> = file
                .problems
                .iter()
                .take(MAX_LISTED)
                .map(ToString::to_string)
                .collect();
            return Err(DeskError::Import(format!(
                "名单文件有 {n} 处问题，未导入任何条目：\n{}",
                listed.join("\n")
            )));
        }
        let as_of = match (file.snapshot_date_hint, as_of) {
            (Some(hint), Some(given)) if hint != given => {
                return Err(DeskError::Import(format!(
                    "文件写明名单截至 {hint}，与指定的 {given} 不一致：请核对后重新导入"
                )));
            }
            (Some(d), _) | (None, Some(d)) => d,
            (None, None) => {
                return Err(DeskError::Import(
                    "文件中没有写明名单截至日期：请指明名单截至哪一天（命令行 --as-of YYYY-MM-DD）"
                        .into(),
                ));
            }
        };
        if as_of > today {
            return Err(DeskError::Import(format!(
                "名单截至 {as_of} 晚于今天（{today}）：请核对日期"
            )));
        }
        let settings = self.check_settings()?;
        let previous: Vec<SubjectId> = {
            let r = self.store.read();
            match r.newest_list_snapshot(today)? {
                Some(s) => r.listed_subjects(s.id, today)?,
                None => Vec::new(),
            }
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let me = act.me.staff_no.clone();
        let now = act.now;
        let total = file.entries.len() as u64;
        self.commit(act, |w, _| {
            let snapshot = w.insert_list_snapshot(
                as_of,
                now,
                &me,
                &file_name,
                &bytes_hash,
                file.entries.len() as i64,
            )?;
            let mut serious = 0;
            for (i, e) in file.entries.iter().enumerate() {
                let hit = ListHit {
                    list_type: e.list_type.clone(),
                    serious: e.is_serious(),
                    listed_on: e.listed_on,
                    removed_on: e.removed_on,
                    reason: e.reason.clone(),
                    authority: e.authority.clone(),
                };
                serious += u64::from(hit.serious);
                w.insert_list_entry(
                    snapshot,
                    &NewListEntry {
                        code: e.code.as_str(),
                        name: &e.name,
                        hit: &hit,
                    },
                )?;
                if i % 4096 == 0 {
                    progress
                        .set(i as u64, total)
                        .map_err(|_| DeskError::Cancelled("导入已取消，未导入任何条目".into()))?;
                }
            }
            // The standing of subjects whose listing changed (only when this snapshot is the
            // newest: an older one decides nothing).
            let newest = w.newest_list_snapshot(today)?.map(|s| s.id) == Some(snapshot);
            let now_listed = if newest {
                w.listed_subjects(snapshot, today)?
            } else {
                previous.clone()
            };
            let mut summary = ListImportSummary {
                as_of: Some(as_of),
                entries: total,
                serious,
                ..ListImportSummary::default()
            };
            let name_of = |id: SubjectId| -> Result<String, DeskError> {
                Ok(w.subject(id)?.map(|s| s.name).unwrap_or_default())
            };
            for id in now_listed.iter().filter(|id| !previous.contains(id)) {
                summary.newly_listed.push((*id, name_of(*id)?));
            }
            for id in previous.iter().filter(|id| !now_listed.contains(id)) {
                summary.no_longer_listed.push((*id, name_of(*id)?));
            }
            for (id, _) in summary.newly_listed.iter().chain(&summary.no_longer_listed) {
                super::trust::refresh_standing(w, *id, today, settings)?;
            }
            let detail = format!(
                "导入平台名单“{file_name}”（截至 {as_of}，规则 E-2）：{total} 条，其中严重失信主体名单 {serious} 条；新列入本库主体 {}，移出 {}",
                summary.newly_listed.len(),
                summary.no_longer_listed.len()
            );
            Ok((summary, AuditLine::new(None, detail)))
        })
    }

    /// The imported list snapshots, newest first.
    pub fn list_snapshots(&self) -> Result<Vec<SnapshotRow>, DeskError> {
        Ok(self.store.read().list_snapshots()?)
    }

    /// Write the publication file of commitments (rule E-3): only 可向社会公开 ones, personal ID
    /// numbers masked (ID-3). Returns how many were published.
    pub fn publish_commitments(
        &mut self,
        path: &Path,
        format: BatchFormat,
        progress: &Progress,
    ) -> Result<u64, DeskError> {
        self.authorize(Action::ExchangePlatform)?;
        let unit = self.accepting_unit()?;
        let (total, published, digest) = {
            let r = self.store.read();
            let total = r.count_commitments()?.max(0) as u64;
            let mut w = PublicationWriter::create(path, format).map_err(file_error)?;
            let mut after = 0;
            let mut seen = 0u64;
            let mut published = 0u64;
            loop {
                let slice = r.commitments_after(after, SLICE)?;
                for c in &slice {
                    if w.add(c).map_err(file_error)? {
                        published += 1;
                    }
                }
                seen += slice.len() as u64;
                progress
                    .set(seen, total)
                    .map_err(|_| DeskError::Cancelled("已取消，未生成公示文件".into()))?;
                match slice.last() {
                    Some(l) if slice.len() as i64 == SLICE => after = l.id.0,
                    _ => break,
                }
            }
            // The 信用修复承诺书 are public credit commitments too (X-2).
            let mut after = 0;
            loop {
                let slice = r.repairs_after(after, SLICE)?;
                for a in &slice {
                    let c = super::credit::repair_commitment_record(&r, a, &unit)?;
                    if w.add(&c).map_err(file_error)? {
                        published += 1;
                    }
                }
                match slice.last() {
                    Some(l) if slice.len() as i64 == SLICE => after = l.id.0,
                    _ => break,
                }
            }
            let digest: FileDigest = w.finish().map_err(file_error)?;
            (total, published, digest)
        };
        let detail = format!(
            "生成信用承诺公示文件（规则 E-3）：{published} 条（共 {total} 条承诺，不可公开和特定范围内公开的未列入），SHA-256 {}",
            &digest.sha256[..16.min(digest.sha256.len())]
        );
        self.act(Action::ExchangePlatform, |_, _| {
            Ok(((), AuditLine::new(None, detail)))
        })?;
        Ok(published)
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待反馈",
        "accepted" => "接收",
        "void" => "作废",
        _ => "处理",
    }
}

/// The Chinese label of a batch status.
pub fn batch_status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待平台反馈",
        "accepted" => "已接收",
        "void" => "已作废",
        _ => "未知",
    }
}

fn batch_named(r: &Reader<'_>, batch_no: &str) -> Result<BatchRow, DeskError> {
    r.platform_batch(batch_no.trim())?
        .ok_or_else(|| DeskError::NotFound(format!("报送批次 {}", batch_no.trim())))
}

/// The batch row a 记录标识 names: `R<number>` a record, otherwise a 承诺编码.
fn item_by_key(
    r: &Reader<'_>,
    batch: i64,
    key: &str,
    class: Option<PlatformClass>,
) -> Result<Option<(String, i64)>, DeskError> {
    let (kind, id) = match key.strip_prefix('R').and_then(|n| n.parse::<i64>().ok()) {
        Some(id) => ("r", id),
        None => match r.commitment_by_code(key)? {
            Some(c) => ("c", c.id.0),
            None => match r.repair_by_code(key)? {
                Some(a) => ("k", a.id.0),
                None => return Ok(None),
            },
        },
    };
    Ok(r.platform_item_of(batch, kind, id)?
        .filter(|(c, _)| class.is_none_or(|k| k.key() == c)))
}
