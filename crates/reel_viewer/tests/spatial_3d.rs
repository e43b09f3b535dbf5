//! The 3D view: every primitive, a transform hierarchy, a camera with its image, a
//! back-projected depth image and the demo scene rendered headless (wgpu on a software
//! adapter) and compared with committed snapshots (`tests/snapshots/3d_*.png`; write new
//! ones with `UPDATE_SNAPSHOTS=1` and look at them); picking a known point; and scrubbing
//! over a static cloud uploading nothing; GPU copies released with the store's garbage
//! collection.

use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use reel_sdk::{RecordingStream, RecordingStreamBuilder};
use reel_store::Store;
use reel_types::archetypes::{
    Arrows3D, Asset3D, Boxes2D, Boxes3D, DepthImage, Image, LineSegments3D, LineStrips3D, Mesh3D,
    MeshFormat, Pinhole, Points2D, Points3D, RectFormat, Rotation3D, Transform3D, ViewCoordinates,
};
use reel_types::components::{Color, LineStrip3D, TensorData};
use reel_viewer::context::Item;
use reel_viewer::native::render::{OffscreenRenderer, RenderOptions};
use reel_viewer::{AppOptions, ViewerApp};

#[allow(dead_code, clippy::all)]
#[path = "../../reel/examples/demo.rs"]
mod demo;

/// A store holding what `log` logged.
fn record(log: impl FnOnce(&RecordingStream)) -> Arc<Store> {
    let (rec, mem) = RecordingStreamBuilder::new("3d")
        .memory()
        .expect("recording");
    rec.log_timeless("world", &ViewCoordinates::from_code("RFU").expect("code"))
        .expect("log");
    log(&rec);
    let store = Arc::new(Store::default());
    let report = store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));
    assert!(report.error.is_none(), "{:?}", report.error);
    store
}

fn app_for(store: &Arc<Store>, frame: Option<i64>) -> ViewerApp {
    let mut app = ViewerApp::new(store.clone(), AppOptions::default(), || {});
    app.solo_view = Some("3D".to_owned());
    let id = store
        .recording_ids()
        .into_iter()
        .next_back()
        .expect("a recording");
    app.set_active(id);
    if let Some(frame) = frame {
        set_frame(&mut app, store, frame);
    }
    app
}

fn set_frame(app: &mut ViewerApp, store: &Arc<Store>, frame: i64) {
    let id = store
        .recording_ids()
        .into_iter()
        .next_back()
        .expect("a recording");
    let timeline = store
        .recording(&id)
        .expect("recording")
        .read()
        .timeline_by_name("frame")
        .expect("frame timeline");
    let state = app.active_ui().expect("active recording");
    state.time.timeline = Some(timeline);
    state.time.time = Some(reel_core::TimeInt::new(frame));
    state.time.following = false;
}

fn render(store: &Arc<Store>, frame: Option<i64>) -> image::RgbaImage {
    let renderer = OffscreenRenderer::new().expect("a graphics adapter");
    let mut app = app_for(store, frame);
    let options = RenderOptions {
        width: 320,
        height: 240,
        ..RenderOptions::default()
    };
    renderer
        .render_app(&egui::Context::default(), &mut app, &options)
        .expect("render")
}

fn snapshot(name: &str, store: &Arc<Store>, frame: Option<i64>) {
    egui_kittest::image_snapshot(&render(store, frame), format!("3d_{name}"));
}

#[test]
fn points_in_scene_units_and_screen_points() {
    snapshot(
        "points",
        &record(|rec| {
            let grid: Vec<[f32; 3]> = (0..10)
                .flat_map(|x| (0..10).map(move |y| [x as f32 * 0.2, y as f32 * 0.2, 0.0]))
                .collect();
            rec.log_timeless(
                "world/big",
                &Points3D::new(grid)
                    .with_radii([0.06])
                    .with_colors([Color::from_rgb(255, 120, 0)]),
            )
            .expect("log");
            rec.log_timeless(
                "world/small",
                &Points3D::new([[0.0, 0.0, 1.0], [1.8, 1.8, 1.0]])
                    .with_radii([-5.0])
                    .with_colors([Color::from_rgb(0, 200, 255), Color::from_rgb(255, 0, 200)])
                    .with_labels(["a", "b"]),
            )
            .expect("log");
        }),
        None,
    );
}

