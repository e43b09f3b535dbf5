//! The 3D renderer: draws GPU data and nothing else. A view hands it a [`SceneFrame`] (a
//! camera and a list of [`Draw`]s, each a cached [`Batch`] placed by a matrix) through an
//! egui paint callback; the renderer uploads a batch the first time its key is seen, keeps
//! it on the GPU while frames keep using it, renders the scene with depth into the view's
//! own texture, and copies that texture into egui's pass.
//!
//! Points are camera-facing discs and line segments screen-aligned quads, both expanded
//! from one instance each in the vertex shader; meshes are indexed triangles with an
//! albedo texture; depth images are back-projected through their pinhole in the vertex
//! shader from a depth texture. Everything stays within WebGL2's limits: instanced vertex
//! buffers instead of storage buffers, 256-byte uniform offsets, no compute.
//!
//! Radii: `>= 0` is in scene units (scaled by the draw's placement), `< 0` is `-r` UI
//! points on screen.

use std::collections::HashMap;
use std::sync::Arc;

use bytemuck::{Pod, Zeroable};
use egui_wgpu::wgpu;
use egui_wgpu::wgpu::util::DeviceExt as _;
use glam::{Mat4, Vec3};

/// Color of the scene's render target.
const COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
/// Depth of the scene's render target.
const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// One draw's uniform slot (the dynamic-offset alignment every backend accepts).
const DRAW_SLOT: u64 = 256;
/// A batch no frame used for this many frames leaves the GPU.
const KEEP_UNUSED_FRAMES: u64 = 120;
/// Above this many bytes on the GPU, batches unused in the current frame are dropped
/// oldest first.
pub const DEFAULT_GPU_BUDGET: u64 = 1 << 30;

/// One point: position, radius, `0xRRGGBBAA` color (the `Color` component's own bits).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct PointInstance {
    /// Position in the draw's space.
    pub position: [f32; 3],
    /// Radius (see the module docs for the sign).
    pub radius: f32,
    /// Color, `0xRRGGBBAA`.
    pub color: u32,
}

/// One line segment from `a` to `b`, with a half width at each end.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct SegmentInstance {
    /// Start.
    pub a: [f32; 3],
    /// Half width at the start.
    pub radius_a: f32,
    /// End.
    pub b: [f32; 3],
    /// Half width at the end (0 for a sharp tip).
    pub radius_b: f32,
    /// Color, `0xRRGGBBAA`.
    pub color: u32,
}

/// One mesh vertex.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct MeshVertex {
    /// Position in the draw's space.
    pub position: [f32; 3],
    /// Normal (zero: unlit, as for images).
    pub normal: [f32; 3],
    /// Color, `0xRRGGBBAA`.
    pub color: u32,
    /// Texture coordinate.
    pub uv: [f32; 2],
}

/// An RGBA8 texture for a mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct TextureImage {
    /// Width and height in pixels.
    pub size: [u32; 2],
    /// RGBA bytes, row by row.
    pub rgba: Vec<u8>,
    /// Sample the nearest texel (images) instead of filtering (materials).
    pub nearest: bool,
}

/// A depth image to back-project through a pinhole.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthCloud {
    /// Width and height in pixels.
    pub size: [u32; 2],
    /// Depth per pixel in stored units, row by row (0 or NaN: no depth).
    pub depths: Vec<f32>,
    /// `fx, fy, cx, cy` of the pinhole, in pixels.
    pub intrinsics: [f32; 4],
    /// Meters (scene units) per stored unit.
    pub scale: f32,
    /// The depths (in scene units) at the two ends of the colormap.
    pub range: [f32; 2],
    /// The camera's axes from RDF (x right, y down, z forward).
    pub code_from_rdf: Mat4,
}

