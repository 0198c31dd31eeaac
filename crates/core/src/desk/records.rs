//! Counter actions on power-supply records (rules S-2, D-1..D-5): bulk import from the marketing
//! system, a subject's records with the dishonesty judgement of each, and the 数额较大 setting.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::Serialize;

use super::act::AuditLine;
use super::{Desk, DeskError, Progress};
use crate::documents::import::{ImportedRow, RecordReader, RejectWriter, RowError, open_records};
use crate::domain::dishonesty::{
    DEFAULT_LARGE_ARREARS_THRESHOLD, DishonestyParams, Outcome, assess_record,
};
use crate::domain::operator::Action;
use crate::domain::records::{Fen, Record, RecordKind, SubjectRef};
use crate::domain::subject::{SubjectCode, SubjectId, SubjectKind, ValidSubject};
use crate::store::{EncodedRecord, Upsert};

/// Setting key of 数额较大 (rule D-1), in fen.
pub const LARGE_ARREARS_KEY: &str = "large_arrears_threshold_fen";

/// How many refused rows a summary lists (the rejected-rows file has them all).
const MAX_LISTED_ERRORS: usize = 1000;

/// Rows the parsing thread hands over at once, and how many such batches may wait: enough to
/// keep both threads busy, a few MB at most. A shared server gets larger batches: each batch
/// costs it a few round trips (subjects, keys, new rows), whatever its size; 64k rows doubled
/// the rate of 1k (and 16k gave two thirds of it) for about 100 MB more at the peak.
const BATCH_ROWS: usize = 1024;
const SERVER_BATCH_ROWS: usize = 64 * 1024;
const BATCHES_IN_FLIGHT: usize = 4;
/// A server batch is 64 times larger: two waiting batches keep the writer fed (one made the
/// parser wait), and four held up to 210 MB more at the peak (issue 17, `import_write`
/// against PostgreSQL: peak 432 MB with four, 220 MB with two).
const SERVER_BATCHES_IN_FLIGHT: usize = 2;

/// A row read, checked and encoded for storage; or the reason it was refused.
// Nearly every item is a row: boxing it would cost an allocation a row for nothing.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Row(ReadyRow),
    Bad(RowError),
}

/// What the writer needs of a good row. The record itself stays on the parsing thread, which
/// frees it at once (cheap for the allocator); the writer decodes it from `enc` on the rare
/// paths that need it (registering an unknown subject, a refusal).
struct ReadyRow {
    /// Excel row number.
    row: u64,
    notes: Vec<crate::documents::import::RowNote>,
    /// [`Record::subject_parts`]: code type (or `account`) and code.
    subject: (&'static str, String),
    enc: EncodedRecord,
}

impl ReadyRow {
    fn new(row: ImportedRow) -> Self {
        let (t, v) = row.record.subject_parts();
        Self {
            row: row.row,
            subject: (t, v.to_string()),
            enc: EncodedRecord::new(&row.record),
            notes: row.notes,
        }
    }
}

/// Consecutive rows of the file, how far the file has been read, and whether this is the end.
struct Batch {
    items: Vec<Parsed>,
    progress: (u64, u64),
    end: bool,
}

/// Read, check and encode every row of `reader`, in batches, until the file ends or the writer
/// stops listening (refusal, cancel, error). Batches the writer is done with come back on
/// `spent`: their rows are freed here, by the thread that allocated them (much cheaper for the
/// allocator than freeing them on the writer's thread), and their space is reused.
fn parse_ahead(
    mut reader: RecordReader,
    batch_rows: usize,
    tx: mpsc::SyncSender<Batch>,
    spent: mpsc::Receiver<Vec<Parsed>>,
) {
    loop {
        let mut items = match spent.try_recv() {
            Ok(mut old) => {
                old.clear();
                old
            }
            Err(_) => Vec::with_capacity(batch_rows),
        };
        items.extend(reader.by_ref().take(batch_rows).map(|item| match item {
            Ok(row) => Parsed::Row(ReadyRow::new(row)),
            Err(e) => Parsed::Bad(e),
        }));
        let end = items.len() < batch_rows;
        let p = reader.progress();
        let batch = Batch {
            items,
            progress: (p.done, p.total),
            end,
        };
        if tx.send(batch).is_err() || end {
            return;
        }
    }
}

/// Options of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Write the good rows; write the refused ones to a CSV beside the input.
    pub skip_invalid: bool,
    /// Register subjects the file names but the database does not know.
    pub create_subjects: bool,
}

