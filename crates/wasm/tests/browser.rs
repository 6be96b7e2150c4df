//! The wasm package's API in headless Chromium (`wasm-bindgen-test-runner` with chromedriver).
#![cfg(target_arch = "wasm32")]

mod shared;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn reference_example_has_no_errors() {
    shared::reference_example_has_no_errors();
}

#[wasm_bindgen_test]
fn broken_copy_reports_utf16_columns() {
    shared::broken_copy_reports_utf16_columns();
}

#[wasm_bindgen_test]
fn resolve_and_flatten() {
    shared::resolve_and_flatten();
}
