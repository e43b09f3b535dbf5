//! Headless rendering: the viewer's default layout (or one view) of a recording at a time,
//! drawn by wgpu into a texture (a software adapter where there is no GPU) and saved as a
//! PNG. No window and no display are needed.

use std::sync::Arc;

use egui_wgpu::wgpu;
use reel_core::TimeInt;
use reel_store::Store;

use crate::app::{AppOptions, ViewerApp};

/// What to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The timeline and time to show (default: the newest time of the default timeline).
    pub time: Option<(String, i64)>,
    /// Only the view with this name.
    pub view: Option<String>,
    /// Pixels per UI point.
    pub pixels_per_point: f32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 800,
            time: None,
            view: None,
            pixels_per_point: 1.0,
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No usable graphics adapter.
    #[error("no graphics adapter (install a Vulkan or OpenGL driver, e.g. Debian's mesa-vulkan-drivers): {0}")]
    Adapter(String),
    /// The GPU did not finish.
    #[error("rendering failed: {0}")]
    Gpu(String),
    /// The store holds no recording.
    #[error("the input holds no recording")]
    Empty,
    /// The timeline asked for does not exist.
    #[error("no timeline named {name:?} (the recording has: {known})")]
    Timeline {
        /// The name asked for.
        name: String,
        /// The timelines there are.
        known: String,
    },
    /// The view asked for does not exist.
    #[error("no view named {name:?} (the layout has: {known})")]
    View {
        /// The name asked for.
        name: String,
        /// The views there are.
        known: String,
    },
    /// Writing the PNG failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The size is not drawable.
    #[error("{0}x{1} is not a usable image size (1..=8192 on each side)")]
    Size(u32, u32),
}

/// An offscreen egui renderer on its own wgpu device.
pub struct OffscreenRenderer {
    state: egui_wgpu::RenderState,
    stats_3d: crate::renderer::StatsHandle,
}

impl OffscreenRenderer {
    /// Creates a device on the first adapter found, preferring real GPUs but accepting
    /// software ones (lavapipe, llvmpipe).
    pub fn new() -> Result<Self, RenderError> {
        let mut setup = egui_wgpu::WgpuSetupCreateNew::without_display_handle();
        setup
            .instance_descriptor
            .backends
            .remove(wgpu::Backends::BROWSER_WEBGPU);
        setup.native_adapter_selector = Some(Arc::new(|adapters, _surface| {
            let rank = |a: &wgpu::Adapter| {
                let info = a.get_info();
                let device = match info.device_type {
                    wgpu::DeviceType::DiscreteGpu => 0,
                    wgpu::DeviceType::IntegratedGpu => 1,
                    wgpu::DeviceType::Cpu => 2,
                    _ => 3,
                };
                let backend = match info.backend {
                    wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
                    wgpu::Backend::Gl => 1,
                    _ => 2,
                };
                (device, backend)
            };
            adapters
                .iter()
                .min_by_key(|a| rank(a))
                .cloned()
                .ok_or_else(|| "no adapter found".to_owned())
        }));
        let setup = egui_wgpu::WgpuSetup::CreateNew(setup);
        let instance = pollster::block_on(setup.new_instance());
        let state = pollster::block_on(egui_wgpu::RenderState::create(
            &egui_wgpu::WgpuConfiguration {
                wgpu_setup: setup,
                ..Default::default()
            },
            &instance,
            None,
            egui_wgpu::RendererOptions::PREDICTABLE,
        ))
        .map_err(|e| RenderError::Adapter(e.to_string()))?;
        let stats_3d = crate::renderer::Renderer3D::install(&state);
        Ok(Self { state, stats_3d })
    }

    /// The device state (for views that draw with wgpu themselves).
    pub fn render_state(&self) -> &egui_wgpu::RenderState {
        &self.state
    }

    /// What the 3D renderer uploaded and holds so far.
    pub fn stats_3d(&self) -> crate::renderer::RendererStats {
        *self.stats_3d.lock()
    }

    /// Sets the 3D renderer's budget for batches no frame uses (see
    /// [`crate::renderer::Renderer3D::set_budget`]).
    pub fn set_gpu_budget(&self, bytes: u64) {
        let mut renderer = self.state.renderer.write();
        if let Some(r) = renderer
            .callback_resources
            .get_mut::<crate::renderer::Renderer3D>()
        {
            r.set_budget(bytes);
        }
    }

    /// Runs `app`'s UI until it settles and draws it (its caches and the GPU's persist
    /// between calls, as in a window).
    pub fn render_app(
        &self,
        ctx: &egui::Context,
        app: &mut ViewerApp,
        options: &RenderOptions,
    ) -> Result<image::RgbaImage, RenderError> {
        let output = run_frames(ctx, app, Some(self), options)?;
        self.render(ctx, &output, [options.width, options.height])
    }

    /// Applies texture changes of a frame.
    pub fn update_textures(&self, delta: &mut egui::TexturesDelta) {
        let mut renderer = self.state.renderer.write();
        for (id, images) in delta.set.drain() {
            for image in images {
                renderer.update_texture(&self.state.device, &self.state.queue, id, &image);
            }
        }
        for id in delta.free.drain() {
            renderer.free_texture(&id);
        }
    }