/// Data to upload once and draw many times.
#[derive(Clone, Debug, PartialEq)]
pub enum Batch {
    /// Discs.
    Points(Vec<PointInstance>),
    /// Line segments.
    Segments(Vec<SegmentInstance>),
    /// Triangles, with an optional texture.
    Mesh {
        /// The vertices.
        vertices: Vec<MeshVertex>,
        /// Three per triangle.
        indices: Vec<u32>,
        /// The albedo texture (white when `None`).
        texture: Option<Arc<TextureImage>>,
    },
    /// A depth image as points.
    DepthCloud(DepthCloud),
}

impl Batch {
    /// Bytes this batch takes on the GPU.
    pub fn gpu_bytes(&self) -> u64 {
        let n = match self {
            Self::Points(p) => std::mem::size_of_val(p.as_slice()),
            Self::Segments(s) => std::mem::size_of_val(s.as_slice()),
            Self::Mesh {
                vertices,
                indices,
                texture,
            } => {
                std::mem::size_of_val(vertices.as_slice())
                    + std::mem::size_of_val(indices.as_slice())
                    + texture.as_ref().map_or(0, |t| t.rgba.len())
            }
            Self::DepthCloud(d) => std::mem::size_of_val(d.depths.as_slice()),
        };
        n as u64
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Points(p) => p.is_empty(),
            Self::Segments(s) => s.is_empty(),
            Self::Mesh { indices, .. } => indices.is_empty(),
            Self::DepthCloud(d) => d.depths.is_empty(),
        }
    }
}

/// What identifies a batch's contents: equal keys mean equal data (built from the rows
/// and settings the batch was made from).
pub type BatchKey = u64;

/// One batch drawn once.
#[derive(Clone, Debug)]
pub struct Draw {
    /// The batch's identity.
    pub key: BatchKey,
    /// The data (read only when the key is not on the GPU yet).
    pub batch: Arc<Batch>,
    /// Where the batch's space is in the world.
    pub world_from_obj: Mat4,
    /// Multiplies every color.
    pub tint: [f32; 4],
    /// The whole entity is hovered or selected.
    pub highlighted: bool,
    /// One instance is hovered or selected.
    pub highlight_instance: Option<u32>,
}

impl Draw {
    /// `batch` placed by `world_from_obj`, in its own colors, not highlighted.
    pub fn new(key: BatchKey, batch: Arc<Batch>, world_from_obj: Mat4) -> Self {
        Self {
            key,
            batch,
            world_from_obj,
            tint: [1.0; 4],
            highlighted: false,
            highlight_instance: None,
        }
    }
}

/// The camera of one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraMatrices {
    /// World to clip space.
    pub clip_from_world: Mat4,
    /// The eye.
    pub eye: Vec3,
    /// The camera's right axis in the world.
    pub right: Vec3,
    /// The camera's up axis in the world.
    pub up: Vec3,
    /// The projection's vertical scale: `1 / tan(fov_y / 2)`.
    pub y_scale: f32,
}

/// Everything one view draws in one frame.
#[derive(Clone, Debug)]
pub struct SceneFrame {
    /// The view (each view has its own target).
    pub view: egui::Id,
    /// egui's pass number, to age unused batches.
    pub frame_nr: u64,
    /// The store's garbage-collection generation ([`reel_store::ChunkStore::gc_generation`]):
    /// when it changes, batches no longer drawn are released at once instead of aging out.
    pub gc_generation: u64,
    /// The target's size in physical pixels.
    pub size_px: [u32; 2],
    /// Physical pixels per UI point.
    pub pixels_per_point: f32,
    /// The camera.
    pub camera: CameraMatrices,
    /// The background.
    pub background: egui::Color32,
    /// What to draw, in order.
    pub draws: Vec<Draw>,
}

/// What the renderer did so far (read by tests and the view's status line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RendererStats {
    /// Batches uploaded.
    pub uploads: u64,
    /// Bytes uploaded in batches.
    pub uploaded_bytes: u64,
    /// Batches on the GPU now.
    pub resident_batches: u64,
    /// Bytes of batches on the GPU now.
    pub resident_bytes: u64,
    /// Batches dropped (unused, over budget, or released after a garbage collection).
    pub evictions: u64,
    /// Batches released because the store's garbage collection dropped data.
    pub released_after_gc: u64,
    /// Frames rendered.
    pub frames: u64,
    /// CPU time of the last frame's preparation (uploads and command recording).
    pub last_prepare: std::time::Duration,
}

