//! Where entities are in a 3D view's world, resolved at the cursor from the `Transform3D`,
//! `Pinhole`, `ViewCoordinates` and `DisconnectedSpace` components logged along their
//! paths.
//!
//! The rules:
//! - An entity's transform maps its space to its parent's: `T · R · S · M` (the 3×3 matrix
//!   first, then scale, rotation — quaternion, then axis-angle — and translation); with
//!   `TransformFromParent` it maps the other way and is inverted. Unset parts are identity.
//! - A view's world is its origin's space; an entity is placed by composing transforms
//!   from the origin down to it. Entities outside the origin's subtree, or below a
//!   `DisconnectedSpace` between the origin and them, are not placed.
//! - Below a `Pinhole` is the camera's image: its 2D entities are placed on the image
//!   plane, in pixels, through the pinhole's intrinsics and axis convention
//!   (`camera_xyz`, `RDF` by default).

use std::collections::HashMap;

use glam::{Mat3, Mat4, Quat, Vec3};
use reel_core::{Component, ComponentName, EntityPath};
use reel_store::{ChunkStore, LatestAtQuery};
use reel_types::components::{
    self as c, DisconnectedSpace, Mat3x3, PinholeProjection, Resolution, RotationAxisAngle,
    RotationQuat, Scale3D, TransformFromParent, Translation3D,
};

use crate::data::EntityData;

/// A pinhole camera as the view needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pinhole {
    /// Focal lengths in pixels.
    pub focal: [f32; 2],
    /// Principal point in pixels.
    pub principal: [f32; 2],
    /// Image size in pixels (from the resolution, else twice the principal point).
    pub resolution: [f32; 2],
    /// The camera's axes from RDF (x right, y down, z forward).
    pub code_from_rdf: Mat4,
}

impl Pinhole {
    /// The point at `depth` along the ray through pixel `uv`, in the camera entity's space.
    pub fn unproject(&self, uv: [f32; 2], depth: f32) -> Vec3 {
        let rdf = Vec3::new(
            (uv[0] - self.principal[0]) / self.focal[0] * depth,
            (uv[1] - self.principal[1]) / self.focal[1] * depth,
            depth,
        );
        self.code_from_rdf.transform_point3(rdf)
    }
}

/// Where an entity's data goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    /// 3D data, placed by this matrix.
    Space(Mat4),
    /// 2D data on the image plane of a camera placed by `world_from_camera`.
    ImagePlane {
        /// The camera entity's placement.
        world_from_camera: Mat4,
        /// The camera.
        pinhole: Pinhole,
    },
}

/// Placements of entities relative to one origin at one time, computed on demand and
/// remembered for the frame.
pub struct Transforms<'a> {
    store: &'a ChunkStore,
    query: LatestAtQuery,
    origin: EntityPath,
    placed: HashMap<EntityPath, Option<Placement>>,
}

/// The components that place an entity.
pub fn transform_components() -> Vec<ComponentName> {
    vec![
        Translation3D::name(),
        RotationQuat::name(),
        RotationAxisAngle::name(),
        Scale3D::name(),
        Mat3x3::name(),
        TransformFromParent::name(),
        DisconnectedSpace::name(),
        PinholeProjection::name(),
        Resolution::name(),
        c::ViewCoordinates::name(),
    ]
}

impl<'a> Transforms<'a> {
    /// Placements relative to `origin` at `query`.
    pub fn new(store: &'a ChunkStore, query: LatestAtQuery, origin: EntityPath) -> Self {
        Self {
            store,
            query,
            origin,
            placed: HashMap::new(),
        }
    }

    /// Where `entity`'s data goes, or `None` when it is not in the origin's space.
    pub fn placement(&mut self, entity: &EntityPath) -> Option<Placement> {
        if let Some(p) = self.placed.get(entity) {
            return *p;
        }
        let placement = self.compute(entity);
        self.placed.insert(entity.clone(), placement);
        placement
    }

    fn compute(&mut self, entity: &EntityPath) -> Option<Placement> {
        if entity == &self.origin {
            return Some(Placement::Space(Mat4::IDENTITY));
        }
        if !entity.starts_with(&self.origin) {
            return None;
        }
        let parent = entity.parent()?;
        let mut data =
            EntityData::query_components(self.store, &self.query, entity, &transform_components());
        if data.first::<DisconnectedSpace>().is_some_and(|d| d.0) {
            return None;
        }
        match self.placement(&parent)? {
            // Below a camera: the image plane, whatever is logged in between.
            plane @ Placement::ImagePlane { .. } => Some(plane),
            Placement::Space(world_from_parent) => {
                let world = world_from_parent * parent_from_entity(&mut data);
                match pinhole(&mut data) {
                    Some(pinhole) => Some(Placement::ImagePlane {
                        world_from_camera: world,
                        pinhole,
                    }),
                    None => Some(Placement::Space(world)),
                }
            }
        }
    }
}

