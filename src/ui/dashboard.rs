//! The 信易电 dashboard: cases by status per application month, and fulfilled vs broken
//! (rules C-2, D-4), drawn with egui_plot.

use egui::Color32;
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::domain::case::{CaseStats, CaseStatus};

/// Colours of the statuses, the same in both charts.
fn color(s: CaseStatus) -> Color32 {
    match s {
        CaseStatus::Accepted => Color32::from_rgb(150, 150, 150),
        CaseStatus::Connected => Color32::from_rgb(0, 110, 190),
        CaseStatus::Fulfilled => Color32::from_rgb(30, 150, 60),
        CaseStatus::Broken => Color32::from_rgb(200, 40, 40),
        CaseStatus::Withdrawn => Color32::from_rgb(230, 160, 30),
    }
}

/// The monthly chart's x axis for `n` months: how many bar slots it spans (at least six, so one
/// month is a slim bar), and every how many months a label is written (at most about twelve
/// labels, so five years stay readable).
pub fn month_axis(n: usize) -> (f64, usize) {
    (n.max(6) as f64, n.div_ceil(12).max(1))
}

/// The figures behind the charts, read once when the dashboard opens.
pub struct Dashboard {
    stats: CaseStats,
    months: Vec<String>,
}

impl Dashboard {
    pub fn new(stats: CaseStats) -> Self {
        let mut months: Vec<String> = stats.by_month.iter().map(|(m, _, _)| m.clone()).collect();
        months.dedup();
        Self { stats, months }
    }

    /// One stacked bar chart per status, one bar per month.
    fn monthly_charts(&self) -> Vec<BarChart> {
        let mut charts: Vec<BarChart> = Vec::new();
        for status in CaseStatus::ALL {
            let bars: Vec<Bar> = self
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let n = self
                        .stats
                        .by_month
                        .iter()
                        .find(|(mm, s, _)| mm == m && *s == status)
                        .map_or(0, |x| x.2);
                    Bar::new(i as f64, n as f64).name(m).width(0.7)
                })
                .collect();
            let refs: Vec<&BarChart> = charts.iter().collect();
            let chart = BarChart::new(status.label(), bars)
                .color(color(status))
                .stack_on(&refs);
            charts.push(chart);
        }
        charts
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let s = &self.stats;
        ui.heading("信易电统计");
        ui.label(format!(
            "在办 {}　已补证（全部履行）{}　违诺 {}　已中止 {}",
            s.open, s.fulfilled, s.broken, s.withdrawn
        ));
        if self.months.is_empty() {
            ui.label("还没有信易电案件。");
            return;
        }
        let decided = s.fulfilled + s.broken;
        if decided > 0 {
            ui.label(format!(
                "已认定的承诺中履行率 {:.1}%",
                s.fulfilled as f64 * 100.0 / decided as f64
            ));
        }
        ui.add_space(6.0);
        ui.strong("按受理月份、状态的案件数");
        let months = self.months.clone();
        // One month is one slim bar among six slots, not a bar across the whole chart; five
        // years label every few months so the labels do not run together (issue 15, point 9).
        let (slots, every) = month_axis(months.len());
        let charts = self.monthly_charts();
        Plot::new("cases_by_month")
            .legend(Legend::default())
            .height(260.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .include_y(0.0)
            .include_y(1.0)
            .include_x(-0.5)
            .include_x(slots - 0.5)
            .x_axis_formatter(move |mark, _| {
                let i = mark.value.round();
                if (mark.value - i).abs() < 1e-6 && i >= 0.0 && (i as usize).is_multiple_of(every) {
                    months.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .show(ui, |p| {
                for c in charts {
                    p.bar_chart(c);
                }
            });
        ui.add_space(6.0);
        ui.strong("已补证与违诺");
        if decided == 0 {
            // An empty plot says nothing: say it in words.
            ui.label("尚无已补证或认定违诺的案件：补交权属证明或认定违诺后这里显示两者的对比。");
            return;
        }
        let pair = [
            (CaseStatus::Fulfilled, s.fulfilled),
            (CaseStatus::Broken, s.broken),
        ];
        Plot::new("fulfilled_vs_broken")
            .legend(Legend::default())
            .height(180.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .include_y(0.0)
            .include_x(-1.0)
            .include_x(2.0)
            .x_axis_formatter(|_, _| String::new())
            .show(ui, |p| {
                for (i, (status, n)) in pair.into_iter().enumerate() {
                    p.bar_chart(
                        BarChart::new(
                            status.label(),
                            vec![Bar::new(i as f64, n as f64).width(0.6)],
                        )
                        .color(color(status)),
                    );
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::month_axis;

    #[test]
    fn one_month_is_a_slim_bar_and_five_years_are_labelled_sparsely() {
        assert_eq!(month_axis(1), (6.0, 1));
        assert_eq!(month_axis(12), (12.0, 1));
        // 60 months: a label every fifth month, twelve labels.
        assert_eq!(month_axis(60), (60.0, 5));
        assert_eq!(month_axis(0), (6.0, 1));
    }
}