/// What an import did (or, when refused, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub kind: String,
    pub format: String,
    pub notices: Vec<String>,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub created_subjects: u64,
    /// Refused rows in total, and the first ones with their reasons.
    pub rejected: u64,
    pub errors: Vec<String>,
    /// The first refused rows' problems one by one, for the window's table (row, column, value,
    /// reason); the CLI prints `errors`.
    #[serde(skip)]
    pub bad_cells: Vec<(u64, crate::documents::import::CellProblem)>,
    /// Rows converted or otherwise worth a look.
    pub row_notes: Vec<String>,
    /// Whether anything was written.
    pub written: bool,
    pub reject_file: Option<PathBuf>,
}

/// One of a subject's records with its judgement as of today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordView {
    /// Database key, for correcting the record (not part of exports).
    #[serde(skip)]
    pub id: crate::store::RecordId,
    pub record: Record,
    pub source: String,
    pub outcome: Outcome,
    /// The city platform refused this record in the newest batch that sent it (issue 18):
    /// "批次 N：reason". It is sent again once corrected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_refusal: Option<String>,
    /// Its grade, periods, repair, withdrawal and open objection (rules X-2, X-3); `outcome`
    /// already reflects them (a repaired record is not dishonest from its repair date).
    pub credit: crate::domain::credit::RecordCredit,
}

/// The platform's refusal of a record, as [`RecordView::platform_refusal`] says it.
pub(super) fn refusal_of(
    r: &crate::store::Reader<'_>,
    id: crate::store::RecordId,
) -> Result<Option<String>, DeskError> {
    Ok(r.platform_refusal("r", id.0)?.map(|(batch, reason)| {
        format!("市信用平台拒收（批次 {batch}）：{reason}，更正后随下一批次重报")
    }))
}

fn subject_for_row(record: &Record) -> Option<ValidSubject> {
    let SubjectRef::Code { code } = record.subject() else {
        return None;
    };
    let kind = match &code {
        SubjectCode::Uscc { code } if code.as_str().starts_with("92") => {
            SubjectKind::IndividualBusiness
        }
        SubjectCode::Uscc { .. } => SubjectKind::Organization,
        SubjectCode::Person { .. } => SubjectKind::NaturalPerson,
    };
    let name = record.subject_name().trim();
    (!name.is_empty()).then(|| ValidSubject {
        kind,
        code,
        name: name
            .chars()
            .take(crate::domain::subject::MAX_NAME)
            .collect(),
        legal_rep: None,
        founded_on: None,
        phone: String::new(),
        address: String::new(),
    })
}

impl Desk {
    /// The dishonesty parameters in force (rule D-1's 数额较大 is a setting).
    pub fn dishonesty_params(&self) -> Result<DishonestyParams, DeskError> {
        let fen = self
            .store
            .read()
            .setting(LARGE_ARREARS_KEY)?
            .and_then(|v| v.parse::<i64>().ok())
            .map_or(DEFAULT_LARGE_ARREARS_THRESHOLD, Fen);
        Ok(DishonestyParams {
            large_arrears_threshold: fen,
        })
    }

