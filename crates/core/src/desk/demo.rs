//! Synthetic Zhanjiang data for training, demonstrations and benchmarks: valid USCCs with 4408xx
//! region codes, valid resident IDs, plausible names and addresses (some inside the pilot parks
//! of rule T-5), and accounts. The same seed always gives the same data.

use chrono::{Duration, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::act::AuditLine;
use super::{Desk, DeskError, Progress};
use crate::domain::id_codes::{
    IdDocKind, IdDocument, USCC_ALPHABET, Uscc, org_code_check_char, resident_id_check_char,
    uscc_check_char,
};
use crate::domain::operator::Action;
use crate::domain::subject::{LegalRep, SubjectCode, SubjectKind, ValidAccount, ValidSubject};

/// What `demo` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub subjects: u64,
    pub accounts: u64,
}

/// 湛江市 county-level divisions: (行政区划码, name).
const DISTRICTS: &[(&str, &str)] = &[
    ("440802", "赤坎区"),
    ("440803", "霞山区"),
    ("440804", "坡头区"),
    ("440811", "麻章区"),
    ("440823", "遂溪县"),
    ("440825", "徐闻县"),
    ("440881", "廉江市"),
    ("440882", "雷州市"),
    ("440883", "吴川市"),
];

/// Annex 1's pilot parks, where some demo accounts are placed.
const PILOT_PARKS: &[&str] = &[
    "湛江经济技术开发区石化产业园区",
    "湛江经济技术开发区钢铁产业园区",
    "湛江奋勇高新技术产业开发区东盟产业园区",
];

const TRADE_NAMES: &[&str] = &[
    "海港",
    "南海",
    "红树林",
    "金沙",
    "鼎盛",
    "宏达",
    "顺发",
    "鹏程",
    "恒泰",
    "华南",
    "粤西",
    "湖光",
    "渔港",
    "椰林",
    "蓝湾",
    "广源",
    "永兴",
    "新海",
    "嘉和",
    "瑞丰",
    "通达",
    "丰收",
    "东海岛",
    "硇洲",
    "北部湾",
    "湛蓝",
    "银帆",
    "金港",
    "福临",
    "安泰",
    "聚力",
    "明辉",
];
const INDUSTRIES: &[&str] = &[
    "贸易",
    "水产",
    "饲料",
    "钢构",
    "石化设备",
    "物流",
    "建材",
    "食品",
    "家具",
    "电子",
    "机械",
    "海洋科技",
    "农业发展",
    "糖业",
    "陶瓷",
    "包装",
    "化工",
    "新能源",
    "船舶修造",
];
const COMPANY_FORMS: &[&str] = &["有限公司", "有限责任公司", "股份有限公司", "实业有限公司"];
const SHOP_KINDS: &[&str] = &[
    "五金店",
    "海鲜档",
    "烧烤店",
    "粮油店",
    "修车行",
    "便利店",
    "茶庄",
];
const SURNAMES: &[&str] = &[
    "陈", "李", "黄", "林", "梁", "吴", "杨", "张", "王", "刘", "冯", "莫", "庞", "邓", "钟", "谢",
    "许", "何", "叶", "周", "洪", "符", "全", "蔡",
];
const GIVEN: &[&str] = &[
    "海", "明", "华", "伟", "芳", "丽", "强", "军", "敏", "静", "志", "文", "国", "秀", "英", "建",
    "平", "晓", "春", "梅", "德", "荣", "锦", "涛", "燕", "斌", "雄", "婷",
];
const STREETS: &[&str] = &[
    "人民大道",
    "海滨大道",
    "解放路",
    "椹川大道",
    "海田路",
    "乐山路",
    "建设路",
    "中山路",
    "康宁路",
    "观海路",
    "疏港大道",
    "东简大道",
];

fn person_name(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    s.push_str(SURNAMES.choose(rng).unwrap_or(&"陈"));
    for _ in 0..rng.random_range(1..=2) {
        s.push_str(GIVEN.choose(rng).unwrap_or(&"明"));
    }
    s
}

