//! The reference example workspace (`examples/autonoma/`), embedded for `scenario-lab demo`.

/// The example's files: (name, contents).
pub const EXAMPLE: [(&str, &str); 4] = [
    (
        "scenarios.md",
        include_str!("../../../examples/autonoma/scenarios.md"),
    ),
    (
        "entity-audit.md",
        include_str!("../../../examples/autonoma/entity-audit.md"),
    ),
    ("discover.json", DISCOVER),
    (
        "scenario-recipes.json",
        include_str!("../../../examples/autonoma/scenario-recipes.json"),
    ),
];

/// The example's `discover.json` (the demo endpoint's schema).
pub const DISCOVER: &str = include_str!("../../../examples/autonoma/discover.json");
