//! `entity-audit.md` against discover: every independently created model has a factory.

use super::{Context, RecipeUnderCheck};
use crate::diagnostic::{Code, Diagnostic, FileKind};

/// Audit coverage: every independently created model has a factory in discover.
pub fn check(
    context: &Context<'_>,
    _recipes: &[RecipeUnderCheck<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (Some(audit), Some(discover)) = (context.audit, context.discover) else {
        return;
    };
    for model in &audit.models {
        if model.independently_created != Some(true) || discover.model(&model.name).is_some() {
            continue;
        }
        let via = match (&model.creation_function, &model.creation_file) {
            (Some(function), Some(file)) => format!(" that calls `{function}` from `{file}`"),
            _ => String::new(),
        };
        diagnostics.push(
            Diagnostic::error(
                Code::AUDIT_MODEL_MISSING_IN_DISCOVER,
                FileKind::EntityAudit,
                model.name_span,
                format!(
                    "`{}` is independently created but discover has no factory for it",
                    model.name
                ),
            )
            .with_help(format!(
                "register a factory for `{}`{via}, then re-run `scenario-lab discover`",
                model.name
            )),
        );
    }
}
