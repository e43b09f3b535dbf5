//! The panels around the views, one module each.
//!
//! - [`entity_tree`]: the path hierarchy with visibility toggles (left).
//! - [`selection`]: the selected item's components at the cursor (right).
//! - [`time_panel`]: timeline, playback and density stripes (bottom).

pub mod entity_tree;
pub mod selection;
pub mod time_panel;
