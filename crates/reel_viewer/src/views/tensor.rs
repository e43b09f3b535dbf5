//! The tensor view: an N-dimensional tensor shown as a 2D slice. The user picks which two
//! dimensions are displayed (as width and height) and where the others are sliced; values
//! are colored through a colormap over the tensor's whole value range.

use std::sync::Arc;

use egui::{ColorImage, TextureHandle};
use reel_core::{Component, RowId};
use reel_types::components::TensorData;

use crate::colormap::Colormap;
use crate::context::{FrameOutput, Item, ViewerContext};
use crate::data::format_float;
use crate::heuristics::ViewSpec;

/// The state of a tensor view.
#[derive(Default)]
pub struct TensorView {
    /// The dimension shown horizontally.
    pub x_dim: usize,
    /// The dimension shown vertically.
    pub y_dim: usize,
    /// The index along every dimension (used for the sliced ones).
    pub indices: Vec<u64>,
    /// The colormap.
    pub colormap: Colormap,
    shape: Vec<u64>,
    texture: Option<(SliceKey, TextureHandle)>,
    range: Option<(RowId, f64, f64)>,
}

#[derive(Clone, PartialEq)]
struct SliceKey {
    row: RowId,
    x: usize,
    y: usize,
    indices: Vec<u64>,
    colormap: Colormap,
}

/// The flat index of `index` in a row-major tensor of `shape`.
fn flat_index(shape: &[u64], index: &[u64]) -> usize {
    let mut flat = 0u64;
    for (&n, &i) in shape.iter().zip(index) {
        flat = flat * n + i.min(n.saturating_sub(1));
    }
    flat as usize
}

/// The dimensions shown by default, as `(x, y)`: the two largest, in their order.
pub fn default_dims(shape: &[u64]) -> (usize, usize) {
    let mut dims: Vec<usize> = (0..shape.len()).collect();
    dims.sort_by_key(|&d| std::cmp::Reverse(shape[d]));
    match dims.as_slice() {
        [a, b, ..] => ((*a).max(*b), (*a).min(*b)),
        [a] => (*a, *a),
        [] => (0, 0),
    }
}

/// The range a tensor's colormap spans: its finite values, `0..1` when it has none.
pub fn value_range(tensor: &TensorData) -> (f64, f64) {
    crate::imagery::finite_range(tensor.buffer(), |_| true).unwrap_or((0.0, 1.0))
}

/// The 2D slice of `tensor` with dimensions `x` and `y` shown and `indices` fixing the
/// others, colored over `[lo, hi]`.
pub fn slice_image(
    tensor: &TensorData,
    x: usize,
    y: usize,
    indices: &[u64],
    colormap: Colormap,
    (lo, hi): (f64, f64),
) -> ColorImage {
    let shape = tensor.shape();
    let (w, h) = (
        shape.get(x).copied().unwrap_or(1) as usize,
        shape.get(y).copied().unwrap_or(1) as usize,
    );
    let span = (hi - lo).max(f64::EPSILON);
    let mut index = indices.to_vec();
    index.resize(shape.len(), 0);
    let mut pixels = Vec::with_capacity(w * h);
    for row in 0..h {
        for col in 0..w {
            if let Some(slot) = index.get_mut(y) {
                *slot = row as u64;
            }
            if let Some(slot) = index.get_mut(x) {
                *slot = col as u64;
            }
            let v = tensor
                .buffer()
                .get_f64(flat_index(shape, &index))
                .unwrap_or(f64::NAN);
            pixels.push(colormap.color(((v - lo) / span) as f32));
        }
    }
    ColorImage::new([w, h], pixels)
}

