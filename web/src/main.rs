//! Mounts the editor on the page Trunk builds from the root index.html (and nothing in a worker).

fn main() {
    // The code view's workers load this same module to call its exports: no page to mount.
    if web_sys::window().is_none() {
        return;
    }
    leptos::mount::mount_to_body(scenario_lab_web::App);
}
