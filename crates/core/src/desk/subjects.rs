//! Counter actions on subjects and accounts: look up, show, register, edit (rule S-1).

use serde::Serialize;

use super::act::{Act, AuditLine};
use super::{Desk, DeskError};
use crate::domain::id_codes::{mask_id_number, normalize};
use crate::domain::operator::Action;
use crate::domain::subject::{
    AccountDraft, AccountId, Field, Subject, SubjectDraft, SubjectId, SubjectKind, SubjectSummary,
    ValidSubject,
};
use crate::domain::text::FieldError;
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
        let act = self.begin(Action::CreateSubject)?;
        let valid = draft.validate(act.today).map_err(DeskError::Invalid)?;
        refuse_unprintable(&valid)?;
        self.insert_subject(act, &valid, None)
    }

    /// Register an organisation whose USCC fails only the national check character, because a
    /// supervisor confirmed it was legally issued (rule ID-1: some pilot-era codes do). The reason
    /// and the supervisor are recorded with the subject and in the audit trail.
    pub fn create_subject_accepting_code(
        &mut self,
        draft: &SubjectDraft,
        reason: &str,
    ) -> Result<SubjectId, DeskError> {
        let act = self.begin(Action::AcceptUsccCheckFailure)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::OverrideReasonMissing);
        }
        let valid = draft
            .validate_accepting_check_failure(act.today)
            .map_err(DeskError::Invalid)?;
        refuse_unprintable(&valid)?;
        self.insert_subject(act, &valid, Some(reason))
    }

    /// Insert the subject authorised by `act` (登记主体, or 认可校验位不符 with its reason): the
    /// audit row takes that action's label.
    fn insert_subject(
        &mut self,
        act: Act,
        valid: &ValidSubject,
        override_reason: Option<&str>,
    ) -> Result<SubjectId, DeskError> {
        self.commit(act, |w, &Act { ref me, now, .. }| {
            refuse_duplicate(w, valid, None)?;
            let id = w.insert_subject(valid, now)?;
            let mut summary = format!(
                "新增{}：{}（{} {}）",
                valid.kind.label(),
                valid.name,
                valid.code.type_label(),
                valid.code.display_masked()
            );
            if let Some(reason) = override_reason {
                w.set_code_override(id, reason, me.id)?;
                summary.push_str(&format!("；校验位不符，认可原因：{reason}"));
            }
            Ok((id, AuditLine::new(Some(id.0), summary)))
        })
    }

    /// Save the edit form of subject `id`.
    pub fn update_subject(&mut self, id: SubjectId, draft: &SubjectDraft) -> Result<(), DeskError> {
        let act = self.begin(Action::EditSubject)?;
        let valid = draft.validate(act.today).map_err(DeskError::Invalid)?;
        refuse_unprintable(&valid)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            refuse_duplicate(w, &valid, Some(id))?;
            let before = w
                .subject(id)?
                .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的主体")))?;
            w.update_subject(id, &valid, now)?;
            // The name and code decide whether the report is this subject's (T-1(c)).
            refresh.subject(w, id)?;
            let summary = change_summary(&before, &valid);
            Ok(((), AuditLine::new(Some(id.0), summary)))
        })
    }

    /// Add a power-supply account (用户编号) to a subject.
    pub fn add_account(
        &mut self,
        subject: SubjectId,
        draft: &AccountDraft,
    ) -> Result<AccountId, DeskError> {
        let act = self.begin(Action::AddAccount)?;
        let valid = draft.validate(act.today).map_err(DeskError::Invalid)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            if w.subject(subject)?.is_none() {
                return Err(DeskError::NotFound(format!("编号为 {subject} 的主体")));
            }
            refuse_duplicate_account(w, &valid.account_no, None)?;
            let id = w.insert_account(subject, &valid, now)?;
            // The supply start decides whether three years of use are on record (T-1(b), T-2).
            refresh.subject(w, subject)?;
            let summary = format!(
                "新增用电户 {}：{}{}",
                valid.account_no,
                valid.usage_address,
                valid
                    .supply_start
                    .map(|d| format!("，{d} 起用电"))
                    .unwrap_or_default()
            );
            Ok((id, AuditLine::new(Some(subject.0), summary)))
        })
    }

    /// Correct an account's 用户编号, usage address or supply start date.
    pub fn update_account(&mut self, id: AccountId, draft: &AccountDraft) -> Result<(), DeskError> {
        let act = self.begin(Action::EditAccount)?;
        let valid = draft.validate(act.today).map_err(DeskError::Invalid)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            refuse_duplicate_account(w, &valid.account_no, Some(id))?;
            let before = w
                .account(id)?
                .ok_or_else(|| DeskError::NotFound(format!("编号为 {} 的用户", id.0)))?;
            w.update_account(id, &valid, now)?;
            refresh.subject(w, before.subject_id)?;
            let summary = format!(
                "修改用电户 {}：{} → {} {}",
                before.account_no, before.usage_address, valid.account_no, valid.usage_address
            );
            Ok(((), AuditLine::new(Some(before.subject_id.0), summary)))
        })
    }
}