/// A handle on the renderer's statistics that outlives the frame.
pub type StatsHandle = Arc<parking_lot::Mutex<RendererStats>>;

/// The renderer, kept in egui_wgpu's callback resources.
pub struct Renderer3D {
    frame_layout: wgpu::BindGroupLayout,
    draw_layout: wgpu::BindGroupLayout,
    texture_layout: wgpu::BindGroupLayout,
    depth_layout: wgpu::BindGroupLayout,
    composite_layout: wgpu::BindGroupLayout,
    points: wgpu::RenderPipeline,
    segments: wgpu::RenderPipeline,
    mesh: wgpu::RenderPipeline,
    depth_cloud: wgpu::RenderPipeline,
    composite: wgpu::RenderPipeline,
    linear: wgpu::Sampler,
    nearest: wgpu::Sampler,
    white: wgpu::BindGroup,
    batches: HashMap<BatchKey, GpuBatch>,
    targets: HashMap<egui::Id, Target>,
    budget: u64,
    /// The last store GC generation seen, and the frame that saw it change: batches not
    /// used since that frame are released once every view has drawn it.
    gc_seen: (u64, Option<u64>),
    stats: StatsHandle,
}

enum GpuKind {
    Points(wgpu::Buffer),
    Segments(wgpu::Buffer),
    Mesh {
        vertices: wgpu::Buffer,
        indices: wgpu::Buffer,
        texture: Option<wgpu::BindGroup>,
    },
    DepthCloud(wgpu::BindGroup),
}

struct GpuBatch {
    kind: GpuKind,
    count: u32,
    bytes: u64,
    last_used: u64,
}

