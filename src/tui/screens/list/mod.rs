//! Tables: entity lists (by kind, starred, mine), and in their own files
//! the problems, health and sources tables. Keys in [`keys`], drawing in
//! [`view`].

pub mod health;
pub mod keys;
pub mod problems;
pub mod view;

use std::sync::Arc;

use crate::index::search::Hit;
use crate::index::{Index, SummaryRef};

use super::super::input::LineInput;
use super::selection::Selection;

/// What an entity list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// Every entity of a kind.
    Kind(String),
    /// Starred entities.
    Starred,
    /// What the configured identity owns, directly and through its groups.
    Mine(String),
    /// The configured identity's groups, direct and inherited.
    MyGroups(String),
}

/// Columns of entity tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `metadata.name`
    Name,
    /// Kind.
    Kind,
    /// Namespace.
    Namespace,
    /// Owner.
    Owner,
    /// `spec.type`
    Type,
    /// `spec.lifecycle`
    Lifecycle,
    /// Title or description.
    Title,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: [Column; 7] =
        [Column::Name, Column::Kind, Column::Namespace, Column::Owner, Column::Type, Column::Lifecycle, Column::Title];

    /// The header label.
    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::Kind => "KIND",
            Column::Namespace => "NAMESPACE",
            Column::Owner => "OWNER",
            Column::Type => "TYPE",
            Column::Lifecycle => "LIFECYCLE",
            Column::Title => "TITLE",
        }
    }

    /// The cell text for an entity.
    pub fn value<'a>(self, s: SummaryRef<'a>) -> &'a str {
        match self {
            Column::Name => s.name,
            Column::Kind => s.kind,
            Column::Namespace => s.namespace,
            Column::Owner => s.owner.map_or("", |o| {
                let r = o.split_once(':').map_or(o, |(_, r)| r);
                r.strip_prefix("default/").unwrap_or(r)
            }),
            Column::Type => s.spec_type.unwrap_or(""),
            Column::Lifecycle => s.lifecycle.unwrap_or(""),
            Column::Title => s.title.or(s.description).unwrap_or(""),
        }
    }
}

/// A table of entities (by kind, starred).
pub struct ListScreen {
    /// Title for the breadcrumb.
    pub title: String,
    /// What it lists.
    pub source: ListSource,
    /// Columns shown.
    pub columns: Vec<Column>,
    /// Every entity listed, before the filter.
    pub rows: Arc<Vec<Hit>>,
    /// Rows after the filter, sorted.
    pub shown: Vec<u32>,
    /// The `/` filter.
    pub filter: LineInput,
    /// Whether the filter has the keyboard.
    pub filtering: bool,
    /// Sort column (index into `columns`) and direction.
    pub sort: (usize, bool),
    /// The selection.
    pub sel: Selection,
    /// Generation of the filter search in flight.
    pub waiting: u64,
}

impl ListScreen {
    /// A list over `rows`.
    pub fn new(title: String, source: ListSource, rows: Vec<u32>, columns: Vec<Column>) -> ListScreen {
        let rows: Vec<Hit> = rows.into_iter().map(Hit::unranked).collect();
        let shown = rows.iter().map(|h| h.entity).collect();
        ListScreen {
            title,
            source,
            columns,
            rows: Arc::new(rows),
            shown,
            filter: LineInput::new("filter"),
            filtering: false,
            sort: (0, false),
            sel: Selection::default(),
            waiting: 0,
        }
    }

    /// Orders `shown` by the sort column (ties by ref, which is index order).
    pub fn sort_rows(&mut self, index: &Index) {
        let column = self.columns.get(self.sort.0).copied().unwrap_or(Column::Name);
        let reverse = self.sort.1;
        self.shown.sort_by(|&a, &b| {
            let (sa, sb) = (index.summary(a), index.summary(b));
            let ord = column.value(sa).to_lowercase().cmp(&column.value(sb).to_lowercase()).then(a.cmp(&b));
            if reverse { ord.reverse() } else { ord }
        });
    }

    /// The selected entity.
    pub fn selected(&self) -> Option<u32> {
        self.shown.get(self.sel.selected).copied()
    }
}