#[test]
fn line_strips_segments_and_arrows() {
    snapshot(
        "lines",
        &record(|rec| {
            let helix: Vec<[f32; 3]> = (0..100)
                .map(|i| {
                    let t = i as f32 * 0.15;
                    [t.cos(), t.sin(), t * 0.1]
                })
                .collect();
            rec.log_timeless(
                "world/helix",
                &LineStrips3D::new([LineStrip3D(helix)])
                    .with_radii([0.02])
                    .with_colors([Color::from_rgb(0, 200, 120)]),
            )
            .expect("log");
            rec.log_timeless(
                "world/segments",
                &LineSegments3D::new([[[-1.0, -1.0, 0.0], [1.0, -1.0, 0.0]]]),
            )
            .expect("log");
            rec.log_timeless(
                "world/arrows",
                &Arrows3D::new([[0.0, 0.0, 1.5], [1.0, 0.0, 0.0]])
                    .with_colors([Color::from_rgb(255, 60, 60)])
                    .with_radii([0.03]),
            )
            .expect("log");
        }),
        None,
    );
}

#[test]
fn oriented_boxes_with_labels() {
    snapshot(
        "boxes",
        &record(|rec| {
            rec.log_timeless(
                "world/boxes",
                &Boxes3D::new([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
                    .with_centers([[0.0, 0.0, 0.0], [1.5, 0.0, 0.6]])
                    .with_rotations([[0.0, 0.0, 0.382_683, 0.923_88], [0.0, 0.0, 0.0, 1.0]])
                    .with_colors([Color::from_rgb(255, 200, 0), Color::from_rgb(120, 160, 255)])
                    .with_labels(["turned", "tall"]),
            )
            .expect("log");
        }),
        None,
    );
}

/// A GLB file: `json` (whose single buffer is the binary chunk) and `bin`.
fn glb(json: &str, bin: &[u8]) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut glb = Vec::new();
    glb.extend_from_slice(b"glTF");
    glb.extend_from_slice(&2u32.to_le_bytes());
    glb.extend_from_slice(&(total as u32).to_le_bytes());
    glb.extend_from_slice(&(json.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"JSON");
    glb.extend_from_slice(&json);
    glb.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    glb.extend_from_slice(b"BIN\0");
    glb.extend_from_slice(&bin);
    glb
}

/// Little-endian bytes of `values`.
fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A GLB holding one triangle with a node translation and a red base color.
fn triangle_glb() -> Vec<u8> {
    let bin = le_bytes(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    let json = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{{"mesh":0,"translation":[0.0,1.0,0.0]}}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"material":0}}]}}],
        "materials":[{{"pbrMetallicRoughness":{{"baseColorFactor":[1.0,0.2,0.2,1.0]}}}}],
        "accessors":[{{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3",
        "min":[0.0,0.0,0.0],"max":[1.0,0.0,1.0]}}],
        "bufferViews":[{{"buffer":0,"byteLength":{n}}}],
        "buffers":[{{"byteLength":{n}}}]}}"#,
        n = bin.len()
    );
    glb(&json, &bin)
}