/// Nine characters of 组织机构代码 unique to `n`: 8 body characters in the USCC alphabet + the
/// GB 11714 check character.
fn org_code(n: u64) -> String {
    let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
    let mut body = ['0'; 8];
    let mut v = n;
    for slot in body.iter_mut().rev() {
        *slot = alphabet[(v % 31) as usize];
        v /= 31;
    }
    // Letters of GB 11714 that the USCC alphabet forbids never occur, since body uses it.
    let body: String = body.iter().collect();
    let check = org_code_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn uscc_for(prefix: &str, region: &str, n: u64) -> Option<Uscc> {
    let body = format!("{prefix}{region}{}", org_code(n));
    let check = uscc_check_char(&body)?;
    Uscc::parse(&format!("{body}{check}")).ok()
}

/// A resident ID unique to `n` (birth date and sequence derived from it).
fn resident_id_for(region: &str, n: u64) -> Option<IdDocument> {
    let base = NaiveDate::from_ymd_opt(1950, 1, 1)?;
    let birth = base + Duration::days((n % 18_000) as i64);
    let seq = (n / 18_000) % 1000;
    let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let check = resident_id_check_char(&body)?;
    Some(IdDocument {
        kind: IdDocKind::ResidentId,
        number: format!("{body}{check}"),
    })
}

fn make_subject(rng: &mut ChaCha8Rng, n: u64, today: NaiveDate) -> Option<ValidSubject> {
    let &(region, district) = DISTRICTS.choose(rng)?;
    let roll = rng.random_range(0..100);
    let street = STREETS.choose(rng)?;
    let address = format!("湛江市{district}{street}{}号", rng.random_range(1..400));
    let phone = if rng.random_bool(0.7) {
        format!(
            "1{}{:09}",
            ["3", "5", "8", "9"].choose(rng)?,
            rng.random_range(0..1_000_000_000u64)
        )
    } else {
        format!("0759-{}", rng.random_range(2_000_000..3_999_999))
    };
    let founded = today - Duration::days(rng.random_range(30..9000));
    let rep = |rng: &mut ChaCha8Rng| LegalRep {
        name: person_name(rng),
        doc: resident_id_for(region, n.wrapping_mul(7).wrapping_add(5_000_000)),
    };
    Some(if roll < 70 {
        let name = format!(
            "湛江市{}{}{}{}",
            district.trim_end_matches(['区', '县', '市']),
            TRADE_NAMES.choose(rng)?,
            INDUSTRIES.choose(rng)?,
            COMPANY_FORMS.choose(rng)?
        );
        ValidSubject {
            kind: SubjectKind::Organization,
            code: SubjectCode::Uscc {
                code: uscc_for("91", region, n)?,
            },
            name,
            legal_rep: Some(rep(rng)),
            founded_on: Some(founded),
            phone,
            address,
        }
    } else if roll < 85 {
        let name = format!(
            "{}{}{}",
            district,
            TRADE_NAMES.choose(rng)?,
            SHOP_KINDS.choose(rng)?
        );
        ValidSubject {
            kind: SubjectKind::IndividualBusiness,
            code: SubjectCode::Uscc {
                code: uscc_for("92", region, n)?,
            },
            name,
            legal_rep: Some(rep(rng)),
            founded_on: Some(founded),
            phone,
            address,
        }
    } else {
        ValidSubject {
            kind: SubjectKind::NaturalPerson,
            code: SubjectCode::Person {
                doc: resident_id_for(region, n)?,
            },
            name: person_name(rng),
            legal_rep: None,
            founded_on: None,
            phone,
            address,
        }
    })
}

impl Desk {
    /// Fill the database with `count` synthetic subjects (deterministic for `seed`), as one
    /// transaction: cancelling leaves the database as it was.
    pub fn generate_demo(
        &mut self,
        count: u64,
        seed: u64,
        progress: &Progress,
    ) -> Result<DemoSummary, DeskError> {
        let act = self.begin(Action::GenerateDemo)?;
        let (today, now) = (act.today, act.now);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Codes and 用户编号 continue after existing demo data so that a second run adds to it.
        let offset = u64::try_from(self.count_subjects()?).unwrap_or(0);
        self.commit(act, |w, _| {
            // Bulk path: names are indexed once at the end (store/bulk.rs).
            let accounts = w.bulk_subjects(now, |b| {
                let mut accounts = 0u64;
                for i in 0..count {
                    if i % 1000 == 0 {
                        progress
                            .set(i, count)
                            .map_err(|_| DeskError::Cancelled("演示数据未写入".into()))?;
                    }
                    let n = offset + i;
                    let subject = make_subject(&mut rng, n, today).ok_or_else(|| {
                        DeskError::NotFound("演示数据生成所需的数据（内部错误）".into())
                    })?;
                    let id = b.insert_subject(&subject)?;
                    for k in 0..rng.random_range(1..=2u64) {
                        let usage_address = if rng.random_bool(0.1) {
                            format!(
                                "{}{}路{}号",
                                PILOT_PARKS.choose(&mut rng).unwrap_or(&PILOT_PARKS[0]),
                                ["一", "二", "三", "四", "五"]
                                    .choose(&mut rng)
                                    .unwrap_or(&"一"),
                                rng.random_range(1..200)
                            )
                        } else {
                            subject.address.clone()
                        };
                        let account = ValidAccount {
                            account_no: format!("03{:010}", n * 2 + k),
                            usage_address,
                            supply_start: Some(today - Duration::days(rng.random_range(10..7000))),
                        };
                        b.insert_account(id, &account)?;
                        accounts += 1;
                    }
                }
                Ok::<_, DeskError>(accounts)
            })?;
            progress
                .set(count, count)
                .map_err(|_| DeskError::Cancelled("演示数据未写入".into()))?;
            let detail = format!("生成演示数据：{count} 个主体、{accounts} 个用电户，种子 {seed}");
            let summary = DemoSummary {
                subjects: count,
                accounts,
            };
            Ok((summary, AuditLine::new(None, detail)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::FixedClock;
    use crate::domain::id_codes::ResidentId;
    use crate::store::Store;

    fn desk() -> Desk {
        let at = NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let mut d = Desk::new(
            Store::open_in_memory().unwrap(),
            Box::new(FixedClock::At(at)),
        );
        d.setup_admin(
            &crate::domain::operator::OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员".into(),
                ..Default::default()
            },
            "admin-password",
        )
        .unwrap();
        d
    }

    #[test]
    fn demo_is_valid_and_deterministic() {
        let mut a = desk();
        let mut b = desk();
        let p = Progress::new();
        let ra = a.generate_demo(300, 7, &p).unwrap();
        b.generate_demo(300, 7, &p).unwrap();
        assert_eq!(ra.subjects, 300);
        assert!(ra.accounts >= 300);
        assert_eq!(
            a.recent_subjects(300).unwrap(),
            b.recent_subjects(300).unwrap()
        );
        let today = a.today();
        let mut zhanjiang = 0;
        for s in a.recent_subjects(300).unwrap() {
            let full = a.subject(s.id).unwrap();
            match &full.code {
                SubjectCode::Uscc { code } => {
                    assert!(Uscc::parse(code.as_str()).is_ok());
                    assert!(code.warnings().is_empty());
                    zhanjiang += usize::from(code.is_zhanjiang());
                }
                SubjectCode::Person { doc } => {
                    ResidentId::parse(&doc.number, today).unwrap();
                    zhanjiang += usize::from(doc.number.starts_with("4408"));
                }
            }
        }
        assert_eq!(zhanjiang, 300);
    }

    #[test]
    fn bulk_demo_names_are_found_like_typed_ones() {
        let mut d = desk();
        d.generate_demo(400, 3, &Progress::new()).unwrap();
        let mut all = d.recent_subjects(1000).unwrap();
        all.sort_by_key(|s| s.id);
        let mut fragments = vec![
            "陈".to_string(),
            "陈海".into(),
            "鼎盛".into(),
            "有限公司".into(),
        ];
        for s in all.iter().step_by(37) {
            let chars: Vec<char> = s.name.chars().collect();
            fragments.push(chars[chars.len() - 1..].iter().collect());
            fragments.push(chars[chars.len() - 2..].iter().collect());
            fragments.push(chars[..chars.len().min(3)].iter().collect());
        }
        for f in &fragments {
            let expected: Vec<_> = all
                .iter()
                .filter(|s| s.name.contains(f.as_str()))
                .map(|s| s.id)
                .collect();
            let got: Vec<_> = d
                .lookup(f, 1000)
                .unwrap()
                .hits
                .iter()
                .map(|s| s.id)
                .collect();
            assert_eq!(got, expected, "{f}");
        }
    }

    #[test]
    fn cancelled_demo_writes_nothing() {
        let mut d = desk();
        let p = Progress::new();
        p.cancel();
        assert!(matches!(
            d.generate_demo(5000, 1, &p),
            Err(DeskError::Cancelled(_))
        ));
        assert_eq!(d.count_subjects().unwrap(), 0);
    }
}
