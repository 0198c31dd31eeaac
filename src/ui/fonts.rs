//! Fonts and the visual style of the counter window.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily, FontId, TextStyle};
use xinyidian_core::assets;

const CJK: &str = "noto_sans_sc";
/// The letter's CJK Extension fallback (HKSCS characters such as 𨋢), last in every family so
/// that a name shows on screen as it prints.
const CJK_EXT: &str = "xinyidian_han_ext";

/// Install the bundled CJK font first in every family (Chinese and Latin digits then share one
/// face); egui's own fonts stay behind it for symbols and emoji.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK.to_owned(),
        Arc::new(FontData::from_static(assets::CJK_FONT)),
    );
    fonts
        .families
        .entry(FontFamily::Proportional)
        .or_default()
        .insert(0, CJK.to_owned());
    fonts
        .families
        .entry(FontFamily::Monospace)
        .or_default()
        .push(CJK.to_owned());
    fonts.font_data.insert(
        CJK_EXT.to_owned(),
        Arc::new(FontData::from_static(assets::CJK_FALLBACK_FONT)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push(CJK_EXT.to_owned());
    }
    ctx.set_fonts(fonts);
    ctx.set_theme(egui::Theme::Light);
    // Clerks read this all day at 1366×768: slightly larger than egui's defaults.
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(22.0)),
            (TextStyle::Body, FontId::proportional(15.0)),
            (TextStyle::Button, FontId::proportional(15.0)),
            (TextStyle::Small, FontId::proportional(12.0)),
            (TextStyle::Monospace, FontId::monospace(14.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}
