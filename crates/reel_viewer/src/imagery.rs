//! Turning logged images into pixels: color and gray images of any element type, depth
//! images through a colormap, segmentation images through class colors, and encoded
//! PNG/JPEG. Keeps the raw values for hover read-outs.

use std::sync::Arc;

use egui::{Color32, ColorImage};
use reel_core::EntityPath;
use reel_types::components::{TensorBuffer, TensorData};

use crate::annotations::{class_color, Annotations};
use crate::colormap::Colormap;

/// How an image's values become colors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImageKind {
    /// Gray, RGB or RGBA.
    Color,
    /// Distances; `meter` values make one meter.
    Depth {
        /// Values per meter (`None`: the values are meters).
        meter: Option<f32>,
    },
    /// Class ids colored by the annotation context.
    Segmentation,
}

/// An image ready to draw, with what hovering needs.
pub struct DecodedImage {
    /// The pixels.
    pub pixels: ColorImage,
    /// The logged values (`None` for encoded images: the pixels are the values).
    pub raw: Option<Arc<TensorData>>,
    /// How the values were interpreted.
    pub kind: ImageKind,
    /// For depth images: the value range mapped onto the colormap.
    pub value_range: Option<(f64, f64)>,
}

impl DecodedImage {
    /// Width and height in pixels.
    pub fn size(&self) -> [usize; 2] {
        self.pixels.size
    }

