//! The reel viewer: shows recordings live and later. One code base for the native window
//! and the browser; everything that needs threads, sockets or a window lives in
//! [`native`] (feature `native`).
//!
//! The store answers queries, views only draw query results, and panels and views ask the
//! app for changes through commands instead of reaching into each other's state.
//!
//! - [`app`]: [`ViewerApp`], the frame: menus, panels, views, per-recording UI state.
//! - [`context`]: what a panel or view is handed each frame, and what it hands back.
//! - [`time_control`]: the time cursor, playback and the time panel's window.
//! - [`heuristics`]: which views a recording gets by default.
//! - [`transforms`]: where entities are in a 3D view (transforms, cameras, spaces).
//! - [`renderer`]: the wgpu renderer behind the 3D view (draws GPU data only).
//! - [`views`]: 3D, 2D, time series, text log, tensor, bar chart, text document.
//! - [`panels`]: entity tree, selection, time panel.
//! - [`data`], [`imagery`], [`annotations`], [`colormap`]: reading components, turning
//!   images into pixels, class colors and labels, colormaps.
//! - [`sources`]: where data comes from and how far it got.
//! - [`save`], [`file_dialog`]: saving recordings, the built-in file dialog.

pub mod annotations;
pub mod app;
pub mod colormap;
pub mod context;
pub mod data;
pub mod file_dialog;
pub mod heuristics;
pub mod imagery;
#[cfg(feature = "native")]
pub mod native;
pub mod panels;
pub mod renderer;
pub mod save;
pub mod sources;
pub mod time_control;
pub mod transforms;
pub mod views;

pub use app::{AppOptions, ViewerApp};
