//! The MCP server: tools (read-only, plus `scaffold` with
//! `--allow-writes`) and resources, over one [`Catalog`].

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};

use crate::index::Index;
use crate::workspace::Workspace;

use super::Catalog;
use super::catalog::{self, GraphArgs, HealthArgs, MembersArgs, OwnedByArgs, RefArgs, SearchArgs};
use super::checks::{self, ListTemplatesArgs, TemplateArgs, ValidateArgs};
use super::docs::{self, DocsPageArgs, DocsSearchArgs};
use super::reply::{Reply, into_result};
use super::{actions, resources, write};

const INSTRUCTIONS: &str = "stagehand's local copy of a Backstage software catalog, offline: \
search entities (facets such as kind:api owner:team-a), read one with its relations and problems, \
follow ownership (owners, owned_by, members), draw the relation graph, check catalog health, read \
TechDocs pages as Markdown, validate catalog YAML, and list Software Templates with their parameters. \
Refs are `name`, `kind:name` or `kind:namespace/name`. Long answers end with a nextOffset: call again \
with offset set to it.";

const WRITES: &str = "Writes are allowed: scaffold runs a template into a folder on this machine \
(a dry run showing the files unless dry_run is false), and run_action invokes a backend action \
(destructive ones only with yes: true).";

/// The stagehand MCP server.
#[derive(Clone)]
pub struct Server {
    catalog: Arc<Catalog>,
    allow_writes: bool,
    tool_router: ToolRouter<Server>,
}

impl Server {
    /// A server of `catalog`; `allow_writes` adds the tools that write files.
    pub fn new(catalog: Arc<Catalog>, allow_writes: bool) -> Server {
        let mut tool_router = Self::read_tools();
        if allow_writes {
            tool_router += Self::write_tools();
        }
        Server { catalog, allow_writes, tool_router }
    }

    /// Runs `job` off the async threads (docs may fetch, files are read)
    /// with the workspace only.
    async fn run_ws(
        &self,
        job: impl FnOnce(&Workspace) -> anyhow::Result<Reply> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        let catalog = self.catalog.clone();
        let result = tokio::task::spawn_blocking(move || job(&catalog.ws))
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        Ok(into_result(result))
    }

    /// Runs `job` off the async threads with the workspace and its index.
    async fn run(
        &self,
        job: impl FnOnce(&Workspace, &Index) -> anyhow::Result<Reply> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        let catalog = self.catalog.clone();
        self.run_ws(move |ws| job(ws, &*catalog.index()?)).await
    }
}