/// A GLB holding an upright unit square (x right, z up) textured with a 2x2 PNG: magenta
/// top left, cyan top right, yellow bottom left, cyan bottom right; sampled nearest.
fn textured_square_glb() -> Vec<u8> {
    let positions = le_bytes(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
    // v = 0 is the image's top row.
    let uvs = le_bytes(&[0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    let indices: Vec<u8> = [0u16, 1, 2, 0, 2, 3]
        .iter()
        .flat_map(|i| i.to_le_bytes())
        .collect();
    let mut texture = image::RgbaImage::new(2, 2);
    texture.put_pixel(0, 0, image::Rgba([255, 0, 255, 255]));
    texture.put_pixel(1, 0, image::Rgba([0, 255, 255, 255]));
    texture.put_pixel(0, 1, image::Rgba([255, 255, 0, 255]));
    texture.put_pixel(1, 1, image::Rgba([0, 255, 255, 255]));
    let mut png = Vec::new();
    texture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let mut bin = Vec::new();
    let mut view = |bytes: &[u8]| {
        let offset = bin.len();
        bin.extend_from_slice(bytes);
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        format!(
            r#"{{"buffer":0,"byteOffset":{offset},"byteLength":{}}}"#,
            bytes.len()
        )
    };
    let views = [view(&positions), view(&uvs), view(&indices), view(&png)].join(",");
    let json = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{{"mesh":0}}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0,"TEXCOORD_0":1}},
            "indices":2,"material":0}}]}}],
        "materials":[{{"pbrMetallicRoughness":{{"baseColorTexture":{{"index":0}}}}}}],
        "textures":[{{"source":0,"sampler":0}}],
        "samplers":[{{"magFilter":9728,"minFilter":9728}}],
        "images":[{{"bufferView":3,"mimeType":"image/png"}}],
        "accessors":[
            {{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3",
              "min":[0.0,0.0,0.0],"max":[1.0,0.0,1.0]}},
            {{"bufferView":1,"componentType":5126,"count":4,"type":"VEC2"}},
            {{"bufferView":2,"componentType":5123,"count":6,"type":"SCALAR"}}],
        "bufferViews":[{views}],
        "buffers":[{{"byteLength":{n}}}]}}"#,
        n = bin.len()
    );
    glb(&json, &bin)
}

#[test]
fn meshes_and_assets() {
    snapshot(
        "meshes",
        &record(|rec| {
            // An indexed pyramid with vertex colors (normals computed).
            rec.log_timeless(
                "world/pyramid",
                &Mesh3D::new([
                    [-0.5, -0.5, 0.0],
                    [0.5, -0.5, 0.0],
                    [0.5, 0.5, 0.0],
                    [-0.5, 0.5, 0.0],
                    [0.0, 0.0, 1.0],
                ])
                .with_indices([[0u32, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]])
                .with_vertex_colors([
                    Color::from_rgb(255, 0, 0),
                    Color::from_rgb(0, 255, 0),
                    Color::from_rgb(0, 0, 255),
                    Color::from_rgb(255, 255, 0),
                    Color::from_rgb(255, 255, 255),
                ]),
            )
            .expect("log");
            let cone = "v 0 0 0\nv 0.3 0 0\nv 0 0.3 0\nv -0.3 0 0\nv 0 -0.3 0\nv 0 0 0.8\n\
                        f 2 3 6\nf 3 4 6\nf 4 5 6\nf 5 2 6\n";
            rec.log_timeless(
                "world/cone",
                &Asset3D::from_bytes(cone.as_bytes().to_vec(), MeshFormat::Obj)
                    .expect("obj")
                    .with_affine3x4([
                        [1.0, 0.0, 0.0, 1.5],
                        [0.0, 1.0, 0.0, 0.0],
                        [0.0, 0.0, 1.0, 0.0],
                    ]),
            )
            .expect("log");
            rec.log_timeless(
                "world/triangle",
                &Asset3D::from_bytes(triangle_glb(), MeshFormat::Glb).expect("glb"),
            )
            .expect("log");
        }),
        None,
    );
}

