//! Files bundled into the program.

/// Noto Sans SC Regular (SIL Open Font License 1.1, licence in `assets/fonts/OFL.txt`). The same
/// bytes draw the window and are embedded (subset) in printed letters, so screen and paper agree.
pub static CJK_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Regular.ttf");