    /// Change 数额较大 (admin), in whole yuan.
    pub fn set_large_arrears_threshold(&mut self, yuan: i64) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        if !(1..=100_000_000).contains(&yuan) {
            return Err(DeskError::Setting(
                "数额较大的标准应在 1 元到 1 亿元之间".into(),
            ));
        }
        let before = self.dishonesty_params()?.large_arrears_threshold;
        let after = Fen::from_yuan(yuan);
        self.commit(act, |w, _| {
            w.set_setting(LARGE_ARREARS_KEY, &after.0.to_string())?;
            let detail = format!("欠费“数额较大”标准 {before} → {after}（规则 D-1）");
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Import a record file from the marketing system (CSV in UTF-8 or GBK, XLSX/XLS). By default
    /// all or nothing: one bad row and nothing is written, and the summary lists every bad row.
    /// Re-importing a file never duplicates a record (natural keys).
    pub fn import_records(
        &mut self,
        path: &Path,
        kind: Option<RecordKind>,
        opts: ImportOptions,
        progress: &Progress,
    ) -> Result<ImportSummary, DeskError> {
        let act = self.begin(Action::ImportRecords)?;
        if opts.create_subjects {
            self.authorize(Action::CreateSubject)?;
        }
        let (today, now) = (act.today, act.now);
        let refresh = self.refresh()?;
        let reader =
            open_records(path, kind, today).map_err(|e| DeskError::Import(e.to_string()))?;
        let header = reader.header().clone();
        // Payments never count against a subject (D-1..D-3), so a payment file changes no
        // standing; any other kind may, for every subject whose record it adds or changes.
        let may_change_standing =
            !matches!(header.kind, RecordKind::Payment | RecordKind::PersonPayment);
        let mut changed: std::collections::BTreeSet<SubjectId> = Default::default();
        let mut summary = ImportSummary {
            kind: header.kind.label().to_string(),
            format: reader.format().label().to_string(),
            notices: header.notices(),
            ..ImportSummary::default()
        };
        let source = format!(
            "import:{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let reject_path = opts.skip_invalid.then(|| {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            path.with_file_name(format!("{stem}-未导入.csv"))
        });
        let mut rejects = match &reject_path {
            Some(p) if !opts.dry_run => Some(
                RejectWriter::create(p, &header).map_err(|e| DeskError::Import(e.to_string()))?,
            ),
            _ => None,
        };
        let mut refuse = |summary: &mut ImportSummary, e: &RowError| -> Result<(), DeskError> {
            summary.rejected += 1;
            if summary.errors.len() < MAX_LISTED_ERRORS {
                summary.errors.push(e.to_string());
                summary
                    .bad_cells
                    .extend(e.problems.iter().map(|p| (e.row, p.clone())));
            }
            if let Some(w) = rejects.as_mut() {
                w.write(e).map_err(|e| DeskError::Import(e.to_string()))?;
            }
            Ok(())
        };

        // Parsing (and encoding) runs one thread ahead of writing: on two cores the file is read
        // while SQLite writes, which more than halves a large import.
        let (batch_rows, in_flight) = match self.engine() {
            crate::store::Engine::Sqlite => (BATCH_ROWS, BATCHES_IN_FLIGHT),
            crate::store::Engine::Postgres => (SERVER_BATCH_ROWS, SERVER_BATCHES_IN_FLIGHT),
        };
        let (tx, rx) = mpsc::sync_channel::<Batch>(in_flight);
        let (spent_tx, spent_rx) = mpsc::channel::<Vec<Parsed>>();
        let (outcome, parsed) = std::thread::scope(|scope| {
            let parser = std::thread::Builder::new()
                .name("xyd-import-parse".into())
                .spawn_scoped(scope, move || parse_ahead(reader, batch_rows, tx, spent_rx));
            // One transaction: rolled back on refusal, dry run, cancel or a broken read. Its
            // checkpoint runs in the background (a million rows make a log of half a GB).
            let outcome: Result<ImportSummary, DeskError> = self.commit_bulk(act, |w, _| {
                // Moved in, so that the channels close whenever writing stops and the parser
                // ends instead of waiting.
                let (rx, spent_tx) = (rx, spent_tx);
                let mut out = w.record_import(&source, now)?;
                let mut complete = false;
                for batch in rx.iter() {
                    progress
                        .set(batch.progress.0, batch.progress.1)
                        .map_err(|_| DeskError::Cancelled("导入已取消，未写入任何记录".into()))?;
                    complete = batch.end;
                    // Subjects are resolved row by row (a subject registered by one row serves
                    // the next), then the batch's records are written together.
                    out.prefetch_subjects(batch.items.iter().filter_map(|item| match item {
                        Parsed::Row(row) => Some((row.subject.0, row.subject.1.as_str())),
                        Parsed::Bad(_) => None,
                    }))?;
                    let mut pending: Vec<(SubjectId, &EncodedRecord)> = Vec::new();
                    for item in &batch.items {
                        summary.rows += 1;
                        let row = match item {
                            Parsed::Row(row) => row,
                            Parsed::Bad(e) => {
                                refuse(&mut summary, e)?;
                                continue;
                            }
                        };
                        for n in &row.notes {
                            if summary.row_notes.len() < MAX_LISTED_ERRORS {
                                summary.row_notes.push(format!("第 {} 行：{n}", row.row));
                            }
                        }
                        let parts = (row.subject.0, row.subject.1.as_str());
                        let subject = match out.resolve_subject(parts)? {
                            Some(id) => id,
                            None => {
                                let record = row.enc.record()?;
                                match subject_for_row(&record) {
                                    Some(s) if opts.create_subjects => {
                                        summary.created_subjects += 1;
                                        out.insert_subject(parts, &s)?
                                    }
                                    _ => {
                                        let e = unknown(&row.row, &record, !opts.create_subjects);
                                        refuse(&mut summary, &e)?;
                                        continue;
                                    }
                                }
                            }
                        };
                        pending.push((subject, &row.enc));
                    }
                    for ((subject, _), done) in pending.iter().zip(out.upsert_batch(&pending)?) {
                        match done {
                            Upsert::Inserted(_) => summary.inserted += 1,
                            Upsert::Updated(_) => summary.updated += 1,
                            Upsert::Unchanged(_) => {
                                summary.unchanged += 1;
                                continue;
                            }
                        }
                        if may_change_standing {
                            changed.insert(*subject);
                        }
                    }
                    drop(pending);
                    // Freed by the parser; if it has ended, they are freed here.
                    let _ = spent_tx.send(batch.items);
                }
                if !complete {
                    // The parsing thread stopped without reaching the end of the file.
                    return Err(DeskError::Import(
                        "读取文件时意外中断，未写入任何记录：请重新导入".into(),
                    ));
                }
                drop(out);
                if summary.rows == 0 {
                    return Err(DeskError::Import(
                        "文件只有表头，没有数据行：请检查是否导出了正确的文件".into(),
                    ));
                }
                let refused = summary.rejected > 0 && !opts.skip_invalid;
                if opts.dry_run || refused {
                    // Roll back: the closure's error undoes the transaction; the summary goes back
                    // through the error path below.
                    return Err(DeskError::ImportNotWritten(Box::new(summary.clone())));
                }
                for s in &changed {
                    refresh.subject(w, *s)?;
                }
                let detail = format!(
                    "导入{}“{}”：{} 行，新增 {}，更新 {}，未变 {}，拒绝 {}，新登记主体 {}",
                    summary.kind,
                    source.trim_start_matches("import:"),
                    summary.rows,
                    summary.inserted,
                    summary.updated,
                    summary.unchanged,
                    summary.rejected,
                    summary.created_subjects
                );
                summary.written = true;
                Ok((summary.clone(), AuditLine::new(None, detail)))
            });
            (outcome, parser.map(|p| p.join()))
        });
        if !matches!(parsed, Ok(Ok(()))) {
            // The parser could not start or panicked: the channel closed before the end of the
            // file, so the transaction was rolled back.
            return Err(DeskError::Import(
                "读取文件时出现内部错误，未写入任何记录：请把该文件交给系统管理员".into(),
            ));
        }
        let summary = match outcome {
            Ok(r) => r,
            Err(DeskError::ImportNotWritten(r)) => *r,
            Err(e) => return Err(e),
        };
        if let Some(w) = rejects {
            w.finish().map_err(|e| DeskError::Import(e.to_string()))?;
        }
        Ok(ImportSummary {
            reject_file: if opts.dry_run { None } else { reject_path },
            ..summary
        })
    }

    /// A subject's records, oldest first, each with its dishonesty judgement as of today.
    pub fn records_of(&self, subject: SubjectId) -> Result<Vec<RecordView>, DeskError> {
        let today = self.today();
        let params = self.dishonesty_params()?;
        let r = self.store.read();
        let grades = super::credit::grades(&r)?;
        let marks = super::credit::credit_marks(&r, subject)?;
        r.records_of(subject)?
            .into_iter()
            .map(|s| {
                let (outcome, _, credit) = crate::domain::credit::judge(
                    assess_record(&s.record, today, &params),
                    today,
                    &grades,
                    &marks,
                );
                Ok(RecordView {
                    id: s.id,
                    outcome,
                    credit,
                    platform_refusal: refusal_of(&r, s.id)?,
                    record: s.record,
                    source: s.source,
                })
            })
            .collect()
    }

    /// How many power-supply records are stored.
    pub fn count_records(&self) -> Result<i64, DeskError> {
        Ok(self.store.read().count_records()?)
    }
}

fn unknown(row: &u64, record: &Record, hint_create: bool) -> RowError {
    let hint = if hint_create {
        "：请先在柜台登记该主体，或导入时选择“自动登记未知主体”"
    } else {
        "，且文件中没有可用于登记的名称"
    };
    RowError {
        row: *row,
        problems: vec![crate::documents::import::CellProblem {
            column: String::new(),
            value: String::new(),
            reason: format!("{} 尚未登记{hint}", record.subject().display_masked()),
        }],
        cells: Vec::new(),
        fatal: false,
    }
}