/// A parent turned a quarter around z and moved along x; its child box sits 1 along the
/// parent's x, so it lands at (2, 1, 0) in the world.
fn hierarchy() -> Arc<Store> {
    record(|rec| {
        rec.log_timeless(
            "world/arm",
            &Transform3D::from_translation_rotation_scale(
                [2.0, 0.0, 0.0],
                Rotation3D::AxisAngle {
                    axis: [0.0, 0.0, 1.0],
                    angle: std::f32::consts::FRAC_PI_2,
                },
                [1.0; 3],
            ),
        )
        .expect("log");
        rec.log_timeless(
            "world/arm/base",
            &Boxes3D::new([[0.2, 0.2, 0.2]]).with_colors([Color::from_rgb(120, 120, 255)]),
        )
        .expect("log");
        rec.log_timeless(
            "world/arm/hand",
            &Transform3D::from_translation([1.0, 0.0, 0.0]),
        )
        .expect("log");
        rec.log_timeless(
            "world/arm/hand/box",
            &Boxes3D::new([[0.3, 0.1, 0.1]]).with_colors([Color::from_rgb(255, 80, 80)]),
        )
        .expect("log");
        // The reverse relation, and a space of its own.
        rec.log_timeless(
            "world/arm/back",
            &Transform3D::from_translation([1.0, 0.0, 0.0]).from_parent(),
        )
        .expect("log");
        rec.log_timeless(
            "world/elsewhere",
            &reel_types::archetypes::DisconnectedSpace::new(),
        )
        .expect("log");
        rec.log_timeless(
            "world/origin",
            &Points3D::new([[0.0, 0.0, 0.0]]).with_radii([-6.0]),
        )
        .expect("log");
    })
}

#[test]
fn a_child_is_placed_by_its_parents_rotation_and_translation() {
    let store = hierarchy();
    let id = store
        .recording_ids()
        .into_iter()
        .next_back()
        .expect("recording");
    let recording = store.recording(&id).expect("recording");
    let chunks = recording.read();
    let mut transforms = reel_viewer::transforms::Transforms::new(
        &chunks,
        reel_viewer::context::static_only(),
        reel_core::EntityPath::root(),
    );
    let path = reel_core::EntityPath::parse_forgiving("world/arm/hand/box");
    let Some(reel_viewer::transforms::Placement::Space(m)) = transforms.placement(&path) else {
        panic!("the box is placed in the root space");
    };
    let at = m.transform_point3(glam::Vec3::ZERO);
    assert!(
        (at - glam::Vec3::new(2.0, 1.0, 0.0)).length() < 1e-5,
        "{at}"
    );
    // Its long side (x) turned to the world's y.
    let x = m.transform_vector3(glam::Vec3::X);
    assert!((x - glam::Vec3::Y).length() < 1e-5, "{x}");
    // `from_parent`: the child is where the parent is moved by -1 along its (turned) x.
    let back = reel_core::EntityPath::parse_forgiving("world/arm/back");
    let Some(reel_viewer::transforms::Placement::Space(m)) = transforms.placement(&back) else {
        panic!("placed");
    };
    let at = m.transform_point3(glam::Vec3::ZERO);
    assert!(
        (at - glam::Vec3::new(2.0, -1.0, 0.0)).length() < 1e-5,
        "{at}"
    );
    // A disconnected space is not placed in the root's.
    let elsewhere = reel_core::EntityPath::parse_forgiving("world/elsewhere");
    assert_eq!(transforms.placement(&elsewhere), None);
    drop(chunks);
    snapshot("hierarchy", &store, None);
}

/// A camera 2 units up looking down, with an image and a 2D box on it.
fn camera(rec: &RecordingStream) {
    rec.log_timeless(
        "world/camera",
        &Transform3D::from_translation_rotation_scale(
            [0.0, 0.0, 2.0],
            Rotation3D::AxisAngle {
                axis: [1.0, 0.0, 0.0],
                angle: std::f32::consts::PI,
            },
            [1.0; 3],
        ),
    )
    .expect("log");
    rec.log_timeless(
        "world/camera",
        &Pinhole::from_focal_length_and_resolution([40.0, 40.0], [64.0, 48.0]),
    )
    .expect("log");
    rec.log_timeless(
        "world/ground",
        &Points3D::new([
            [-1.0, -1.0, 0.0],
            [1.0, 1.0, 0.0],
            [1.0, -1.0, 0.0],
            [-1.0, 1.0, 0.0],
        ])
        .with_radii([-4.0]),
    )
    .expect("log");
}

