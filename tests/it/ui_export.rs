//! The 导出 page (issue 18, point 5): reachable from the navigation, counts what a batch would
//! send, and refuses clerks.

use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk, harness};

#[test]
fn the_export_page_counts_what_a_batch_would_send() {
    let (desk, _) = company_desk();
    let mut h = harness(desk);
    h.get_by_label("导出").click();
    h.run();
    h.get_by_label_contains("与市公共信用信息共享平台交换数据");
    h.get_by_label("统计待报送").click();
    h.run();
    // Every annex-4 class is counted (no records yet: zero rows each).
    h.get_by_label("公用事业缴费信息");
    h.get_by_label("信用承诺信息");
    h.get_by_label_contains("尚无报送批次");
    h.get_by_label_contains("尚未导入平台名单");
}
