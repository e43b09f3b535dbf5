//! Point clouds.

use crate::components::{
    ClassId, Color, DrawOrder, InstanceKey, KeypointId, Position2D, Position3D, Radius, Text,
};

use super::archetype;

archetype! {
    /// Points in 2D, with optional radii, colors, labels, class and keypoint ids.
    Points2D new {
        required positions: Position2D;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
        optional labels: Text => with_labels;
        optional draw_order: DrawOrder => with_draw_order;
        optional class_ids: ClassId => with_class_ids;
        optional keypoint_ids: KeypointId => with_keypoint_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

archetype! {
    /// Points in 3D, with optional radii, colors, labels, class and keypoint ids.
    Points3D new {
        required positions: Position3D;
        optional radii: Radius => with_radii;
        optional colors: Color => with_colors;
        optional labels: Text => with_labels;
        optional class_ids: ClassId => with_class_ids;
        optional keypoint_ids: KeypointId => with_keypoint_ids;
        optional instance_keys: InstanceKey => with_instance_keys;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_vectors_become_arrow_buffers_without_copying() {
        use reel_core::arrow_array::{Array, FixedSizeListArray};
        let positions = vec![Position3D([1.0, 2.0, 3.0]); 1000];
        let radii = vec![Radius(0.5); 1000];
        let (pos_ptr, radii_ptr) = (positions.as_ptr() as usize, radii.as_ptr() as usize);
        let p = Points3D::new(positions).with_radii(radii);
        let list = p
            .positions
            .array()
            .as_any()
            .downcast_ref::<FixedSizeListArray>()
            .expect("list");
        assert_eq!(
            list.values().to_data().buffers()[0].as_ptr() as usize,
            pos_ptr
        );
        let r = p.radii.as_ref().expect("radii").array().to_data();
        assert_eq!(r.buffers()[0].as_ptr() as usize, radii_ptr);
        assert_eq!(values::<Position3D>(&p)[999], Position3D([1.0, 2.0, 3.0]));
    }

    #[test]
    fn existing_arrow_arrays_are_used_without_copying() {
        use reel_core::arrow_array::{Array, ArrayRef, UInt32Array};
        let colors: ArrayRef = std::sync::Arc::new(UInt32Array::from(vec![0xff0000ff, 0x00ff00ff]));
        let mut p = Points3D::new([[0.0; 3], [1.0; 3]]);
        p.colors = Some(reel_core::ComponentBatch::new(Color::NAME, colors.clone()));
        let batches = p.as_component_batches();
        let logged = batches
            .iter()
            .find(|b| b.name().as_str() == Color::NAME)
            .expect("colors");
        assert!(
            std::sync::Arc::ptr_eq(logged.array(), &colors),
            "the same array, not a copy"
        );
        assert_eq!(logged.array().len(), 2);
    }
    use crate::archetypes::test_util::values;
    use reel_core::{AsComponents, Component};

    #[test]
    fn points_log_what_is_set_and_their_indicator() {
        let p = Points3D::new([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]).with_colors([[255u8, 0, 0]]);
        let names: Vec<String> = p
            .as_component_batches()
            .iter()
            .map(|b| b.name().to_string())
            .collect();
        assert_eq!(names, [Position3D::NAME, Color::NAME, Points3D::INDICATOR]);
        assert_eq!(values::<Position3D>(&p)[1], Position3D([3.0, 4.0, 5.0]));
        assert_eq!(values::<Color>(&p), [Color::from_rgb(255, 0, 0)]);

        let p2 = Points2D::new([[0.0, 1.0]])
            .with_radii([0.5])
            .with_labels(["a"])
            .with_draw_order([3.0])
            .with_class_ids([ClassId(2)])
            .with_keypoint_ids([KeypointId(1)])
            .with_instance_keys([InstanceKey(9)]);
        assert_eq!(p2.as_component_batches().len(), 8);
        assert_eq!(values::<Text>(&p2), [Text::from("a")]);
    }
}
