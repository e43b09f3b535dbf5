// A depth image back-projected through its pinhole: one disc per pixel, read from the
// depth texture here, so the image is uploaded once and never expanded on the CPU.

@group(2) @binding(0) var depth_texture: texture_2d<f32>;

struct CloudOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) corner: vec2<f32>,
    @location(1) color: vec4<f32>,
};

// The turbo colormap, polynomial fit.
fn turbo(t: f32) -> vec3<f32> {
    let x = clamp(t, 0.0, 1.0);
    let r = vec4<f32>(0.13572138, 4.61539260, -42.66032258, 132.13108234);
    let g = vec4<f32>(0.09140261, 2.19418839, 4.84296658, -14.18503333);
    let b = vec4<f32>(0.10667330, 12.64194608, -60.58204836, 110.36276771);
    let r2 = vec2<f32>(-152.94239396, 59.28637943);
    let g2 = vec2<f32>(4.27729857, 2.82956604);
    let b2 = vec2<f32>(-89.90310912, 27.34824973);
    let v4 = vec4<f32>(1.0, x, x * x, x * x * x);
    let v2 = v4.zw * v4.z;
    return vec3<f32>(dot(v4, r) + dot(v2, r2), dot(v4, g) + dot(v2, g2), dot(v4, b) + dot(v2, b2));
}

@vertex
fn vs_main(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32) -> CloudOut {
    let width = u32(draw.depth.w);
    let px = vec2<u32>(i % width, i / width);
    let stored = textureLoad(depth_texture, vec2<i32>(px), 0).r;
    let d = stored * draw.depth.x;
    var out: CloudOut;
    out.corner = quad_corner(v);
    if !(d > 0.0) {
        out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
        return out;
    }
    let k = draw.intrinsics;
    let rdf = vec3<f32>((f32(px.x) + 0.5 - k.z) / k.x * d, (f32(px.y) + 0.5 - k.w) / k.y * d, d);
    let local = (draw.code_from_rdf * vec4<f32>(rdf, 1.0)).xyz;
    let world = (draw.world_from_obj * vec4<f32>(local, 1.0)).xyz;
    // A disc covers its pixel's footprint at that depth.
    let r = 0.75 * d / k.x * draw.highlight.z;
    out.clip = frame.clip_from_world * vec4<f32>(world + (frame.right.xyz * out.corner.x + frame.up.xyz * out.corner.y) * r, 1.0);
    let t = (d - draw.depth.y) / max(draw.depth.z - draw.depth.y, 1e-6);
    out.color = highlighted(vec4<f32>(turbo(t), 1.0), i);
    return out;
}

@fragment
fn fs_main(in: CloudOut) -> @location(0) vec4<f32> {
    if dot(in.corner, in.corner) > 1.0 {
        discard;
    }
    return in.color;
}