#[test]
fn a_camera_shows_its_frustum_and_image_on_the_image_plane() {
    snapshot(
        "pinhole",
        &record(|rec| {
            camera(rec);
            let pixels: Vec<u8> = (0..48u32)
                .flat_map(|y| (0..64u32).flat_map(move |x| [(x * 4) as u8, (y * 5) as u8, 200]))
                .collect();
            rec.log_timeless(
                "world/camera/image",
                &Image::new(TensorData::new(vec![48, 64, 3], pixels).expect("tensor"))
                    .expect("image"),
            )
            .expect("log");
            rec.log_timeless(
                "world/camera/image/box",
                &Boxes2D::from_rects([[10.0, 10.0, 20.0, 15.0]], RectFormat::XYWH)
                    .with_colors([Color::from_rgb(255, 0, 0)]),
            )
            .expect("log");
            rec.log_timeless(
                "world/camera/image/points",
                &Points2D::new([[50.0, 30.0]]).with_colors([Color::from_rgb(0, 255, 0)]),
            )
            .expect("log");
        }),
        None,
    );
}

#[test]
fn a_depth_image_is_back_projected_through_its_camera() {
    snapshot(
        "depth",
        &record(|rec| {
            camera(rec);
            // A ramp from 1 m to 2 m across the image, in millimeters.
            let depth: Vec<u16> = (0..48u16)
                .flat_map(|_| (0..64u16).map(|x| 1000 + x * 15))
                .collect();
            rec.log_timeless(
                "world/camera/depth",
                &DepthImage::new(TensorData::new(vec![48, 64], depth).expect("tensor"))
                    .expect("depth")
                    .with_meter([1000.0]),
            )
            .expect("log");
        }),
        None,
    );
}

#[test]
fn the_demo_scene_at_frame_150() {
    let store = record(|rec| demo::log_scene(rec).expect("demo"));
    snapshot("demo", &store, Some(150));
}

