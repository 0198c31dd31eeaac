//! The publicity figures as files (issue 20, point 3): a one-page PDF summary in the letter's
//! style (same font, GB/T 9704 margins) with bar charts, and an XLSX with the tables.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::documents::letter_pdf::{
    BODY_SIZE, FontFace, LetterFont, LetterLayout, LetterPdfError, MARGIN_LEFT, MARGIN_TOP,
    PAGE_HEIGHT, PageLayout, PlacedRun, QrPlacement, RunRole, TEXT_WIDTH, TITLE_SIZE,
};
use crate::domain::stats::{Figures, StatsPeriod, TypicalCase};

/// The summary's title.
pub const STATS_TITLE: &str = "信易电诚信宣传数据摘要";

/// Why a figures file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StatsFileError {
    #[error("{0}")]
    Pdf(#[from] LetterPdfError),
    #[error("无法写入“{path}”：{reason}。请换一个位置，并确认文件未被 Excel 打开")]
    Write { path: String, reason: String },
}

fn run(font: &LetterFont, text: &str, x: f32, y: f32, size: f32) -> PlacedRun {
    PlacedRun {
        width: font.width(text, size, 100.0),
        text: text.to_string(),
        x,
        y,
        size,
        hscale: 100.0,
        role: RunRole::Text,
        face: FontFace::Main,
    }
}

/// A horizontal bar chart: a title, then per item its label, a bar scaled to the largest value
/// (at least a sliver when it is not zero, so one month of small numbers still reads), and the
/// count. Returns the y below it.
fn bars(
    page: &mut PageLayout,
    font: &LetterFont,
    title: &str,
    items: &[(&str, u64)],
    mut y: f32,
) -> f32 {
    let small = 12.0;
    page.runs.push(run(font, title, MARGIN_LEFT, y, 14.0));
    y -= 22.0;
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f32;
    let label_w = 9.0 * small;
    let bar_w = TEXT_WIDTH - label_w - 5.0 * small;
    for (label, n) in items {
        page.runs.push(run(font, label, MARGIN_LEFT, y, small));
        let w = if *n == 0 {
            0.0
        } else {
            (bar_w * *n as f32 / max).max(2.0)
        };
        page.rects
            .push([MARGIN_LEFT + label_w, y - 2.0, w, small, 0.35]);
        page.runs.push(run(
            font,
            &n.to_string(),
            MARGIN_LEFT + label_w + w + 4.0,
            y,
            small,
        ));
        y -= small + 8.0;
    }
    y - 10.0
}

