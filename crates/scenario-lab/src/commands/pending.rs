//! `scenario-lab pending`: the runs of the pending ledger, kept ones and teardowns still owed
//! (scenario, run id, age, reason), never their refs tokens.

use super::CommandError;
use crate::cli::{PendingArgs, exit};
use crate::ledger::{Ledger, now_ms};
use crate::terminal::{eprint_safe, print_safe};
use std::fmt::Write;

/// "42 s", "7 min", "3 h", "2 d".
pub fn age(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86_400),
    }
}

/// Prints the ledger as a table.
pub fn run(args: &PendingArgs) -> Result<u8, CommandError> {
    let ledger = Ledger::for_workspace(&args.workspace.dir);
    let entries = match ledger.entries() {
        Ok(entries) => entries,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::USAGE);
        }
    };
    if entries.is_empty() {
        print_safe("no pending runs\n");
        return Ok(exit::OK);
    }
    let now = now_ms();
    let mut out = format!(
        "{:<16} {:<28} {:>7}  {:<6} reason\n",
        "scenario", "run id", "age", "owner"
    );
    for entry in &entries {
        let owner = match &entry.owner {
            Some(owner) if owner.is_alive() => format!("{}", owner.pid),
            Some(_) => "gone".to_owned(),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<16} {:<28} {:>7}  {:<6} {}",
            entry.scenario,
            entry.test_run_id,
            age(now.saturating_sub(entry.started_at_ms)),
            owner,
            entry.reason
        );
    }
    let _ = writeln!(
        out,
        "\n{} run(s); tear one down with `scenario-lab down --run ID`, all with `scenario-lab down --pending`",
        entries.len()
    );
    print_safe(&out);
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::age;

    #[test]
    fn ages_read_in_the_largest_unit() {
        assert_eq!(age(42_000), "42 s");
        assert_eq!(age(7 * 60_000), "7 min");
        assert_eq!(age(3 * 3_600_000), "3 h");
        assert_eq!(age(2 * 86_400_000), "2 d");
    }
}
