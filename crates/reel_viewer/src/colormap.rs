//! Colormaps for depth images and tensors: values normalised to `0..=1` become colors.

use egui::Color32;

/// A colormap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Colormap {
    /// Black to white.
    Grayscale,
    /// Perceptually uniform dark blue → green → yellow.
    #[default]
    Viridis,
    /// High-contrast blue → green → red, good for depth.
    Turbo,
}

impl Colormap {
    /// Every colormap, for menus.
    pub const ALL: [Self; 3] = [Self::Grayscale, Self::Viridis, Self::Turbo];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Grayscale => "grayscale",
            Self::Viridis => "viridis",
            Self::Turbo => "turbo",
        }
    }

    /// The color of `t` (clamped to `0..=1`; NaN is transparent).
    pub fn color(self, t: f32) -> Color32 {
        if t.is_nan() {
            return Color32::TRANSPARENT;
        }
        let t = t.clamp(0.0, 1.0);
        let rgb = match self {
            Self::Grayscale => [t, t, t],
            Self::Viridis => viridis(t),
            Self::Turbo => turbo(t),
        };
        let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        Color32::from_rgb(q(rgb[0]), q(rgb[1]), q(rgb[2]))
    }
}

/// Polynomial fit of viridis (max error about 1/255).
#[allow(clippy::excessive_precision)]
fn viridis(t: f32) -> [f32; 3] {
    const C: [[f32; 3]; 7] = [
        [0.277_727_3, 0.005_407_344, 0.334_099_8],
        [0.105_093_04, 1.404_613_5, 1.384_590_2],
        [-0.330_861_83, 0.214_847_56, 0.095_095_16],
        [-4.634_230_5, -5.799_101, -19.332_441],
        [6.228_27, 14.179_934, 56.690_55],
        [4.776_385, -13.745_145, -65.353_035],
        [-5.435_456, 4.645_852_6, 26.312_435],
    ];
    poly(&C, t)
}

/// Polynomial fit of turbo.
#[allow(clippy::excessive_precision)]
fn turbo(t: f32) -> [f32; 3] {
    const C: [[f32; 3]; 6] = [
        [0.135_721_38, 0.091_402_61, 0.106_673_3],
        [4.615_392_6, 2.194_188_4, 12.641_946],
        [-42.660_322, 4.842_966_6, -60.582_05],
        [132.131_08, -14.185_034, 110.362_77],
        [-152.942_4, 4.277_298_6, -89.903_11],
        [59.286_38, 2.829_566, 27.348_25],
    ];
    poly(&C, t)
}

fn poly<const N: usize>(c: &[[f32; 3]; N], t: f32) -> [f32; 3] {
    let mut out = [0.0; 3];
    for (k, channel) in out.iter_mut().enumerate() {
        let mut acc = 0.0;
        for coeffs in c.iter().rev() {
            acc = acc * t + coeffs[k];
        }
        *channel = acc;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_nan() {
        assert_eq!(Colormap::Grayscale.color(0.0), Color32::BLACK);
        assert_eq!(Colormap::Grayscale.color(2.0), Color32::WHITE);
        assert_eq!(Colormap::Turbo.color(f32::NAN), Color32::TRANSPARENT);
        // viridis starts dark purple and ends yellow
        let [r, g, b, _] = Colormap::Viridis.color(0.0).to_array();
        assert!(r < 90 && g < 10 && b > 70, "{r} {g} {b}");
        let [r, g, b, _] = Colormap::Viridis.color(1.0).to_array();
        assert!(r > 230 && g > 210 && b < 60, "{r} {g} {b}");
    }
}
