//! Identifiers that link instances to annotation classes, keypoints and each other.

use reel_core::arrow_array::{UInt16Array, UInt64Array};
use reel_core::arrow_schema::DataType;

primitive_component!(
    /// The class of an instance; looked up in the entity's annotation context.
    ClassId(u16), UInt16Array, DataType::UInt16
);
primitive_component!(
    /// The keypoint of an instance within its class (skeletons).
    KeypointId(u16), UInt16Array, DataType::UInt16
);
primitive_component!(
    /// A stable id of an instance across rows (the reference's `identifiers`).
    InstanceKey(u64), UInt64Array, DataType::UInt64
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::test_util::round_trip;

    #[test]
    fn ids_round_trip() {
        round_trip(vec![ClassId(1), ClassId(65535)]);
        round_trip(vec![KeypointId(0), KeypointId(17)]);
        round_trip(vec![InstanceKey(0), InstanceKey(u64::MAX)]);
    }
}
