//! Images (color, depth, segmentation), encoded images, tensors and bar charts.

use crate::components::{
    Blob, DepthMeter, DrawOrder, MediaType, Resolution, TensorBuffer, TensorData, TensorDataType,
};
use crate::ValidationError;

use super::{archetype, batch1};

fn shape_error(kind: &'static str, expected: &'static str, t: &TensorData) -> ValidationError {
    ValidationError::ImageShape {
        kind,
        expected,
        shape: t.shape().to_vec(),
        dtype: t.dtype().name(),
    }
}

/// HxW or HxWx1.
fn is_single_channel(shape: &[u64]) -> bool {
    matches!(shape, [_, _] | [_, _, 1])
}

archetype! {
    /// A color or grayscale image: a tensor of shape HxW, HxWx1 (gray), HxWx3 (RGB) or
    /// HxWx4 (RGBA).
    Image {
        required data: TensorData;
        optional draw_order: DrawOrder => with_draw_order;
    }
}

impl Image {
    /// An image from a tensor, checking its shape.
    pub fn new(data: TensorData) -> Result<Self, ValidationError> {
        if !matches!(data.shape(), [_, _] | [_, _, 1 | 3 | 4]) {
            return Err(shape_error("an image", "HxW, HxWx1, HxWx3 or HxWx4", &data));
        }
        Ok(Self::from_required(batch1::<TensorData>(data)))
    }

    /// An RGB or RGBA image from 8-bit pixels, row-major.
    pub fn from_rgb8(
        width: u32,
        height: u32,
        channels: u8,
        pixels: Vec<u8>,
    ) -> Result<Self, ValidationError> {
        let data = TensorData::new(
            vec![u64::from(height), u64::from(width), u64::from(channels)],
            pixels,
        )?;
        Self::new(data)
    }
}

impl TryFrom<image::DynamicImage> for Image {
    type Error = ValidationError;

    /// Converts any decoded image, keeping 8/16-bit and float pixels as they are.
    fn try_from(img: image::DynamicImage) -> Result<Self, ValidationError> {
        use image::DynamicImage as D;
        let (w, h) = (u64::from(img.width()), u64::from(img.height()));
        let (channels, buffer): (u64, TensorBuffer) = match img {
            D::ImageLuma8(i) => (1, i.into_raw().into()),
            D::ImageRgb8(i) => (3, i.into_raw().into()),
            D::ImageRgba8(i) => (4, i.into_raw().into()),
            D::ImageLuma16(i) => (1, i.into_raw().into()),
            D::ImageRgb16(i) => (3, i.into_raw().into()),
            D::ImageRgba16(i) => (4, i.into_raw().into()),
            D::ImageRgb32F(i) => (3, i.into_raw().into()),
            D::ImageRgba32F(i) => (4, i.into_raw().into()),
            other => (4, other.to_rgba8().into_raw().into()),
        };
        let shape = if channels == 1 {
            vec![h, w]
        } else {
            vec![h, w, channels]
        };
        Self::new(TensorData::new(shape, buffer)?)
    }
}

archetype! {
    /// A depth image: a single-channel tensor (HxW or HxWx1) with an optional scale
    /// (units per meter).
    DepthImage {
        required data: TensorData;
        optional meter: DepthMeter => with_meter;
        optional draw_order: DrawOrder => with_draw_order;
    }
}

impl DepthImage {
    /// A depth image from a tensor, checking its shape.
    pub fn new(data: TensorData) -> Result<Self, ValidationError> {
        if !is_single_channel(data.shape()) {
            return Err(shape_error("a depth image", "HxW or HxWx1", &data));
        }
        Ok(Self::from_required(batch1::<TensorData>(data)))
    }
}

archetype! {
    /// A segmentation image: a single-channel tensor of integer class ids.
    SegmentationImage {
        required data: TensorData;
        optional draw_order: DrawOrder => with_draw_order;
    }
}

