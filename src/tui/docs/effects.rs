//! Docs effects: opening a site (locate, read, maybe clone or fetch),
//! rendering a page for a width, searching every entity's docs. Blocking
//! work, run by the runtime off the UI thread.

use std::sync::Arc;

use crate::docs::render::{layout, prepare};
use crate::docs::search::search_all;
use crate::docs::{OpenContext, open, page_text, workspace_remotes};

use super::super::effects::EffectContext;
use super::{DocsEffect, DocsMsg};

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
