//! How things look: colors, radii, draw order.

use reel_core::arrow_array::{Float32Array, UInt32Array};
use reel_core::arrow_schema::DataType;

primitive_component!(
    /// An sRGB color with alpha, packed as `0xRRGGBBAA`.
    Color(u32), UInt32Array, DataType::UInt32
);
primitive_component!(
    /// The radius of a point, or half the width of a line, in scene units.
    Radius(f32), Float32Array, DataType::Float32
);
primitive_component!(
    /// Which 2D elements are drawn on top: higher values over lower ones.
    DrawOrder(f32), Float32Array, DataType::Float32
);
primitive_component!(
    /// A mesh's base color multiplier, packed as `0xRRGGBBAA`.
    AlbedoFactor(u32), UInt32Array, DataType::UInt32
);

impl Color {
    /// A color from red, green, blue and alpha bytes.
    pub const fn from_rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self(u32::from_be_bytes([r, g, b, a]))
    }

    /// An opaque color from red, green and blue bytes.
    pub const fn from_rgb(r: u8, g: u8, b: u8) -> Self {
        Self::from_rgba(r, g, b, 255)
    }

    /// A color from floats in `0.0..=1.0` (clamped; NaN is 0).
    pub fn from_rgba_f32(rgba: [f32; 4]) -> Self {
        let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        Self::from_rgba(q(rgba[0]), q(rgba[1]), q(rgba[2]), q(rgba[3]))
    }

    /// An opaque color from floats in `0.0..=1.0`.
    pub fn from_rgb_f32(rgb: [f32; 3]) -> Self {
        Self::from_rgba_f32([rgb[0], rgb[1], rgb[2], 1.0])
    }

    /// The color as `[r, g, b, a]` bytes.
    pub const fn to_rgba(&self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}

impl From<[u8; 3]> for Color {
    fn from([r, g, b]: [u8; 3]) -> Self {
        Self::from_rgb(r, g, b)
    }
}

impl From<[u8; 4]> for Color {
    fn from([r, g, b, a]: [u8; 4]) -> Self {
        Self::from_rgba(r, g, b, a)
    }
}

impl From<[f32; 3]> for Color {
    fn from(rgb: [f32; 3]) -> Self {
        Self::from_rgb_f32(rgb)
    }
}

impl From<[f32; 4]> for Color {
    fn from(rgba: [f32; 4]) -> Self {
        Self::from_rgba_f32(rgba)
    }
}

impl From<Color> for AlbedoFactor {
    fn from(c: Color) -> Self {
        Self(c.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn appearance_round_trips() {
        round_trip(vec![
            Color::from_rgb(255, 0, 0),
            Color::from_rgba(1, 2, 3, 4),
        ]);
        round_trip(vec![Radius(0.5), Radius(1.5)]);
        round_trip(vec![DrawOrder(10.0)]);
        round_trip(vec![AlbedoFactor(0xff00_00ff)]);
    }

    #[test]
    fn colors_from_floats_and_bytes() {
        assert_eq!(
            Color::from([1.0f32, 0.5, 0.0]).to_rgba(),
            [255, 128, 0, 255]
        );
        assert_eq!(
            Color::from([2.0f32, -1.0, f32::NAN, 0.0]).to_rgba(),
            [255, 0, 0, 0]
        );
        assert_eq!(Color::from([1u8, 2, 3]).to_rgba(), [1, 2, 3, 255]);
        assert_eq!(Color::from([1u8, 2, 3, 4]), Color::from_rgba(1, 2, 3, 4));
        assert_eq!(Color::from_rgb(1, 2, 3).0, 0x010203ff);
    }
}
