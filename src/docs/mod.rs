//! TechDocs in the terminal: find an entity's docs, read its MkDocs site
//! (nav, includes, pages), render Markdown pages to styled terminal text,
//! fetch built sites from a TechDocs backend, and search across docs.
//!
//! Layers: [`locate`] turns an entity into a place to read ([`Located`]);
//! [`mkdocs`] reads that place into a [`site::Site`] (pages in nav order);
//! [`render`] turns one page's Markdown into a [`render::Rendered`] for a
//! width (lines, headings, links); [`remote`] does the same for sites built
//! by a TechDocs backend; [`search`] finds pages by title and text.
//!
//! Everything read here is untrusted: text is sanitized before it is laid
//! out, paths never leave the source root, and nothing is executed.

pub mod html;
pub mod locate;
pub mod mkdocs;
pub mod open;
pub mod remote;
pub mod render;
pub mod search;
pub mod site;

use std::fmt;

pub use locate::{Located, locate};
pub use open::{OpenContext, OpenDocs, open, page_text, workspace_remotes};
pub use site::{NavNode, Page, Site};

/// What kind of failure a docs operation had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The entity has no TechDocs annotation (or it names nothing).
    NoDocs,
    /// The docs ref would read outside the repository or source root.
    Refused,
    /// Reading, cloning or fetching failed.
    Failed,
}

/// Why docs could not be found or read; the message says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsError {
    /// The kind of failure.
    pub kind: ErrorKind,
    /// A message for a person.
    pub message: String,
}

impl DocsError {
    /// The entity has no docs.
    pub fn no_docs(message: impl Into<String>) -> DocsError {
        DocsError { kind: ErrorKind::NoDocs, message: message.into() }
    }

    /// A path or ref was refused.
    pub fn refused(message: impl Into<String>) -> DocsError {
        DocsError { kind: ErrorKind::Refused, message: message.into() }
    }

    /// Something failed along the way.
    pub fn failed(message: impl Into<String>) -> DocsError {
        DocsError { kind: ErrorKind::Failed, message: message.into() }
    }
}

impl fmt::Display for DocsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DocsError {}

/// Whether an entity carries a TechDocs annotation (so a Docs tab makes sense).
pub fn has_docs(entity: &crate::model::Entity) -> bool {
    use crate::model::entity::{TECHDOCS_ENTITY, TECHDOCS_REF};
    [TECHDOCS_REF, TECHDOCS_ENTITY].iter().any(|k| entity.annotation(k).is_some_and(|v| !v.trim().is_empty()))
}
