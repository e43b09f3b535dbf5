//! Archetypes: the things users log, each a set of required and optional components.

use reel_core::{AsComponents, ComponentBatch};

use crate::components::{Color, Position3D, Radius, Scalar as ScalarValue, Text, TextLogLevel};

/// A cloud of 3D points, with optional per-point (or splatted) colors, radii and labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Points3D {
    /// Where the points are (required).
    pub positions: Vec<Position3D>,
    /// One color per point, or one for all.
    pub colors: Option<Vec<Color>>,
    /// One radius per point, or one for all.
    pub radii: Option<Vec<Radius>>,
    /// One label per point, or one for all.
    pub labels: Option<Vec<Text>>,
}

impl Points3D {
    /// Points at `positions`.
    pub fn new(positions: impl IntoIterator<Item = impl Into<Position3D>>) -> Self {
        Self {
            positions: positions.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// Sets the colors.
    pub fn with_colors(mut self, colors: impl IntoIterator<Item = impl Into<Color>>) -> Self {
        self.colors = Some(colors.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the radii.
    pub fn with_radii(mut self, radii: impl IntoIterator<Item = impl Into<Radius>>) -> Self {
        self.radii = Some(radii.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the labels.
    pub fn with_labels(mut self, labels: impl IntoIterator<Item = impl Into<Text>>) -> Self {
        self.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }
}

impl AsComponents for Points3D {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        let mut out = vec![ComponentBatch::from_component(&self.positions)];
        out.extend(self.colors.as_deref().map(ComponentBatch::from_component));
        out.extend(self.radii.as_deref().map(ComponentBatch::from_component));
        out.extend(self.labels.as_deref().map(ComponentBatch::from_component));
        out
    }
}

/// One scalar value, plotted over time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalar(pub f64);

impl Scalar {
    /// A scalar.
    pub fn new(value: f64) -> Self {
        Self(value)
    }
}

impl AsComponents for Scalar {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        vec![ComponentBatch::from_component(&[ScalarValue(self.0)])]
    }
}

/// One entry of a text log, with an optional level and color.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TextLog {
    /// The message.
    pub text: Text,
    /// Its severity, e.g. [`TextLogLevel::INFO`].
    pub level: Option<TextLogLevel>,
    /// How to show it.
    pub color: Option<Color>,
}

impl TextLog {
    /// An entry with `text`.
    pub fn new(text: impl Into<Text>) -> Self {
        Self {
            text: text.into(),
            ..Default::default()
        }
    }

    /// Sets the level.
    pub fn with_level(mut self, level: impl Into<TextLogLevel>) -> Self {
        self.level = Some(level.into());
        self
    }

    /// Sets the color.
    pub fn with_color(mut self, color: Color) -> Self {
        self.color = Some(color);
        self
    }
}

impl AsComponents for TextLog {
    fn as_component_batches(&self) -> Vec<ComponentBatch> {
        let mut out = vec![ComponentBatch::from_component(std::slice::from_ref(
            &self.text,
        ))];
        out.extend(
            self.level
                .as_ref()
                .map(|l| ComponentBatch::from_component(std::slice::from_ref(l))),
        );
        out.extend(
            self.color
                .as_ref()
                .map(|c| ComponentBatch::from_component(std::slice::from_ref(c))),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::Component;

    #[test]
    fn points_list_only_what_is_set() {
        let p = Points3D::new([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
            .with_colors([Color::from_rgb(1, 2, 3)]);
        let batches = p.as_component_batches();
        let names: Vec<_> = batches.iter().map(|b| b.name().as_str()).collect();
        assert_eq!(names, [Position3D::NAME, Color::NAME]);
        assert_eq!(batches[0].len(), 2);
        assert_eq!(batches[1].len(), 1, "a single color is a splat");
        assert_eq!(
            batches[0].to_component::<Position3D>().expect("read"),
            p.positions
        );
    }

    #[test]
    fn text_log_and_scalar() {
        let t = TextLog::new("hello").with_level(TextLogLevel::WARN);
        let b = t.as_component_batches();
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[1].to_component::<TextLogLevel>().expect("level")[0].0,
            "WARN"
        );
        let s = Scalar::new(2.5).as_component_batches();
        assert_eq!(
            s[0].to_component::<ScalarValue>().expect("scalar"),
            [ScalarValue(2.5)]
        );
    }
}
