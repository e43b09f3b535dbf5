//! Every archetype and log_* helper: logged through a memory recording, encoded to the reel
//! byte format, decoded, and read back to equal values; invalid input per helper in strict
//! (typed error) and lenient (nothing logged) mode.

#![allow(missing_docs)]

use std::collections::BTreeMap;

use reel_core::{Component, LogMsg};
use reel_sdk::helpers::{
    ArrowArgs, Extras, ImageFormat, LinesArgs, MeshArgs, MeshFormat, ObbsArgs, PinholeArgs,
    PointsArgs, Positions, RectsArgs, Rotation3D, ScalarArgs,
};
use reel_sdk::{RecordingError, RecordingStream, RecordingStreamBuilder};
use reel_types::archetypes::{self, RectFormat, Transform3D};
use reel_types::components::*;

/// Logs with `f`, round-trips the recording through bytes, and returns the components of
/// the one row logged to `path`, by name.
fn logged(f: impl FnOnce(&RecordingStream)) -> BTreeMap<String, reel_core::ComponentBatch> {
    let (rec, mem) = RecordingStreamBuilder::new("archetypes")
        .strict(true)
        .memory()
        .expect("memory");
    f(&rec);
    let bytes = mem.drain_as_bytes().expect("encode");
    let msgs: Vec<LogMsg> = reel_format::decode_slice(&bytes)
        .collect::<Result<_, _>>()
        .expect("decode");
    let rows: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            LogMsg::ArrowMsg(a) => Some(a.chunk.iter_rows().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(rows.len(), 1, "one row");
    rows[0]
        .components
        .iter()
        .map(|c| (c.name().to_string(), c.clone()))
        .collect()
}

fn get<C: Component>(row: &BTreeMap<String, reel_core::ComponentBatch>) -> Vec<C> {
    row.get(C::NAME)
        .unwrap_or_else(|| panic!("no {} in {:?}", C::NAME, row.keys()))
        .to_component::<C>()
        .expect("typed")
}

fn has_indicator(row: &BTreeMap<String, reel_core::ComponentBatch>, archetype: &str) -> bool {
    row.contains_key(&format!("reel.indicators.{archetype}"))
}

#[test]
fn points_round_trip_with_splats() {
    let row = logged(|rec| {
        rec.log_points(
            "pts",
            PointsArgs {
                positions: Some(Positions::D3(vec![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
                colors: Some(vec![Color::from_rgb(9, 8, 7)]),
                radii: Some(vec![0.5, 0.25]),
                labels: Some(vec!["a".into(), "b".into()]),
                class_ids: Some(vec![3]),
                keypoint_ids: Some(vec![1, 2]),
                identifiers: Some(vec![10, 11]),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(
        get::<Position3D>(&row),
        [Position3D([1.0, 2.0, 3.0]), Position3D([4.0, 5.0, 6.0])]
    );
    assert_eq!(
        get::<Color>(&row),
        [Color::from_rgb(9, 8, 7)],
        "a splat stays one value"
    );
    assert_eq!(get::<Radius>(&row), [Radius(0.5), Radius(0.25)]);
    assert_eq!(get::<Text>(&row), [Text::from("a"), Text::from("b")]);
    assert_eq!(get::<ClassId>(&row), [ClassId(3)]);
    assert_eq!(get::<KeypointId>(&row), [KeypointId(1), KeypointId(2)]);
    assert_eq!(get::<InstanceKey>(&row), [InstanceKey(10), InstanceKey(11)]);
    assert!(has_indicator(&row, "Points3D"));

    let row = logged(|rec| {
        rec.log_point(
            "p2",
            PointsArgs {
                positions: Some(Positions::D2(vec![[1.0, 2.0]])),
                draw_order: Some(5.0),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<Position2D>(&row), [Position2D([1.0, 2.0])]);
    assert_eq!(get::<DrawOrder>(&row), [DrawOrder(5.0)]);
    assert!(has_indicator(&row, "Points2D"));

    // Without positions, only the given components are logged (e.g. a color update).
    let row = logged(|rec| {
        rec.log_points(
            "pts",
            PointsArgs {
                colors: Some(vec![Color(1)]),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(row.keys().collect::<Vec<_>>(), [Color::NAME]);
}

#[test]
fn boxes_lines_arrows_round_trip() {
    let row = logged(|rec| {
        rec.log_rect(
            "rect",
            RectsArgs {
                rects: vec![[0.0, 0.0, 4.0, 2.0]],
                rect_format: RectFormat::XYWH,
                labels: Some(vec!["car".into()]),
                draw_order: Some(1.0),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<Position2D>(&row), [Position2D([2.0, 1.0])]);
    assert_eq!(get::<HalfSizes2D>(&row), [HalfSizes2D([2.0, 1.0])]);
    assert!(has_indicator(&row, "Boxes2D"));

    let row = logged(|rec| {
        rec.log_obb(
            "obb",
            ObbsArgs {
                half_sizes: vec![[1.0, 2.0, 3.0]],
                positions: Some(vec![[0.0; 3]]),
                rotations_q: Some(vec![[0.0, 0.0, 0.0, 1.0]]),
                stroke_widths: Some(vec![0.2]),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<HalfSizes3D>(&row), [HalfSizes3D([1.0, 2.0, 3.0])]);
    assert_eq!(get::<RotationQuat>(&row), [RotationQuat::IDENTITY]);
    assert_eq!(
        get::<Radius>(&row),
        [Radius(0.1)],
        "stroke width 0.2 is radius 0.1"
    );

    let row = logged(|rec| {
        rec.log_line_strip(
            "strip",
            vec![[0.0; 3], [1.0; 3], [2.0; 3]],
            LinesArgs::default(),
        )
        .expect("log")
    });
    assert_eq!(
        get::<LineStrip3D>(&row),
        [LineStrip3D(vec![[0.0; 3], [1.0; 3], [2.0; 3]])]
    );
    let row = logged(|rec| {
        rec.log_line_strips_2d(
            "strips",
            vec![vec![[0.0, 0.0], [1.0, 1.0]], vec![[2.0, 2.0]]],
            LinesArgs {
                draw_order: Some(2.0),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<LineStrip2D>(&row).len(), 2);
    let row = logged(|rec| {
        rec.log_line_segments(
            "seg",
            vec![[0.0; 3], [1.0; 3], [2.0; 3], [3.0; 3]],
            LinesArgs::default(),
        )
        .expect("log")
    });
    assert_eq!(get::<LineStrip3D>(&row).len(), 2);
    assert!(has_indicator(&row, "LineSegments3D"));
    let row = logged(|rec| {
        rec.log_arrow(
            "arrow",
            ArrowArgs {
                origin: [1.0; 3],
                vector: Some([0.0, 0.0, 2.0]),
                label: Some("up".into()),
                width_scale: Some(0.1),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<Vector3D>(&row), [Vector3D([0.0, 0.0, 2.0])]);
    assert_eq!(get::<Position3D>(&row), [Position3D([1.0; 3])]);
    // A width is stored as a radius of half of it, like every stroke width.
    assert_eq!(get::<Radius>(&row), [Radius(0.05)]);
}

#[test]
fn meshes_and_mesh_files_round_trip() {
    let row = logged(|rec| {
        rec.log_mesh(
            "mesh",
            MeshArgs {
                positions: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                indices: Some(vec![[0, 1, 2]]),
                albedo_factor: Some(Color::from_rgb(1, 2, 3)),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<TriangleIndices>(&row), [TriangleIndices([0, 1, 2])]);
    assert_eq!(
        get::<AlbedoFactor>(&row),
        [AlbedoFactor(Color::from_rgb(1, 2, 3).0)]
    );

    // Vertices and triangles count different things: a pyramid has 5 and 4, and logs
    // whole in strict mode (the instance-count rule is not applied to meshes).
    let pyramid = |rec: &RecordingStream| {
        let positions = vec![
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.5, 0.5, 1.0],
        ];
        let indices = vec![[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]];
        rec.log(
            "a",
            &archetypes::Mesh3D::new(positions.clone()).with_indices(indices.clone()),
        )
        .expect("strict log");
        rec.log_mesh(
            "b",
            MeshArgs {
                positions,
                indices: Some(indices),
                ..Default::default()
            },
        )
        .expect("strict log_mesh");
    };
    let (rec, mem) = RecordingStreamBuilder::new("pyramid")
        .strict(true)
        .memory()
        .expect("memory");
    pyramid(&rec);
    let triangles: Vec<usize> = mem
        .messages()
        .iter()
        .filter_map(|m| match m {
            LogMsg::ArrowMsg(a) => Some(a.chunk.num_instances(&TriangleIndices::name())),
            _ => None,
        })
        .collect();
    assert_eq!(triangles, [4, 4]);

    let obj = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".to_vec();
    let dir = std::env::temp_dir().join(format!("reel-archetypes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("tri.obj");
    std::fs::write(&path, &obj).expect("write");
    let row = logged(|rec| {
        rec.log_mesh_file(
            "asset",
            MeshFormat::Obj,
            None,
            Some(&path),
            Some([
                [1.0, 0.0, 0.0, 2.0],
                [0.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0],
            ]),
            Extras::default(),
        )
        .expect("log")
    });
    assert_eq!(get::<Blob>(&row), [Blob(obj)]);
    assert_eq!(get::<MediaType>(&row)[0].0, MediaType::OBJ);
    assert_eq!(get::<Mat4x4>(&row)[0].0[12], 2.0);
}

/// A small JPEG file, made by the SDK's own encoder.
fn jpeg_bytes() -> Vec<u8> {
    let pixels = TensorData::new(vec![2, 2, 3], vec![200u8; 12]).expect("tensor");
    let jpeg = archetypes::EncodedImage::encode_jpeg(&pixels, 90).expect("jpeg");
    jpeg.blob.to_component::<Blob>().expect("blob")[0].0.clone()
}

#[test]
fn images_and_tensors_round_trip() {
    let rgb = TensorData::new(vec![2, 3, 3], (0u8..18).collect::<Vec<_>>()).expect("tensor");
    let row = logged(|rec| {
        rec.log_image("img", rgb.clone(), Some(1.0), None, Extras::default())
            .expect("log")
    });
    assert_eq!(get::<TensorData>(&row), std::slice::from_ref(&rgb));
    assert!(has_indicator(&row, "Image"));

    let row = logged(|rec| {
        rec.log_image("jpeg", rgb.clone(), None, Some(75), Extras::default())
            .expect("log")
    });
    assert_eq!(get::<MediaType>(&row)[0].0, MediaType::JPEG);
    assert_eq!(get::<Resolution>(&row), [Resolution([3.0, 2.0])]);

    let jpeg = jpeg_bytes();
    let row = logged(|rec| {
        rec.log_image_file(
            "file",
            Some(jpeg.clone()),
            None,
            Some(ImageFormat::Jpeg),
            Extras::default(),
        )
        .expect("log")
    });
    assert_eq!(get::<Blob>(&row), [Blob(jpeg)]);

    let depth = TensorData::new(vec![2, 2], vec![1u16, 2, 3, 4]).expect("tensor");
    let row = logged(|rec| {
        rec.log_depth_image(
            "depth",
            depth.clone(),
            None,
            Some(1000.0),
            Extras::default(),
        )
        .expect("log")
    });
    assert_eq!(get::<TensorData>(&row), std::slice::from_ref(&depth));
    assert_eq!(get::<DepthMeter>(&row), [DepthMeter(1000.0)]);

    let row = logged(|rec| {
        rec.log_segmentation_image("seg", depth.clone(), None, Extras::default())
            .expect("log")
    });
    assert!(has_indicator(&row, "SegmentationImage"));

    let t = TensorData::new(vec![2, 1, 2], vec![1.0f64, 2.0, 3.0, 4.0]).expect("tensor");
    let row = logged(|rec| {
        rec.log_tensor(
            "tensor",
            t.clone(),
            Some(vec!["a".into(), "b".into(), "c".into()]),
            None,
            Extras::default(),
        )
        .expect("log")
    });
    assert_eq!(get::<TensorData>(&row)[0].names().map(|n| n.len()), Some(3));

    let bars = TensorData::new(vec![3], vec![1i32, 5, 2]).expect("tensor");
    let row = logged(|rec| {
        rec.log_bar_chart("bars", bars.clone(), Extras::default())
            .expect("log")
    });
    assert_eq!(get::<TensorData>(&row), [bars]);
}

#[test]
fn scalars_text_transforms_and_more_round_trip() {
    let row = logged(|rec| {
        rec.log_scalar(
            "s",
            2.5,
            ScalarArgs {
                label: Some("speed".into()),
                scattered: Some(true),
                ..Default::default()
            },
        )
        .expect("log")
    });
    assert_eq!(get::<Scalar>(&row), [Scalar(2.5)]);
    assert_eq!(get::<ScalarScattered>(&row), [ScalarScattered(true)]);

    let row = logged(|rec| {
        rec.log_text_entry("log", "hello", None, Some(Color(5)), Extras::default())
            .expect("log")
    });
    assert_eq!(get::<TextLogLevel>(&row)[0].0, "INFO", "the default level");

    let row = logged(|rec| {
        rec.log_transform3d(
            "t",
            Transform3D::from_translation_rotation_scale(
                [1.0, 2.0, 3.0],
                Rotation3D::AxisAngle {
                    axis: [0.0, 0.0, 1.0],
                    angle: 0.5,
                },
                [1.0; 3],
            ),
            true,
            Extras::default(),
        )
        .expect("log")
    });
    assert_eq!(
        get::<TransformFromParent>(&row),
        [TransformFromParent(true)]
    );
    assert_eq!(get::<RotationAxisAngle>(&row)[0].axis, [0.0, 0.0, 1.0]);

    let row = logged(|rec| {
        rec.log_pinhole(
            "cam",
            PinholeArgs {
                width: 640.0,
                height: 480.0,
                focal_length_px: [500.0, 500.0],
                principal_point_px: None,
                child_from_parent: None,
                camera_xyz: Some("RDF".into()),
                timeless: false,
            },
        )
        .expect("log")
    });
    let m = Mat3x3(get::<PinholeProjection>(&row)[0].0);
    assert_eq!((m.get(0, 2), m.get(1, 2)), (320.0, 240.0));
    assert_eq!(get::<ViewCoordinates>(&row)[0].to_str_code(), "RDF");

    let row = logged(|rec| {
        rec.log_view_coordinates("world", "", "+Z", Some(true), true)
            .expect("log")
    });
    assert_eq!(get::<ViewCoordinates>(&row)[0].to_str_code(), "RFU");

    let row = logged(|rec| {
        rec.log_disconnected_space("d", Extras::default())
            .expect("log")
    });
    assert_eq!(get::<DisconnectedSpace>(&row), [DisconnectedSpace(true)]);

    let person = ClassDescription {
        info: AnnotationInfo::new(1, "person"),
        keypoint_annotations: vec![AnnotationInfo::new(0, "nose")],
        keypoint_connections: vec![(0, 1)],
    };
    let row = logged(|rec| {
        rec.log_annotation_context("ctx", vec![person.clone()], true)
            .expect("log")
    });
    assert_eq!(get::<ClassDescription>(&row), [person]);

    let row = logged(|rec| rec.log_cleared("gone", true).expect("log"));
    assert_eq!(get::<ClearIsRecursive>(&row), [ClearIsRecursive(true)]);

    let custom = reel_core::ComponentBatch::new(
        "my.Temperature",
        std::sync::Arc::new(reel_core::arrow_array::Float64Array::from(vec![20.5, 21.0])),
    );
    let row = logged(|rec| {
        rec.log_extension_components("ext", vec![custom.clone()], Some(vec![1, 2]), false)
            .expect("log")
    });
    assert_eq!(row["my.Temperature"], custom);
    assert_eq!(get::<InstanceKey>(&row), [InstanceKey(1), InstanceKey(2)]);

    // `ext` rides along with any helper.
    let row = logged(|rec| {
        rec.log_text_entry(
            "log",
            "hi",
            Some("WARN"),
            None,
            Extras {
                timeless: true,
                ext: vec![custom.clone()],
            },
        )
        .expect("log")
    });
    assert_eq!(row["my.Temperature"], custom);
}

/// Each invalid call: a typed error in strict mode, nothing logged (and no error) otherwise.
#[test]
fn invalid_input_is_an_error_or_a_warning_never_a_corrupt_row() {
    type Call = Box<dyn Fn(&RecordingStream) -> Result<(), RecordingError>>;
    let bad_image = TensorData::new(vec![2, 2, 2], vec![0u8; 8]).expect("tensor");
    let calls: Vec<(&str, Call)> = vec![
        (
            "image shape",
            Box::new(move |r| r.log_image("x", bad_image.clone(), None, None, Extras::default())),
        ),
        (
            "depth shape",
            Box::new(|r| {
                r.log_depth_image(
                    "x",
                    TensorData::new(vec![4], vec![0u8; 4]).expect("t"),
                    None,
                    None,
                    Extras::default(),
                )
            }),
        ),
        (
            "float segmentation",
            Box::new(|r| {
                r.log_segmentation_image(
                    "x",
                    TensorData::new(vec![1, 1], vec![0.5f32]).expect("t"),
                    None,
                    Extras::default(),
                )
            }),
        ),
        (
            "mesh index",
            Box::new(|r| {
                r.log_mesh(
                    "x",
                    MeshArgs {
                        positions: vec![[0.0; 3]; 3],
                        indices: Some(vec![[0, 1, 7]]),
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "mesh nan",
            Box::new(|r| {
                r.log_mesh(
                    "x",
                    MeshArgs {
                        positions: vec![[f32::NAN; 3]; 3],
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "mesh file garbage",
            Box::new(|r| {
                r.log_mesh_file(
                    "x",
                    MeshFormat::Glb,
                    Some(b"junk".to_vec()),
                    None,
                    None,
                    Extras::default(),
                )
            }),
        ),
        (
            "missing mesh file",
            Box::new(|r| {
                r.log_mesh_file(
                    "x",
                    MeshFormat::Obj,
                    None,
                    Some(std::path::Path::new("/nonexistent.obj")),
                    None,
                    Extras::default(),
                )
            }),
        ),
        (
            "image file garbage",
            Box::new(|r| {
                r.log_image_file("x", Some(b"junk".to_vec()), None, None, Extras::default())
            }),
        ),
        (
            "odd segments",
            Box::new(|r| r.log_line_segments("x", vec![[0.0; 3]; 3], LinesArgs::default())),
        ),
        (
            "bad view coordinates",
            Box::new(|r| r.log_view_coordinates("x", "XYZ", "", None, false)),
        ),
        (
            "bad points count",
            Box::new(|r| {
                r.log_point(
                    "x",
                    PointsArgs {
                        positions: Some(Positions::D3(vec![[0.0; 3]; 2])),
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "mismatched batch lengths",
            Box::new(|r| {
                r.log_points(
                    "x",
                    PointsArgs {
                        positions: Some(Positions::D3(vec![[0.0; 3]; 3])),
                        radii: Some(vec![1.0, 2.0]),
                        ..Default::default()
                    },
                )
            }),
        ),
        (
            "zero focal length",
            Box::new(|r| {
                r.log_pinhole(
                    "x",
                    PinholeArgs {
                        width: 1.0,
                        height: 1.0,
                        focal_length_px: [0.0, 0.0],
                        principal_point_px: None,
                        child_from_parent: None,
                        camera_xyz: None,
                        timeless: false,
                    },
                )
            }),
        ),
    ];
    for (what, call) in &calls {
        let (strict, strict_mem) = RecordingStreamBuilder::new("strict")
            .strict(true)
            .memory()
            .expect("memory");
        let err = call(&strict).expect_err(what);
        assert!(
            matches!(
                err,
                RecordingError::Invalid { .. }
                    | RecordingError::ReadFile { .. }
                    | RecordingError::InstanceCountMismatch { .. }
            ),
            "{what}: {err}"
        );
        let (lenient, lenient_mem) = RecordingStreamBuilder::new("lenient")
            .strict(false)
            .memory()
            .expect("memory");
        call(&lenient).unwrap_or_else(|e| panic!("{what}: lenient mode must not fail: {e}"));
        for mem in [strict_mem, lenient_mem] {
            let data = mem
                .messages()
                .into_iter()
                .filter(|m| matches!(m, LogMsg::ArrowMsg(_)))
                .count();
            assert_eq!(data, 0, "{what}: nothing is logged");
        }
    }
}

#[test]
fn text_documents_round_trip() {
    let row = logged(|rec| {
        rec.log("readme", &archetypes::TextDocument::markdown("# Hello"))
            .expect("log")
    });
    assert_eq!(get::<Text>(&row), [Text::from("# Hello")]);
    assert_eq!(get::<MediaType>(&row)[0].0, MediaType::MARKDOWN);
}

/// For every built-in component: a one-value batch among three instances is kept as a
/// splat, and an empty batch is kept as a clear, through the memory sink and the format.
#[test]
fn every_component_splats_and_clears() {
    fn check<C: Component + Clone + PartialEq + std::fmt::Debug>(sample: C) {
        // Three instances, set by a user component that no built-in one collides with.
        let anchor = reel_core::ComponentBatch::new(
            "test.Anchor",
            std::sync::Arc::new(reel_core::arrow_array::Float32Array::from(vec![0.0f32; 3])),
        );
        for values in [vec![sample.clone()], vec![]] {
            let batch = reel_core::ComponentBatch::from_component(&values);
            let row = logged(|rec| {
                rec.log_components(
                    "e",
                    [anchor.clone(), batch],
                    reel_sdk::LogOptions::default(),
                )
                .expect("valid")
            });
            assert_eq!(get::<C>(&row), values, "{}", C::NAME);
        }
    }
    check(Position2D([1.0, 2.0]));
    check(Position3D([1.0, 2.0, 3.0]));
    check(Vector2D([1.0, 2.0]));
    check(Vector3D([1.0, 2.0, 3.0]));
    check(HalfSizes2D([1.0, 2.0]));
    check(HalfSizes3D([1.0, 2.0, 3.0]));
    check(Normal3D([0.0, 0.0, 1.0]));
    check(TexCoord2D([0.5, 0.5]));
    check(Translation3D([1.0, 2.0, 3.0]));
    check(Scale3D([2.0; 3]));
    check(RotationQuat::IDENTITY);
    check(RotationAxisAngle {
        axis: [0.0, 1.0, 0.0],
        angle: 1.0,
    });
    check(Mat3x3::IDENTITY);
    check(Mat4x4([1.0; 16]));
    check(TriangleIndices([0, 1, 2]));
    check(LineStrip2D(vec![[0.0, 0.0], [1.0, 1.0]]));
    check(LineStrip3D(vec![[0.0; 3], [1.0; 3]]));
    check(Color::from_rgb(1, 2, 3));
    check(Radius(0.5));
    check(DrawOrder(1.0));
    check(AlbedoFactor(7));
    check(ClassId(1));
    check(KeypointId(2));
    check(InstanceKey(3));
    check(Text::from("t"));
    check(TextLogLevel::from("INFO"));
    check(MediaType::from(MediaType::PNG));
    check(Scalar(1.0));
    check(ScalarScattered(true));
    check(DepthMeter(1000.0));
    check(Blob(vec![1, 2, 3]));
    check(TensorData::new(vec![2], vec![1u8, 2]).expect("tensor"));
    check(ViewCoordinates::from_str_code("RDF").expect("code"));
    check(PinholeProjection(Mat3x3::IDENTITY.0));
    check(Resolution([640.0, 480.0]));
    check(TransformFromParent(true));
    check(DisconnectedSpace(true));
    check(ClearIsRecursive(true));
    check(ClassDescription::from(AnnotationInfo::new(1, "a")));
}