struct Target {
    size: [u32; 2],
    color: wgpu::Texture,
    depth: wgpu::TextureView,
    frame_buffer: wgpu::Buffer,
    frame_group: wgpu::BindGroup,
    draw_buffer: wgpu::Buffer,
    draw_capacity: u64,
    draw_group: wgpu::BindGroup,
    composite: wgpu::BindGroup,
    /// The draws of the last prepared frame: (batch key, draw slot).
    draws: Vec<(BatchKey, u32)>,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct FrameUniform {
    clip_from_world: [f32; 16],
    eye: [f32; 4],
    right: [f32; 4],
    up: [f32; 4],
    viewport: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct DrawUniform {
    world_from_obj: [f32; 16],
    tint: [f32; 4],
    highlight: [f32; 4],
    intrinsics: [f32; 4],
    depth: [f32; 4],
    code_from_rdf: [f32; 16],
}

impl Renderer3D {
    /// Puts a renderer into `render_state`'s callback resources (once; later calls keep
    /// the first) and returns the handle on its statistics. 3D views draw only where this
    /// was done.
    pub fn install(render_state: &egui_wgpu::RenderState) -> StatsHandle {
        let mut renderer = render_state.renderer.write();
        if let Some(existing) = renderer.callback_resources.get::<Self>() {
            return existing.stats.clone();
        }
        let this = Self::new(
            &render_state.device,
            &render_state.queue,
            render_state.target_format,
        );
        let stats = this.stats.clone();
        renderer.callback_resources.insert(this);
        stats
    }

    /// Sets how many bytes of batches may stay on the GPU while no frame uses them (the
    /// default is [`DEFAULT_GPU_BUDGET`]; 0 keeps only what the current frame draws).
    pub fn set_budget(&mut self, bytes: u64) {
        self.budget = bytes;
    }

    fn new(device: &wgpu::Device, queue: &wgpu::Queue, target_format: wgpu::TextureFormat) -> Self {
        let uniform = |dynamic| wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: dynamic,
                min_binding_size: None,
            },
            count: None,
        };
        let layout = |label, entries: &[wgpu::BindGroupLayoutEntry]| {
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries,
            })
        };
        let texture_entry = |binding, sample_type| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type,
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let sampler_entry = wgpu::BindGroupLayoutEntry {
            binding: 1,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
            count: None,
        };
        let filterable = wgpu::TextureSampleType::Float { filterable: true };
        let frame_layout = layout("reel 3d frame", &[uniform(false)]);
        let draw_layout = layout("reel 3d draw", &[uniform(true)]);
        let texture_layout = layout(
            "reel 3d albedo",
            &[texture_entry(0, filterable), sampler_entry],
        );
        let depth_layout = layout(
            "reel 3d depth",
            &[texture_entry(
                0,
                wgpu::TextureSampleType::Float { filterable: false },
            )],
        );
        let composite_layout = layout(
            "reel 3d composite",
            &[texture_entry(0, filterable), sampler_entry],
        );

        let shader = |label, source: &str| {
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            })
        };
        let common = include_str!("shaders/common.wgsl");
        let with_common = |s: &str| format!("{common}\n{s}");
        let points_shader = shader(
            "reel points",
            &with_common(include_str!("shaders/points.wgsl")),
        );
        let segments_shader = shader(
            "reel segments",
            &with_common(include_str!("shaders/segments.wgsl")),
        );
        let mesh_shader = shader("reel mesh", &with_common(include_str!("shaders/mesh.wgsl")));
        let depth_shader = shader(
            "reel depth cloud",
            &with_common(include_str!("shaders/depth_cloud.wgsl")),
        );
        let composite_shader = shader("reel composite", include_str!("shaders/composite.wgsl"));

        let scene_layout = |extra: Option<&wgpu::BindGroupLayout>| {
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("reel 3d"),
                bind_group_layouts: &[Some(&frame_layout), Some(&draw_layout), extra],
                immediate_size: 0,
            })
        };
        let plain_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("reel 3d"),
            bind_group_layouts: &[Some(&frame_layout), Some(&draw_layout)],
            immediate_size: 0,
        });
        let mesh_layout = scene_layout(Some(&texture_layout));
        let depth_pipeline_layout = scene_layout(Some(&depth_layout));
        let blend = Some(wgpu::BlendState::ALPHA_BLENDING);
        let scene_pipeline =
            |label,
             layout: &wgpu::PipelineLayout,
             module: &wgpu::ShaderModule,
             buffers: &[Option<wgpu::VertexBufferLayout<'_>>]| {
                device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some(label),
                    layout: Some(layout),
                    vertex: wgpu::VertexState {
                        module,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers,
                    },
                    primitive: wgpu::PrimitiveState::default(),
                    depth_stencil: Some(wgpu::DepthStencilState {
                        format: DEPTH_FORMAT,
                        depth_write_enabled: Some(true),
                        depth_compare: Some(wgpu::CompareFunction::LessEqual),
                        stencil: Default::default(),
                        bias: Default::default(),
                    }),
                    multisample: wgpu::MultisampleState::default(),
                    fragment: Some(wgpu::FragmentState {
                        module,
                        entry_point: Some("fs_main"),
                        compilation_options: Default::default(),
                        targets: &[Some(wgpu::ColorTargetState {
                            format: COLOR_FORMAT,
                            blend,
                            write_mask: wgpu::ColorWrites::ALL,
                        })],
                    }),
                    multiview_mask: None,
                    cache: None,
                })
            };
        let point_attributes = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32, 2 => Uint32];
        let segment_attributes = wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32, 2 => Float32x3, 3 => Float32, 4 => Uint32
        ];
        let mesh_attributes =
            wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3, 2 => Uint32, 3 => Float32x2];
        let instanced = |stride: usize, attributes| {
            Some(wgpu::VertexBufferLayout {
                array_stride: stride as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes,
            })
        };
        let points = scene_pipeline(
            "reel points",
            &plain_layout,
            &points_shader,
            &[instanced(
                std::mem::size_of::<PointInstance>(),
                &point_attributes,
            )],
        );
        let segments = scene_pipeline(
            "reel segments",
            &plain_layout,
            &segments_shader,
            &[instanced(
                std::mem::size_of::<SegmentInstance>(),
                &segment_attributes,
            )],
        );
        let mesh = scene_pipeline(
            "reel mesh",
            &mesh_layout,
            &mesh_shader,
            &[Some(wgpu::VertexBufferLayout {
                array_stride: std::mem::size_of::<MeshVertex>() as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &mesh_attributes,
            })],
        );
        let depth_cloud = scene_pipeline(
            "reel depth cloud",
            &depth_pipeline_layout,
            &depth_shader,
            &[],
        );
        let composite_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("reel composite"),
                bind_group_layouts: &[Some(&composite_layout)],
                immediate_size: 0,
            });
        let composite = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("reel composite"),
            layout: Some(&composite_pipeline_layout),
            vertex: wgpu::VertexState {
                module: &composite_shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &composite_shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: target_format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let sampler = |filter| {
            device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("reel 3d"),
                mag_filter: filter,
                min_filter: filter,
                address_mode_u: wgpu::AddressMode::Repeat,
                address_mode_v: wgpu::AddressMode::Repeat,
                ..Default::default()
            })
        };
        let linear = sampler(wgpu::FilterMode::Linear);
        let nearest = sampler(wgpu::FilterMode::Nearest);
        let white_image = TextureImage {
            size: [1, 1],
            rgba: vec![255; 4],
            nearest: true,
        };
        let white = create_albedo(device, queue, &texture_layout, &white_image, &nearest);
        Self {
            frame_layout,
            draw_layout,
            texture_layout,
            depth_layout,
            composite_layout,
            points,
            segments,
            mesh,
            depth_cloud,
            composite,
            linear,
            nearest,
            white,
            batches: HashMap::new(),
            targets: HashMap::new(),
            budget: DEFAULT_GPU_BUDGET,
            gc_seen: (0, None),
            stats: StatsHandle::default(),
        }
    }

    /// Uploads what is new, renders `frame` into its view's target, and remembers what to
    /// composite.
    fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        frame: &SceneFrame,
    ) {
        let started = web_time::Instant::now();
        self.prepare_inner(device, queue, encoder, frame);
        self.stats.lock().last_prepare = started.elapsed();
    }

    fn prepare_inner(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        encoder: &mut wgpu::CommandEncoder,
        frame: &SceneFrame,
    ) {
        let size = [frame.size_px[0].max(1), frame.size_px[1].max(1)];
        let limits = device.limits();
        let size = [
            size[0].min(limits.max_texture_dimension_2d),
            size[1].min(limits.max_texture_dimension_2d),
        ];
        // Upload what the GPU does not hold yet.
        let mut stats = *self.stats.lock();
        for draw in &frame.draws {
            if let Some(gpu) = self.batches.get_mut(&draw.key) {
                gpu.last_used = frame.frame_nr;
                continue;
            }
            if draw.batch.is_empty() {
                continue;
            }
            if let Some(gpu) = self.upload(device, queue, &draw.batch, frame.frame_nr) {
                stats.uploads += 1;
                stats.uploaded_bytes += gpu.bytes;
                self.batches.insert(draw.key, gpu);
            }
        }
        if frame.gc_generation != self.gc_seen.0 {
            self.gc_seen = (frame.gc_generation, Some(frame.frame_nr));
        }
        self.evict(frame.frame_nr, &mut stats);
        stats.resident_batches = self.batches.len() as u64;
        stats.resident_bytes = self.batches.values().map(|b| b.bytes).sum();
        stats.frames += 1;
        *self.stats.lock() = stats;

        let needs_new = self
            .targets
            .get(&frame.view)
            .is_none_or(|t| t.size != size || t.draw_capacity < frame.draws.len() as u64);
        if needs_new {
            let capacity = (frame.draws.len() as u64).next_power_of_two().max(16);
            let target = self.create_target(device, size, capacity);
            self.targets.insert(frame.view, target);
        }
        let Some(target) = self.targets.get_mut(&frame.view) else {
            return;
        };

        let camera = &frame.camera;
        let frame_uniform = FrameUniform {
            clip_from_world: camera.clip_from_world.to_cols_array(),
            eye: camera.eye.extend(1.0).to_array(),
            right: camera.right.extend(0.0).to_array(),
            up: camera.up.extend(0.0).to_array(),
            viewport: [
                size[0] as f32,
                size[1] as f32,
                frame.pixels_per_point,
                camera.y_scale,
            ],
        };
        queue.write_buffer(&target.frame_buffer, 0, bytemuck::bytes_of(&frame_uniform));
        let mut slots = vec![0u8; frame.draws.len() * DRAW_SLOT as usize];
        target.draws.clear();
        for (slot, draw) in frame.draws.iter().enumerate() {
            if !self.batches.contains_key(&draw.key) {
                continue;
            }
            let uniform = draw_uniform(draw);
            let at = slot * DRAW_SLOT as usize;
            slots[at..at + std::mem::size_of::<DrawUniform>()]
                .copy_from_slice(bytemuck::bytes_of(&uniform));
            target.draws.push((draw.key, slot as u32));
        }
        if !slots.is_empty() {
            queue.write_buffer(&target.draw_buffer, 0, &slots);
        }

        let color_view = target
            .color
            .create_view(&wgpu::TextureViewDescriptor::default());
        let [r, g, b, a] = frame.background.to_normalized_gamma_f32();
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("reel 3d scene"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &color_view,
                resolve_target: None,
                depth_slice: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color {
                        r: f64::from(r),
                        g: f64::from(g),
                        b: f64::from(b),
                        a: f64::from(a),
                    }),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &target.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            ..Default::default()
        });
        pass.set_bind_group(0, &target.frame_group, &[]);
        for (key, slot) in &target.draws {
            let Some(gpu) = self.batches.get(key) else {
                continue;
            };
            pass.set_bind_group(1, &target.draw_group, &[slot * DRAW_SLOT as u32]);
            match &gpu.kind {
                GpuKind::Points(buffer) => {
                    pass.set_pipeline(&self.points);
                    pass.set_vertex_buffer(0, buffer.slice(..));
                    pass.draw(0..6, 0..gpu.count);
                }
                GpuKind::Segments(buffer) => {
                    pass.set_pipeline(&self.segments);
                    pass.set_vertex_buffer(0, buffer.slice(..));
                    pass.draw(0..6, 0..gpu.count);
                }
                GpuKind::Mesh {
                    vertices,
                    indices,
                    texture,
                } => {
                    pass.set_pipeline(&self.mesh);
                    pass.set_bind_group(2, texture.as_ref().unwrap_or(&self.white), &[]);
                    pass.set_vertex_buffer(0, vertices.slice(..));
                    pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..gpu.count, 0, 0..1);
                }
                GpuKind::DepthCloud(group) => {
                    pass.set_pipeline(&self.depth_cloud);
                    pass.set_bind_group(2, group, &[]);
                    pass.draw(0..6, 0..gpu.count);
                }
            }
        }
    }

    fn upload(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        batch: &Batch,
        frame_nr: u64,
    ) -> Option<GpuBatch> {
        let buffer = |label, contents: &[u8], usage| {
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            })
        };
        let (kind, count) = match batch {
            Batch::Points(p) => (
                GpuKind::Points(buffer(
                    "reel points",
                    bytemuck::cast_slice(p),
                    wgpu::BufferUsages::VERTEX,
                )),
                p.len(),
            ),
            Batch::Segments(s) => (
                GpuKind::Segments(buffer(
                    "reel segments",
                    bytemuck::cast_slice(s),
                    wgpu::BufferUsages::VERTEX,
                )),
                s.len(),
            ),
            Batch::Mesh {
                vertices,
                indices,
                texture,
            } => {
                let texture = match texture {
                    Some(t) => {
                        let sampler = if t.nearest {
                            &self.nearest
                        } else {
                            &self.linear
                        };
                        let max = device.limits().max_texture_dimension_2d;
                        let [w, h] = t.size;
                        if w == 0
                            || h == 0
                            || w > max
                            || h > max
                            || t.rgba.len() != (w * h * 4) as usize
                        {
                            log::warn!("3D view: a {w}x{h} mesh texture cannot be used");
                            None
                        } else {
                            Some(create_albedo(
                                device,
                                queue,
                                &self.texture_layout,
                                t,
                                sampler,
                            ))
                        }
                    }
                    None => None,
                };
                (
                    GpuKind::Mesh {
                        vertices: buffer(
                            "reel mesh vertices",
                            bytemuck::cast_slice(vertices),
                            wgpu::BufferUsages::VERTEX,
                        ),
                        indices: buffer(
                            "reel mesh indices",
                            bytemuck::cast_slice(indices),
                            wgpu::BufferUsages::INDEX,
                        ),
                        texture,
                    },
                    indices.len(),
                )
            }
            Batch::DepthCloud(d) => {
                let [w, h] = d.size;
                let max = device.limits().max_texture_dimension_2d;
                if w == 0 || h == 0 || w > max || h > max || d.depths.len() != (w * h) as usize {
                    log::warn!("3D view: a {w}x{h} depth image cannot be back-projected");
                    return None;
                }
                let texture = device.create_texture_with_data(
                    queue,
                    &wgpu::TextureDescriptor {
                        label: Some("reel depth"),
                        size: wgpu::Extent3d {
                            width: w,
                            height: h,
                            depth_or_array_layers: 1,
                        },
                        mip_level_count: 1,
                        sample_count: 1,
                        dimension: wgpu::TextureDimension::D2,
                        format: wgpu::TextureFormat::R32Float,
                        usage: wgpu::TextureUsages::TEXTURE_BINDING,
                        view_formats: &[],
                    },
                    wgpu::util::TextureDataOrder::LayerMajor,
                    bytemuck::cast_slice(&d.depths),
                );
                let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
                let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("reel depth"),
                    layout: &self.depth_layout,
                    entries: &[wgpu::BindGroupEntry {
                        binding: 0,
                        resource: wgpu::BindingResource::TextureView(&view),
                    }],
                });
                (GpuKind::DepthCloud(group), d.depths.len())
            }
        };
        Some(GpuBatch {
            kind,
            count: u32::try_from(count).ok()?,
            bytes: batch.gpu_bytes(),
            last_used: frame_nr,
        })
    }

    /// Drops batches no frame used for a while, then the least recently used ones while
    /// over budget (never those of the current frame).
    fn evict(&mut self, frame_nr: u64, stats: &mut RendererStats) {
        // After a garbage collection, what no view drew in the frame that saw it is data
        // of dropped rows (or of times far from the cursor): release it now. Waiting for
        // the next frame lets every view of that frame mark what it still draws.
        if let (_, Some(gc_frame)) = self.gc_seen {
            if frame_nr > gc_frame {
                let before = self.batches.len();
                self.batches.retain(|_, b| b.last_used >= gc_frame);
                let released = (before - self.batches.len()) as u64;
                stats.released_after_gc += released;
                stats.evictions += released;
                self.gc_seen.1 = None;
            }
        }
        let before = self.batches.len();
        self.batches
            .retain(|_, b| b.last_used + KEEP_UNUSED_FRAMES >= frame_nr);
        let mut total: u64 = self.batches.values().map(|b| b.bytes).sum();
        if total > self.budget {
            let mut old: Vec<(u64, BatchKey, u64)> = self
                .batches
                .iter()
                .filter(|(_, b)| b.last_used < frame_nr)
                .map(|(k, b)| (b.last_used, *k, b.bytes))
                .collect();
            old.sort_unstable();
            for (_, key, bytes) in old {
                if total <= self.budget {
                    break;
                }
                self.batches.remove(&key);
                total -= bytes;
            }
        }
        stats.evictions += (before - self.batches.len()) as u64;
    }

    fn create_target(&self, device: &wgpu::Device, size: [u32; 2], capacity: u64) -> Target {
        let extent = wgpu::Extent3d {
            width: size[0],
            height: size[1],
            depth_or_array_layers: 1,
        };
        let texture = |label, format, usage| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: extent,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
        };
        let color = texture(
            "reel 3d color",
            COLOR_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let depth = texture(
            "reel 3d depth",
            DEPTH_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT,
        )
        .create_view(&wgpu::TextureViewDescriptor::default());
        let frame_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("reel 3d frame"),
            size: std::mem::size_of::<FrameUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let draw_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("reel 3d draws"),
            size: capacity * DRAW_SLOT,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let frame_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("reel 3d frame"),
            layout: &self.frame_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: frame_buffer.as_entire_binding(),
            }],
        });
        let draw_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("reel 3d draws"),
            layout: &self.draw_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &draw_buffer,
                    offset: 0,
                    size: wgpu::BufferSize::new(std::mem::size_of::<DrawUniform>() as u64),
                }),
            }],
        });
        let color_view = color.create_view(&wgpu::TextureViewDescriptor::default());
        let composite = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("reel 3d composite"),
            layout: &self.composite_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&color_view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.nearest),
                },
            ],
        });
        Target {
            size,
            color,
            depth,
            frame_buffer,
            frame_group,
            draw_buffer,
            draw_capacity: capacity,
            draw_group,
            composite,
            draws: Vec::new(),
        }
    }

    fn paint(&self, view: egui::Id, pass: &mut wgpu::RenderPass<'static>) {
        let Some(target) = self.targets.get(&view) else {
            return;
        };
        pass.set_pipeline(&self.composite);
        pass.set_bind_group(0, &target.composite, &[]);
        pass.draw(0..3, 0..1);
    }
}

