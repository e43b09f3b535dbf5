//! A text document at the cursor: markdown rendered (`text/markdown`), anything else as
//! plain text.

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};
use reel_core::Component;
use reel_types::components::{MediaType, Text};

use crate::context::{FrameOutput, ViewerContext};
use crate::heuristics::ViewSpec;

/// The state of a text document view.
#[derive(Default)]
pub struct TextDocumentView {
    cache: CommonMarkCache,
}

impl TextDocumentView {
    /// Draws the document of the view's entity.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        _out: &mut FrameOutput,
    ) {
        let Some(mut data) = super::single_entity(ctx, spec, &[Text::name(), MediaType::name()])
        else {
            return;
        };
        let Some(Text(text)) = data.first::<Text>() else {
            super::notice(ui, "no document at this time");
            return;
        };
        let markdown = data
            .first::<MediaType>()
            .is_some_and(|m| m.0.starts_with("text/markdown"));
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                if markdown {
                    CommonMarkViewer::new().show(ui, &mut self.cache, &text);
                } else {
                    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).wrap());
                }
            });
    }
}
