//! End to end: a real viewer process on a virtual X display (Xvfb), started by the SDK's
//! `spawn()`, shows what the SDK logs to it. Checked on the screen's pixels (taken with
//! imagemagick's `import`), not by asking the viewer.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reel_sdk::spawn::{SpawnOptions, Spawned};
use reel_sdk::RecordingStreamBuilder;
use reel_types::archetypes::Image;
use reel_types::components::TensorData;

/// Kills the process when dropped, so a failing assertion leaves nothing running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct KilledPid(u32);

impl Drop for KilledPid {
    fn drop(&mut self) {
        #[allow(unsafe_code)]
        // SAFETY: signalling the viewer process this test started.
        unsafe {
            libc::kill(self.0 as i32, libc::SIGKILL);
        }
    }
}

/// Starts Xvfb on a free display number.
fn xvfb() -> (Killed, String) {
    for n in 90..140 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed for this test (scripts/test.sh installs it)");
        let child = Killed(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (child, display);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb did not start on {display}");
    }
    panic!("no free X display number");
}

/// A screenshot of the whole X screen.
fn screenshot(display: &str, path: &Path) -> Option<image::RgbImage> {
    let status = Command::new("import")
        .args(["-display", display, "-window", "root"])
        .arg(path)
        .stderr(Stdio::null())
        .status()
        .expect("imagemagick's import must be installed (scripts/test.sh installs it)");
    if !status.success() {
        return None;
    }
    image::open(path).ok().map(|i| i.to_rgb8())
}

/// The number of pure-red pixels and their centroid.
fn red_region(img: &image::RgbImage) -> (u64, f64, f64) {
    let (mut n, mut sx, mut sy) = (0u64, 0.0, 0.0);
    for (x, y, p) in img.enumerate_pixels() {
        let [r, g, b] = p.0;
        if r > 240 && g < 20 && b < 20 {
            n += 1;
            sx += f64::from(x);
            sy += f64::from(y);
        }
    }
    if n == 0 {
        (0, 0.0, 0.0)
    } else {
        (n, sx / n as f64, sy / n as f64)
    }
}

#[test]
fn a_spawned_viewer_shows_what_the_sdk_logs() {
    let (_xvfb, display) = xvfb();
    // The spawned viewer inherits this process's environment.
    std::env::set_var("DISPLAY", &display);
    std::env::remove_var("REEL_HEADLESS");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let options = SpawnOptions {
        port,
        memory_limit: "1GB".into(),
        executable: Some(PathBuf::from(env!("CARGO_BIN_EXE_reel"))),
        startup_timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let spawned = reel_sdk::spawn::spawn(&options).expect("spawn");
    let Spawned::Started { pid, viewer } = spawned else {
        panic!("nothing listened on the port, so a viewer must start");
    };
    let _viewer = KilledPid(pid);
    assert!(
        viewer,
        "a display exists, so spawn starts the viewer, not a headless server"
    );

    let rec = RecordingStreamBuilder::new("e2e")
        .buffered()
        .expect("recording");
    rec.spawn_with(&options, true).expect("connect");
    rec.set_time_sequence("frame", 0);
    let red: Vec<u8> = [255u8, 0, 0].repeat(64 * 64);
    rec.log(
        "camera/image",
        &Image::new(TensorData::new(vec![64, 64, 3], red).expect("tensor")).expect("image"),
    )
    .expect("log");
    rec.flush_blocking().expect("flush");

    // The window shows the image in a 2D view: a large red square in the views area
    // (between the entity tree on the left and the selection panel on the right).
    let shot = std::env::temp_dir().join(format!("reel-e2e-{}.png", std::process::id()));
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = (0, 0.0, 0.0);
    while Instant::now() < deadline {
        if let Some(img) = screenshot(&display, &shot) {
            last = red_region(&img);
            let (n, x, y) = last;
            if n > 5_000 {
                assert!(
                    (240.0..1000.0).contains(&x),
                    "the red image is in the views area, x = {x}"
                );
                assert!(
                    (30.0..600.0).contains(&y),
                    "the red image is above the time panel, y = {y}"
                );
                let _ = std::fs::remove_file(&shot);
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!(
        "the logged red image never appeared on screen (last: {} red pixels at {:.0},{:.0}; screenshot {})",
        last.0,
        last.1,
        last.2,
        shot.display()
    );
}

#[test]
fn without_a_display_reel_says_why_and_what_to_run_instead() {
    let out = Command::new(env!("CARGO_BIN_EXE_reel"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .output()
        .expect("run reel");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DISPLAY is not set"), "{stderr}");
    assert!(
        stderr.contains("reel serve") && stderr.contains("reel render"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // REEL_HEADLESS=1 wins over a display.
    let out = Command::new(env!("CARGO_BIN_EXE_reel"))
        .env("DISPLAY", ":0")
        .env("REEL_HEADLESS", "1")
        .arg("view")
        .arg("--port")
        .arg("0")
        .stdin(Stdio::null())
        .output()
        .expect("run reel");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("REEL_HEADLESS=1"));
}

#[test]
fn reel_render_writes_a_png_and_explains_bad_arguments() {
    let dir = std::env::temp_dir().join(format!("reel-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("r.reel");
    let rec = RecordingStreamBuilder::new("render")
        .save(&file)
        .expect("save");
    rec.set_time_sequence("frame", 3);
    let red: Vec<u8> = [255u8, 0, 0].repeat(16 * 16);
    rec.log(
        "img",
        &Image::new(TensorData::new(vec![16, 16, 3], red).expect("tensor")).expect("image"),
    )
    .expect("log");
    drop(rec);
    let png = dir.join("r.png");
    let reel = env!("CARGO_BIN_EXE_reel");
    let out = Command::new(reel)
        .args(["render"])
        .arg(&file)
        .arg("--out")
        .arg(&png)
        .args(["--time", "frame=3", "--width", "900", "--height", "500"])
        .output()
        .expect("render");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&png).expect("png").to_rgb8();
    assert_eq!(img.dimensions(), (900, 500));
    assert!(red_region(&img).0 > 100, "the red image is drawn");

    for (args, expected) in [
        (vec!["--time", "frame"], "TIMELINE=VALUE"),
        (vec!["--time", "nope=1"], "no timeline named \"nope\""),
        (vec!["--view", "nope"], "no view named \"nope\""),
        (vec!["--width", "0"], "not a usable image size"),
    ] {
        let out = Command::new(reel)
            .arg("render")
            .arg(&file)
            .arg("--out")
            .arg(&png)
            .args(&args)
            .output()
            .expect("render");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