fn draw_uniform(draw: &Draw) -> DrawUniform {
    let m = draw.world_from_obj;
    // How long one object unit is in the world (for radii in scene units).
    let scale = (m.x_axis.truncate().length()
        + m.y_axis.truncate().length()
        + m.z_axis.truncate().length())
        / 3.0;
    let mut uniform = DrawUniform {
        world_from_obj: m.to_cols_array(),
        tint: draw.tint,
        highlight: [
            if draw.highlighted { 1.0 } else { 0.0 },
            draw.highlight_instance.map_or(-1.0, |i| i as f32),
            scale,
            0.0,
        ],
        intrinsics: [1.0, 1.0, 0.0, 0.0],
        depth: [1.0, 0.0, 1.0, 1.0],
        code_from_rdf: Mat4::IDENTITY.to_cols_array(),
    };
    if let Batch::DepthCloud(d) = draw.batch.as_ref() {
        uniform.intrinsics = d.intrinsics;
        uniform.depth = [d.scale, d.range[0], d.range[1], d.size[0] as f32];
        uniform.code_from_rdf = d.code_from_rdf.to_cols_array();
    }
    uniform
}

/// A texture and sampler bind group; the caller checked the size.
fn create_albedo(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    layout: &wgpu::BindGroupLayout,
    image: &TextureImage,
    sampler: &wgpu::Sampler,
) -> wgpu::BindGroup {
    let [w, h] = image.size;
    let texture = device.create_texture_with_data(
        queue,
        &wgpu::TextureDescriptor {
            label: Some("reel albedo"),
            size: wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        },
        wgpu::util::TextureDataOrder::LayerMajor,
        &image.rgba,
    );
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("reel albedo"),
        layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&view),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::Sampler(sampler),
            },
        ],
    })
}

/// The paint callback a 3D view adds to its painter.
pub struct SceneCallback {
    frame: SceneFrame,
}

impl SceneCallback {
    /// A callback drawing `frame`.
    pub fn new(frame: SceneFrame) -> Self {
        Self { frame }
    }
}

impl egui_wgpu::CallbackTrait for SceneCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(renderer) = resources.get_mut::<Renderer3D>() {
            renderer.prepare(device, queue, encoder, &self.frame);
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(renderer) = resources.get::<Renderer3D>() {
            renderer.paint(self.frame.view, pass);
        }
    }
}
