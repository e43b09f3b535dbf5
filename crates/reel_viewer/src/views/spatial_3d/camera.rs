//! The 3D view's eye: an orbit camera around a target (drag rotates, right- or
//! shift-drag pans, scroll zooms) or a first-person fly camera (drag looks around,
//! W/A/S/D/Q/E move, scroll moves forward). Both keep the same state, so switching modes
//! keeps the picture.

use glam::{Mat4, Vec2, Vec3};

use crate::renderer::CameraMatrices;

/// Vertical field of view.
const FOV_Y: f32 = 55.0 * std::f32::consts::PI / 180.0;
/// How close pitch may get to straight up or down.
const MAX_PITCH: f32 = 89.0 * std::f32::consts::PI / 180.0;

/// How the pointer moves the eye.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CameraMode {
    /// Rotate around a target.
    #[default]
    Orbit,
    /// Look around from where the eye is, move with the keyboard.
    Fly,
}

impl CameraMode {
    /// A short name for the menu.
    pub fn name(self) -> &'static str {
        match self {
            Self::Orbit => "orbit",
            Self::Fly => "fly",
        }
    }
}

/// Where the eye is and where it looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eye {
    /// The point orbited around (the eye looks at it).
    pub target: Vec3,
    /// From the target to the eye.
    pub distance: f32,
    /// Angle around the up axis.
    pub yaw: f32,
    /// Angle above the horizon.
    pub pitch: f32,
    /// The world's up axis.
    pub up: Vec3,
}

impl Eye {
    /// An eye that sees the box `min..max` whole, from a little above and to the side.
    pub fn fit(min: Vec3, max: Vec3, up: Vec3) -> Self {
        let center = (min + max) * 0.5;
        let radius = ((max - min).length() * 0.5).max(1e-3);
        Self {
            target: center,
            // The bounding sphere just fits the view's height.
            distance: radius / (FOV_Y * 0.5).sin(),
            yaw: -0.6,
            pitch: 0.5,
            up: up.try_normalize().unwrap_or(Vec3::Z),
        }
    }

    /// The unit vector from the target to the eye.
    fn back(&self) -> Vec3 {
        let (a, b) = horizontal_axes(self.up);
        let horizontal = a * self.yaw.cos() + b * self.yaw.sin();
        horizontal * self.pitch.cos() + self.up * self.pitch.sin()
    }

    /// The eye's position.
    pub fn position(&self) -> Vec3 {
        self.target + self.back() * self.distance
    }

    /// The camera's right, up and forward axes.
    pub fn axes(&self) -> (Vec3, Vec3, Vec3) {
        let forward = -self.back();
        let right = forward.cross(self.up).normalize_or_zero();
        let up = right.cross(forward);
        (right, up, forward)
    }

    /// The matrices for a viewport of `size` points.
    pub fn matrices(&self, size: Vec2) -> CameraMatrices {
        let aspect = (size.x / size.y.max(1.0)).max(1e-3);
        let eye = self.position();
        let (right, up, _) = self.axes();
        let view = Mat4::look_at_rh(eye, self.target, up);
        let near = (self.distance * 0.002).max(1e-6);
        let projection = Mat4::perspective_infinite_rh(FOV_Y, aspect, near);
        CameraMatrices {
            clip_from_world: projection * view,
            eye,
            right,
            up,
            y_scale: 1.0 / (FOV_Y * 0.5).tan(),
        }
    }

    /// Rotates by a pointer drag of `delta` points: around the target (orbit) or the eye
    /// (fly).
    pub fn rotate(&mut self, delta: Vec2, mode: CameraMode) {
        let eye = self.position();
        self.yaw -= delta.x * 0.008;
        self.pitch = (self.pitch + delta.y * 0.008).clamp(-MAX_PITCH, MAX_PITCH);
        if mode == CameraMode::Fly {
            self.target = eye - self.back() * self.distance;
        }
    }

    /// Moves target and eye together by a drag of `delta` points in a view `height`
    /// points tall: what is under the pointer stays under it (at the target's depth).
    pub fn pan(&mut self, delta: Vec2, height: f32) {
        let (right, up, _) = self.axes();
        let per_point = 2.0 * self.distance * (FOV_Y * 0.5).tan() / height.max(1.0);
        self.target += (-right * delta.x + up * delta.y) * per_point;
    }

