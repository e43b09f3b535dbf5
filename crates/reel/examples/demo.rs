//! The demo behind the README's first command: a synthetic robotics scene logged to a reel
//! file through a `RecordingStream`, using most archetypes.
//!
//! A robot drives a spiral for 300 frames among a few obstacles. Static context (logged
//! once, timeless): axis conventions, a ground grid, an annotation context, a mesh, a cone
//! asset (OBJ) and a readme. Each frame: the robot's transform and body box, a lidar scan
//! with class ids, its trail, a velocity arrow, speed and battery scalars, and the `log`
//! crate's records. Every 10th frame: the camera's pinhole, a small color image with 2D
//! detections and keypoints, a depth and a segmentation image, a range histogram. Rows are on
//! `frame` (sequence) and `sim_time` (duration), besides the built-in `log_time` and
//! `log_tick`.
//!
//! Usage: `cargo run --example demo -- [OUTPUT.reel]` (default `out/demo.reel`).

use std::f32::consts::TAU;
use std::path::PathBuf;

use reel::archetypes::{
    AnnotationContext, Arrows3D, Asset3D, BarChart, Boxes2D, Boxes3D, Clear, DepthImage, Image,
    LineSegments3D, LineStrips3D, Mesh3D, MeshFormat, Pinhole, Points2D, Points3D, RectFormat,
    Scalar, SegmentationImage, Tensor, TextDocument, TextLog, Transform3D, ViewCoordinates,
};
use reel::components::{AnnotationInfo, ClassDescription, Color, LineStrip3D, Mat3x3, TensorData};

const FRAMES: i64 = 300;
const SCAN_POINTS: usize = 360;
const OBSTACLES: [[f32; 3]; 3] = [[6.0, 2.0, 0.5], [-4.0, 7.0, 0.5], [1.0, -8.0, 0.5]];
const CLASS_ROBOT: u16 = 1;
const CLASS_OBSTACLE: u16 = 2;
const CLASS_FLOOR: u16 = 3;
const CLASS_PERSON: u16 = 4;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("out/demo.reel"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }

    let rec = reel::RecordingStreamBuilder::new("reel_demo").save(&out)?;
    reel::ReelLogger::new()
        .with_recording(rec.clone())
        .with_path_prefix("logs")
        .with_filter(log::LevelFilter::Info)
        .init()?;

    log_scene(&rec)?;
    // Dropping the last handle would do the same; shutting down explicitly reports errors.
    rec.shutdown()?;
    println!("wrote {} ({FRAMES} frames)", out.display());
    Ok(())
}

