//! The selection panel: the selected entity or instance at the cursor — every component's
//! value (the instance's own when an instance is selected), the time of the row that
//! holds it, and images or tensors drawn larger.

use std::sync::Arc;

use egui::TextureHandle;
use reel_core::{ComponentName, RowId};
use reel_types::components::TensorData;

use crate::colormap::Colormap;
use crate::context::{FrameOutput, Item, ViewerContext};
use crate::data::{format_cell, format_value, EntityData};
use crate::imagery::{decode_encoded, decode_tensor, ImageKind};
use crate::views::spatial_2d::{is_indicator, short_name};

/// The selection panel's own state: the preview texture of the selected image.
#[derive(Default)]
pub struct SelectionPanel {
    preview: Option<(RowId, Result<TextureHandle, String>)>,
}

impl SelectionPanel {
    /// Draws the panel.
    pub fn ui(&mut self, ctx: &ViewerContext<'_>, ui: &mut egui::Ui, out: &mut FrameOutput) {
        let Some(item) = ctx.selection else {
            ui.weak("Select an entity in the tree or an instance in a view.");
            return;
        };
        let entity = item.entity().clone();
        let instance = match item {
            Item::Instance(_, i) => Some(*i),
            Item::Entity(_) => None,
        };
        ui.horizontal(|ui| {
            ui.heading(entity.to_string());
            if let Some(i) = instance {
                ui.label(format!("#{i}"));
            }
        });
        if ui.small_button("clear selection").clicked() {
            out.commands.push(crate::context::Command::Select(None));
        }
        let query = ctx.latest_at();
        let mut data = EntityData::query(ctx.store, &query, &entity);
        let archetypes: Vec<&str> = data
            .results
            .components
            .keys()
            .filter_map(|c| {
                c.as_str()
                    .strip_prefix(reel_types::archetypes::INDICATOR_PREFIX)
            })
            .collect();
        if !archetypes.is_empty() {
            ui.label(format!("archetypes: {}", archetypes.join(", ")));
        }
        if let Some(node) = ctx.store.entity_tree().get(&entity) {
            ui.weak(format!(
                "{} rows ({} static), {} in this subtree",
                node.own.rows, node.own.static_rows, node.subtree.rows
            ));
        }
        ui.separator();
        if data.results.is_empty() {
            ui.weak("nothing logged here at this time");
        }

        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                self.preview(ctx, &mut data, ui);
                egui::Grid::new("selection_components")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        let components: Vec<(ComponentName, _)> = data
                            .results
                            .components
                            .iter()
                            .filter(|(c, _)| !is_indicator(c))
                            .map(|(c, h)| (c.clone(), h.clone()))
                            .collect();
                        for (name, hit) in components {
                            let Some(cell) = hit.cell(&name) else {
                                continue;
                            };
                            ui.label(short_name(&name)).on_hover_text(format!(
                                "{}\nlogged at {}",
                                name,
                                match (&query.timeline, hit.key.time) {
                                    (t, Some(time)) =>
                                        format!("{} {}", t.name(), t.typ().format(time)),
                                    (_, None) => "static".to_owned(),
                                }
                            ));
                            let value = match instance {
                                Some(i) if cell.len() > 1 && i < cell.len() => {
                                    format_value(cell.as_ref(), i)
                                }
                                _ => format_cell(cell.as_ref(), 32),
                            };
                            ui.add(egui::Label::new(egui::RichText::new(value).monospace()).wrap());
                            ui.end_row();
                        }
                    });
            });
    }

    /// Images and tensors of the selection, drawn as large as the panel allows.
    fn preview(&mut self, ctx: &ViewerContext<'_>, data: &mut EntityData, ui: &mut egui::Ui) {
        let encoded = data.has_archetype("EncodedImage");
        let kind = if data.has_archetype("DepthImage") {
            Some(ImageKind::Depth { meter: None })
        } else if data.has_archetype("SegmentationImage") {
            Some(ImageKind::Segmentation)
        } else if encoded || data.has_archetype("Image") || data.has_archetype("Tensor") {
            Some(ImageKind::Color)
        } else {
            None
        };
        let Some(kind) = kind else { return };
        let hit = if encoded {
            data.hit::<reel_types::components::Blob>()
        } else {
            data.hit::<TensorData>()
        };
        let Some(row) = hit.map(|h| h.key.row_id) else {
            return;
        };
        if self.preview.as_ref().is_none_or(|(r, _)| *r != row) {
            let texture = if encoded {
                data.first::<reel_types::components::Blob>()
                    .ok_or_else(|| "no bytes".to_owned())
                    .and_then(|b| decode_encoded(&b.0).map_err(|e| e.to_string()))
            } else if data.has_archetype("Tensor") {
                data.first::<TensorData>()
                    .ok_or_else(|| "no tensor".to_owned())
                    .map(|t| tensor_preview(&t))
            } else {
                data.first::<TensorData>()
                    .ok_or_else(|| "no image".to_owned())
                    .and_then(|t| {
                        decode_tensor(
                            Arc::new(t),
                            kind,
                            Colormap::Turbo,
                            ctx.annotations,
                            &data.entity,
                        )
                        .map_err(|e| e.to_string())
                    })
            }
            .map(|d| {
                ui.ctx().load_texture(
                    format!("selection {}", data.entity),
                    d.pixels,
                    egui::TextureOptions::NEAREST,
                )
            });
            self.preview = Some((row, texture));
        }
        match &self.preview {
            Some((_, Ok(handle))) => {
                let size = handle.size_vec2();
                let width = ui.available_width().min(size.x * 8.0);
                ui.add(egui::Image::new((handle.id(), size * (width / size.x))));
                ui.weak(format!("{} × {}", size.x, size.y));
            }
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
            None => {}
        }
        ui.separator();
    }
}

/// The default 2D slice of a tensor (its two largest dimensions), for the preview.
fn tensor_preview(t: &TensorData) -> crate::imagery::DecodedImage {
    use crate::views::tensor::{default_dims, value_range};
    let shape = t.shape();
    let (x, y) = default_dims(shape);
    let (lo, hi) = value_range(t);
    let pixels = crate::views::tensor::slice_image(
        t,
        x,
        y,
        &vec![0; shape.len()],
        Colormap::Viridis,
        (lo, hi),
    );
    crate::imagery::DecodedImage {
        pixels,
        raw: None,
        kind: ImageKind::Color,
        value_range: Some((lo, hi)),
    }
}
