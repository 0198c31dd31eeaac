//! The two files that describe a batch beside its data files (rule E-1: each send is a batch,
//! repeatable and recorded):
//!
//! - `变更清单.csv`: one line per data row — 信息类, 文件, 行号, 变更类型 (新增/更正/撤销), 记录标识 — so
//!   that the platform knows what each row does and a return file naming a row or a 记录标识 can
//!   be traced to the record. The data files themselves keep exactly the catalog's columns.
//! - `批次说明.csv`: 批次号, 生成时间, 操作员, and per file its 信息类, rows and SHA-256.
//!
//! Both are CSV in UTF-8 with BOM (Excel shows the Chinese), streamed like the data files and
//! byte-identical when written again with the same content.

use std::path::Path;

use chrono::NaiveDateTime;

use super::PlatformFileError;
use super::batch_file::{BatchFileWriter, BatchFormat, FileDigest};
use crate::domain::platform::{ChangeKind, PlatformClass};

/// The columns of `变更清单.csv`.
pub const MANIFEST_COLUMNS: [&str; 5] = ["信息类", "文件", "行号", "变更类型", "记录标识"];

/// The columns of `批次说明.csv`.
pub const BATCH_SUMMARY_COLUMNS: [&str; 7] = [
    "批次号",
    "生成时间",
    "操作员",
    "信息类",
    "文件",
    "行数",
    "SHA-256",
];

/// One line of the change list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub class: PlatformClass,
    /// The data file's name within the batch, e.g. `公用事业缴费信息.xlsx`.
    pub file: String,
    /// The row in that file as Excel shows it (the header is row 1, the first record row 2).
    pub row_no: u64,
    pub change: ChangeKind,
    /// What identifies the record to us: the commitment's 承诺编码, or an identifier the store
    /// keeps for the record (the caller chooses; it comes back in return files).
    pub record_key: String,
}

/// The change list being written.
pub struct ManifestWriter {
    inner: BatchFileWriter,
}

impl ManifestWriter {
    /// Start `变更清单.csv` (or another name) at `path`.
    pub fn create(path: &Path) -> Result<Self, PlatformFileError> {
        let header: Vec<String> = MANIFEST_COLUMNS.iter().map(|s| s.to_string()).collect();
        Ok(Self {
            inner: BatchFileWriter::create(path, BatchFormat::CsvBom, &header)?,
        })
    }

    /// Append one line.
    pub fn write_entry(&mut self, e: &ManifestEntry) -> Result<(), PlatformFileError> {
        self.inner.write_row(&[
            e.class.label().to_string(),
            e.file.clone(),
            e.row_no.to_string(),
            e.change.label().to_string(),
            e.record_key.clone(),
        ])
    }

    /// Complete the file (renamed into place) and return its digest.
    pub fn finish(self) -> Result<FileDigest, PlatformFileError> {
        self.inner.finish()
    }
}

/// One file of the batch, as 批次说明 lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryFile {
    /// The class; `None` for a file that is not a class's data (the change list).
    pub class: Option<PlatformClass>,
    pub file: String,
    pub digest: FileDigest,
}

/// What 批次说明.csv says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    pub batch_no: String,
    /// When the batch was made (the caller's clock: the domain has none).
    pub generated_at: NaiveDateTime,
    /// 工号 (and name) of the operator.
    pub operator: String,
    pub files: Vec<SummaryFile>,
}

/// Write `批次说明.csv`: one line per file with the batch's number, time and operator repeated,
/// so that every line stands alone when the file is filtered in Excel.
pub fn write_batch_summary(
    path: &Path,
    summary: &BatchSummary,
) -> Result<FileDigest, PlatformFileError> {
    let header: Vec<String> = BATCH_SUMMARY_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut w = BatchFileWriter::create(path, BatchFormat::CsvBom, &header)?;
    let at = summary.generated_at.format("%Y-%m-%d %H:%M:%S").to_string();
    for f in &summary.files {
        w.write_row(&[
            summary.batch_no.clone(),
            at.clone(),
            summary.operator.clone(),
            f.class.map_or("变更清单", PlatformClass::label).to_string(),
            f.file.clone(),
            f.digest.rows.to_string(),
            f.digest.sha256.clone(),
        ])?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn change_list_and_summary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("变更清单.csv");
        let mut w = ManifestWriter::create(&p).unwrap();
        for (i, change) in ChangeKind::ALL.into_iter().enumerate() {
            w.write_entry(&ManifestEntry {
                class: PlatformClass::Commitment,
                file: "信用承诺信息.xlsx".into(),
                row_no: i as u64 + 2,
                change,
                record_key: format!("4408002024030500000{i}"),
            })
            .unwrap();
        }
        let digest = w.finish().unwrap();
        assert_eq!(digest.rows, 3);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            "\u{FEFF}信息类,文件,行号,变更类型,记录标识\r\n\
             信用承诺信息,信用承诺信息.xlsx,2,新增,44080020240305000000\r\n\
             信用承诺信息,信用承诺信息.xlsx,3,更正,44080020240305000001\r\n\
             信用承诺信息,信用承诺信息.xlsx,4,撤销,44080020240305000002\r\n"
        );
        let summary = BatchSummary {
            batch_no: "PT20240305001".into(),
            generated_at: NaiveDate::from_ymd_opt(2024, 3, 5)
                .unwrap()
                .and_hms_opt(9, 30, 0)
                .unwrap(),
            operator: "Z001 王五".into(),
            files: vec![
                SummaryFile {
                    class: Some(PlatformClass::Commitment),
                    file: "信用承诺信息.xlsx".into(),
                    digest: FileDigest {
                        rows: 3,
                        sha256: "ab".repeat(32),
                    },
                },
                SummaryFile {
                    class: None,
                    file: "变更清单.csv".into(),
                    digest: digest.clone(),
                },
            ],
        };
        let s = dir.path().join("批次说明.csv");
        let first = write_batch_summary(&s, &summary).unwrap();
        let text = std::fs::read_to_string(&s).unwrap();
        assert!(text.starts_with("\u{FEFF}批次号,生成时间,操作员,信息类,文件,行数,SHA-256\r\n"));
        assert!(text.contains(&format!(
            "PT20240305001,2024-03-05 09:30:00,Z001 王五,变更清单,变更清单.csv,3,{}\r\n",
            digest.sha256
        )));
        assert_eq!(write_batch_summary(&s, &summary).unwrap(), first);
    }
}