    /// Zooms by `factor` (> 1 comes closer): toward the target (orbit) or moves forward
    /// (fly).
    pub fn zoom(&mut self, factor: f32, mode: CameraMode) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        match mode {
            CameraMode::Orbit => self.distance = (self.distance / factor).max(1e-5),
            CameraMode::Fly => {
                let (_, _, forward) = self.axes();
                self.target += forward * self.distance * (1.0 - 1.0 / factor);
            }
        }
    }

    /// Moves eye and target by `local` (right, up, forward) in units of the distance.
    pub fn translate(&mut self, local: Vec3) {
        let (right, up, forward) = self.axes();
        self.target += (right * local.x + up * local.y + forward * local.z) * self.distance;
    }
}

/// Two unit axes perpendicular to `up` (and to each other): the ground plane's.
pub fn horizontal_axes(up: Vec3) -> (Vec3, Vec3) {
    let reference = if up.x.abs() < 0.9 { Vec3::X } else { Vec3::Y };
    let a = (reference - up * reference.dot(up)).normalize_or_zero();
    (a, up.cross(a))
}

/// UI points per world unit at view depth 1 in a viewport `height` points tall.
pub fn focal_points(height: f32) -> f32 {
    height * 0.5 / (FOV_Y * 0.5).tan()
}

/// Where a world point lands in a viewport `rect` (and its clip depth), or `None` when it
/// is behind the eye.
pub fn project(clip_from_world: &Mat4, rect: egui::Rect, world: Vec3) -> Option<(egui::Pos2, f32)> {
    let clip = *clip_from_world * world.extend(1.0);
    if clip.w <= 1e-9 {
        return None;
    }
    let ndc = clip.truncate() / clip.w;
    let x = rect.left() + (ndc.x + 1.0) * 0.5 * rect.width();
    let y = rect.top() + (1.0 - ndc.y) * 0.5 * rect.height();
    Some((egui::pos2(x, y), ndc.z))
}

/// The ray (origin, unit direction) through `pointer` in a viewport `rect`.
pub fn ray(clip_from_world: &Mat4, rect: egui::Rect, pointer: egui::Pos2) -> Option<(Vec3, Vec3)> {
    let inverse = clip_from_world.inverse();
    let x = (pointer.x - rect.left()) / rect.width() * 2.0 - 1.0;
    let y = 1.0 - (pointer.y - rect.top()) / rect.height() * 2.0;
    // Depth 0 is the near plane, 1 infinitely far.
    let near = inverse.project_point3(Vec3::new(x, y, 0.0));
    let far = inverse.project_point3(Vec3::new(x, y, 0.5));
    let dir = (far - near).try_normalize()?;
    near.is_finite().then_some((near, dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_sees_the_box_and_orbit_keeps_the_target() {
        let mut eye = Eye::fit(Vec3::splat(-1.0), Vec3::splat(1.0), Vec3::Z);
        assert_eq!(eye.target, Vec3::ZERO);
        let m = eye.matrices(Vec2::new(400.0, 300.0));
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(400.0, 300.0));
        let (center, _) = project(&m.clip_from_world, rect, Vec3::ZERO).expect("in front");
        assert!((center - rect.center()).length() < 1e-3);
        for corner in [Vec3::splat(-1.0), Vec3::splat(1.0)] {
            let (p, _) = project(&m.clip_from_world, rect, corner).expect("in front");
            assert!(rect.contains(p), "{p:?}");
        }
        eye.rotate(Vec2::new(100.0, 30.0), CameraMode::Orbit);
        assert_eq!(eye.target, Vec3::ZERO);
        let before = eye.position();
        eye.rotate(Vec2::new(50.0, 0.0), CameraMode::Fly);
        assert!((eye.position() - before).length() < 1e-4);
    }

    #[test]
    fn ray_through_the_center_hits_the_target() {
        let eye = Eye::fit(Vec3::splat(-1.0), Vec3::splat(1.0), Vec3::Y);
        let m = eye.matrices(Vec2::new(200.0, 200.0));
        let rect = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(200.0, 200.0));
        let (origin, dir) = ray(&m.clip_from_world, rect, rect.center()).expect("ray");
        let to_target = (eye.target - origin).normalize();
        assert!(dir.dot(to_target) > 0.9999);
    }
}
