// Shared by every 3D pipeline: the frame's camera and the draw's placement.

struct Frame {
    clip_from_world: mat4x4<f32>,
    // xyz: the eye's position in the world.
    eye: vec4<f32>,
    // xyz: the camera's right and up axes in the world (for billboards).
    right: vec4<f32>,
    up: vec4<f32>,
    // x, y: the viewport in physical pixels; z: pixels per UI point; w: the projection's
    // vertical scale (1 / tan(fov / 2)).
    viewport: vec4<f32>,
};

struct Draw {
    world_from_obj: mat4x4<f32>,
    // Multiplies every color (mesh albedo factor, dimming).
    tint: vec4<f32>,
    // x: 1 when the whole entity is highlighted; y: the highlighted instance or -1;
    // z: how much one object unit is in world units (for radii in scene units).
    highlight: vec4<f32>,
    // Depth clouds: fx, fy, cx, cy of the pinhole.
    intrinsics: vec4<f32>,
    // Depth clouds: x: meters per stored unit, y, z: the colormap's range, w: width.
    depth: vec4<f32>,
    // Depth clouds: the camera's axes (columns) from RDF.
    code_from_rdf: mat4x4<f32>,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(1) @binding(0) var<uniform> draw: Draw;

fn unpack_color(c: u32) -> vec4<f32> {
    // Colors are packed 0xRRGGBBAA.
    return vec4<f32>(
        f32((c >> 24u) & 255u),
        f32((c >> 16u) & 255u),
        f32((c >> 8u) & 255u),
        f32(c & 255u),
    ) / 255.0;
}

fn highlighted(color: vec4<f32>, instance: u32) -> vec4<f32> {
    let on = draw.highlight.x > 0.5 || (draw.highlight.y >= 0.0 && u32(draw.highlight.y) == instance);
    if on {
        return vec4<f32>(mix(color.rgb, vec3<f32>(1.0, 0.85, 0.3), 0.6), max(color.a, 0.8));
    }
    return color;
}

// Corner k (0..6) of a quad made of two triangles, in -1..1.
fn quad_corner(k: u32) -> vec2<f32> {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, 1.0), vec2<f32>(-1.0, 1.0),
    );
    return corners[k];
}

// Radius in world units of a point at `world` that is `r` scene units (r >= 0, scaled by
// the draw) or -r UI points (r < 0) wide.
fn world_radius(r: f32, world: vec3<f32>) -> f32 {
    if r >= 0.0 {
        return r * draw.highlight.z;
    }
    let clip = frame.clip_from_world * vec4<f32>(world, 1.0);
    // World units per physical pixel at this depth.
    let per_pixel = 2.0 * max(clip.w, 1e-6) / (frame.viewport.y * frame.viewport.w);
    return -r * frame.viewport.z * per_pixel;
}
