//! `stagehand mcp`: the local catalog, ownership graph, docs and templates
//! served to coding agents over the Model Context Protocol (stdio).
//!
//! Every tool answers with the library calls its CLI twin uses; text and
//! structured content are sanitized like terminal output and bounded in
//! size. Tools that write files exist only with `--allow-writes`.

mod actions;
mod catalog;
mod checks;
mod docs;
mod reply;
mod resources;
mod server;
mod write;

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rmcp::ServiceExt;

use crate::index::Index;
use crate::workspace::Workspace;

pub use server::Server;

/// The workspace and its index, loaded once and again after each sync.
pub struct Catalog {
    /// The workspace served.
    pub ws: Workspace,
    loaded: Mutex<Option<(Option<SystemTime>, Arc<Index>)>>,
}

impl Catalog {
    /// A catalog of `ws`; nothing is loaded yet.
    pub fn new(ws: Workspace) -> Catalog {
        Catalog { ws, loaded: Mutex::new(None) }
    }

    /// The index, as `stagehand` commands load it: reloaded when the index
    /// file changed since (a sync ran); the demo index is built once.
    pub fn index(&self) -> anyhow::Result<Arc<Index>> {
        let stamp = if self.ws.demo.is_some() {
            None
        } else {
            std::fs::metadata(self.ws.paths.index_file()).and_then(|m| m.modified()).ok()
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((when, index)) = loaded.as_ref()
            && (self.ws.demo.is_some() || (stamp.is_some() && *when == stamp))
        {
            return Ok(index.clone());
        }
        let index = Arc::new(self.ws.load_index()?);
        *loaded = Some((stamp, index.clone()));
        Ok(index)
    }
}

/// `stagehand mcp`: serves MCP on stdin/stdout until the client closes it.
/// Nothing else is written to stdout; notes go to stderr.
pub fn serve(ws: Workspace, allow_writes: bool) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let server = Server::new(Arc::new(Catalog::new(ws)), allow_writes);
        let running = server.serve(rmcp::transport::stdio()).await?;
        running.waiting().await?;
        anyhow::Ok(0)
    })
}
