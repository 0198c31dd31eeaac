//! Pilot parks (rule T-5) and the park chosen on an account.

use super::sql::{OptionalExtension, params};

use super::{Reader, StoreError, Writer};
use crate::domain::park::{Park, ParkId, ValidPark};
use crate::domain::subject::AccountId;

fn park_from_row(id: i64, zone: String, name: String, keywords: String, active: bool) -> Park {
    Park {
        id: ParkId(id),
        zone,
        name,
        keywords: keywords
            .split(' ')
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
        active,
    }
}

impl Reader<'_> {
    /// Pilot parks, active first, then by zone and name.
    pub fn parks(&self) -> Result<Vec<Park>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, zone, name, keywords, active FROM park
                 ORDER BY active DESC, zone, name",
            )?
            .query_map(params![], |r| {
                Ok(park_from_row(
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The park chosen on an account, if any.
    pub fn account_park(&self, account: AccountId) -> Result<Option<Park>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT p.id, p.zone, p.name, p.keywords, p.active
                 FROM account a JOIN park p ON p.id = a.park_id WHERE a.id = ?1",
            )?
            .query_row([account.0], |r| {
                Ok(park_from_row(
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .optional()?)
    }
}

impl Writer<'_> {
    /// Add a pilot park.
    pub fn insert_park(&self, p: &ValidPark) -> Result<ParkId, StoreError> {
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO park (zone, name, keywords) VALUES (?1, ?2, ?3) RETURNING id",
            )?
            .query_row(params![p.zone, p.name, p.keywords.join(" ")], |r| r.get(0))?;
        Ok(ParkId(new_id))
    }

    /// Change a park; `false` when it does not exist.
    pub fn update_park(&self, id: ParkId, p: &ValidPark, active: bool) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE park SET zone = ?2, name = ?3, keywords = ?4, active = ?5 WHERE id = ?1",
            )?
            .execute(params![id.0, p.zone, p.name, p.keywords.join(" "), active])?;
        Ok(n == 1)
    }

    /// Choose (or clear) the park of an account; `false` when the account does not exist.
    pub fn set_account_park(
        &self,
        account: AccountId,
        park: Option<ParkId>,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("UPDATE account SET park_id = ?2 WHERE id = ?1")?
            .execute(params![account.0, park.map(|p| p.0)])?;
        Ok(n == 1)
    }
}
