//! The final table: every measured number as one markdown row, appended
//! to a file that `scripts/bench.sh` prints at the end.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Rows of `| Measure | Value | Goal |`.
pub struct Summary {
    file: File,
}

impl Summary {
    pub fn append_to(path: &Path) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(Self { file })
    }

    /// A number without a goal.
    pub fn row(&mut self, measure: &str, value: &str) -> anyhow::Result<()> {
        self.goal_row(measure, value, "")
    }

    /// A number with the goal it is held to, e.g. `≤ 1.3× (met)`.
    pub fn goal_row(
        &mut self,
        measure: &str,
        value: &str,
        goal: &str,
    ) -> anyhow::Result<()> {
        writeln!(self.file, "| {measure} | {value} | {goal} |")
            .context("writing the summary")
    }
}

/// `≤ LIMIT` with whether `value` stays within it.
pub fn at_most(value: f64, limit: f64, shown: &str) -> String {
    format!("≤ {shown} ({})", verdict(value <= limit))
}

/// `≥ LIMIT` with whether `value` reaches it.
pub fn at_least(value: f64, limit: f64, shown: &str) -> String {
    format!("≥ {shown} ({})", verdict(value >= limit))
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}