impl TensorView {
    /// Draws the tensor of the view's entity.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        out: &mut FrameOutput,
    ) {
        let Some(mut data) = super::single_entity(ctx, spec, &[TensorData::name()]) else {
            return;
        };
        let entity = &data.entity.clone();
        let Some(row) = data.hit::<TensorData>().map(|h| h.key.row_id) else {
            super::notice(ui, "no tensor at this time");
            return;
        };
        let Some(tensor) = data.first::<TensorData>().map(Arc::new) else {
            super::notice(ui, data.errors.join("; "));
            return;
        };
        let shape = tensor.shape().to_vec();
        if shape.is_empty() {
            super::notice(ui, "a tensor without dimensions");
            return;
        }
        if shape != self.shape {
            // A new shape: show the two largest dimensions, slice the rest at 0.
            (self.x_dim, self.y_dim) = default_dims(&shape);
            self.indices = vec![0; shape.len()];
            self.shape = shape.clone();
        }
        let names = tensor.names().map(<[String]>::to_vec);
        let dim_name = |d: usize| {
            names
                .as_ref()
                .and_then(|n| n.get(d).cloned())
                .unwrap_or_else(|| format!("dim {d}"))
        };

        ui.horizontal_wrapped(|ui| {
            for (label, dim) in [("width", &mut self.x_dim), ("height", &mut self.y_dim)] {
                egui::ComboBox::new(label, label)
                    .selected_text(format!("{} ({})", dim_name(*dim), shape[*dim]))
                    .show_ui(ui, |ui| {
                        for (d, n) in shape.iter().enumerate() {
                            ui.selectable_value(dim, d, format!("{} ({n})", dim_name(d)));
                        }
                    });
            }
            egui::ComboBox::new("tensor_colormap", "colormap")
                .selected_text(self.colormap.name())
                .show_ui(ui, |ui| {
                    for c in Colormap::ALL {
                        ui.selectable_value(&mut self.colormap, c, c.name());
                    }
                });
        });
        for (d, &n) in shape.iter().enumerate() {
            if d == self.x_dim || d == self.y_dim || n <= 1 {
                continue;
            }
            ui.add(egui::Slider::new(&mut self.indices[d], 0..=n - 1).text(dim_name(d)));
        }

        let range = match self.range {
            Some((r, lo, hi)) if r == row => (lo, hi),
            _ => {
                let (lo, hi) = value_range(&tensor);
                self.range = Some((row, lo, hi));
                (lo, hi)
            }
        };
        let key = SliceKey {
            row,
            x: self.x_dim,
            y: self.y_dim,
            indices: self.indices.clone(),
            colormap: self.colormap,
        };
        if self.texture.as_ref().is_none_or(|(k, _)| *k != key) {
            let image = slice_image(
                &tensor,
                self.x_dim,
                self.y_dim,
                &self.indices,
                self.colormap,
                range,
            );
            let handle = ui.ctx().load_texture(
                format!("tensor {entity}"),
                image,
                egui::TextureOptions::NEAREST,
            );
            self.texture = Some((key, handle));
        }
        let Some((_, handle)) = &self.texture else {
            return;
        };
        ui.horizontal(|ui| {
            ui.weak(format!(
                "{} … {}",
                format_float(range.0),
                format_float(range.1)
            ));
            let (rect, _) = ui.allocate_exact_size(egui::vec2(120.0, 10.0), egui::Sense::hover());
            for i in 0..60 {
                let t = i as f32 / 59.0;
                let x = rect.left() + rect.width() * i as f32 / 60.0;
                ui.painter().rect_filled(
                    egui::Rect::from_min_size(
                        egui::pos2(x, rect.top()),
                        egui::vec2(rect.width() / 60.0 + 0.5, rect.height()),
                    ),
                    0.0,
                    self.colormap.color(t),
                );
            }
        });
        let available = ui.available_size();
        let size = handle.size_vec2();
        let scale = (available.x / size.x).min(available.y / size.y).max(0.01);
        let response =
            ui.add(egui::Image::new((handle.id(), size * scale)).sense(egui::Sense::click()));
        if let Some(pos) = response.hover_pos() {
            let rel = (pos - response.rect.min) / scale;
            let (col, row_i) = (rel.x.floor() as u64, rel.y.floor() as u64);
            let mut index = self.indices.clone();
            index[self.x_dim] = col;
            index[self.y_dim] = row_i;
            if col < shape[self.x_dim] && row_i < shape[self.y_dim] {
                let v = tensor.buffer().get_f64(flat_index(&shape, &index));
                out.hovered = Some(Item::Entity(entity.clone()));
                response.clone().on_hover_text_at_pointer(format!(
                    "{index:?} = {}",
                    v.map_or("?".to_owned(), format_float)
                ));
            }
        }
        if response.clicked() {
            out.select(Item::Entity(entity.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::Color32;

    #[test]
    fn slices_pick_dimensions_and_indices() {
        // shape 2x3x4, value = 100a + 10b + c
        let values: Vec<f32> = (0..2)
            .flat_map(|a| {
                (0..3).flat_map(move |b| (0..4).map(move |c| (100 * a + 10 * b + c) as f32))
            })
            .collect();
        let t = TensorData::new(vec![2, 3, 4], values).expect("tensor");
        assert_eq!(flat_index(t.shape(), &[1, 2, 3]), 23);
        let img = slice_image(&t, 2, 1, &[1, 0, 0], Colormap::Grayscale, (100.0, 123.0));
        assert_eq!(img.size, [4, 3]);
        // pixel (x=3, y=2) is [1, 2, 3] = 123: the top of the range, white
        assert_eq!(img.pixels[2 * 4 + 3], Color32::WHITE);
        assert_eq!(img.pixels[0], Color32::BLACK);
    }
}