    /// Draws a frame's shapes into an RGBA image of `size` pixels.
    pub fn render(
        &self,
        ctx: &egui::Context,
        output: &egui::FullOutput,
        size: [u32; 2],
    ) -> Result<image::RgbaImage, RenderError> {
        let device = &self.state.device;
        let queue = &self.state.queue;
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: size,
            pixels_per_point: ctx.pixels_per_point(),
        };
        let primitives = ctx.tessellate(output.shapes.clone(), ctx.pixels_per_point());
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("reel offscreen target"),
            size: wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.state.target_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("reel offscreen"),
        });
        let mut renderer = self.state.renderer.write();
        let user = renderer.update_buffers(device, queue, &mut encoder, &primitives, &screen);
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("reel offscreen pass"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        resolve_target: None,
                        depth_slice: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    ..Default::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, &primitives, &screen);
        }
        drop(renderer);
        // Rows of a buffer copy are padded to 256 bytes.
        let row = size[0] * 4;
        let padded =
            row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("reel offscreen readback"),
            size: u64::from(padded) * u64::from(size[1]),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: Some(size[1]),
                },
            },
            texture.size(),
        );
        queue.submit(user.into_iter().chain(std::iter::once(encoder.finish())));
        let slice = buffer.slice(..);
        slice.map_async(wgpu::MapMode::Read, |_| {});
        device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(std::time::Duration::from_secs(30)),
            })
            .map_err(|e| RenderError::Gpu(e.to_string()))?;
        let data = slice
            .get_mapped_range()
            .map_err(|e| RenderError::Gpu(e.to_string()))?;
        let bgra = matches!(
            self.state.target_format,
            wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
        );
        let mut pixels = Vec::with_capacity((row * size[1]) as usize);
        for y in 0..size[1] as usize {
            let line = &data[y * padded as usize..y * padded as usize + row as usize];
            if bgra {
                for px in line.chunks_exact(4) {
                    pixels.extend_from_slice(&[px[2], px[1], px[0], 255]);
                }
            } else {
                for px in line.chunks_exact(4) {
                    pixels.extend_from_slice(&[px[0], px[1], px[2], 255]);
                }
            }
        }
        drop(data);
        buffer.unmap();
        image::RgbaImage::from_raw(size[0], size[1], pixels)
            .ok_or_else(|| RenderError::Gpu("readback size mismatch".to_owned()))
    }
}

/// Runs the app's UI passes until layout and textures settle (frame 1 lays out, 2 uses
/// measured sizes, 3 draws decoded textures; more only if egui asks), handing texture
/// changes to `renderer` when there is one. Returns the last frame's output.
fn run_frames(
    ctx: &egui::Context,
    app: &mut ViewerApp,
    renderer: Option<&OffscreenRenderer>,
    options: &RenderOptions,
) -> Result<egui::FullOutput, RenderError> {
    let (w, h) = (options.width, options.height);
    if !(1..=8192).contains(&w) || !(1..=8192).contains(&h) {
        return Err(RenderError::Size(w, h));
    }
    let ppp = options.pixels_per_point;
    ctx.set_pixels_per_point(ppp);
    ctx.set_visuals(egui::Visuals::dark());
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(w as f32 / ppp, h as f32 / ppp),
        )),
        ..Default::default()
    };
    let mut output = None;
    for frame in 0..8 {
        let mut out = ctx.run_ui(input(), |ui| app.ui(ui));
        match renderer {
            Some(r) => r.update_textures(&mut out.textures_delta),
            None => out.textures_delta.clear(),
        }
        let again = out
            .viewport_output
            .values()
            .any(|v| v.repaint_delay.is_zero());
        output = Some(out);
        if frame >= 2 && !again {
            break;
        }
    }
    output.ok_or(RenderError::Empty)
}

/// Renders the recording(s) held by `store` with `options`.
pub fn render_store(
    store: Arc<Store>,
    options: &RenderOptions,
) -> Result<image::RgbaImage, RenderError> {
    let mut app = ViewerApp::new(store.clone(), AppOptions::default(), || {});
    // Pick the newest recording and apply the requested time before drawing.
    let ids = store.recording_ids();
    let id = ids
        .iter()
        .rev()
        .find(|id| id.kind == reel_core::StoreKind::Recording)
        .cloned()
        .ok_or(RenderError::Empty)?;
    app.set_active(id.clone());
    let recording = store.recording(&id).ok_or(RenderError::Empty)?;
    if let Some((name, value)) = &options.time {
        let chunk_store = recording.read();
        let timeline = chunk_store
            .timeline_by_name(name)
            .map_err(|_| RenderError::Timeline {
                name: name.clone(),
                known: chunk_store
                    .timelines()
                    .keys()
                    .map(|t| t.name().as_str().to_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if let Some(state) = app.active_ui() {
            state.time.timeline = Some(timeline);
            state.time.time = Some(TimeInt::new(*value));
            state.time.following = false;
        }
    }
    app.solo_view = options.view.clone();
    let renderer = OffscreenRenderer::new()?;
    let ctx = egui::Context::default();
    let output = run_frames(&ctx, &mut app, Some(&renderer), options)?;
    if let Some(view) = &options.view {
        let names = app.active_ui().map(|s| s.view_names()).unwrap_or_default();
        if !names.contains(view) {
            return Err(RenderError::View {
                name: view.clone(),
                known: names.join(", "),
            });
        }
    }
    renderer.render(&ctx, &output, [options.width, options.height])
}

/// Saves `image` as a PNG at `path`.
pub fn save_png(image: &image::RgbaImage, path: &std::path::Path) -> Result<(), RenderError> {
    image
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| RenderError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}
