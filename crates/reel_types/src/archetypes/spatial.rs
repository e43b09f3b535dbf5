//! How spaces relate: transforms, cameras, axis conventions, annotation contexts, clears.

use crate::components::{
    self, ClassDescription, ClearIsRecursive, Mat3x3, PinholeProjection, Resolution,
    RotationAxisAngle, RotationQuat, Scale3D, TransformFromParent, Translation3D,
};
use crate::ValidationError;

use super::{archetype, batch1};

archetype! {
    /// A transform from this entity's space to its parent's (or the reverse with
    /// [`Transform3D::from_parent`]): any of translation, rotation (quaternion or
    /// axis-angle), scale and a 3×3 matrix; unset parts are identity.
    Transform3D {
        optional translation: Translation3D => with_translations;
        optional rotation_quat: RotationQuat => with_rotation_quats;
        optional rotation_axis_angle: RotationAxisAngle => with_rotation_axis_angles;
        optional scale: Scale3D => with_scales;
        optional mat3x3: Mat3x3 => with_mat3x3s;
        optional relation: TransformFromParent => with_relations;
    }
}

/// A rotation in 3D, either way of writing it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rotation3D {
    /// A unit quaternion `[x, y, z, w]`.
    Quaternion([f32; 4]),
    /// An angle in radians about an axis.
    AxisAngle {
        /// The axis.
        axis: [f32; 3],
        /// The angle in radians.
        angle: f32,
    },
}

impl Transform3D {
    /// The identity transform.
    pub fn identity() -> Self {
        Self::from_required()
    }

    /// A translation.
    pub fn from_translation(t: [f32; 3]) -> Self {
        Self::identity().with_translations([t])
    }

    /// A rotation.
    pub fn from_rotation(r: Rotation3D) -> Self {
        Self::identity().with_rotation(r)
    }

    /// A per-axis scale.
    pub fn from_scale(s: [f32; 3]) -> Self {
        Self::identity().with_scales([s])
    }

    /// A 3×3 matrix (rotation, scale, shear).
    pub fn from_mat3x3(m: Mat3x3) -> Self {
        Self::identity().with_mat3x3s([m])
    }

    /// A translation then a 3×3 matrix.
    pub fn from_translation_mat3x3(t: [f32; 3], m: Mat3x3) -> Self {
        Self::from_translation(t).with_mat3x3s([m])
    }

    /// Translation, rotation and scale.
    pub fn from_translation_rotation_scale(t: [f32; 3], r: Rotation3D, s: [f32; 3]) -> Self {
        Self::from_translation(t).with_rotation(r).with_scales([s])
    }

    /// Sets the rotation.
    pub fn with_rotation(self, r: Rotation3D) -> Self {
        match r {
            Rotation3D::Quaternion(q) => self.with_rotation_quats([q]),
            Rotation3D::AxisAngle { axis, angle } => {
                self.with_rotation_axis_angles([RotationAxisAngle { axis, angle }])
            }
        }
    }

    /// Marks the transform as mapping the parent's space into this entity's.
    pub fn from_parent(self) -> Self {
        self.with_relations([true])
    }
}

archetype! {
    /// A pinhole camera: intrinsics, and optionally the image resolution and the camera's
    /// axis convention (default `RDF`: x right, y down, z forward).
    Pinhole new {
        required image_from_camera: PinholeProjection;
        optional resolution: Resolution => with_resolutions;
        optional camera_xyz: components::ViewCoordinates => with_camera_xyzs;
    }
}

impl Pinhole {
    /// A camera from focal lengths and principal point, in pixels.
    pub fn from_focal_length(focal_px: [f32; 2], principal_point_px: [f32; 2]) -> Self {
        let [fx, fy] = focal_px;
        let [cx, cy] = principal_point_px;
        let m = Mat3x3::from_rows([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]]);
        Self::new([PinholeProjection(m.0)])
    }

    /// A camera from focal lengths and resolution, with the principal point at the center.
    pub fn from_focal_length_and_resolution(focal_px: [f32; 2], resolution: [f32; 2]) -> Self {
        Self::from_focal_length(focal_px, [resolution[0] / 2.0, resolution[1] / 2.0])
            .with_resolutions([resolution])
    }

    /// Checks that the focal lengths are finite and non-zero.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let m = self
            .image_from_camera
            .to_component::<PinholeProjection>()
            .map_err(|e| ValidationError::Shape(e.to_string()))?;
        for (index, p) in m.iter().enumerate() {
            if !p.0.iter().all(|v| v.is_finite()) {
                return Err(ValidationError::NonFinite {
                    what: "pinhole projection",
                    index,
                });
            }
            if p.0[0] == 0.0 || p.0[4] == 0.0 {
                return Err(ValidationError::Shape(
                    "pinhole focal length must not be zero".into(),
                ));
            }
        }
        Ok(())
    }
}

