//! Spatial relations: view coordinates, pinhole cameras, transform direction, and flags.

use reel_core::arrow_array::{Float32Array, UInt8Array};
use reel_core::arrow_schema::DataType;

use crate::ValidationError;

fixed_list_component!(
    /// What the x, y and z axes of a space mean, as three direction codes
    /// (see [`ViewCoordinates::from_str_code`]).
    ViewCoordinates([u8; 3]), UInt8Array, DataType::UInt8
);
fixed_list_component!(
    /// A pinhole camera's intrinsics: the 3×3 matrix from camera space to image pixels,
    /// column-major.
    PinholeProjection([f32; 9]), Float32Array, DataType::Float32
);
fixed_list_component!(
    /// Width and height of an image, in pixels.
    Resolution([f32; 2]), Float32Array, DataType::Float32
);
bool_component!(
    /// Whether a transform maps the parent space into the child (true) or the child into
    /// the parent (false, the default).
    TransformFromParent
);
bool_component!(
    /// Cuts the transform chain: the entity's space is unrelated to its parent's.
    DisconnectedSpace
);
bool_component!(
    /// Whether a clear also clears every entity below.
    ClearIsRecursive
);

impl ViewCoordinates {
    /// Direction code: up.
    pub const UP: u8 = 1;
    /// Direction code: down.
    pub const DOWN: u8 = 2;
    /// Direction code: right.
    pub const RIGHT: u8 = 3;
    /// Direction code: left.
    pub const LEFT: u8 = 4;
    /// Direction code: forward.
    pub const FORWARD: u8 = 5;
    /// Direction code: back.
    pub const BACK: u8 = 6;

    /// Parses a code like `"RDF"` (x right, y down, z forward): one of `U D R L F B` per
    /// axis, each direction pair used once.
    pub fn from_str_code(code: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::ViewCoordinates(code.to_owned());
        let letters: Vec<char> = code.trim().chars().collect();
        if letters.len() != 3 {
            return Err(bad());
        }
        let mut out = [0u8; 3];
        for (slot, c) in out.iter_mut().zip(letters) {
            *slot = match c.to_ascii_uppercase() {
                'U' => Self::UP,
                'D' => Self::DOWN,
                'R' => Self::RIGHT,
                'L' => Self::LEFT,
                'F' => Self::FORWARD,
                'B' => Self::BACK,
                _ => return Err(bad()),
            };
        }
        let axis = |d: u8| (d - 1) / 2;
        if axis(out[0]) == axis(out[1])
            || axis(out[1]) == axis(out[2])
            || axis(out[0]) == axis(out[2])
        {
            return Err(bad());
        }
        Ok(Self(out))
    }

    /// The code as letters, e.g. `"RDF"`.
    pub fn to_str_code(&self) -> String {
        self.0
            .iter()
            .map(|d| match *d {
                Self::UP => 'U',
                Self::DOWN => 'D',
                Self::RIGHT => 'R',
                Self::LEFT => 'L',
                Self::FORWARD => 'F',
                Self::BACK => 'B',
                _ => '?',
            })
            .collect()
    }

    /// Whether the axes form a right-handed system.
    pub fn is_right_handed(&self) -> bool {
        let v = |d: u8| -> [i32; 3] {
            match d {
                Self::RIGHT => [1, 0, 0],
                Self::LEFT => [-1, 0, 0],
                Self::UP => [0, 1, 0],
                Self::DOWN => [0, -1, 0],
                Self::BACK => [0, 0, 1],
                _ => [0, 0, -1],
            }
        };
        let (x, y, z) = (v(self.0[0]), v(self.0[1]), v(self.0[2]));
        let cross = [
            x[1] * y[2] - x[2] * y[1],
            x[2] * y[0] - x[0] * y[2],
            x[0] * y[1] - x[1] * y[0],
        ];
        cross == z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn spatial_round_trips() {
        round_trip(vec![ViewCoordinates::from_str_code("RDF").expect("valid")]);
        round_trip(vec![PinholeProjection([1.0; 9])]);
        round_trip(vec![Resolution([640.0, 480.0])]);
        round_trip(vec![TransformFromParent(true)]);
        round_trip(vec![DisconnectedSpace(true)]);
        round_trip(vec![ClearIsRecursive(false), ClearIsRecursive(true)]);
    }

    #[test]
    fn view_coordinate_codes() {
        let rdf = ViewCoordinates::from_str_code("rdf").expect("valid");
        assert_eq!(rdf.to_str_code(), "RDF");
        assert!(rdf.is_right_handed());
        assert!(ViewCoordinates::from_str_code("RUB")
            .expect("valid")
            .is_right_handed());
        assert!(!ViewCoordinates::from_str_code("LUB")
            .expect("valid")
            .is_right_handed());
        for bad in ["", "RD", "RRF", "RLF", "XYZ", "RDFU"] {
            assert!(ViewCoordinates::from_str_code(bad).is_err(), "{bad}");
        }
    }
}
