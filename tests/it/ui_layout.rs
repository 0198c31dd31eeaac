//! Layout of every page from 1024×600 to 1920×1080 and at 100–150% scaling (issue 15, point 1):
//! no two controls overlap, and every control lies inside the window across (wide tables scroll
//! horizontally inside their page instead of pushing buttons off the side).

use egui::Rect;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::support::counter::{USCC, company_desk};
use xinyidian::ui::CounterApp;

/// Window sizes in points and their scale: 1024×600 and 1920×1080 at 100%, 1920×1080 at 150%
/// (1280×720 points) and 1366×768 at 125%.
const SIZES: [(f32, f32, f32); 4] = [
    (1024.0, 600.0, 1.0),
    (1920.0, 1080.0, 1.0),
    (1280.0, 720.0, 1.5),
    (1092.8, 614.4, 1.25),
];

fn window(w: f32, h: f32, ppp: f32) -> Harness<'static, CounterApp> {
    let (desk, _) = company_desk();
    let mut h = Harness::builder()
        .with_size(egui::vec2(w, h))
        .with_pixels_per_point(ppp)
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

/// The controls a clerk clicks or types into, with their labels and rectangles.
fn controls(h: &Harness<'static, CounterApp>) -> Vec<(String, Role, Rect)> {
    h.query_all_by(|n| {
        matches!(
            n.role(),
            Role::Button
                | Role::TextInput
                | Role::MultilineTextInput
                | Role::CheckBox
                | Role::ComboBox
                | Role::RadioButton
                | Role::Tab
        )
    })
    .map(|n| {
        let label = n
            .accesskit_node()
            .label()
            .or_else(|| n.accesskit_node().value())
            .unwrap_or_default();
        (label, n.accesskit_node().role(), n.rect())
    })
    .collect()
}

/// Nothing overlaps and nothing sticks out sideways, among the controls that are on screen
/// (those below the fold are reached by scrolling the page).
fn check(h: &Harness<'static, CounterApp>, page: &str, (w, hgt, ppp): (f32, f32, f32)) {
    let all = controls(h);
    assert!(!all.is_empty(), "{page}: no controls found");
    let visible: Vec<&(String, Role, Rect)> = all
        .iter()
        .filter(|(_, _, r)| r.min.y >= 0.0 && r.max.y <= hgt + 0.5 && r.width() > 0.0)
        .collect();
    // Each page shows at least its own few controls besides the navigation.
    assert!(
        visible.len() >= 12,
        "{page} at {w}×{hgt}@{ppp}: only {} controls on screen",
        visible.len()
    );
    for (label, role, r) in &visible {
        assert!(
            r.min.x >= -0.5 && r.max.x <= w + 0.5,
            "{page} at {w}×{hgt}@{ppp}: {role:?} “{label}” sticks out of the window: {r:?}"
        );
    }
    for (i, (la, ra, a)) in visible.iter().enumerate() {
        for (lb, rb, b) in visible.iter().skip(i + 1) {
            let overlap = a.intersect(*b);
            let area = overlap.width().max(0.0) * overlap.height().max(0.0);
            assert!(
                area <= 4.0,
                "{page} at {w}×{hgt}@{ppp}: {ra:?} “{la}” {a:?} overlaps {rb:?} “{lb}” {b:?}"
            );
        }
    }
}

fn nav(h: &mut Harness<'static, CounterApp>, label: &str) {
    {
        let prefix = format!("{label} (");
        let node = h
            .query_all_by_role(Role::Button)
            .find(|n| {
                n.accesskit_node()
                    .label()
                    .is_some_and(|l| l == label || l.starts_with(&prefix))
            })
            .unwrap_or_else(|| panic!("no navigation button “{label}”"));
        node.click();
    }
    h.run();
    h.run();
}

#[test]
fn every_page_fits_every_size_without_overlap() {
    for size in SIZES {
        let (w, hgt, ppp) = size;
        let mut h = window(w, hgt, ppp);
        check(&h, "查询", size);
        for page in [
            "待办",
            "修复异议",
            "守信名单",
            "导入",
            "导出",
            "日志",
            "设置",
        ] {
            nav(&mut h, page);
            check(&h, page, size);
        }
        // A subject's page and each of its tabs.
        nav(&mut h, "查询");
        let input = h.get_by_role_and_label(Role::TextInput, "查询");
        input.focus();
        input.type_text(USCC);
        h.run();
        h.key_press(egui::Key::Enter);
        h.run();
        h.run();
        for tab in ["基本信息", "用电记录", "信用核查", "承诺书", "信易电业务"]
        {
            nav(&mut h, tab);
            check(&h, tab, size);
        }
        // The new-subject form.
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
        h.run();
        check(&h, "新建主体", size);
    }
}