#[tool_router(router = read_tools)]
impl Server {
    /// Fuzzy search over the catalog, as `stagehand search`.
    #[tool(
        description = "Search the catalog (fuzzy, best first). Facets in the query narrow it: kind:api, owner:team-a, \
            lifecycle:production, tag:java, type:service, system:x, namespace:n; `!` negates (!tag:java).",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::SearchOut<'static>>()
    )]
    async fn search(&self, Parameters(args): Parameters<SearchArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::search(index, &args)).await
    }

    /// One entity, as `stagehand show`.
    #[tool(
        description = "One entity: its fields, the entity as stored, relations (dangling ones marked), problems \
            from the last sync and the source file:line it came from.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::EntityOut>()
    )]
    async fn get_entity(&self, Parameters(args): Parameters<RefArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::get_entity(index, &args)).await
    }

    /// The owner chain, as `stagehand owners`.
    #[tool(
        description = "Who owns an entity: its owner, then the owner's parent groups up to the root.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::OwnersOut>()
    )]
    async fn owners(&self, Parameters(args): Parameters<RefArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::owners(index, &args)).await
    }

    /// What a group or user owns, as `stagehand owned-by`.
    #[tool(
        description = "What a group or user owns; transitive adds what sub-groups own (for a group) or the user's \
            groups and their parents own.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::OwnedOut>()
    )]
    async fn owned_by(&self, Parameters(args): Parameters<OwnedByArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::owned_by(index, &args)).await
    }

    /// The members of a group, as `stagehand members`.
    #[tool(
        description = "The members of a group (of every sub-group too with transitive), with name and email.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::MembersOut>()
    )]
    async fn members(&self, Parameters(args): Parameters<MembersArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::members(index, &args)).await
    }

    /// The relation graph around an entity, as `stagehand graph`.
    #[tool(
        description = "The relation graph around an entity, as an indented tree (text) or a Mermaid flowchart; \
            filter by relation type (ownedBy, dependsOn, providesApi, ...) and node kind.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::GraphOut>()
    )]
    async fn graph(&self, Parameters(args): Parameters<GraphArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::graph(index, &args)).await
    }

    /// Catalog health, as `stagehand health`.
    #[tool(
        description = "Catalog health: entities without an existing owner, dangling refs, parent/children \
            mismatches, users in no group, APIs nobody provides, dependency cycles.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<catalog::HealthOut>()
    )]
    async fn health(&self, Parameters(args): Parameters<HealthArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| catalog::health(index, &args)).await
    }

    /// A TechDocs page as Markdown, as `stagehand docs`.
    #[tool(
        description = "An entity's TechDocs page as Markdown (the first page unless `page` names one by path, \
            title or number), with the list of its pages.",
        annotations(read_only_hint = true),
        output_schema = schema_for_output::<docs::DocsPageOut>()
    )]
    async fn docs_page(&self, Parameters(args): Parameters<DocsPageArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |ws, index| docs::docs_page(ws, index, &args)).await
    }

    /// Search across every entity's docs, as `stagehand docs-search`.
    #[tool(
        description = "Find TechDocs pages across every entity's local docs by title and text.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<docs::DocsSearchOut>()
    )]
    async fn docs_search(&self, Parameters(args): Parameters<DocsSearchArgs>) -> Result<CallToolResult, ErrorData> {
        self.run(move |ws, index| docs::docs_search(ws, index, &args)).await
    }

    /// Validate catalog YAML, as `stagehand validate`.
    #[tool(
        description = "Validate catalog YAML text (e.g. a catalog-info.yaml being written) against the entity \
            rules, as `stagehand validate`: problems with line and column.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<checks::ValidateOut>()
    )]
    async fn validate(&self, Parameters(args): Parameters<ValidateArgs>) -> Result<CallToolResult, ErrorData> {
        self.run_ws(move |_| checks::validate(&args)).await
    }

    /// The Software Templates, as `stagehand search kind:template`.
    #[tool(
        description = "The Software Templates in the catalog (optionally matching a query).",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<checks::TemplatesOut<'static>>()
    )]
    async fn list_templates(
        &self,
        Parameters(args): Parameters<ListTemplatesArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, index| checks::list_templates(index, &args)).await
    }

    /// A template's form, as `stagehand scaffold` asks it.
    #[tool(
        description = "A Software Template's parameters, page by page (key, widget, required, default, options), \
            its steps, and whether it can run on this machine.",
        annotations(read_only_hint = true, open_world_hint = false),
        output_schema = schema_for_output::<checks::TemplateOut>()
    )]
    async fn template_parameters(
        &self,
        Parameters(args): Parameters<TemplateArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run_ws(move |ws| checks::template_parameters(ws, &args)).await
    }
}

#[tool_router(router = write_tools)]
impl Server {
    /// Run a template locally, as `stagehand scaffold --output DIR`.
    #[tool(
        description = "Run a Software Template on this machine into output_dir, as `stagehand scaffold`. A dry run \
            (files and contents, nothing written) unless dry_run is false.",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false),
        output_schema = schema_for_output::<write::ScaffoldOut>()
    )]
    async fn scaffold(&self, Parameters(args): Parameters<write::ScaffoldArgs>) -> Result<CallToolResult, ErrorData> {
        self.run_ws(move |ws| write::scaffold(ws, &args)).await
    }

    /// Invoke a backend action through the actions registry, as `stagehand actions run`.
    #[tool(
        description = "Invoke an action of a backstage source's actions registry (ids as `stagehand actions list` \
            shows them, e.g. catalog:get-catalog-entity) with input checked against its schema first. Read-only \
            and write actions run; a destructive one is refused unless yes is true.",
        annotations(read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = true),
        output_schema = schema_for_output::<actions::RunActionOut>()
    )]
    async fn run_action(
        &self,
        Parameters(args): Parameters<actions::RunActionArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.run_ws(move |ws| actions::run_action(ws, &args)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("stagehand", env!("CARGO_PKG_VERSION")))
            .with_instructions(if self.allow_writes {
                format!("{INSTRUCTIONS} {WRITES}")
            } else {
                INSTRUCTIONS.to_string()
            })
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let catalog = self.catalog.clone();
        let cursor = request.and_then(|r| r.cursor);
        tokio::task::spawn_blocking(move || {
            let index = catalog.index().map_err(|e| ErrorData::internal_error(format!("{e:#}"), None))?;
            let (resources, next) = resources::list(&index, cursor.as_deref())?;
            Ok(ListResourcesResult { resources, next_cursor: next, ..Default::default() })
        })
        .await
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
    }

    async fn list_resource_templates(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult { resource_templates: resources::templates(), ..Default::default() })
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let catalog = self.catalog.clone();
        tokio::task::spawn_blocking(move || {
            let index = catalog.index().map_err(|e| ErrorData::internal_error(format!("{e:#}"), None))?;
            let contents = resources::read(&catalog.ws, &index, &request.uri)?;
            Ok(ReadResourceResult::new(vec![contents]).into())
        })
        .await
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
    }
}
