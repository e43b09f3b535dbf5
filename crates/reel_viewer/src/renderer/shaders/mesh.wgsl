// Triangle meshes (and images placed in 3D) with vertex colors, an albedo texture and a
// head light.

struct VertexIn {
    @location(0) position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) color: u32,
    @location(3) uv: vec2<f32>,
};

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) color: vec4<f32>,
    @location(3) uv: vec2<f32>,
};

@group(2) @binding(0) var albedo: texture_2d<f32>;
@group(2) @binding(1) var albedo_sampler: sampler;

@vertex
fn vs_main(v: VertexIn) -> VertexOut {
    let world = draw.world_from_obj * vec4<f32>(v.position, 1.0);
    let m = draw.world_from_obj;
    var out: VertexOut;
    out.clip = frame.clip_from_world * world;
    out.world = world.xyz;
    out.normal = (m * vec4<f32>(v.normal, 0.0)).xyz;
    out.color = unpack_color(v.color) * draw.tint;
    out.uv = v.uv;
    return out;
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    var color = in.color * textureSample(albedo, albedo_sampler, in.uv);
    if draw.highlight.x > 0.5 {
        color = vec4<f32>(mix(color.rgb, vec3<f32>(1.0, 0.85, 0.3), 0.5), color.a);
    }
    // Lit unless the mesh has no normals (images): both faces catch the head light.
    let n = in.normal;
    if dot(n, n) < 1e-12 {
        return color;
    }
    let to_eye = normalize(frame.eye.xyz - in.world);
    let lambert = abs(dot(normalize(n), to_eye));
    return vec4<f32>(color.rgb * (0.35 + 0.65 * lambert), color.a);
}