/// The transform logged at an entity, as a matrix from its space to its parent's.
pub fn parent_from_entity(data: &mut EntityData) -> Mat4 {
    let translation = data
        .first::<Translation3D>()
        .map_or(Vec3::ZERO, |t| Vec3::from(t.0));
    let mut rotation = data
        .first::<RotationQuat>()
        .map_or(Quat::IDENTITY, |q| unit_quat(q.0));
    if let Some(aa) = data.first::<RotationAxisAngle>() {
        let axis = Vec3::from(aa.axis);
        if axis.length_squared() > 0.0 && aa.angle.is_finite() {
            rotation *= Quat::from_axis_angle(axis.normalize(), aa.angle);
        }
    }
    let scale = data
        .first::<Scale3D>()
        .map_or(Vec3::ONE, |s| Vec3::from(s.0));
    let matrix = data
        .first::<Mat3x3>()
        .map_or(Mat3::IDENTITY, |m| Mat3::from_cols_array(&m.0));
    let m = Mat4::from_scale_rotation_translation(scale, rotation, translation)
        * Mat4::from_mat3(matrix);
    let inverted = data.first::<TransformFromParent>().is_some_and(|f| f.0);
    if !m.is_finite() {
        return Mat4::IDENTITY;
    }
    if inverted {
        let det = m.determinant();
        if det.abs() > f32::EPSILON {
            return m.inverse();
        }
        return Mat4::IDENTITY;
    }
    m
}

/// A logged quaternion `[x, y, z, w]` normalized, or identity when it is zero or not
/// finite.
pub fn unit_quat(q: [f32; 4]) -> Quat {
    let q = Quat::from_array(q);
    if q.is_finite() && q.length_squared() > 0.0 {
        q.normalize()
    } else {
        Quat::IDENTITY
    }
}

/// The corner `k` (0..8) of a box around the origin with half sizes 1: bit 0 of `k` picks
/// +x, bit 1 +y, bit 2 +z.
pub fn box_corner(k: usize) -> Vec3 {
    let sign = |bit: usize| if k & bit == 0 { -1.0 } else { 1.0 };
    Vec3::new(sign(1), sign(2), sign(4))
}

/// The pinhole logged at an entity, if any (with usable focal lengths).
pub fn pinhole(data: &mut EntityData) -> Option<Pinhole> {
    let m = data.first::<PinholeProjection>()?.0;
    let focal = [m[0], m[4]];
    let principal = [m[6], m[7]];
    if !(focal[0].is_finite() && focal[1].is_finite() && focal[0] != 0.0 && focal[1] != 0.0) {
        return None;
    }
    let resolution = data
        .first::<Resolution>()
        .map_or([principal[0] * 2.0, principal[1] * 2.0], |r| r.0);
    let code = data
        .first::<c::ViewCoordinates>()
        .unwrap_or(c::ViewCoordinates([
            c::ViewCoordinates::RIGHT,
            c::ViewCoordinates::DOWN,
            c::ViewCoordinates::FORWARD,
        ]));
    Some(Pinhole {
        focal,
        principal,
        resolution,
        code_from_rdf: code_from_rdf(&code),
    })
}

/// The direction of a view-coordinates letter in RDF (x right, y down, z forward).
fn rdf_direction(d: u8) -> Vec3 {
    match d {
        c::ViewCoordinates::RIGHT => Vec3::X,
        c::ViewCoordinates::LEFT => Vec3::NEG_X,
        c::ViewCoordinates::DOWN => Vec3::Y,
        c::ViewCoordinates::UP => Vec3::NEG_Y,
        c::ViewCoordinates::FORWARD => Vec3::Z,
        _ => Vec3::NEG_Z,
    }
}

/// The matrix taking RDF coordinates to the coordinates of `code`.
pub fn code_from_rdf(code: &c::ViewCoordinates) -> Mat4 {
    // Row i of the matrix is the direction of axis i.
    let rows = code.0.map(rdf_direction);
    Mat4::from_mat3(Mat3::from_cols(rows[0], rows[1], rows[2]).transpose())
}

/// The up direction of a space with axes `code`, in that space's coordinates.
pub fn up_axis(code: &c::ViewCoordinates) -> Vec3 {
    code_from_rdf(code).transform_vector3(Vec3::NEG_Y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> c::ViewCoordinates {
        c::ViewCoordinates::from_str_code(s).expect("valid code")
    }

    #[test]
    fn up_axes_follow_the_code() {
        assert_eq!(up_axis(&code("RFU")), Vec3::Z);
        assert_eq!(up_axis(&code("RUB")), Vec3::Y);
        assert_eq!(up_axis(&code("RDF")), Vec3::NEG_Y);
        assert_eq!(up_axis(&code("FLU")), Vec3::Z);
    }

    #[test]
    fn unproject_uses_the_camera_convention() {
        let rdf = Pinhole {
            focal: [10.0, 10.0],
            principal: [5.0, 5.0],
            resolution: [10.0, 10.0],
            code_from_rdf: code_from_rdf(&code("RDF")),
        };
        assert_eq!(rdf.unproject([5.0, 5.0], 2.0), Vec3::new(0.0, 0.0, 2.0));
        assert_eq!(rdf.unproject([15.0, 5.0], 1.0), Vec3::new(1.0, 0.0, 1.0));
        // RUB: forward is -z, down is -y.
        let rub = Pinhole {
            code_from_rdf: code_from_rdf(&code("RUB")),
            ..rdf
        };
        assert_eq!(rub.unproject([5.0, 15.0], 1.0), Vec3::new(0.0, -1.0, -1.0));
    }
}
