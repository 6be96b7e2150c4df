//! Scenario Lab's browser editor: Leptos CSR views over the core's preflight, talking only to the local proxy.
// Pixel geometry and browser clocks: counts become f64 coordinates and back, by design.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
// `EditorState` is a `Copy` handle of signals, passed by value like one.
#![allow(clippy::large_types_passed_by_value)]

pub mod analysis;
pub mod app;
pub mod code_view;
pub mod diagnostics_panel;
pub mod lifecycle_panel;
pub mod overview;
pub mod pack_code_view;
pub mod packs_panel;
pub mod persistence;
pub mod proxy_client;
pub mod recipe_graph_view;
pub mod review;
pub mod state;
pub mod tab_sync;
pub mod text_editor;
pub mod worker_api;

pub use app::{App, Editor};