impl SegmentationImage {
    /// A segmentation image from a tensor, checking its shape and integer type.
    pub fn new(data: TensorData) -> Result<Self, ValidationError> {
        if !is_single_channel(data.shape()) || !data.dtype().is_integer() {
            return Err(shape_error(
                "a segmentation image",
                "HxW or HxWx1 of integer class ids",
                &data,
            ));
        }
        Ok(Self::from_required(batch1::<TensorData>(data)))
    }
}

archetype! {
    /// A tensor of any shape and element type.
    Tensor {
        required data: TensorData;
    }
}

impl Tensor {
    /// A tensor archetype.
    pub fn new(data: TensorData) -> Self {
        Self::from_required(batch1::<TensorData>(data))
    }
}

archetype! {
    /// A bar chart: a one-dimensional tensor of values.
    BarChart {
        required values: TensorData;
    }
}

impl BarChart {
    /// A bar chart from a 1-D tensor.
    pub fn new(values: TensorData) -> Result<Self, ValidationError> {
        if values.shape().len() != 1 {
            return Err(shape_error("a bar chart", "one-dimensional", &values));
        }
        Ok(Self::from_required(batch1::<TensorData>(values)))
    }

    /// A bar chart of `f64` values.
    pub fn from_values(values: Vec<f64>) -> Self {
        let n = values.len() as u64;
        match TensorData::new(vec![n], values) {
            Ok(t) => Self::from_required(batch1::<TensorData>(t)),
            Err(_) => unreachable!("a 1-D tensor of n values has shape [n]"),
        }
    }
}

/// The encodings of image files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
}

impl ImageFormat {
    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => MediaType::JPEG,
            Self::Png => MediaType::PNG,
        }
    }

    fn to_image_crate(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
        }
    }
}

archetype! {
    /// An image kept encoded (PNG or JPEG), with its resolution.
    EncodedImage {
        required blob: Blob;
        optional media_type: MediaType => with_media_types;
        optional resolution: Resolution => with_resolution;
        optional draw_order: DrawOrder => with_draw_order;
    }
}

impl EncodedImage {
    /// An encoded image from file bytes; the format is detected unless given. The header
    /// is decoded to check the format and read the resolution.
    pub fn from_bytes(
        bytes: Vec<u8>,
        format: Option<ImageFormat>,
    ) -> Result<Self, ValidationError> {
        let detected = image::guess_format(&bytes).ok();
        let format = match (format, detected) {
            (Some(f), Some(d)) if f.to_image_crate() != d => {
                return Err(ValidationError::UnsupportedFile {
                    format: f.media_type().into(),
                    reason: format!("the bytes are {d:?}"),
                })
            }
            (Some(f), _) => f,
            (None, Some(image::ImageFormat::Png)) => ImageFormat::Png,
            (None, Some(image::ImageFormat::Jpeg)) => ImageFormat::Jpeg,
            (None, other) => {
                return Err(ValidationError::UnsupportedFile {
                    format: "image".into(),
                    reason: match other {
                        Some(d) => format!("{d:?} is not supported (PNG and JPEG are)"),
                        None => "not a PNG or JPEG file".into(),
                    },
                })
            }
        };
        let reader =
            image::ImageReader::with_format(std::io::Cursor::new(&bytes), format.to_image_crate());
        let (w, h) = reader
            .into_dimensions()
            .map_err(|e| ValidationError::UnsupportedFile {
                format: format.media_type().into(),
                reason: e.to_string(),
            })?;
        Ok(Self::from_required(batch1::<Blob>(bytes))
            .with_media_types([format.media_type()])
            .with_resolution([[w as f32, h as f32]]))
    }

