// Line segments (strips, box edges, arrows, frustums, the grid) as screen-aligned quads
// whose half width may taper from one end to the other (arrow heads).

struct SegmentIn {
    @location(0) a: vec3<f32>,
    @location(1) radius_a: f32,
    @location(2) b: vec3<f32>,
    @location(3) radius_b: f32,
    @location(4) color: u32,
};

struct SegmentOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec4<f32>,
};

const NEAR_W: f32 = 1e-4;

@vertex
fn vs_main(@builtin(vertex_index) v: u32, @builtin(instance_index) i: u32, s: SegmentIn) -> SegmentOut {
    let corner = quad_corner(v);
    let wa = (draw.world_from_obj * vec4<f32>(s.a, 1.0)).xyz;
    let wb = (draw.world_from_obj * vec4<f32>(s.b, 1.0)).xyz;
    var ca = frame.clip_from_world * vec4<f32>(wa, 1.0);
    var cb = frame.clip_from_world * vec4<f32>(wb, 1.0);
    var out: SegmentOut;
    out.color = highlighted(unpack_color(s.color) * draw.tint, i);
    if ca.w < NEAR_W && cb.w < NEAR_W {
        out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
        return out;
    }
    // Cut the part behind the eye.
    if ca.w < NEAR_W {
        ca = mix(ca, cb, (NEAR_W - ca.w) / (cb.w - ca.w));
    } else if cb.w < NEAR_W {
        cb = mix(cb, ca, (NEAR_W - cb.w) / (ca.w - cb.w));
    }
    let half_viewport = frame.viewport.xy * 0.5;
    let sa = ca.xy / ca.w * half_viewport;
    let sb = cb.xy / cb.w * half_viewport;
    var dir = sb - sa;
    if dot(dir, dir) < 1e-12 {
        dir = vec2<f32>(1.0, 0.0);
    }
    dir = normalize(dir);
    let normal = vec2<f32>(-dir.y, dir.x);
    let at_b = corner.x > 0.0;
    var c = ca;
    var world = wa;
    var r = s.radius_a;
    if at_b {
        c = cb;
        world = wb;
        r = s.radius_b;
    }
    // Half width in pixels, at least half a pixel so thin lines stay visible.
    let pixels_per_world = 1.0 / max(world_radius(-1.0, world) / frame.viewport.z, 1e-9);
    let half_width = max(world_radius(r, world) * pixels_per_world, 0.5);
    // Extend along the segment by the half width so strips join without gaps, but never
    // for a tapered end (arrow tips stay sharp).
    var along = half_width;
    if r == 0.0 {
        along = 0.0;
    }
    let offset = normal * corner.y * half_width + dir * select(-along, along, at_b);
    out.clip = vec4<f32>(c.xy + offset / half_viewport * c.w, c.z, c.w);
    return out;
}

@fragment
fn fs_main(in: SegmentOut) -> @location(0) vec4<f32> {
    return in.color;
}
