//! File choice for every page (issue 15, point 2): a path box always next to 浏览…, and a plain
//! message when no file dialog can open (no xdg portal or zenity on Linux, a locked-down
//! desktop), instead of a button that silently does nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::RichText;

/// What a file dialog gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    Path(PathBuf),
    /// The clerk closed the dialog.
    Cancelled,
    /// No dialog could open.
    NoDialog,
}

/// Said beside the path box when no dialog opened.
pub const NO_DIALOG: &str = "本机无法打开文件对话框：请在左边的框中直接填写路径";

/// rfd answers `None` both when the clerk cancels and when no dialog could open. Nobody closes
/// a dialog this quickly, so an answer this fast means there was none.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(250);

fn judge(picked: Option<PathBuf>, started: Instant) -> Picked {
    match picked {
        Some(p) => Picked::Path(p),
        None if started.elapsed() < NO_DIALOG_WITHIN => Picked::NoDialog,
        None => Picked::Cancelled,
    }
}

/// What 浏览… asks for.
#[derive(Debug, Clone, Copy)]
pub enum Browse<'a> {
    /// An existing file; the filter's name and extensions.
    Open(&'a str, &'a [&'a str]),
    /// A folder.
    Folder,
    /// A file to write, with its suggested name and extensions.
    Save(&'a str, &'a [&'a str]),
}

impl Browse<'_> {
    /// Open the dialog (`title` on its title bar), starting from the folder of `current`.
    pub fn run(self, title: &str, current: &str) -> Picked {
        let mut d = rfd::FileDialog::new().set_title(title);
        let current = PathBuf::from(current.trim());
        let start = if current.is_dir() {
            Some(current.clone())
        } else {
            current.parent().filter(|p| p.is_dir()).map(PathBuf::from)
        };
        if let Some(dir) = start {
            d = d.set_directory(dir);
        }
        let started = Instant::now();
        let picked = match self {
            Browse::Open(name, exts) => d.add_filter(name, exts).pick_file(),
            Browse::Folder => d.pick_folder(),
            Browse::Save(file, exts) => d.set_file_name(file).add_filter("", exts).save_file(),
        };
        judge(picked, started)
    }
}

/// What happened in a [`path_row`] this frame.
#[derive(Debug, Default, Clone, Copy)]
pub struct PathRow {
    /// Enter was pressed in the box.
    pub enter: bool,
    /// 浏览… filled the box.
    pub picked: bool,
}

/// A labelled path box with 浏览… after it, in the current (horizontal) layout. The dialog's
/// answer fills the box; when no dialog could open, [`NO_DIALOG`] stays beside the box until the
/// clerk types a path. `enabled` greys both out.
pub fn path_row(
    ui: &mut egui::Ui,
    label: &str,
    path: &mut String,
    hint: &str,
    width: f32,
    browse: Browse<'_>,
    enabled: bool,
) -> PathRow {
    let l = ui.label(label);
    let resp = ui
        .add_enabled(
            enabled,
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(width),
        )
        .labelled_by(l.id);
    let mut out = PathRow {
        enter: resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)),
        picked: false,
    };
    let flag = resp.id.with("no_dialog");
    if resp.changed() {
        ui.ctx().data_mut(|d| {
            d.remove::<bool>(flag);
        });
    }
    if ui
        .add_enabled(enabled, egui::Button::new("浏览…"))
        .clicked()
    {
        match browse.run(label, path) {
            Picked::Path(p) => {
                *path = p.display().to_string();
                out.picked = true;
                ui.ctx().data_mut(|d| {
                    d.remove::<bool>(flag);
                });
            }
            Picked::Cancelled => {}
            Picked::NoDialog => {
                ui.ctx().data_mut(|d| d.insert_temp(flag, true));
            }
        }
    }
    if ui.ctx().data(|d| d.get_temp::<bool>(flag)).unwrap_or(false) {
        ui.label(RichText::new(NO_DIALOG).color(super::forms::ERROR_COLOR));
    }
    out
}

/// 打开 and 打开所在文件夹 for a file just written; the error to show when the system cannot
/// open it.
pub fn open_buttons(ui: &mut egui::Ui, path: &std::path::Path) -> Option<String> {
    let mut failed = None;
    if ui.small_button("打开").clicked()
        && let Err(e) = opener::open(path)
    {
        failed = Some(format!("无法打开（{e}）：文件在 {}", path.display()));
    }
    if ui.small_button("打开所在文件夹").clicked() {
        // The folder itself (opener's `reveal`, which selects the file, needs D-Bus on Linux).
        let dir = path.parent().unwrap_or(path);
        if let Err(e) = opener::open(dir) {
            failed = Some(format!("无法打开文件夹（{e}）：{}", path.display()));
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_none_is_no_dialog_a_late_one_a_cancel() {
        assert_eq!(judge(None, Instant::now()), Picked::NoDialog);
        let long_ago = Instant::now() - Duration::from_secs(3);
        assert_eq!(judge(None, long_ago), Picked::Cancelled);
        assert_eq!(
            judge(Some(PathBuf::from("/a.pdf")), Instant::now()),
            Picked::Path(PathBuf::from("/a.pdf"))
        );
    }
}