/// Three points in a row: the middle one is at the view's center once the camera fits.
fn three_points() -> Arc<Store> {
    record(|rec| {
        rec.log_timeless(
            "world/points",
            &Points3D::new([[-2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
                .with_radii([-12.0])
                .with_colors([Color::from_rgb(250, 250, 0)]),
        )
        .expect("log");
    })
}

#[test]
fn hovering_a_point_reports_its_index_and_values_and_clicking_selects_it() {
    let store = three_points();
    let mut harness = Harness::builder()
        .with_size([400.0, 300.0])
        .build_ui_state(|ui, app: &mut ViewerApp| app.ui(ui), app_for(&store, None));
    harness.run();
    let entity = reel_core::EntityPath::parse_forgiving("world/points");
    // The view is the window below the view's toolbar; its center is the middle point.
    let center = egui::pos2(200.0, 162.0);
    harness.hover_at(center);
    harness.run();
    assert_eq!(
        harness.state().hovered(),
        Some(&Item::Instance(entity.clone(), 1)),
        "the middle point is under the pointer"
    );
    // The tooltip names the instance and shows its position.
    harness.get_by_label_contains("#1");
    harness.get_by_label("[0.0, 0.0, 0.0]");
    // Off to the side of every point: nothing.
    harness.hover_at(egui::pos2(200.0, 60.0));
    harness.run();
    assert_eq!(harness.state().hovered(), None);
    // Clicking the point selects it.
    harness.hover_at(center);
    harness.run();
    harness.event(egui::Event::PointerButton {
        pos: center,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    harness.event(egui::Event::PointerButton {
        pos: center,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    harness.run();
    let selection = harness
        .state_mut()
        .active_ui()
        .and_then(|s| s.selection.clone());
    assert_eq!(selection, Some(Item::Instance(entity, 1)));
}

/// Every text painted in the last frame.
fn painted_texts(output: &egui::FullOutput) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &output.shapes {
        walk(&clipped.shape, &mut out);
    }
    out
}

#[test]
fn hovering_one_of_many_labelled_points_draws_its_label() {
    // More labelled points than the view labels at once: only the hovered one's shows.
    let store = record(|rec| {
        rec.log_timeless(
            "world/row",
            &Points3D::new((0..41).map(|i| [(i as f32 - 20.0) * 0.2, 0.0, 0.0]))
                .with_radii([-3.0])
                .with_labels((0..41).map(|i| format!("p{i}"))),
        )
        .expect("log");
    });
    let mut harness = Harness::builder()
        .with_size([400.0, 300.0])
        .build_ui_state(|ui, app: &mut ViewerApp| app.ui(ui), app_for(&store, None));
    harness.run();
    let texts = painted_texts(harness.output());
    assert!(
        !texts.iter().any(|t| t == "p0"),
        "too many labels to draw all"
    );
    harness.hover_at(egui::pos2(200.0, 162.0));
    harness.run();
    let entity = reel_core::EntityPath::parse_forgiving("world/row");
    // Points a few pixels apart: one of those near the middle is under the pointer.
    let Some(Item::Instance(hovered_entity, i)) = harness.state().hovered().cloned() else {
        panic!(
            "a point is under the pointer: {:?}",
            harness.state().hovered()
        );
    };
    assert_eq!(hovered_entity, entity);
    assert!((15..=25).contains(&i), "{i}");
    let texts = painted_texts(harness.output());
    let labels: Vec<&String> = texts.iter().filter(|t| t.starts_with('p')).collect();
    // In the scene at the point, and in the tooltip's list of components.
    let want = format!("p{i}");
    assert_eq!(labels, [&want, &want], "only the hovered point's label");
}

#[test]
fn scrubbing_over_a_static_cloud_uploads_nothing() {
    // A 100k-point cloud at frame 0, and a box that moves every frame.
    let store = record(|rec| {
        rec.set_time_sequence("frame", 0);
        let cloud: Vec<[f32; 3]> = (0..100_000)
            .map(|i| {
                let t = i as f32 * 0.001;
                [t.cos() * t * 0.1, t.sin() * t * 0.1, (t * 3.0).sin()]
            })
            .collect();
        rec.log("world/cloud", &Points3D::new(cloud)).expect("log");
        for frame in 0..3 {
            rec.set_time_sequence("frame", frame);
            rec.log(
                "world/tick",
                &Boxes3D::new([[0.1, 0.1, 0.1]]).with_centers([[frame as f32, 0.0, 0.0]]),
            )
            .expect("log");
        }
    });
    let renderer = OffscreenRenderer::new().expect("a graphics adapter");
    let mut app = app_for(&store, Some(1));
    let ctx = egui::Context::default();
    let options = RenderOptions {
        width: 320,
        height: 240,
        ..RenderOptions::default()
    };
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    let first = renderer.stats_3d();
    assert!(
        first.uploaded_bytes >= 100_000 * 20,
        "the cloud went up: {first:?}"
    );

    // Frame 2 shares the cloud's row: only the moved box goes up.
    set_frame(&mut app, &store, 2);
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    let second = renderer.stats_3d();
    assert_eq!(second.uploads, first.uploads + 1, "{first:?} -> {second:?}");
    assert!(second.uploaded_bytes - first.uploaded_bytes < 10_000);

    // Back to frame 1: everything is on the GPU already.
    set_frame(&mut app, &store, 1);
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    let third = renderer.stats_3d();
    assert_eq!(third.uploads, second.uploads, "{second:?} -> {third:?}");
    assert_eq!(third.uploaded_bytes, second.uploaded_bytes);
}

/// A spiral of `n` points lifted by `z`.
fn cloud(n: usize, z: f32) -> Vec<[f32; 3]> {
    (0..n)
        .map(|i| {
            let t = i as f32 * 0.001;
            [t.cos() * t * 0.1, t.sin() * t * 0.1, z]
        })
        .collect()
}

#[test]
fn garbage_collection_releases_the_gpu_copies_of_dropped_data() {
    // One cloud at frame 0 and another at frame 2 on the same entity: two chunks (each
    // is larger than the batcher's and the store's chunk sizes).
    let store = record(|rec| {
        rec.set_time_sequence("frame", 0);
        rec.log("world/cloud", &Points3D::new(cloud(100_000, 0.0)))
            .expect("log");
        rec.set_time_sequence("frame", 2);
        rec.log("world/cloud", &Points3D::new(cloud(100_000, 1.0)))
            .expect("log");
    });
    let renderer = OffscreenRenderer::new().expect("a graphics adapter");
    let ctx = egui::Context::default();
    let options = RenderOptions {
        width: 320,
        height: 240,
        ..RenderOptions::default()
    };
    let mut app = app_for(&store, Some(0));
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    set_frame(&mut app, &store, 2);
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    let both = renderer.stats_3d();
    assert!(
        both.resident_bytes >= 2 * 100_000 * 16,
        "both clouds are on the GPU (the first one was drawn a frame ago): {both:?}"
    );

    // A limit the store is just over: the cloud furthest from the cursor (frame 0) goes.
    app.set_memory_limit(Some(store.bytes() as u64 - 1));
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    renderer
        .render_app(&ctx, &mut app, &options)
        .expect("render");
    let after = renderer.stats_3d();
    assert!(after.released_after_gc >= 1, "{both:?} -> {after:?}");
    assert!(
        after.resident_bytes + 100_000 * 16 <= both.resident_bytes,
        "the dropped cloud's GPU copy is gone: {both:?} -> {after:?}"
    );
    assert_eq!(
        after.uploads, both.uploads,
        "what is still drawn stays on the GPU"
    );
}

/// The centroid (x, y) and count of the pixels `wanted` accepts.
fn centroid(image: &image::RgbaImage, wanted: impl Fn([u8; 4]) -> bool) -> ([f32; 2], usize) {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
    for (x, y, p) in image.enumerate_pixels() {
        if wanted(p.0) {
            sx += x as f32;
            sy += y as f32;
            n += 1;
        }
    }
    ([sx / n.max(1) as f32, sy / n.max(1) as f32], n)
}

#[test]
fn a_textured_asset_shows_its_texture_the_right_way_up() {
    let store = record(|rec| {
        rec.log_timeless(
            "world/square",
            &Asset3D::from_bytes(textured_square_glb(), MeshFormat::Glb).expect("glb"),
        )
        .expect("log");
    });
    let image = render(&store, None);
    egui_kittest::image_snapshot(&image, "3d_textured_asset");
    // Hues, whatever the light: magenta (red and blue, no green), cyan (green and blue, no
    // red), yellow (red and green, no blue).
    let low = |a: u8, b: u8| u16::from(a) * 3 < u16::from(b);
    let (magenta, nm) = centroid(&image, |[r, g, b, _]| low(g, r) && low(g, b) && r > 60);
    let (cyan, nc) = centroid(&image, |[r, g, b, _]| low(r, g) && low(r, b) && g > 60);
    let (yellow, ny) = centroid(&image, |[r, g, b, _]| low(b, r) && low(b, g) && r > 60);
    assert!(nm > 100 && nc > 200 && ny > 100, "{nm} {nc} {ny}");
    assert!(
        magenta[0] < cyan[0],
        "magenta is left of cyan: {magenta:?} {cyan:?}"
    );
    assert!(
        magenta[1] < yellow[1],
        "magenta is above yellow: {magenta:?} {yellow:?}"
    );
    assert!(
        yellow[0] < cyan[0],
        "yellow is left of cyan: {yellow:?} {cyan:?}"
    );
}
