//! Text: labels, log bodies and levels, media types.

string_component!(
    /// A piece of UTF-8 text: a label or a log message.
    Text
);
string_component!(
    /// The severity of a text log entry ("INFO", "WARN", ...).
    TextLogLevel
);
string_component!(
    /// The IANA media type of encoded data, e.g. `image/png`, `model/gltf-binary`.
    MediaType
);

impl TextLogLevel {
    /// Critical failures.
    pub const CRITICAL: &'static str = "CRITICAL";
    /// Errors.
    pub const ERROR: &'static str = "ERROR";
    /// Warnings.
    pub const WARN: &'static str = "WARN";
    /// Information.
    pub const INFO: &'static str = "INFO";
    /// Debugging detail.
    pub const DEBUG: &'static str = "DEBUG";
    /// Fine-grained tracing.
    pub const TRACE: &'static str = "TRACE";
}

impl MediaType {
    /// Plain text.
    pub const TEXT: &'static str = "text/plain";
    /// Markdown.
    pub const MARKDOWN: &'static str = "text/markdown";
    /// PNG images.
    pub const PNG: &'static str = "image/png";
    /// JPEG images.
    pub const JPEG: &'static str = "image/jpeg";
    /// Binary glTF.
    pub const GLB: &'static str = "model/gltf-binary";
    /// JSON glTF.
    pub const GLTF: &'static str = "model/gltf+json";
    /// Wavefront OBJ.
    pub const OBJ: &'static str = "model/obj";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn text_round_trips() {
        round_trip(vec![Text::from("héllo"), Text::from("")]);
        round_trip(vec![TextLogLevel::from(TextLogLevel::WARN)]);
        round_trip(vec![
            MediaType::from(MediaType::PNG),
            MediaType::from(MediaType::GLB),
        ]);
    }
}