/// Logs the whole scene into `rec`: the static context, then every frame. (The viewer's
/// tests render it too.)
pub fn log_scene(rec: &reel::RecordingStream) -> Result<(), Box<dyn std::error::Error>> {
    log_static_context(rec)?;

    let mut trail: Vec<[f32; 3]> = Vec::new();
    for i in 0..FRAMES {
        rec.set_time_sequence("frame", i);
        rec.set_time_duration_nanos("sim_time", i * 50_000_000);
        let t = i as f32 * 0.05;

        // The robot drives an outward spiral.
        let r = 2.0 + t;
        let pos = [r * t.cos(), r * t.sin(), 0.0];
        let heading = t + TAU / 4.0;
        rec.log(
            "world/robot",
            &Transform3D::from_translation_rotation_scale(
                pos,
                reel::sdk::helpers::Rotation3D::AxisAngle {
                    axis: [0.0, 0.0, 1.0],
                    angle: heading,
                },
                [1.0; 3],
            ),
        )?;
        rec.log(
            "world/robot/body",
            &Boxes3D::new([[0.4, 0.3, 0.2]])
                .with_centers([[0.0, 0.0, 0.2]])
                .with_colors([Color::from_rgb(255, 200, 0)])
                .with_class_ids([reel::components::ClassId(CLASS_ROBOT)]),
        )?;

        // A lidar scan in the robot's frame: hits on obstacles are class 2, the rest floor.
        let (scan, classes): (Vec<[f32; 3]>, Vec<u16>) = (0..SCAN_POINTS)
            .map(|k| {
                let a = k as f32 * TAU / SCAN_POINTS as f32;
                let range = 3.0 + (a * 5.0 + t).sin() * 0.5;
                let class = if (a * 3.0 + t).sin() > 0.8 {
                    CLASS_OBSTACLE
                } else {
                    CLASS_FLOOR
                };
                (
                    [
                        range * a.cos(),
                        range * a.sin(),
                        0.3 + 0.1 * (a * 3.0).cos(),
                    ],
                    class,
                )
            })
            .unzip();
        let ranges: Vec<f64> = scan
            .iter()
            .map(|p| f64::from((p[0] * p[0] + p[1] * p[1]).sqrt()))
            .collect();
        rec.log(
            "world/robot/lidar",
            &Points3D::new(scan)
                .with_radii([0.02])
                .with_class_ids(classes.into_iter().map(reel::components::ClassId)),
        )?;

        trail.push(pos);
        rec.log(
            "world/trail",
            &LineStrips3D::new([LineStrip3D(trail.clone())])
                .with_colors([Color::from_rgb(0, 160, 255)])
                .with_radii([0.03]),
        )?;
        let velocity = [
            -r * t.sin() * 0.05 + t.cos() * 0.05,
            r * t.cos() * 0.05 + t.sin() * 0.05,
            0.0,
        ];
        rec.log(
            "world/robot/velocity",
            &Arrows3D::new([[velocity[0] * 10.0, velocity[1] * 10.0, 0.0]])
                .with_origins([[0.0, 0.0, 0.5]]),
        )?;
        rec.log(
            "metrics/speed",
            &Scalar::new(f64::from(
                (velocity[0].powi(2) + velocity[1].powi(2)).sqrt() / 0.05,
            )),
        )?;
        rec.log(
            "metrics/battery",
            &Scalar::new(100.0 - i as f64 * 0.2).with_color([Color::from_rgb(0, 200, 0)]),
        )?;

        if i % 10 == 0 {
            log_camera(rec, i)?;
            let histogram: Vec<f64> = (0..8)
                .map(|b| {
                    ranges
                        .iter()
                        .filter(|r| {
                            (**r - 2.5) * 4.0 >= b as f64 && (**r - 2.5) * 4.0 < b as f64 + 1.0
                        })
                        .count() as f64
                })
                .collect();
            rec.log("metrics/lidar_ranges", &BarChart::from_values(histogram))?;
        }
        if i % 50 == 0 {
            let features = TensorData::new(
                vec![4, 4, 3],
                (0..48).map(|k| (k as f32 + t).sin()).collect::<Vec<f32>>(),
            )?;
            rec.log("model/features", &Tensor::new(features))?;
            rec.log(
                "events",
                &TextLog::new(format!("frame {i}: radius {r:.2} m")).with_level("INFO"),
            )?;
            log::info!(target: "planner", "replanning at frame {i}");
        }
        if i == 150 {
            // The first obstacle is removed: its data is cleared from here on.
            rec.log("world/obstacles/0", &Clear::recursive())?;
            log::warn!(target: "planner", "obstacle 0 left the map");
        }
    }
    Ok(())
}

/// What holds for all time: conventions, the map, what the class ids mean, assets.
fn log_static_context(rec: &reel::RecordingStream) -> Result<(), Box<dyn std::error::Error>> {
    rec.log_timeless("world", &ViewCoordinates::from_code("RFU")?)?; // z up, right-handed
    let grid: Vec<[f32; 3]> = (-10..=10)
        .flat_map(|x| (-10..=10).map(move |y| [x as f32, y as f32, 0.0]))
        .collect();
    rec.log_timeless(
        "world/ground",
        &Points3D::new(grid)
            .with_colors([Color::from_rgb(90, 90, 90)])
            .with_radii([0.03]),
    )?;
    rec.log_timeless(
        "world",
        &AnnotationContext::new([
            ClassDescription::from(
                AnnotationInfo::new(CLASS_ROBOT, "robot").with_color([255u8, 200, 0]),
            ),
            ClassDescription::from(
                AnnotationInfo::new(CLASS_OBSTACLE, "obstacle").with_color([255u8, 60, 60]),
            ),
            ClassDescription::from(
                AnnotationInfo::new(CLASS_FLOOR, "floor").with_color([120u8, 120, 120]),
            ),
            ClassDescription {
                info: AnnotationInfo::new(CLASS_PERSON, "person").with_color([80u8, 200, 120]),
                keypoint_annotations: vec![
                    AnnotationInfo::new(0, "head"),
                    AnnotationInfo::new(1, "hip"),
                ],
                keypoint_connections: vec![(0, 1)],
            },
        ]),
    )?;
    for (k, c) in OBSTACLES.iter().enumerate() {
        // A pyramid mesh per obstacle.
        let [x, y, z] = *c;
        rec.log_timeless(
            format!("world/obstacles/{k}"),
            &Mesh3D::new([
                [x - 0.5, y - 0.5, 0.0],
                [x + 0.5, y - 0.5, 0.0],
                [x + 0.5, y + 0.5, 0.0],
                [x - 0.5, y + 0.5, 0.0],
                [x, y, z * 3.0],
            ])
            .with_indices([[0u32, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]])
            .with_vertex_colors([Color::from_rgb(255, 60, 60)]),
        )?;
    }
    let cone = "v 0 0 0\nv 0.3 0 0\nv 0 0.3 0\nv -0.3 0 0\nv 0 -0.3 0\nv 0 0 0.8\nf 2 3 6\nf 3 4 6\nf 4 5 6\nf 5 2 6\n";
    rec.log_timeless(
        "world/marker",
        &Asset3D::from_bytes(cone.as_bytes().to_vec(), MeshFormat::Obj)?.with_affine3x4([
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
        ]),
    )?;
    rec.log_timeless(
        "world/rays",
        &LineSegments3D::new(OBSTACLES.iter().map(|o| [[0.0, 0.0, 0.0], *o])),
    )?;
    rec.log_timeless(
        "readme",
        &TextDocument::markdown("# reel demo\nA robot drives a spiral among obstacles."),
    )?;
    Ok(())
}

