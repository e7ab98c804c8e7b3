//! The table's columns: their names in the URL, headers, widths, and the
//! sort field each one sorts by.

use crate::query::SortField;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Proto,
    Orig,
    Reply,
    Nat,
    State,
    Flags,
    Mark,
    Age,
    Timeout,
    Traffic,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Proto,
        Column::Orig,
        Column::Reply,
        Column::Nat,
        Column::State,
        Column::Flags,
        Column::Mark,
        Column::Age,
        Column::Timeout,
        Column::Traffic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Proto => "proto",
            Column::Orig => "orig",
            Column::Reply => "reply",
            Column::Nat => "nat",
            Column::State => "state",
            Column::Flags => "flags",
            Column::Mark => "mark",
            Column::Age => "age",
            Column::Timeout => "timeout",
            Column::Traffic => "traffic",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Column::Proto => "Proto",
            Column::Orig => "Original src → dst",
            Column::Reply => "Reply src → dst",
            Column::Nat => "NAT",
            Column::State => "State",
            Column::Flags => "Flags",
            Column::Mark => "Mark / zone",
            Column::Age => "Age",
            Column::Timeout => "Timeout",
            Column::Traffic => "Bytes / pkts",
        }
    }

    /// CSS grid track of the column.
    pub fn width(self) -> &'static str {
        match self {
            Column::Proto => "3.5rem",
            Column::Orig | Column::Reply => "minmax(16.5rem, 1.5fr)",
            Column::Nat => "minmax(10rem, 1.2fr)",
            Column::State => "6.5rem",
            Column::Flags => "minmax(5.5rem, 0.6fr)",
            Column::Mark => "5.5rem",
            Column::Age | Column::Timeout => "4.5rem",
            Column::Traffic => "7rem",
        }
    }

    pub fn sort_field(self) -> Option<SortField> {
        match self {
            Column::Proto => Some(SortField::Proto),
            Column::Orig => Some(SortField::Src),
            Column::Reply | Column::Flags => None,
            Column::Nat => Some(SortField::Nat),
            Column::State => Some(SortField::State),
            Column::Mark => Some(SortField::Mark),
            Column::Age => Some(SortField::Age),
            Column::Timeout => Some(SortField::Timeout),
            Column::Traffic => Some(SortField::Bytes),
        }
    }

    /// Comma-separated names; unknown names are skipped.
    pub fn parse_list(text: &str) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| text.split(',').any(|n| n == c.name()))
            .collect()
    }

    pub fn list(cols: &[Column]) -> String {
        cols.iter().map(|c| c.name()).collect::<Vec<_>>().join(",")
    }

    pub fn grid_template(cols: &[Column]) -> String {
        cols.iter().map(|c| c.width()).collect::<Vec<_>>().join(" ")
    }
}