/// A name the commitment letter could not print (C-1) is refused when it is entered, not months
/// later at the letter: a character neither bundled font has (a rare CJK Extension character
/// outside the fallback's set). Emoji and invisible characters are refused by the field checks.
fn refuse_unprintable(v: &ValidSubject) -> Result<(), DeskError> {
    let mut errors = Vec::new();
    let mut check = |field: Field, text: &str| {
        let bad = crate::documents::letter_pdf::unprintable_chars(text);
        if !bad.is_empty() {
            let shown: Vec<String> = bad
                .iter()
                .map(|c| format!("“{c}”（U+{:04X}）", *c as u32))
                .collect();
            errors.push(FieldError::new(
                field,
                format!(
                    "含有承诺书字体无法打印的字{}：请改用通用写法，或联系管理员补充字库",
                    shown.join("、")
                ),
            ));
        }
    };
    check(Field::Name, &v.name);
    if let Some(lr) = &v.legal_rep {
        check(Field::LegalRepName, &lr.name);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DeskError::Invalid(errors))
    }
}

/// "名称 A → B；联系电话 X → Y" for the audit trail; ID numbers masked (rule ID-3).
fn change_summary(before: &Subject, after: &ValidSubject) -> String {
    let b = SubjectDraft::from_subject(before);
    let a = SubjectDraft::from_subject(&Subject {
        kind: after.kind,
        code: after.code.clone(),
        name: after.name.clone(),
        legal_rep: after.legal_rep.clone(),
        founded_on: after.founded_on,
        phone: after.phone.clone(),
        address: after.address.clone(),
        ..before.clone()
    });
    let personal = |f: Field| {
        matches!(f, Field::LegalRepIdNumber)
            || (f == Field::Code && before.kind == SubjectKind::NaturalPerson)
    };
    let mut parts = Vec::new();
    for (f, x, y) in [
        (Field::Name, &b.name, &a.name),
        (Field::Code, &b.code, &a.code),
        (Field::LegalRepName, &b.legal_rep_name, &a.legal_rep_name),
        (
            Field::LegalRepIdNumber,
            &b.legal_rep_id_number,
            &a.legal_rep_id_number,
        ),
        (Field::FoundedOn, &b.founded_on, &a.founded_on),
        (Field::Phone, &b.phone, &a.phone),
        (Field::Address, &b.address, &a.address),
    ] {
        if x != y {
            let (x, y) = if personal(f) {
                (mask_id_number(x), mask_id_number(y))
            } else {
                (x.clone(), y.clone())
            };
            parts.push(format!("{} “{x}” → “{y}”", f.label()));
        }
    }
    if parts.is_empty() {
        format!("保存“{}”，内容未变", before.name)
    } else {
        format!("修改“{}”：{}", before.name, parts.join("；"))
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
