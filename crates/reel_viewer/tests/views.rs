//! Every view kind rendered headless (wgpu on a software adapter) and compared with a
//! committed snapshot (`tests/snapshots/*.png`; write new ones with `UPDATE_SNAPSHOTS=1`),
//! plus `render_store` checked pixel by pixel: a known color at a known place.

use std::sync::Arc;

use egui_kittest::Harness;
use reel_sdk::RecordingStreamBuilder;
use reel_store::Store;
use reel_types::archetypes::{
    AnnotationContext, BarChart, Boxes2D, Image, Points2D, Scalar, Tensor, TextDocument, TextLog,
};
use reel_types::components::{
    AnnotationInfo, ClassDescription, ClassId, Color, KeypointId, TensorData,
};
use reel_viewer::native::render::{render_store, RenderOptions};
use reel_viewer::{AppOptions, ViewerApp};

/// One recording with something for every view kind.
fn scene() -> Arc<Store> {
    let (rec, mem) = RecordingStreamBuilder::new("views")
        .memory()
        .expect("recording");
    rec.log_timeless(
        "cam",
        &AnnotationContext::new([
            ClassDescription::from(AnnotationInfo::new(1, "car").with_color([255u8, 60, 60])),
            ClassDescription {
                info: AnnotationInfo::new(2, "person").with_color([80u8, 200, 120]),
                keypoint_annotations: vec![
                    AnnotationInfo::new(0, "head"),
                    AnnotationInfo::new(1, "hip"),
                ],
                keypoint_connections: vec![(0, 1)],
            },
        ]),
    )
    .expect("log");
    rec.log_timeless(
        "doc",
        &TextDocument::markdown("# Title\n\nSome *markdown* text.\n\n- one\n- two"),
    )
    .expect("log");
    for frame in 0..40i64 {
        rec.set_time_sequence("frame", frame);
        let t = frame as f64 / 6.0;
        rec.log(
            "metrics/sin",
            &Scalar::new(t.sin()).with_color([Color::from_rgb(60, 160, 255)]),
        )
        .expect("log");
        rec.log(
            "metrics/cos",
            &Scalar::new(t.cos()).with_scattered([reel_types::components::ScalarScattered(true)]),
        )
        .expect("log");
        if frame % 10 == 0 {
            let level = if frame == 30 { "WARN" } else { "INFO" };
            rec.log(
                "logs",
                &TextLog::new(format!("frame {frame} reached")).with_level(level),
            )
            .expect("log");
        }
    }
    rec.set_time_sequence("frame", 20);
    let (w, h) = (48usize, 32usize);
    let rgb: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).flat_map(move |x| [(x * 5) as u8, (y * 7) as u8, 120]))
        .collect();
    rec.log(
        "cam/image",
        &Image::new(TensorData::new(vec![h as u64, w as u64, 3], rgb).expect("tensor"))
            .expect("image"),
    )
    .expect("log");
    rec.log(
        "cam/image/cars",
        &Boxes2D::new([[8.0, 5.0]])
            .with_centers([[14.0, 12.0]])
            .with_class_ids([ClassId(1)]),
    )
    .expect("log");
    rec.log(
        "cam/image/person",
        &Points2D::new([[34.0, 8.0], [34.0, 24.0]])
            .with_class_ids([ClassId(2)])
            .with_keypoint_ids([KeypointId(0), KeypointId(1)]),
    )
    .expect("log");
    let values: Vec<f32> = (0..8 * 8 * 3).map(|i| (i % 17) as f32).collect();
    rec.log(
        "tensor",
        &Tensor::new(TensorData::new(vec![8, 8, 3], values).expect("tensor")),
    )
    .expect("log");
    rec.log("chart", &BarChart::from_values(vec![3.0f64, 7.0, 1.0, 5.0]))
        .expect("log");
    let store = Arc::new(Store::default());
    let report = store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));
    assert!(report.error.is_none());
    store
}

fn snapshot_view(store: &Arc<Store>, view: &str, snapshot: &str) {
    let mut app = ViewerApp::new(store.clone(), AppOptions::default(), || {});
    app.solo_view = Some(view.to_owned());
    let mut harness = Harness::builder()
        .with_size([360.0, 260.0])
        .wgpu()
        .build_ui_state(|ui, app: &mut ViewerApp| app.ui(ui), app);
    harness.run();
    // The cursor at frame 20 for every snapshot.
    if let Some(state) = harness.state_mut().active_ui() {
        state.time.time = Some(reel_core::TimeInt::new(20));
        state.time.following = false;
    }
    harness.run();
    harness.snapshot(snapshot);
}

