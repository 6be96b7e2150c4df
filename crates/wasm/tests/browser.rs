//! The wasm package's API in headless Chromium (`wasm-bindgen-test-runner` with chromedriver).
#![cfg(target_arch = "wasm32")]

mod shared;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
