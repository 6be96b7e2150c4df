//! Mounts the editor on the page Trunk builds from the root index.html.

fn main() {
    leptos::mount::mount_to_body(scenario_lab_web::App);
}
