//! F1: a short Chinese help for the page in front of the clerk (issue 15, point 8).

/// The help text of a page, by the name the window gives it.
pub fn text(page: &str) -> &'static str {
    match page {
        "results" => {
            "查询：输入名称片段、统一社会信用代码、证件号码或用户编号后按回车。\n\
             结果中用 ↑↓ 选择、回车打开主体。Ctrl+F 回到查询框，Ctrl+N 新建主体（查不到的代码会自动带入）。"
        }
        "new_subject" => {
            "新建主体：填写类别、名称和代码。代码校验位不符时会说明哪一位有误；\
             确属早期合法代码的，由班长勾选“认可校验位不符”并写明原因。回车保存，Esc 取消。"
        }
        "subject" => {
            "主体页面：基本信息、用电户、用电记录、信用报告、信用核查、承诺书和信易电案件分页显示。\n\
             用电记录中可录入、更正记录，对失信记录申请信用修复或提出异议（规则 X-1..X-3）。\n\
             核查结论列出每条规则的依据和下一步；把信用报告 PDF 拖到窗口上即可导入。\n\
             所有表单：光标先在第一栏；回车保存（多行说明框用 Ctrl+Enter）；Esc 取消，已填写内容时先询问；\
             提示显示在有误的栏目下方，光标也回到该栏。"
        }
        "report" => {
            "信用报告：显示报告编号、生成时间、主体和不良记录；超过有效天数（设置中修改）会标为已过期（规则 T-3）。"
        }
        "settings" => {
            "设置：数据库与程序版本、自己的密码；管理员可修改锁屏时间、报告有效期、本机安装编号、\
             数额较大标准、失信信息等级与修复时限、工作日历、试点园区、承诺受理单位、操作员和备份。"
        }
        "audit" => {
            "日志：按工号、主体（代码或名称）、操作和日期筛选，可导出 CSV；“校验日志完整性”检查哈希链是否被改动。"
        }
        "import" => {
            "导入：选择营销系统导出的 CSV 或 Excel 文件，先看预览和检查结果，再点“开始导入”。\n\
             默认全部合格才写入；也可只导入合格的行，不合格的行另存为“-未导入.csv”。"
        }
        "export" => {
            "导出：与湛江市公共信用信息共享平台交换数据——生成报送批次、导入平台反馈、导入名单、生成公示文件；\
             也可生成诚信宣传数据（PDF 摘要或 XLSX）。"
        }
        "queue" => {
            "待办：信易电补证期限、逾期待认定、待接电的案件，以及信用修复申请和异议申诉。\n\
             可按名称、代码或用户编号查找；双击一行或回车打开主体；班长在行内认定违诺或延期。\n\
             延期表单回车确认；认定理由是多行框，用 Ctrl+Enter 确认；Esc 取消（已填写时先询问）。"
        }
        "credit" => {
            "修复异议：信用修复申请和异议申诉的列表。点编号查看详情；班长按步骤受理、审核/核实并作出决定，\
             不予受理、不予修复、更正和不予更正都须写明理由。理由框回车不代为决定：请点相应的按钮。"
        }
        "trusted" => {
            "守信名单：当前全部守信用电主体（规则 T-1）及其可享受的服务（T-7），可筛选、导出 XLSX。"
        }
        _ => "按 F1 显示本页帮助，再按 F1 或 Esc 关闭。",
    }
}

/// Draw the help window while `open` (F1 or Esc, handled by the window's shortcuts, or its
/// close button close it).
pub fn window(ctx: &egui::Context, open: &mut bool, page: &str) {
    if !*open {
        return;
    }
    egui::Window::new("帮助（F1）")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .default_width(420.0)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-16.0, 60.0))
        .show(ctx, |ui| {
            ui.label(text(page));
        });
}
