//! Scenario Lab's browser editor: Leptos CSR views over the core's preflight, talking only to the local proxy.

pub mod analysis;
pub mod app;
pub mod diagnostics_panel;
pub mod lifecycle_panel;
pub mod overview;
pub mod persistence;
pub mod proxy_client;
pub mod recipe_graph_view;
pub mod review;
pub mod state;
pub mod text_editor;

pub use app::{App, Editor};
