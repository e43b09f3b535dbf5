//! The views: each draws query results for its entities at the cursor and keeps only its
//! own UI state (zoom, filters, sliders). A view never touches another view's state or
//! the store's; it asks the app for changes through [`FrameOutput`].
//!
//! - [`spatial_3d`]: points, lines, boxes, arrows, meshes, assets and cameras in 3D.
//! - [`spatial_2d`]: images with points, boxes, line strips and keypoints over them.
//! - [`time_series`]: scalars over time, decimated per pixel.
//! - [`text_log`]: a filterable table of log lines.
//! - [`tensor`]: a tensor sliced to two dimensions with a colormap.
//! - [`bar_chart`]: a 1D tensor as bars.
//! - [`text_document`]: text or rendered markdown.

pub mod bar_chart;
pub mod spatial_2d;
pub mod spatial_3d;
pub mod tensor;
pub mod text_document;
pub mod text_log;
pub mod time_series;

use crate::context::{FrameOutput, ViewerContext};
use crate::heuristics::{ViewKind, ViewSpec};

/// One view: what it shows and its UI state.
pub struct View {
    /// What the view shows.
    pub spec: ViewSpec,
    state: ViewState,
}

enum ViewState {
    Spatial3D(Box<spatial_3d::Spatial3DView>),
    Spatial2D(spatial_2d::Spatial2DView),
    TimeSeries(time_series::TimeSeriesView),
    TextLog(text_log::TextLogView),
    Tensor(tensor::TensorView),
    BarChart(bar_chart::BarChartView),
    TextDocument(text_document::TextDocumentView),
}

impl View {
    /// A view for `spec` with default UI state.
    pub fn new(spec: ViewSpec) -> Self {
        let state = match spec.kind {
            ViewKind::Spatial3D => ViewState::Spatial3D(Default::default()),
            ViewKind::Spatial2D => ViewState::Spatial2D(Default::default()),
            ViewKind::TimeSeries => ViewState::TimeSeries(Default::default()),
            ViewKind::TextLog => ViewState::TextLog(Default::default()),
            ViewKind::Tensor => ViewState::Tensor(Default::default()),
            ViewKind::BarChart => ViewState::BarChart(Default::default()),
            ViewKind::TextDocument => ViewState::TextDocument(Default::default()),
        };
        Self { spec, state }
    }

    /// Draws the view into `ui`.
    pub fn ui(&mut self, ctx: &ViewerContext<'_>, ui: &mut egui::Ui, out: &mut FrameOutput) {
        let spec = &self.spec;
        match &mut self.state {
            ViewState::Spatial3D(v) => v.ui(ctx, spec, ui, out),
            ViewState::Spatial2D(v) => v.ui(ctx, spec, ui, out),
            ViewState::TimeSeries(v) => v.ui(ctx, spec, ui, out),
            ViewState::TextLog(v) => v.ui(ctx, spec, ui, out),
            ViewState::Tensor(v) => v.ui(ctx, spec, ui, out),
            ViewState::BarChart(v) => v.ui(ctx, spec, ui, out),
            ViewState::TextDocument(v) => v.ui(ctx, spec, ui, out),
        }
    }
}

/// The components of a single-entity view's entity at the cursor (tensor, bar chart,
/// text document views show their first entity).
pub fn single_entity(
    ctx: &ViewerContext<'_>,
    spec: &ViewSpec,
    components: &[reel_core::ComponentName],
) -> Option<crate::data::EntityData> {
    let entity = spec.entities.first()?;
    Some(crate::data::EntityData::query_components(
        ctx.store,
        &ctx.latest_at(),
        entity,
        components,
    ))
}

/// A short notice drawn in place of data a view cannot show (nothing logged yet at the
/// cursor, or data of the wrong type).
pub fn notice(ui: &mut egui::Ui, text: impl Into<String>) {
    let text = text.into();
    ui.centered_and_justified(|ui| {
        ui.weak(text);
    });
}
