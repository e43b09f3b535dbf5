//! A bar chart at the cursor: the values of a 1D tensor as bars, hover shows index and
//! value.

use egui_plot::{Bar, BarChart, Plot};
use reel_core::Component;
use reel_types::components::{Color, TensorData};

use crate::annotations::{auto_color, to_color32};
use crate::context::{FrameOutput, ViewerContext};
use crate::heuristics::ViewSpec;

/// The state of a bar chart view (the plot keeps its own zoom).
#[derive(Default)]
pub struct BarChartView;

impl BarChartView {
    /// Draws the bar chart of the view's entity.
    pub fn ui(
        &mut self,
        ctx: &ViewerContext<'_>,
        spec: &ViewSpec,
        ui: &mut egui::Ui,
        _out: &mut FrameOutput,
    ) {
        let Some(mut data) = super::single_entity(ctx, spec, &[TensorData::name(), Color::name()])
        else {
            return;
        };
        let entity = &data.entity.clone();
        let Some(tensor) = data.first::<TensorData>() else {
            super::notice(ui, "no bar chart at this time");
            return;
        };
        let color = data
            .first::<Color>()
            .map(to_color32)
            .unwrap_or_else(|| auto_color(entity));
        let n = tensor.buffer().len();
        let bars: Vec<Bar> = (0..n)
            .map(|i| {
                let v = tensor.buffer().get_f64(i).unwrap_or(f64::NAN);
                Bar::new(i as f64, v).width(0.9).name(format!("#{i}"))
            })
            .collect();
        Plot::new(("bar_chart", entity.hash64()))
            .allow_scroll(false)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new(entity.to_string(), bars).color(color));
            });
    }
}