macro_rules! snapshot_tests {
    ($($test:ident: $view:literal => $snapshot:literal,)*) => {$(
        #[test]
        fn $test() {
            snapshot_view(&scene(), $view, $snapshot);
        }
    )*};
}

snapshot_tests! {
    view_2d_matches_its_snapshot: "cam/image" => "view_2d",
    view_time_series_matches_its_snapshot: "metrics" => "view_time_series",
    view_text_log_matches_its_snapshot: "logs" => "view_text_log",
    view_tensor_matches_its_snapshot: "tensor" => "view_tensor",
    view_bar_chart_matches_its_snapshot: "chart" => "view_bar_chart",
    view_text_document_matches_its_snapshot: "doc" => "view_text_document",
}

#[test]
fn render_draws_the_logged_colors_where_they_belong() {
    let (rec, mem) = RecordingStreamBuilder::new("red")
        .memory()
        .expect("recording");
    rec.set_time_sequence("frame", 0);
    let red: Vec<u8> = [255u8, 0, 0].repeat(64 * 64);
    rec.log(
        "cam/image",
        &Image::new(TensorData::new(vec![64, 64, 3], red).expect("tensor")).expect("image"),
    )
    .expect("log");
    rec.set_time_sequence("frame", 1);
    let blue: Vec<u8> = [0u8, 0, 255].repeat(64 * 64);
    rec.log(
        "cam/image",
        &Image::new(TensorData::new(vec![64, 64, 3], blue).expect("tensor")).expect("image"),
    )
    .expect("log");
    let store = Arc::new(Store::default());
    store.load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")));

    let options = |frame| RenderOptions {
        width: 400,
        height: 300,
        time: Some(("frame".to_owned(), frame)),
        view: Some("cam/image".to_owned()),
        ..RenderOptions::default()
    };
    // The view fits the square image in its middle: the centre pixel is the image's.
    let at_0 = render_store(store.clone(), &options(0)).expect("render");
    assert_eq!(at_0.dimensions(), (400, 300));
    let c = at_0.get_pixel(200, 160).0;
    assert!(
        c[0] > 240 && c[1] < 15 && c[2] < 15,
        "red at frame 0, found {c:?}"
    );
    let at_1 = render_store(store.clone(), &options(1)).expect("render");
    let c = at_1.get_pixel(200, 160).0;
    assert!(
        c[2] > 240 && c[0] < 15 && c[1] < 15,
        "blue at frame 1, found {c:?}"
    );
    // The corners are the panel's background, not the image.
    let corner = at_1.get_pixel(2, 298).0;
    assert!(corner[2] < 100, "{corner:?}");

    // Unknown names are errors that list what exists.
    let err = render_store(
        store.clone(),
        &RenderOptions {
            view: Some("nope".into()),
            ..options(0)
        },
    )
    .expect_err("no such view");
    assert!(err.to_string().contains("cam/image"), "{err}");
    let err = render_store(
        store,
        &RenderOptions {
            time: Some(("nope".into(), 0)),
            ..options(0)
        },
    )
    .expect_err("no such timeline");
    assert!(err.to_string().contains("frame"), "{err}");
}

#[test]
fn many_series_are_drawn_in_one_mesh_and_hovered_by_their_lines() {
    // More series than get a legend: series k sits at k, with a ripple.
    let (rec, mem) = RecordingStreamBuilder::new("fleet")
        .memory()
        .expect("recording");
    for frame in 0..40i64 {
        rec.set_time_sequence("frame", frame);
        for k in 0..40 {
            let value = k as f64 + 0.3 * (frame as f64 * 0.3 + k as f64).sin();
            rec.log(format!("fleet/robot{k}"), &Scalar::new(value))
                .expect("log");
        }
    }
    let store = Arc::new(Store::default());
    assert!(store
        .load(std::io::Cursor::new(mem.drain_as_bytes().expect("bytes")))
        .error
        .is_none());
    let mut app = ViewerApp::new(store.clone(), AppOptions::default(), || {});
    app.solo_view = Some("fleet".to_owned());
    let mut harness = Harness::builder()
        .with_size([360.0, 260.0])
        .wgpu()
        .build_ui_state(|ui, app: &mut ViewerApp| app.ui(ui), app);
    harness.run();
    harness.snapshot("view_time_series_many");

    // Down the plot's middle column: the first line the pointer meets is the top one.
    let mut first = None;
    for y in (4..240).step_by(2) {
        harness.hover_at(egui::pos2(200.0, y as f32));
        harness.run();
        if let Some(item) = harness.state().hovered() {
            first = Some(item.clone());
            break;
        }
    }
    assert_eq!(
        first,
        Some(reel_viewer::context::Item::Entity(
            reel_core::EntityPath::parse_forgiving("fleet/robot39")
        ))
    );
}