/// The robot's camera: intrinsics, an image with detections, depth and segmentation.
fn log_camera(rec: &reel::RecordingStream, frame: i64) -> Result<(), Box<dyn std::error::Error>> {
    const W: u32 = 32;
    const H: u32 = 24;
    rec.log(
        "world/robot/camera",
        &Pinhole::from_focal_length_and_resolution([30.0, 30.0], [W as f32, H as f32]),
    )?;
    // The camera sits on the robot looking ahead: its z (forward) is the robot's x, its
    // x (right) the robot's -y, its y (down) the robot's -z.
    rec.log(
        "world/robot/camera",
        &Transform3D::from_translation_mat3x3(
            [0.2, 0.0, 0.45],
            Mat3x3([0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0]),
        ),
    )?;
    let f = frame as u32;
    let mut rgb = Vec::with_capacity((W * H * 3) as usize);
    let mut depth = Vec::with_capacity((W * H) as usize);
    let mut classes = Vec::with_capacity((W * H) as usize);
    for y in 0..H {
        for x in 0..W {
            let object = (x + f / 10) % W > 12 && (x + f / 10) % W < 20 && y > 6 && y < 18;
            rgb.extend_from_slice(&[(x * 8) as u8, (y * 10) as u8, if object { 255 } else { 40 }]);
            depth.push(if object {
                1500u16
            } else {
                4000 + (y as u16) * 50
            });
            classes.push(if object {
                CLASS_OBSTACLE as u8
            } else {
                CLASS_FLOOR as u8
            });
        }
    }
    let shape = |c: u64| {
        if c == 1 {
            vec![u64::from(H), u64::from(W)]
        } else {
            vec![u64::from(H), u64::from(W), c]
        }
    };
    rec.log(
        "world/robot/camera/image",
        &Image::new(TensorData::new(shape(3), rgb)?)?,
    )?;
    rec.log(
        "world/robot/camera/depth",
        &DepthImage::new(TensorData::new(shape(1), depth)?)?.with_meter([1000.0]),
    )?;
    rec.log(
        "world/robot/camera/segmentation",
        &SegmentationImage::new(TensorData::new(shape(1), classes)?)?,
    )?;
    let x0 = ((13 + W - (f / 10) % W) % W) as f32;
    rec.log(
        "world/robot/camera/image/detections",
        &Boxes2D::from_rects([[x0, 7.0, 7.0, 11.0]], RectFormat::XYWH)
            .with_labels(["obstacle"])
            .with_class_ids([reel::components::ClassId(CLASS_OBSTACLE)]),
    )?;
    rec.log(
        "world/robot/camera/image/person",
        &Points2D::new([[4.0, 4.0], [4.0, 12.0]])
            .with_class_ids([reel::components::ClassId(CLASS_PERSON)])
            .with_keypoint_ids([
                reel::components::KeypointId(0),
                reel::components::KeypointId(1),
            ]),
    )?;
    Ok(())
}
