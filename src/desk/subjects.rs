//! Counter actions on subjects and accounts: look up, show, register, edit (rule S-1).

use serde::Serialize;

use super::{Desk, DeskError};
use crate::domain::ids::normalize;
use crate::domain::subject::{
    AccountDraft, AccountId, Subject, SubjectDraft, SubjectId, SubjectSummary, ValidSubject,
};
use crate::store::Reader;

/// What the search bar found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lookup {
    /// The query matched a code or a 用户编号 exactly.
    pub exact: bool,
    pub hits: Vec<SubjectSummary>,
}

/// A code-shaped query: ASCII letters and digits only, long enough to be a code or 用户编号.
fn looks_like_code(q: &str) -> bool {
    q.len() >= 5 && q.chars().all(|c| c.is_ascii_alphanumeric())
}

impl Desk {
    /// The search bar: an exact code (USCC, ID number — as typed, pasted or scanned) or 用户编号
    /// opens that subject; anything else searches names by fragment.
    pub fn lookup(&self, query: &str, limit: usize) -> Result<Lookup, DeskError> {
        let r = self.store.read();
        let code = normalize(query);
        if looks_like_code(&code) {
            let mut hits = r.subjects_with_code(&code)?;
            if let Some(s) = r.subject_by_account_no(&code)?
                && !hits.iter().any(|h| h.id == s.id)
            {
                hits.push(s);
            }
            if !hits.is_empty() {
                return Ok(Lookup { exact: true, hits });
            }
        }
        Ok(Lookup {
            exact: false,
            hits: r.search_names(query.trim(), limit)?,
        })
    }

    /// The subject with its accounts.
    pub fn subject(&self, id: SubjectId) -> Result<Subject, DeskError> {
        self.store
            .read()
            .subject(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的主体")))
    }

    /// The subject whose code (USCC, ID number) or 用户编号 is exactly `code`.
    pub fn subject_by_code(&self, code: &str) -> Result<Subject, DeskError> {
        let n = normalize(code);
        let r = self.store.read();
        let hit = match r.subjects_with_code(&n)?.first() {
            Some(s) => Some(s.id),
            None => r.subject_by_account_no(&n)?.map(|s| s.id),
        };
        match hit {
            Some(id) => self.subject(id),
            None => Err(DeskError::NotFound(format!("代码或用户编号为 {n} 的主体"))),
        }
    }

    /// The subjects touched most recently (the start page of 查询).
    pub fn recent_subjects(&self, limit: usize) -> Result<Vec<SubjectSummary>, DeskError> {
        Ok(self.store.read().recent_subjects(limit)?)
    }

    /// How many subjects are registered.
    pub fn count_subjects(&self) -> Result<i64, DeskError> {
        Ok(self.store.read().count_subjects()?)
    }

    /// Register a new subject. A code already registered is refused with the existing name.
    pub fn create_subject(&mut self, draft: &SubjectDraft) -> Result<SubjectId, DeskError> {
        let today = self.today();
        let now = self.now();
        let valid = draft.validate(today).map_err(DeskError::Invalid)?;
        self.store.write(|w| {
            refuse_duplicate(w, &valid, None)?;
            Ok(w.insert_subject(&valid, now)?)
        })
    }

    /// Save the edit form of subject `id`.
    pub fn update_subject(&mut self, id: SubjectId, draft: &SubjectDraft) -> Result<(), DeskError> {
        let today = self.today();
        let now = self.now();
        let valid = draft.validate(today).map_err(DeskError::Invalid)?;
        self.store.write(|w| {
            refuse_duplicate(w, &valid, Some(id))?;
            if w.update_subject(id, &valid, now)? {
                Ok(())
            } else {
                Err(DeskError::NotFound(format!("编号为 {id} 的主体")))
            }
        })
    }

    /// Add a power-supply account (用户编号) to a subject.
    pub fn add_account(
        &mut self,
        subject: SubjectId,
        draft: &AccountDraft,
    ) -> Result<AccountId, DeskError> {
        let today = self.today();
        let now = self.now();
        let valid = draft.validate(today).map_err(DeskError::Invalid)?;
        self.store.write(|w| {
            if w.subject(subject)?.is_none() {
                return Err(DeskError::NotFound(format!("编号为 {subject} 的主体")));
            }
            refuse_duplicate_account(w, &valid.account_no, None)?;
            Ok(w.insert_account(subject, &valid, now)?)
        })
    }

    /// Correct an account's 用户编号, usage address or supply start date.
    pub fn update_account(&mut self, id: AccountId, draft: &AccountDraft) -> Result<(), DeskError> {
        let today = self.today();
        let now = self.now();
        let valid = draft.validate(today).map_err(DeskError::Invalid)?;
        self.store.write(|w| {
            refuse_duplicate_account(w, &valid.account_no, Some(id))?;
            if w.update_account(id, &valid, now)? {
                Ok(())
            } else {
                Err(DeskError::NotFound(format!("编号为 {} 的用户", id.0)))
            }
        })
    }
}

fn refuse_duplicate(
    r: &Reader<'_>,
    s: &ValidSubject,
    except: Option<SubjectId>,
) -> Result<(), DeskError> {
    let (code_type, code) = s.code.parts();
    match r.subject_by_code(code_type, code)? {
        Some((id, name)) if Some(id) != except => Err(DeskError::DuplicateSubject {
            code_label: s.code.type_label(),
            code: s.code.display_masked(),
            name,
        }),
        _ => Ok(()),
    }
}

fn refuse_duplicate_account(
    r: &Reader<'_>,
    account_no: &str,
    except: Option<AccountId>,
) -> Result<(), DeskError> {
    match r.account_by_no(account_no)? {
        Some((a, name)) if Some(a.id) != except => Err(DeskError::DuplicateAccount {
            account_no: account_no.to_string(),
            name,
        }),
        _ => Ok(()),
    }
}
