//! Pilot parks (rule T-5): the list an admin keeps and the park chosen on an account, which the
//! trust check matches a business request against.

use super::act::AuditLine;
use super::{Desk, DeskError};
use crate::domain::operator::Action;
use crate::domain::park::{Park, ParkDraft, ParkId};
use crate::domain::subject::AccountId;

impl Desk {
    /// Pilot parks (rule T-5).
    pub fn parks(&self) -> Result<Vec<Park>, DeskError> {
        Ok(self.store.read().parks()?)
    }

    /// Add a pilot park (admin).
    pub fn add_park(&mut self, draft: &ParkDraft) -> Result<ParkId, DeskError> {
        let act = self.begin(Action::ManageParks)?;
        let p = draft.validate().map_err(DeskError::InvalidPark)?;
        self.refuse_duplicate_park(&p.zone, &p.name, None)?;
        self.commit(act, |w, _| {
            let id = w.insert_park(&p)?;
            let detail = format!("新增试点园区：{} {}", p.zone, p.name);
            Ok((id, AuditLine::new(None, detail)))
        })
    }

    /// Change a pilot park, or retire it (`active = false`) without losing old verdicts.
    pub fn update_park(
        &mut self,
        id: ParkId,
        draft: &ParkDraft,
        active: bool,
    ) -> Result<(), DeskError> {
        let act = self.begin(Action::ManageParks)?;
        let p = draft.validate().map_err(DeskError::InvalidPark)?;
        self.refuse_duplicate_park(&p.zone, &p.name, Some(id))?;
        self.commit(act, |w, _| {
            if !w.update_park(id, &p, active)? {
                return Err(DeskError::NotFound(format!("编号为 {} 的试点园区", id.0)));
            }
            let detail = format!(
                "修改试点园区：{} {}{}",
                p.zone,
                p.name,
                if active { "" } else { "（已停用）" }
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    fn refuse_duplicate_park(
        &self,
        zone: &str,
        name: &str,
        except: Option<ParkId>,
    ) -> Result<(), DeskError> {
        if self
            .parks()?
            .iter()
            .any(|p| p.zone == zone && p.name == name && Some(p.id) != except)
        {
            return Err(DeskError::DuplicatePark(format!(
                "试点园区“{zone} {name}”已存在，请勿重复添加"
            )));
        }
        Ok(())
    }

    /// The park chosen on an account.
    pub fn account_park(&self, account: AccountId) -> Result<Option<Park>, DeskError> {
        Ok(self.store.read().account_park(account)?)
    }

    /// Choose (or clear) the pilot park an account lies in (rule T-5).
    pub fn set_account_park(
        &mut self,
        account: AccountId,
        park: Option<ParkId>,
    ) -> Result<(), DeskError> {
        let act = self.begin(Action::EditAccount)?;
        let (a, label) = {
            let r = self.store.read();
            let a = r
                .account(account)?
                .ok_or_else(|| DeskError::NotFound(format!("编号为 {} 的用电户", account.0)))?;
            let label = match park {
                Some(id) => r
                    .parks()?
                    .into_iter()
                    .find(|p| p.id == id && p.active)
                    .map(|p| p.label())
                    .ok_or_else(|| {
                        DeskError::NotFound(format!("编号为 {} 的试点园区（或已停用）", id.0))
                    })?,
                None => "不在试点园区".into(),
            };
            (a, label)
        };
        self.commit(act, |w, _| {
            w.set_account_park(account, park)?;
            let detail = format!("用电户 {} 所属园区：{label}", a.account_no);
            Ok(((), AuditLine::new(Some(a.subject_id.0), detail)))
        })
    }
}