archetype! {
    /// The meaning of this space's axes, e.g. `RUB` (x right, y up, z back).
    ViewCoordinates {
        required xyz: components::ViewCoordinates;
    }
}

impl ViewCoordinates {
    /// From a code like `"RDF"`.
    pub fn from_code(code: &str) -> Result<Self, ValidationError> {
        Ok(Self::from_required(batch1::<components::ViewCoordinates>(
            components::ViewCoordinates::from_str_code(code)?,
        )))
    }
}

archetype! {
    /// Cuts this entity's space off from its parent's.
    DisconnectedSpace {
        required disconnected: components::DisconnectedSpace;
    }
}

impl DisconnectedSpace {
    /// A disconnected space.
    pub fn new() -> Self {
        Self::from_required(batch1::<components::DisconnectedSpace>(
            components::DisconnectedSpace(true),
        ))
    }
}

impl Default for DisconnectedSpace {
    fn default() -> Self {
        Self::new()
    }
}

archetype! {
    /// What class ids and keypoint ids mean at this entity and below.
    AnnotationContext new {
        required class_descriptions: ClassDescription;
    }
}

archetype! {
    /// Clears this entity's data from this time on (and, if recursive, its children's).
    Clear {
        required is_recursive: ClearIsRecursive;
    }
}

impl Clear {
    /// A clear, recursive or not.
    pub fn new(recursive: bool) -> Self {
        Self::from_required(batch1::<ClearIsRecursive>(ClearIsRecursive(recursive)))
    }

    /// Clears only this entity.
    pub fn flat() -> Self {
        Self::new(false)
    }

    /// Clears this entity and all below it.
    pub fn recursive() -> Self {
        Self::new(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archetypes::test_util::values;
    use crate::components::AnnotationInfo;
    use reel_core::AsComponents;

    #[test]
    fn transforms() {
        assert_eq!(
            Transform3D::identity().as_component_batches().len(),
            1,
            "just the indicator"
        );
        let t = Transform3D::from_translation_rotation_scale(
            [1.0, 2.0, 3.0],
            Rotation3D::AxisAngle {
                axis: [0.0, 0.0, 1.0],
                angle: 0.5,
            },
            [2.0; 3],
        )
        .from_parent();
        assert_eq!(
            values::<Translation3D>(&t),
            [Translation3D([1.0, 2.0, 3.0])]
        );
        assert_eq!(values::<RotationAxisAngle>(&t)[0].angle, 0.5);
        assert_eq!(
            values::<TransformFromParent>(&t),
            [TransformFromParent(true)]
        );
        let m = Transform3D::from_translation_mat3x3([0.0; 3], Mat3x3::IDENTITY);
        assert_eq!(values::<Mat3x3>(&m), [Mat3x3::IDENTITY]);
        let q = Transform3D::from_rotation(Rotation3D::Quaternion([0.0, 0.0, 0.0, 1.0]));
        assert_eq!(values::<RotationQuat>(&q), [RotationQuat::IDENTITY]);
    }

    #[test]
    fn cameras_and_conventions() {
        let p = Pinhole::from_focal_length_and_resolution([500.0, 400.0], [640.0, 480.0]);
        let m = Mat3x3(values::<PinholeProjection>(&p)[0].0);
        assert_eq!(
            (m.get(0, 0), m.get(1, 1), m.get(0, 2), m.get(1, 2)),
            (500.0, 400.0, 320.0, 240.0)
        );
        p.validate().expect("valid");
        assert!(Pinhole::from_focal_length([0.0, 1.0], [0.0, 0.0])
            .validate()
            .is_err());
        assert!(Pinhole::from_focal_length([f32::NAN, 1.0], [0.0, 0.0])
            .validate()
            .is_err());
        assert!(ViewCoordinates::from_code("RDF").is_ok());
        assert!(ViewCoordinates::from_code("RRR").is_err());
        assert!(values::<components::DisconnectedSpace>(&DisconnectedSpace::new())[0].0);
        assert_eq!(
            values::<ClearIsRecursive>(&Clear::recursive()),
            [ClearIsRecursive(true)]
        );
        let ctx = AnnotationContext::new([AnnotationInfo::new(1, "car")]);
        assert_eq!(
            values::<ClassDescription>(&ctx)[0].info.label.as_deref(),
            Some("car")
        );
    }
}