    /// The value at pixel `(x, y)` for people: channels, depth in meters, or class id.
    pub fn describe_pixel(&self, x: usize, y: usize) -> Option<String> {
        let [w, h] = self.size();
        if x >= w || y >= h {
            return None;
        }
        let Some(raw) = &self.raw else {
            let c = self.pixels.pixels[y * w + x];
            return Some(format!("rgba({}, {}, {}, {})", c.r(), c.g(), c.b(), c.a()));
        };
        let channels = channels(raw.shape());
        let base = (y * w + x) * channels;
        let values: Vec<f64> = (0..channels)
            .filter_map(|c| raw.buffer().get_f64(base + c))
            .collect();
        Some(match self.kind {
            ImageKind::Color => match values.as_slice() {
                [v] => format!("gray {}", crate::data::format_float(*v)),
                vs => format!(
                    "({})",
                    vs.iter()
                        .map(|v| crate::data::format_float(*v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            ImageKind::Depth { meter } => {
                let v = values.first().copied().unwrap_or(f64::NAN);
                let m = v / f64::from(meter.unwrap_or(1.0));
                format!("depth {} m (raw {})", crate::data::format_float(m), v)
            }
            ImageKind::Segmentation => {
                format!("class {}", values.first().copied().unwrap_or(f64::NAN))
            }
        })
    }
}

/// Channels of an HxW, HxWx1, HxWx3 or HxWx4 shape (1 for anything else 2D).
fn channels(shape: &[u64]) -> usize {
    match shape {
        [_, _, c] => *c as usize,
        _ => 1,
    }
}

/// Why an image cannot be shown.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImageError {
    /// The tensor's shape is not an image's.
    #[error("shape {0:?} is not an image (HxW, HxWx1, HxWx3 or HxWx4)")]
    Shape(Vec<u64>),
    /// Encoded bytes could not be decoded.
    #[error("cannot decode the encoded image: {0}")]
    Decode(String),
    /// The image is too large to show.
    #[error("{0}x{1} pixels is too large to show")]
    TooLarge(u64, u64),
}

/// The largest side shown (textures beyond this fail on many GPUs).
pub const MAX_SIDE: u64 = 16_384;

/// Converts a logged tensor into pixels.
pub fn decode_tensor(
    tensor: Arc<TensorData>,
    kind: ImageKind,
    colormap: Colormap,
    annotations: &Annotations,
    entity: &EntityPath,
) -> Result<DecodedImage, ImageError> {
    let shape = tensor.shape().to_vec();
    let (h, w, c) = match shape.as_slice() {
        [h, w] => (*h, *w, 1),
        [h, w, c @ (1 | 3 | 4)] => (*h, *w, *c),
        _ => return Err(ImageError::Shape(shape)),
    };
    if h > MAX_SIDE || w > MAX_SIDE {
        return Err(ImageError::TooLarge(w, h));
    }
    let (h, w, c) = (h as usize, w as usize, c as usize);
    let buffer = tensor.buffer();
    let n = w * h;
    let mut value_range = None;
    let pixels: Vec<Color32> = match (kind, buffer) {
        // 8-bit colour, the common camera frame: read bytes as they are (the general path
        // below converts every value through f64, ~3x slower on a 4 MB frame).
        (ImageKind::Color, TensorBuffer::U8(bytes)) if bytes.len() >= n * c => {
            let bytes = &bytes[..n * c];
            match c {
                1 => bytes.iter().map(|&v| Color32::from_gray(v)).collect(),
                3 => bytes
                    .chunks_exact(3)
                    .map(|p| Color32::from_rgb(p[0], p[1], p[2]))
                    .collect(),
                _ => bytes
                    .chunks_exact(4)
                    .map(|p| Color32::from_rgba_unmultiplied(p[0], p[1], p[2], p[3]))
                    .collect(),
            }
        }
        (ImageKind::Color, _) => {
            let scale = color_scale(buffer);
            let v = |i: usize| -> u8 {
                let x = buffer.get_f64(i).unwrap_or(0.0);
                (x * scale).round().clamp(0.0, 255.0) as u8
            };
            (0..n)
                .map(|p| {
                    let b = p * c;
                    match c {
                        1 => Color32::from_gray(v(b)),
                        3 => Color32::from_rgb(v(b), v(b + 1), v(b + 2)),
                        _ => Color32::from_rgba_unmultiplied(v(b), v(b + 1), v(b + 2), v(b + 3)),
                    }
                })
                .collect()
        }
        (ImageKind::Depth { .. }, _) => {
            let (lo, hi) = finite_range(buffer, |v| v > 0.0).unwrap_or((0.0, 1.0));
            value_range = Some((lo, hi));
            let span = (hi - lo).max(f64::EPSILON);
            (0..n)
                .map(|p| {
                    let v = buffer.get_f64(p * c).unwrap_or(f64::NAN);
                    if v.is_nan() || v <= 0.0 || v.is_infinite() {
                        Color32::BLACK
                    } else {
                        colormap.color(((v - lo) / span) as f32)
                    }
                })
                .collect()
        }
        (ImageKind::Segmentation, _) => {
            let mut cache: std::collections::HashMap<u16, Color32> = Default::default();
            (0..n)
                .map(|p| {
                    let id = buffer.get_f64(p * c).unwrap_or(0.0).clamp(0.0, 65535.0) as u16;
                    *cache
                        .entry(id)
                        .or_insert_with(|| match annotations.class(entity, id) {
                            Some(class) => class
                                .info
                                .color
                                .map(crate::annotations::to_color32)
                                .unwrap_or_else(|| class_color(id)),
                            None if id == 0 => Color32::TRANSPARENT,
                            None => class_color(id),
                        })
                })
                .collect()
        }
    };
    Ok(DecodedImage {
        pixels: ColorImage::new([w, h], pixels),
        raw: Some(tensor),
        kind,
        value_range,
    })
}

/// Decodes PNG or JPEG bytes.
pub fn decode_encoded(bytes: &[u8]) -> Result<DecodedImage, ImageError> {
    let img = image::load_from_memory(bytes).map_err(|e| ImageError::Decode(e.to_string()))?;
    let (w, h) = (u64::from(img.width()), u64::from(img.height()));
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(ImageError::TooLarge(w, h));
    }
    let rgba = img.to_rgba8();
    Ok(DecodedImage {
        pixels: ColorImage::from_rgba_unmultiplied(
            [rgba.width() as usize, rgba.height() as usize],
            rgba.as_raw(),
        ),
        raw: None,
        kind: ImageKind::Color,
        value_range: None,
    })
}

/// The factor that maps a color buffer's values onto `0..=255`: 1 for `u8`, 1/257 for
/// `u16`, 255 for floats (taken as `0..=1`), else by the largest value.
fn color_scale(buffer: &TensorBuffer) -> f64 {
    match buffer {
        TensorBuffer::U8(_) => 1.0,
        TensorBuffer::U16(_) => 1.0 / 257.0,
        TensorBuffer::F16(_) | TensorBuffer::F32(_) | TensorBuffer::F64(_) => 255.0,
        _ => {
            let (_, hi) = finite_range(buffer, |_| true).unwrap_or((0.0, 255.0));
            if hi > 0.0 {
                255.0 / hi
            } else {
                1.0
            }
        }
    }
}

/// The smallest and largest finite value passing `keep`.
pub fn finite_range(buffer: &TensorBuffer, keep: impl Fn(f64) -> bool) -> Option<(f64, f64)> {
    let mut range: Option<(f64, f64)> = None;
    for i in 0..buffer.len() {
        let Some(v) = buffer.get_f64(i) else { continue };
        if v.is_finite() && keep(v) {
            range = Some(match range {
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
                None => (v, v),
            });
        }
    }
    range
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(shape: Vec<u64>, buffer: impl Into<TensorBuffer>) -> Arc<TensorData> {
        Arc::new(TensorData::new(shape, buffer).expect("tensor"))
    }

    #[test]
    fn color_images_of_each_type() {
        let none = Annotations::default();
        let e = EntityPath::root();
        let rgb = tensor(vec![1, 2, 3], vec![255u8, 0, 0, 0, 0, 255]);
        let img = decode_tensor(rgb, ImageKind::Color, Colormap::Turbo, &none, &e).expect("rgb");
        assert_eq!(img.pixels.pixels, vec![Color32::RED, Color32::BLUE]);
        assert_eq!(
            img.describe_pixel(1, 0).as_deref(),
            Some("(0.0, 0.0, 255.0)")
        );
        let gray16 = tensor(vec![1, 1], vec![65535u16]);
        let img = decode_tensor(gray16, ImageKind::Color, Colormap::Turbo, &none, &e).expect("u16");
        assert_eq!(img.pixels.pixels, vec![Color32::WHITE]);
        let f = tensor(vec![1, 1, 1], vec![0.5f32]);
        let img = decode_tensor(f, ImageKind::Color, Colormap::Turbo, &none, &e).expect("f32");
        assert_eq!(img.pixels.pixels, vec![Color32::from_gray(128)]);
        let bad = tensor(vec![2, 2, 2], vec![0u8; 8]);
        assert!(matches!(
            decode_tensor(bad, ImageKind::Color, Colormap::Turbo, &none, &e),
            Err(ImageError::Shape(_))
        ));
    }

    #[test]
    fn eight_bit_frames_read_directly_match_the_general_conversion() {
        let none = Annotations::default();
        let e = EntityPath::root();
        for c in [1u64, 3, 4] {
            let bytes: Vec<u8> = (0..4 * c as usize).map(|i| (i * 67 % 256) as u8).collect();
            // The same values as u16 take the general path (scaled by 1/257).
            let wide: Vec<u16> = bytes.iter().map(|&b| u16::from(b) * 257).collect();
            let fast = decode_tensor(
                tensor(vec![2, 2, c], bytes),
                ImageKind::Color,
                Colormap::Turbo,
                &none,
                &e,
            )
            .expect("u8");
            let general = decode_tensor(
                tensor(vec![2, 2, c], wide),
                ImageKind::Color,
                Colormap::Turbo,
                &none,
                &e,
            )
            .expect("u16");
            assert_eq!(fast.pixels.pixels, general.pixels.pixels, "{c} channels");
        }
    }

    #[test]
    fn depth_is_colormapped_and_read_in_meters() {
        let depth = tensor(vec![1, 3], vec![0u16, 1000, 2000]);
        let img = decode_tensor(
            depth,
            ImageKind::Depth {
                meter: Some(1000.0),
            },
            Colormap::Grayscale,
            &Annotations::default(),
            &EntityPath::root(),
        )
        .expect("depth");
        assert_eq!(
            img.pixels.pixels,
            vec![Color32::BLACK, Color32::BLACK, Color32::WHITE]
        );
        assert_eq!(img.value_range, Some((1000.0, 2000.0)));
        assert_eq!(
            img.describe_pixel(2, 0).as_deref(),
            Some("depth 2.0 m (raw 2000)")
        );
    }

    #[test]
    fn bad_encoded_bytes_are_an_error() {
        assert!(matches!(
            decode_encoded(b"not an image"),
            Err(ImageError::Decode(_))
        ));
    }
}
