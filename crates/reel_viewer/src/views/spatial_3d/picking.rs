//! What is under the pointer in a 3D view: the nearest point, segment or triangle within
//! a few points of it, found on the CPU from the same batches the GPU draws.

use glam::{Mat4, Vec2, Vec3};

use super::scene::{Instances, Part};
use crate::renderer::Batch;

/// How far (in UI points) the pointer may be from a thin point or line to hover it.
const TOLERANCE: f32 = 5.0;

/// A part placed in the world, as the picker sees it.
pub struct Placed<'a> {
    /// The part.
    pub part: &'a Part,
    /// From the part's space to the world.
    pub world_from_obj: Mat4,
}

/// What the pointer is over.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// Index into the placed parts.
    pub part: usize,
    /// The instance, for parts with instances.
    pub instance: Option<usize>,
    /// Distance from the eye along the view direction.
    pub depth: f32,
}

/// The screen: where the viewport is and how many points one world unit at depth 1 is.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    /// World to clip space.
    pub clip_from_world: Mat4,
    /// The viewport's top-left corner, in points.
    pub min: Vec2,
    /// The viewport's size, in points.
    pub size: Vec2,
    /// Points per world unit at view depth 1.
    pub focal: f32,
}

impl Screen {
    /// Where `clip` lands, in points (`None` behind the eye).
    fn screen_point(&self, clip: glam::Vec4) -> Option<Vec2> {
        if clip.w <= 1e-6 {
            return None;
        }
        let ndc = clip.truncate() / clip.w;
        Some(Vec2::new(
            self.min.x + (ndc.x + 1.0) * 0.5 * self.size.x,
            self.min.y + (1.0 - ndc.y) * 0.5 * self.size.y,
        ))
    }

    /// A radius in points: `-r` points, or `r` scene units at view depth `w`.
    fn radius_points(&self, r: f32, scale: f32, w: f32) -> f32 {
        if r < 0.0 {
            -r
        } else {
            r * scale * self.focal / w.max(1e-6)
        }
    }
}

/// The nearest thing under `pointer`, or `None`.
pub fn pick(placed: &[Placed<'_>], screen: &Screen, pointer: Vec2) -> Option<Hit> {
    let mut best: Option<Hit> = None;
    let mut consider = |hit: Hit| {
        if best.is_none_or(|b| hit.depth < b.depth) {
            best = Some(hit);
        }
    };
    for (index, p) in placed.iter().enumerate() {
        if p.part.instances == Instances::None {
            continue;
        }
        let clip_from_obj = screen.clip_from_world * p.world_from_obj;
        let scale = p.world_from_obj.x_axis.truncate().length();
        match p.part.batch.as_ref() {
            Batch::Points(points) => {
                for (i, point) in points.iter().enumerate() {
                    let clip = clip_from_obj * Vec3::from(point.position).extend(1.0);
                    let Some(at) = screen.screen_point(clip) else {
                        continue;
                    };
                    let r = screen
                        .radius_points(point.radius, scale, clip.w)
                        .max(TOLERANCE);
                    if at.distance_squared(pointer) <= r * r {
                        consider(Hit {
                            part: index,
                            instance: Some(i),
                            depth: clip.w,
                        });
                    }
                }
            }
            Batch::Segments(segments) => {
                for (s_index, s) in segments.iter().enumerate() {
                    let ca = clip_from_obj * Vec3::from(s.a).extend(1.0);
                    let cb = clip_from_obj * Vec3::from(s.b).extend(1.0);
                    let (Some(a), Some(b)) = (screen.screen_point(ca), screen.screen_point(cb))
                    else {
                        continue;
                    };
                    let ab = b - a;
                    let t = if ab.length_squared() > 0.0 {
                        ((pointer - a).dot(ab) / ab.length_squared()).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let w = ca.w + (cb.w - ca.w) * t;
                    let r = screen
                        .radius_points(s.radius_a.max(s.radius_b), scale, w)
                        .max(TOLERANCE);
                    if (a + ab * t).distance_squared(pointer) <= r * r {
                        let instance = match &p.part.instances {
                            Instances::Ranges(ranges) => {
                                ranges.iter().position(|r| r.contains(&(s_index as u32)))
                            }
                            Instances::PerPrimitive => Some(s_index),
                            _ => None,
                        };
                        consider(Hit {
                            part: index,
                            instance,
                            depth: w,
                        });
                    }
                }
            }
            Batch::Mesh {
                vertices, indices, ..
            } => {
                let Some(depth) = mesh_depth(screen, &clip_from_obj, vertices, indices, pointer)
                else {
                    continue;
                };
                consider(Hit {
                    part: index,
                    instance: None,
                    depth,
                });
            }
            Batch::DepthCloud(_) => {}
        }
    }
    best
}

/// The nearest depth of a triangle under `pointer`, tested in screen space.
fn mesh_depth(
    screen: &Screen,
    clip_from_obj: &Mat4,
    vertices: &[crate::renderer::MeshVertex],
    indices: &[u32],
    pointer: Vec2,
) -> Option<f32> {
    let mut best: Option<f32> = None;
    let project = |i: u32| -> Option<(Vec2, f32)> {
        let v = vertices.get(i as usize)?;
        let clip = *clip_from_obj * Vec3::from(v.position).extend(1.0);
        Some((screen.screen_point(clip)?, clip.w))
    };
    for t in indices.chunks_exact(3) {
        let (Some((a, wa)), Some((b, wb)), Some((c, wc))) =
            (project(t[0]), project(t[1]), project(t[2]))
        else {
            continue;
        };
        // Barycentric coordinates of the pointer in the projected triangle.
        let area = (b - a).perp_dot(c - a);
        if area.abs() < 1e-9 {
            continue;
        }
        let u = (c - b).perp_dot(pointer - b) / area;
        let v = (a - c).perp_dot(pointer - c) / area;
        let w = 1.0 - u - v;
        if u < 0.0 || v < 0.0 || w < 0.0 {
            continue;
        }
        // Perspective-correct depth: 1/w interpolates linearly on screen.
        let inv = u / wa + v / wb + w / wc;
        if inv <= 0.0 {
            continue;
        }
        let depth = 1.0 / inv;
        if best.is_none_or(|b| depth < b) {
            best = Some(depth);
        }
    }
    best
}
