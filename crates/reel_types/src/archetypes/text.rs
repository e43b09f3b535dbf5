//! Scalars and text.

use crate::components::{self, Color, MediaType, Radius, ScalarScattered, Text, TextLogLevel};

use super::{archetype, batch1};

archetype! {
    /// One scalar value, plotted over time, with optional label, color, radius and style.
    Scalar {
        required scalar: components::Scalar;
        optional label: Text => with_label;
        optional color: Color => with_color;
        optional radius: Radius => with_radius;
        optional scattered: ScalarScattered => with_scattered;
    }
}

impl Scalar {
    /// A scalar with `value`.
    pub fn new(value: f64) -> Self {
        Self::from_required(batch1::<components::Scalar>(value))
    }
}

archetype! {
    /// One entry of a text log, with an optional level and color.
    TextLog {
        required text: Text;
        optional level: TextLogLevel => with_levels;
        optional color: Color => with_colors;
    }
}

impl TextLog {
    /// An entry with `text`.
    pub fn new(text: impl Into<Text>) -> Self {
        Self::from_required(batch1::<Text>(text))
    }

    /// Sets the level, e.g. [`TextLogLevel::INFO`].
    pub fn with_level(self, level: impl Into<TextLogLevel>) -> Self {
        self.with_levels([level.into()])
    }

    /// Sets the color.
    pub fn with_color(self, color: impl Into<Color>) -> Self {
        self.with_colors([color.into()])
    }
}

archetype! {
    /// A text document (plain text or markdown).
    TextDocument {
        required text: Text;
        optional media_type: MediaType => with_media_types;
    }
}

impl TextDocument {
    /// A plain-text document.
    pub fn new(text: impl Into<Text>) -> Self {
        Self::from_required(batch1::<Text>(text))
    }

    /// A markdown document.
    pub fn markdown(text: impl Into<Text>) -> Self {
        Self::new(text).with_media_types([MediaType::MARKDOWN])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archetypes::test_util::values;

    #[test]
    fn text_and_scalars() {
        let t = TextLog::new("hello")
            .with_level(TextLogLevel::WARN)
            .with_color([0u8, 0, 255]);
        assert_eq!(values::<TextLogLevel>(&t)[0].0, "WARN");
        assert_eq!(values::<Color>(&t), [Color::from_rgb(0, 0, 255)]);
        let s = Scalar::new(2.5)
            .with_label(["speed"])
            .with_scattered([true]);
        assert_eq!(values::<components::Scalar>(&s), [components::Scalar(2.5)]);
        assert_eq!(values::<ScalarScattered>(&s), [ScalarScattered(true)]);
        let d = TextDocument::markdown("# title");
        assert_eq!(values::<MediaType>(&d)[0].0, MediaType::MARKDOWN);
    }
}
