//! Pilot areas of 信易电 (rule T-5, annex 1). The list is data, not code: the store seeds it with
//! annex 1's parks and an administrator extends it as pilots grow.

use serde::{Deserialize, Serialize};

use super::text::FieldError;

/// Database key of a pilot park.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ParkId(pub i64);

/// One pilot park: the development zone (试点区域) and the park inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Park {
    pub id: ParkId,
    /// 试点区域, e.g. 湛江经济技术开发区.
    pub zone: String,
    /// 园区, e.g. 石化产业园区.
    pub name: String,
    /// Words that, found in a usage address, suggest the park (the address is only a hint).
    pub keywords: Vec<String>,
    /// Inactive parks stay for old verdicts but no longer match.
    pub active: bool,
}

impl Park {
    /// `湛江经济技术开发区 石化产业园区`.
    pub fn label(&self) -> String {
        format!("{} {}", self.zone, self.name)
    }

    /// The words matched against an address: the keywords, else the park's own name and that
    /// name without a trailing 区 (addresses say 石化产业园 as often as 石化产业园区).
    fn match_words(&self) -> Vec<&str> {
        if !self.keywords.is_empty() {
            return self.keywords.iter().map(String::as_str).collect();
        }
        let mut w = vec![self.name.as_str()];
        if let Some(short) = self.name.strip_suffix('区')
            && short.chars().count() >= 3
        {
            w.push(short);
        }
        w
    }
}

/// Annex 1: the pilot parks the store starts with (zone, park, keywords).
pub const ANNEX1_PARKS: [(&str, &str, &str); 3] = [
    ("湛江经济技术开发区", "石化产业园区", "石化产业园"),
    ("湛江经济技术开发区", "钢铁产业园区", "钢铁产业园"),
    ("湛江奋勇高新技术产业开发区", "东盟产业园区", "东盟产业园"),
];

/// The active park an address most likely lies in, by keyword (rule T-5: only a hint; the clerk
/// confirms by choosing the park on the account). The longest matching keyword wins.
pub fn hint_for_address<'a>(parks: &'a [Park], address: &str) -> Option<&'a Park> {
    let address: String = address.chars().filter(|c| !c.is_whitespace()).collect();
    parks
        .iter()
        .filter(|p| p.active)
        .filter_map(|p| {
            p.match_words()
                .into_iter()
                .filter(|w| !w.is_empty() && address.contains(w))
                .map(|w| w.chars().count())
                .max()
                .map(|len| (len, p))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, p)| p)
}

/// Fields of the park form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParkField {
    Zone,
    Name,
    Keywords,
}

impl ParkField {
    pub fn label(self) -> &'static str {
        match self {
            ParkField::Zone => "试点区域",
            ParkField::Name => "园区名称",
            ParkField::Keywords => "地址关键词",
        }
    }
}

/// Longest zone or park name accepted.
pub const MAX_PARK_TEXT: usize = 60;

/// A park as typed by an administrator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParkDraft {
    pub zone: String,
    pub name: String,
    /// Keywords separated by spaces, commas or 、.
    pub keywords: String,
}

/// A checked park draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPark {
    pub zone: String,
    pub name: String,
    pub keywords: Vec<String>,
}

impl ParkDraft {
    /// Check the draft; every wrong field is named.
    pub fn validate(&self) -> Result<ValidPark, Vec<FieldError<ParkField>>> {
        let mut errors = Vec::new();
        let mut text = |field: ParkField, value: &str| -> String {
            let v = value.trim().to_string();
            if v.is_empty() {
                errors.push(FieldError::new(field, format!("请填写{}", field.label())));
            } else if v.chars().count() > MAX_PARK_TEXT {
                errors.push(FieldError::new(
                    field,
                    format!("{}不能超过 {MAX_PARK_TEXT} 个字", field.label()),
                ));
            }
            v
        };
        let zone = text(ParkField::Zone, &self.zone);
        let name = text(ParkField::Name, &self.name);
        let keywords: Vec<String> = self
            .keywords
            .split([' ', ',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(k) = keywords.iter().find(|k| k.chars().count() < 2) {
            errors.push(FieldError::new(
                ParkField::Keywords,
                format!("关键词「{k}」太短，至少 2 个字，否则会误配其他地址"),
            ));
        }
        if errors.is_empty() {
            Ok(ValidPark {
                zone,
                name,
                keywords,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parks() -> Vec<Park> {
        ANNEX1_PARKS
            .iter()
            .enumerate()
            .map(|(i, (zone, name, kw))| Park {
                id: ParkId(i as i64 + 1),
                zone: zone.to_string(),
                name: name.to_string(),
                keywords: vec![kw.to_string()],
                active: true,
            })
            .collect()
    }

    #[test]
    fn address_hints_the_park_it_names() {
        let p = parks();
        let hit = hint_for_address(&p, "湛江经济技术开发区 东海岛石化产业园 8 号").unwrap();
        assert_eq!(hit.name, "石化产业园区");
        let hit = hint_for_address(&p, "遂溪县 奋勇高新区 东盟 产业园内").unwrap();
        assert_eq!(hit.name, "东盟产业园区");
        assert!(hint_for_address(&p, "湛江市霞山区人民大道南 55 号").is_none());
    }

    #[test]
    fn inactive_parks_do_not_match() {
        let mut p = parks();
        p[1].active = false;
        assert!(hint_for_address(&p, "钢铁产业园 3 号厂房").is_none());
    }

    #[test]
    fn without_keywords_the_name_matches_with_or_without_its_last_character() {
        let p = vec![Park {
            id: ParkId(9),
            zone: "湛江经济技术开发区".into(),
            name: "新材料产业园区".into(),
            keywords: vec![],
            active: true,
        }];
        assert!(hint_for_address(&p, "新材料产业园 2 栋").is_some());
        assert!(hint_for_address(&p, "新材料大道").is_none());
    }

    #[test]
    fn draft_names_every_wrong_field() {
        let e = ParkDraft {
            zone: " ".into(),
            name: "园".repeat(61),
            keywords: "石, 化工园".into(),
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![ParkField::Zone, ParkField::Name, ParkField::Keywords]
        );
        let ok = ParkDraft {
            zone: "湛江经济技术开发区".into(),
            name: "新材料产业园区".into(),
            keywords: "新材料产业园、新材料园".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.keywords, vec!["新材料产业园", "新材料园"]);
    }
}
