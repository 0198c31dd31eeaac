//! The publication file for 信用湛江 (rule E-3): the 可向社会公开 commitments, under
//! [`PUBLICATION_COLUMNS`], personal ID numbers masked (rule ID-3). 特定范围内公开 and 不可公开
//! commitments are left out here (they still go to the platform, rule E-1). Streamed and
//! byte-identical on re-write, like the batch files.

use std::path::Path;

use super::PlatformFileError;
use super::batch_file::{BatchFileWriter, BatchFormat, FileDigest};
use crate::domain::commitment::Commitment;
use crate::domain::platform::{PUBLICATION_COLUMNS, publication_row};

/// The sheet name of the publication workbook.
const SHEET: &str = "信用承诺信息公示";

/// The publication file being written (for a caller that reads commitments page by page).
pub struct PublicationWriter {
    inner: BatchFileWriter,
}

impl PublicationWriter {
    /// Start the file at `path` (XLSX by default, or CSV with BOM).
    pub fn create(path: &Path, format: BatchFormat) -> Result<Self, PlatformFileError> {
        let header: Vec<String> = PUBLICATION_COLUMNS.iter().map(|s| s.to_string()).collect();
        Ok(Self {
            inner: BatchFileWriter::create_with(path, format, SHEET, &header, None)?,
        })
    }

    /// Add `c` if it is published; returns whether it was.
    pub fn add(&mut self, c: &Commitment) -> Result<bool, PlatformFileError> {
        match publication_row(c) {
            Some(row) => self.inner.write_row(&row).map(|()| true),
            None => Ok(false),
        }
    }

    /// Complete the file; `rows` counts the published commitments.
    pub fn finish(self) -> Result<FileDigest, PlatformFileError> {
        self.inner.finish()
    }
}

/// Write the publication file from `commitments` in one go.
pub fn write_publication<'a>(
    path: &Path,
    format: BatchFormat,
    commitments: impl IntoIterator<Item = &'a Commitment>,
) -> Result<FileDigest, PlatformFileError> {
    let mut w = PublicationWriter::create(path, format)?;
    for c in commitments {
        w.add(c)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::commitment::{AcceptingUnit, CommitmentId, CommitmentType, Publicity};
    use crate::domain::id_codes::{mask_id_number, resident_id_check_char};
    use crate::domain::letter::LetterFields;
    use crate::domain::subject::{SubjectId, SubjectKind};
    use crate::domain::trust::Business;
    use calamine::{Reader, Xlsx, open_workbook};
    use chrono::NaiveDate;

    fn commitment(n: i64, publicity: Publicity, number: &str) -> Commitment {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        Commitment {
            id: CommitmentId(n),
            subject_id: SubjectId(n),
            code: format!("4408002024030500000{n}"),
            committer_name: format!("承诺人{n}"),
            committer_kind: SubjectKind::NaturalPerson,
            committer_code: number.into(),
            commitment_type: CommitmentType::ProofSubstitute,
            business: Business::NewConnection,
            reason: "信易电".into(),
            content: "一、……".into(),
            liability: "违诺责任".into(),
            made_on: day,
            valid_until: None,
            fulfilment: None,
            unfulfilled: None,
            liability_pursued: None,
            fulfilment_decided_on: None,
            accepting_unit: AcceptingUnit::default(),
            deciding_unit: None,
            publicity,
            letter: LetterFields::default(),
            signed_file: Some("cd".repeat(32)),
            signed_on: Some(day),
            issued_by: "Z001".into(),
        }
    }

    #[test]
    fn only_public_commitments_with_masked_numbers_and_identical_rewrites() {
        let first17 = "44080219850101123";
        let number = format!("{first17}{}", resident_id_check_char(first17).unwrap());
        let list = vec![
            commitment(1, Publicity::Public, &number),
            commitment(2, Publicity::Restricted, &number),
            commitment(3, Publicity::Private, &number),
            commitment(4, Publicity::Public, &number),
        ];
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("公示.xlsx");
        let b = dir.path().join("公示2.xlsx");
        let da = write_publication(&a, BatchFormat::Xlsx, &list).unwrap();
        let db = write_publication(&b, BatchFormat::Xlsx, &list).unwrap();
        assert_eq!(da.rows, 2);
        assert_eq!(da, db);
        let mut wb: Xlsx<_> = open_workbook(&a).unwrap();
        let range = wb.worksheet_range(SHEET).unwrap();
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(cells[0], PUBLICATION_COLUMNS);
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[1][1], "承诺人1");
        assert_eq!(cells[2][1], "承诺人4");
        assert_eq!(cells[1][3], mask_id_number(&number));
        assert!(
            cells
                .iter()
                .flatten()
                .all(|c| !c.contains(&number) && !c.contains("cdcd"))
        );

        let c = dir.path().join("公示.csv");
        write_publication(&c, BatchFormat::CsvBom, &list).unwrap();
        let text = std::fs::read_to_string(&c).unwrap();
        assert!(text.starts_with('\u{FEFF}'));
        assert_eq!(text.lines().count(), 3);
        assert!(!text.contains(&number));
    }
}
