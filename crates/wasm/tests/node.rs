//! The wasm package's API under Node (`wasm-bindgen-test-runner`): the tests of `shared`.
#![cfg(target_arch = "wasm32")]

mod shared;
