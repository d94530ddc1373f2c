//! Docs effects: opening a site (locate, read, maybe clone or fetch),
//! rendering a page for a width, searching every entity's docs. Blocking
//! work, run by the runtime off the UI thread.

use std::sync::Arc;

use crate::docs::render::{layout, prepare};
use crate::docs::search::search_all;
use crate::docs::{OpenContext, open, page_text, workspace_remotes};

use crate::docs::OpenDocs;
use crate::docs::render::{DocTheme, Prepared};
use crate::index::Index;

use super::EffectContext;
use crate::tui::screens::docs::DocsMsg;

/// Work for a docs effect.
pub enum DocsEffect {
    /// Locate and read an entity's docs.
    Open {
        /// The index.
        index: Arc<Index>,
        /// The entity.
        entity: u32,
        /// The view's generation.
        generation: u64,
    },
    /// Render a page for a width.
    Render {
        /// The site.
        docs: Arc<OpenDocs>,
        /// The page.
        page: usize,
        /// The width.
        width: u16,
        /// Its prepared form, when known.
        prepared: Option<Arc<Prepared>>,
        /// The styles.
        theme: Box<DocTheme>,
        /// The view's generation.
        generation: u64,
    },
    /// Search every entity's local docs.
    Search {
        /// The index.
        index: Arc<Index>,
        /// What to find.
        term: String,
        /// The screen's generation.
        generation: u64,
    },
}

/// Most pages `:docs-search` lists.
const SEARCH_LIMIT: usize = 200;

/// Runs one docs effect.
pub fn perform(effect: DocsEffect, ctx: &EffectContext) -> DocsMsg {
    match effect {
        DocsEffect::Open { index, entity, generation } => {
            let remotes = workspace_remotes(&ctx.ws);
            let result = open(&index, entity, OpenContext { cache_dir: &ctx.ws.paths.cache_dir, remote: &remotes })
                .map(Arc::new)
                .map_err(|e| e.message);
            DocsMsg::Opened { generation, result }
        }
        DocsEffect::Render { docs, page, width, prepared, theme, generation } => {
            let result = match prepared {
                Some(p) => Ok(p),
                None => page_text(&docs.site, page).map(|text| Arc::new(prepare(&text))).map_err(|e| e.message),
            }
            .map(|prepared| {
                let rendered = Arc::new(layout(&prepared, width, &theme));
                (prepared, rendered)
            });
            DocsMsg::Rendered { generation, page, width, result }
        }
        DocsEffect::Search { index, term, generation } => {
            let hits = search_all(&index, &ctx.ws.paths.cache_dir, &term, SEARCH_LIMIT);
            DocsMsg::SearchDone { generation, hits }
        }
    }
}