    /// Encodes 8-bit pixels (gray, RGB or RGBA, HxW or HxWxC) as JPEG with `quality` (1–100).
    pub fn encode_jpeg(data: &TensorData, quality: u8) -> Result<Self, ValidationError> {
        let bad = || shape_error("a JPEG image", "u8 HxW, HxWx1 or HxWx3", data);
        let (h, w, color) = match (data.shape(), data.dtype()) {
            ([h, w], TensorDataType::U8) | ([h, w, 1], TensorDataType::U8) => {
                (*h, *w, image::ExtendedColorType::L8)
            }
            ([h, w, 3], TensorDataType::U8) => (*h, *w, image::ExtendedColorType::Rgb8),
            _ => return Err(bad()),
        };
        let TensorBuffer::U8(pixels) = data.buffer() else {
            return Err(bad());
        };
        let (w, h) = (
            u32::try_from(w).map_err(|_| bad())?,
            u32::try_from(h).map_err(|_| bad())?,
        );
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
            .encode(pixels, w, h, color)
            .map_err(|e| ValidationError::UnsupportedFile {
                format: MediaType::JPEG.into(),
                reason: e.to_string(),
            })?;
        Self::from_bytes(out, Some(ImageFormat::Jpeg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archetypes::test_util::values;
    use crate::components::Resolution;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn image_shapes_are_checked() {
        for shape in [vec![2, 3], vec![2, 3, 1], vec![2, 3, 3], vec![2, 3, 4]] {
            let n = shape.iter().product::<u64>() as usize;
            Image::new(TensorData::new(shape.clone(), vec![0u8; n]).expect("tensor"))
                .expect("valid");
        }
        for shape in [vec![6], vec![2, 3, 2], vec![1, 2, 3, 1]] {
            let n = shape.iter().product::<u64>() as usize;
            let e = Image::new(TensorData::new(shape, vec![0u8; n]).expect("tensor"))
                .expect_err("bad shape");
            assert!(matches!(e, ValidationError::ImageShape { .. }), "{e}");
        }
        let depth = TensorData::new(vec![2, 2], vec![1.0f32; 4]).expect("tensor");
        DepthImage::new(depth.clone())
            .expect("depth")
            .with_meter([1000.0]);
        assert!(
            DepthImage::new(TensorData::new(vec![2, 2, 3], vec![0u8; 12]).expect("t")).is_err()
        );
        SegmentationImage::new(TensorData::new(vec![2, 2], vec![1u16; 4]).expect("t"))
            .expect("seg");
        assert!(SegmentationImage::new(depth).is_err(), "float class ids");
        assert!(BarChart::new(TensorData::new(vec![2, 2], vec![0u8; 4]).expect("t")).is_err());
        assert_eq!(
            values::<TensorData>(&BarChart::from_values(vec![1.0, 2.0]))[0].shape(),
            [2]
        );
    }

    #[test]
    fn dynamic_images_convert() {
        let rgb = image::DynamicImage::ImageRgb8(image::RgbImage::new(4, 2));
        let img = Image::try_from(rgb).expect("rgb");
        assert_eq!(values::<TensorData>(&img)[0].shape(), [2, 4, 3]);
        let gray = image::DynamicImage::ImageLuma16(image::ImageBuffer::new(3, 5));
        let t = &values::<TensorData>(&Image::try_from(gray).expect("gray"))[0];
        assert_eq!(
            (t.shape(), t.dtype()),
            (&[5u64, 3][..], TensorDataType::U16)
        );
    }

    #[test]
    fn encoded_images_are_detected_and_checked() {
        let img = EncodedImage::from_bytes(png(5, 3), None).expect("png");
        assert_eq!(values::<MediaType>(&img)[0].0, MediaType::PNG);
        assert_eq!(values::<Resolution>(&img), [Resolution([5.0, 3.0])]);
        let e =
            EncodedImage::from_bytes(png(5, 3), Some(ImageFormat::Jpeg)).expect_err("png as jpeg");
        assert!(matches!(e, ValidationError::UnsupportedFile { .. }), "{e}");
        assert!(EncodedImage::from_bytes(b"nope".to_vec(), None).is_err());
        let mut cut = png(5, 3);
        cut.truncate(20);
        assert!(EncodedImage::from_bytes(cut, Some(ImageFormat::Png)).is_err());

        let pixels = TensorData::new(vec![8, 8, 3], vec![128u8; 192]).expect("tensor");
        let jpeg = EncodedImage::encode_jpeg(&pixels, 80).expect("jpeg");
        assert_eq!(values::<Resolution>(&jpeg), [Resolution([8.0, 8.0])]);
        assert!(EncodedImage::encode_jpeg(
            &TensorData::new(vec![2, 2], vec![0.5f32; 4]).expect("t"),
            80
        )
        .is_err());
    }
}
