//! Frame time of the results table holding 100,000 subjects (target < 8 ms a frame), measured
//! headless through egui_kittest: layout and tessellation, without the GPU upload.
//!
//! Run: `cargo bench --bench ui_frame`

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use xinyidian::domain::subject::{SubjectId, SubjectKind, SubjectSummary};
use xinyidian::ui::results::ResultsPanel;

fn main() {
    let rows: Vec<SubjectSummary> = (0..100_000)
        .map(|i| SubjectSummary {
            id: SubjectId(i),
            kind: SubjectKind::Organization,
            code_masked: format!("914408{i:011}X"),
            name: format!("湛江市霞山区海港贸易有限公司第{i}分公司"),
            phone: "0759-2345678".into(),
            address: format!("湛江市霞山区人民大道南 {i} 号"),
        })
        .collect();
    let mut panel = ResultsPanel::default();
    panel.set("“有限公司”的查询结果".into(), rows, false);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(
            |ui, p: &mut ResultsPanel| {
                p.ui(ui, true);
            },
            panel,
        );
    // Warm up: font atlas, glyph cache.
    for _ in 0..10 {
        h.step();
    }
    let mut times = Vec::new();
    for i in 0..300 {
        // Move the selection down the table so that every frame scrolls.
        if i % 2 == 0 {
            h.key_press(egui::Key::ArrowDown);
        }
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "结果表 100000 行，每帧耗时：中位数 {:.2} 毫秒，p95 {:.2} 毫秒，最大 {:.2} 毫秒",
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(pct(1.0))
    );
}