/// The one-page PDF summary.
pub fn render_summary(
    f: &Figures,
    p: &StatsPeriod,
    typical: &[TypicalCase],
    made_on: chrono::NaiveDate,
) -> Result<Vec<u8>, StatsFileError> {
    let font = LetterFont::bundled()?;
    font.check_printable("营业厅", p.hall.as_deref().unwrap_or(""))?;
    let mut page = PageLayout {
        runs: Vec::new(),
        qr: QrPlacement {
            x: 0.0,
            y: 0.0,
            module: 0.0,
            width: 0,
            dark: Vec::new(),
        },
        rects: Vec::new(),
    };
    let mut y = PAGE_HEIGHT - MARGIN_TOP + 20.0;
    let tw = font.width(STATS_TITLE, TITLE_SIZE, 100.0);
    page.runs.push(PlacedRun {
        role: RunRole::Title,
        ..run(
            font,
            STATS_TITLE,
            MARGIN_LEFT + (TEXT_WIDTH - tw) / 2.0,
            y,
            TITLE_SIZE,
        )
    });
    y -= 34.0;
    page.runs.push(run(
        font,
        &format!("统计期间：{}　　制表日期：{made_on}", p.label()),
        MARGIN_LEFT,
        y,
        12.0,
    ));
    y -= 26.0;
    // The figures as two columns of "item：count".
    let rows = f.rows();
    let half = rows.len().div_ceil(2);
    for (i, (group, item, n)) in rows.iter().enumerate() {
        let col = if i < half { 0.0 } else { TEXT_WIDTH / 2.0 };
        let line = (i % half) as f32;
        page.runs.push(run(
            font,
            &format!("{group}·{item}：{n}"),
            MARGIN_LEFT + col,
            y - line * 18.0,
            11.0,
        ));
    }
    y -= half as f32 * 18.0 + 16.0;
    y = bars(
        &mut page,
        font,
        "信易电业务",
        &[
            ("受理", f.cases_accepted),
            ("接火送电", f.cases_connected),
            ("补交权属证明", f.cases_fulfilled),
            ("认定违诺", f.cases_broken),
            ("中止报装", f.cases_withdrawn),
        ],
        y,
    );
    y = bars(
        &mut page,
        font,
        "期内新增失信记录",
        &[
            ("欠费 D-1", f.dishonesty[0]),
            ("窃电 D-2", f.dishonesty[1]),
            ("违约用电 D-3", f.dishonesty[2]),
            ("违反承诺 D-4", f.dishonesty[3]),
        ],
        y,
    );
    if !typical.is_empty() {
        page.runs.push(run(
            font,
            "典型案例（已隐去主体名称）",
            MARGIN_LEFT,
            y,
            14.0,
        ));
        y -= 20.0;
        for t in typical.iter().take(4) {
            let text = format!(
                "{}：{}，{} 受理{}，{}",
                t.subject,
                t.business,
                t.applied_on,
                if t.park.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", t.park)
                },
                t.outcome
            );
            font.check_printable("典型案例", &text)?;
            // One line each; a long one is cut rather than run off the page.
            let mut shown = String::new();
            for c in text.chars() {
                shown.push(c);
                if font.width(&shown, 11.0, 100.0) > TEXT_WIDTH - BODY_SIZE {
                    shown.pop();
                    shown.push('…');
                    break;
                }
            }
            page.runs.push(run(font, &shown, MARGIN_LEFT, y, 11.0));
            y -= 17.0;
        }
    }
    Ok(LetterLayout::from_pages(vec![page], STATS_TITLE).to_pdf(font)?)
}

fn xlsx_error(path: &Path, e: impl std::fmt::Display) -> StatsFileError {
    StatsFileError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// The XLSX: 汇总 (group, item, count) and 典型案例.
pub fn write_xlsx(
    path: &Path,
    f: &Figures,
    p: &StatsPeriod,
    typical: &[TypicalCase],
) -> Result<(), StatsFileError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let e = |e| xlsx_error(path, e);
    {
        let ws = wb.add_worksheet();
        ws.set_name("汇总").map_err(e)?;
        ws.write_with_format(0, 0, format!("{STATS_TITLE}：{}", p.label()), &bold)
            .map_err(e)?;
        for (c, h) in ["类别", "项目", "数量"].iter().enumerate() {
            ws.write_with_format(2, c as u16, *h, &bold).map_err(e)?;
        }
        for (i, (g, item, n)) in f.rows().iter().enumerate() {
            let r = 3 + i as u32;
            ws.write(r, 0, *g).map_err(e)?;
            ws.write(r, 1, *item).map_err(e)?;
            ws.write(r, 2, *n as f64).map_err(e)?;
        }
        ws.set_column_width(0, 14).map_err(e)?;
        ws.set_column_width(1, 26).map_err(e)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("典型案例").map_err(e)?;
        let head = [
            "案件编号",
            "主体（已隐去）",
            "业务",
            "园区",
            "受理日期",
            "接电日期",
            "办理结果",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_with_format(0, c as u16, *h, &bold).map_err(e)?;
        }
        for (i, t) in typical.iter().enumerate() {
            let r = 1 + i as u32;
            ws.write(r, 0, t.case_id as f64).map_err(e)?;
            ws.write(r, 1, &t.subject).map_err(e)?;
            ws.write(r, 2, &t.business).map_err(e)?;
            ws.write(r, 3, &t.park).map_err(e)?;
            ws.write(r, 4, t.applied_on.to_string()).map_err(e)?;
            ws.write(
                r,
                5,
                t.connected_on.map(|d| d.to_string()).unwrap_or_default(),
            )
            .map_err(e)?;
            ws.write(r, 6, &t.outcome).map_err(e)?;
        }
    }
    wb.save(path).map_err(e)
}
