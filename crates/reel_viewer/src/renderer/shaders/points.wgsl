// Points as camera-facing discs: each instance is expanded to a quad here.

struct PointIn {
    @location(0) position: vec3<f32>,
    @location(1) radius: f32,
    @location(2) color: u32,
};

struct PointOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) corner: vec2<f32>,
    @location(1) color: vec4<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32, p: PointIn) -> PointOut {
    let corner = quad_corner(v);
    let world = (draw.world_from_obj * vec4<f32>(p.position, 1.0)).xyz;
    let r = world_radius(p.radius, world);
    let offset = (frame.right.xyz * corner.x + frame.up.xyz * corner.y) * r;
    var out: PointOut;
    out.clip = frame.clip_from_world * vec4<f32>(world + offset, 1.0);
    out.corner = corner;
    out.color = highlighted(unpack_color(p.color) * draw.tint, i);
    return out;
}

@fragment
fn fs_main(in: PointOut) -> @location(0) vec4<f32> {
    let d = dot(in.corner, in.corner);
    if d > 1.0 {
        discard;
    }
    // A little shading so dense clouds read as round things.
    let shade = 0.7 + 0.3 * sqrt(1.0 - d);
    return vec4<f32>(in.color.rgb * shade, in.color.a);
}
