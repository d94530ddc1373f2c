//! The `backstage` source: mirror a remote Backstage catalog through
//! `/api/catalog/entities/by-query` cursor pages. A first sync fetches every
//! entity; later ones fetch only uids and etags (asking with the listing's
//! ETag, so an unchanged catalog answers 304), then the new or changed
//! entities by uid, keeping the unchanged ones from the previous index.
//! Each page's entities are checked and made compact as the page arrives,
//! so a sync holds one page of entity trees at a time.

pub mod client;
mod light;
mod pages;

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::config::RemoteConfig;
use crate::model::{Entity, Problem, sanitize, validation};

use super::fanout::Compacted;
use super::{Progress, ReadEntity, SourceOutput};
use client::Client;
use pages::{Query, value_page, walk_each};

/// The catalog API under the base URL.
pub const CATALOG: &str = "/api/catalog";

/// Uids per `/entities/by-query` request fetching changed entities (each
/// uid is one `filter` parameter of about 60 bytes in the URL).
pub const BY_UID_BATCH: usize = 100;

/// What the previous index knows of this source: uid → etag.
pub type Known<'a> = HashMap<&'a str, &'a str>;

/// Reads a remote catalog. `known` (from the previous index) turns on the
/// incremental sync, and `listing` (the validator of the listing `known`
/// matches) lets it ask whether anything changed at all; `full` forces a
/// full sync.
pub fn read(
    config: &RemoteConfig,
    known: Option<&Known>,
    listing: Option<&str>,
    full: bool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SourceOutput, String> {
    read_into(config, known, listing, full, progress, &|read| read)
}

/// [`read`], each page's entities made `compact` as the page arrives
/// (before the next page is asked for).
pub fn read_into<E: Compacted>(
    config: &RemoteConfig,
    known: Option<&Known>,
    listing: Option<&str>,
    full: bool,
    progress: &(dyn Fn(Progress) + Sync),
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
) -> Result<SourceOutput<E>, String> {
    let client = Client::new(config)?;
    let mut out = match known {
        Some(known) if !full && !known.is_empty() => incremental(&client, config, known, listing, progress, compact)?,
        _ => everything(&client, config, progress, compact)?,
    };
    out.problems.extend(client::token_file_warning(&config.token).map(Problem::warning));
    Ok(out)
}

/// Adds one page of entities (already checked by [`output`]) to `out`,
/// made `compact`.
fn absorb<E: Compacted>(out: &mut SourceOutput<E>, page: SourceOutput, compact: &(dyn Fn(ReadEntity) -> E + Sync)) {
    let page = page.compacted(compact);
    out.entities.extend(page.entities);
    out.problems.extend(page.problems);
}

/// An entity's uid and etag, when it has both.
fn stamp_of(entity: &Entity) -> Option<(&str, &str)> {
    let meta = entity.metadata();
    Some((meta.get("uid")?.as_str()?, meta.get("etag")?.as_str()?))
}

/// Fetches every entity, with the validator the server would give their
/// uid/etag listing when it fits one page and every entity has both.
fn everything<E: Compacted>(
    client: &Client,
    config: &RemoteConfig,
    progress: &(dyn Fn(Progress) + Sync),
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
) -> Result<SourceOutput<E>, String> {
    let query = Query { filters: &config.filters, limit: config.page_size, fields: None };
    let one_page = light_query(config).limit;
    let mut out = SourceOutput::default();
    let mut listed = 0;
    // Every entity's stamp while the listing can still fit one light page.
    let mut stamps: Option<Vec<(String, String)>> = Some(Vec::new());
    walk_each(client, &query, value_page, progress, |items| {
        listed += items.len();
        let page = output(items, Vec::new());
        if listed > one_page {
            stamps = None;
        }
        for read in &page.entities {
            let stamp = stamp_of(&read.entity).map(|(uid, etag)| (uid.to_string(), etag.to_string()));
            stamps = stamps.take().and_then(|mut all| {
                all.push(stamp?);
                Some(all)
            });
        }
        absorb(&mut out, page, compact);
        Ok(())
    })?;
    out.listing = stamps
        .filter(|s| s.len() == listed)
        .map(|s| light::expected_validator(s.iter().map(|(uid, etag)| (uid.as_str(), etag.as_str())).collect()));
    Ok(out)
}

/// The light pass's query.
fn light_query(config: &RemoteConfig) -> Query<'_> {
    Query { filters: &config.filters, limit: light::PAGE_SIZE.max(config.page_size), fields: Some(light::FIELDS) }
}

fn canonical_of(item: &Value) -> Option<String> {
    let kind = item["kind"].as_str()?;
    let name = item["metadata"]["name"].as_str()?;
    let ns = item["metadata"]["namespace"].as_str().unwrap_or("default");
    Some(crate::model::EntityRef::new(kind, ns, name).canonical())
}

/// Lists every entity's uid and etag, then fetches by uid those that are
/// new or whose etag changed; the others are kept from the previous index.
/// When the listing is still the one `listing` names, every entity is kept.
fn incremental<E: Compacted>(
    client: &Client,
    config: &RemoteConfig,
    known: &Known,
    listing: Option<&str>,
    progress: &(dyn Fn(Progress) + Sync),
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
) -> Result<SourceOutput<E>, String> {
    let (stamps, validator) = match light::list(client, &light_query(config), listing, progress)? {
        light::Listing::Unchanged => {
            progress(Progress { done: known.len(), total: Some(known.len()), unit: "entities" });
            let kept = known.keys().map(|uid| uid.to_string()).collect();
            return Ok(SourceOutput { kept, listing: listing.map(String::from), ..SourceOutput::default() });
        }
        light::Listing::Stamps(stamps, validator) => (stamps, validator),
    };
    let listed = stamps.len();
    let all_stamped = stamps.iter().all(|s| s.uid.is_some() && s.etag.is_some());
    let mut kept = Vec::new();
    let mut changed = HashMap::new();
    for light::Stamp { uid, etag } in stamps {
        // Without a uid it cannot be fetched on its own; the full sync
        // reads it.
        let Some(uid) = uid else { continue };
        match etag {
            Some(e) if known.get(uid.as_str()).is_some_and(|k| *k == e) => kept.push(uid),
            _ => {
                changed.insert(uid, etag);
            }
        }
    }
    let uids: Vec<&str> = changed.keys().map(String::as_str).collect();
    let mut out = SourceOutput { kept, ..SourceOutput::default() };
    // The validator stands for this listing; keep it only when the entities
    // read are exactly the listed ones (none changed again or vanished
    // between the passes, none unreadable).
    let (mut fetched, mut read_as_listed) = (0, true);
    for batch in uids.chunks(BY_UID_BATCH) {
        let filters = uid_filters(&config.filters, batch);
        let query = Query { filters: &filters, limit: config.page_size, fields: None };
        // Missing: deleted between the two passes; it is simply gone.
        walk_each(client, &query, value_page, &|_| {}, |items| {
            let page = output(items, Vec::new());
            fetched += page.entities.len();
            read_as_listed &= page.entities.iter().all(|e| {
                let meta = e.entity.metadata();
                let (uid, etag) = (meta.get("uid").and_then(Value::as_str), meta.get("etag").and_then(Value::as_str));
                uid.and_then(|u| changed.get(u)).is_some_and(|listed| listed.as_deref() == etag)
            });
            absorb(&mut out, page, compact);
            Ok(())
        })?;
        progress(Progress { done: out.kept.len() + fetched, total: Some(listed), unit: "entities" });
    }
    let as_listed = all_stamped && fetched == changed.len() && read_as_listed;
    out.listing = validator.filter(|_| as_listed);
    Ok(out)
}

/// The `filter` parameters that select `uids` within the configured
/// filters: the backend ORs `filter` parameters and ANDs the conditions of
/// one, so each configured filter gets each uid.
fn uid_filters(configured: &[String], uids: &[&str]) -> Vec<String> {
    uids.iter()
        .flat_map(|uid| {
            let only_uid = configured.is_empty().then(|| format!("metadata.uid={uid}"));
            let within = configured.iter().map(move |f| format!("{f},metadata.uid={uid}"));
            only_uid.into_iter().chain(within)
        })
        .collect()
}

/// Entities as read entities; `status.items` errors become problems
/// (public for the fuzz target). Each entity's kind, namespace and name are
/// checked as a local file's are (an error problem when a rule is broken);
/// one whose identity cannot be used at all (a control character, `/`, `:`,
/// `..`, too long) is left out with an error, so a hostile catalog never
/// puts its bytes in a ref, a terminal or a cache path.
pub fn output(items: Vec<Value>, kept: Vec<String>) -> SourceOutput {
    let mut out = SourceOutput { kept, ..SourceOutput::default() };
    for item in items {
        let entity = match Entity::from_json(item) {
            Ok(entity) => entity,
            Err(e) => {
                out.problems.push(Problem::error(format!("the catalog returned an entity stagehand cannot read: {e}")));
                continue;
            }
        };
        if let Some(problem) = unusable_identity(&entity) {
            out.problems.push(problem);
            continue;
        }
        let reference = entity.canonical_ref();
        let statuses = entity.as_map().get("status").and_then(|s| s.get("items")).and_then(Value::as_array);
        for status in statuses.into_iter().flatten() {
            if status["level"].as_str() == Some("error") {
                let message = status["message"].as_str().unwrap_or("an error (no message)");
                out.problems
                    .push(Problem::error(format!("the catalog reports: {message}")).for_entity(reference.clone()));
            }
        }
        for message in validation::identity_problems(entity.kind(), entity.namespace(), entity.name()) {
            out.problems.push(Problem::error(message).for_entity(reference.clone()));
        }
        out.entities.push(ReadEntity { entity, file: std::path::PathBuf::new(), line: 0 });
    }
    out
}

/// An error when the entity's kind, namespace or name cannot be used.
fn unusable_identity(entity: &Entity) -> Option<Problem> {
    let parts = [("kind", entity.kind()), ("metadata.namespace", entity.namespace()), ("metadata.name", entity.name())];
    let (what, value) = parts.into_iter().find(|(_, v)| !validation::is_usable_identity_part(v))?;
    let shown: String = value.chars().take(80).collect();
    let uid = entity.uid().map(|u| format!(" (uid `{}`)", sanitize::line(u))).unwrap_or_default();
    Some(Problem::error(format!(
        "the catalog returned an entity{uid} whose {what} `{}` cannot be used (empty, `.` or `..`, longer than 253 \
         bytes, or holding whitespace, `/`, `:`, `\\` or control characters); it is left out",
        sanitize::line(&shown)
    )))
}

/// What registering a location did (or would do, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// The location's `type:target`.
    pub location: String,
    /// Refs of the entities it adds.
    pub entities: Vec<String>,
    /// Whether it was a dry run.
    pub dry_run: bool,
}

/// `POST /api/catalog/locations`: registers `target` (a URL, or an absolute
/// file path for backends that allow file locations). With `dry_run`
/// nothing is stored; the answer says what would be added. Sent once: a
/// retry could register the location twice.
pub fn register(config: &RemoteConfig, target: &str, dry_run: bool) -> Result<Registered, String> {
    let client = Client::new(config)?;
    let kind = if target.starts_with("http://") || target.starts_with("https://") { "url" } else { "file" };
    let query = if dry_run { vec![("dryRun", "true".to_string())] } else { Vec::new() };
    let answer =
        client.post_once(&format!("{CATALOG}/locations"), &query, &json!({ "type": kind, "target": target }))?;
    let entities = answer["entities"].as_array().into_iter().flatten().filter_map(canonical_of).collect();
    let location = format!(
        "{}:{}",
        answer["location"]["type"].as_str().unwrap_or(kind),
        answer["location"]["target"].as_str().unwrap_or(target)
    );
    Ok(Registered { location, entities, dry_run })
}

/// `POST /api/catalog/refresh` for one entity, then the entity as the
/// catalog has it now (`GET /entities/by-name/...`).
pub fn refresh(config: &RemoteConfig, entity: &crate::model::EntityRef) -> Result<Entity, String> {
    let client = Client::new(config)?;
    client.post_json(&format!("{CATALOG}/refresh"), &[], &json!({ "entityRef": entity.canonical() }))?;
    let path = format!("{CATALOG}/entities/by-name/{}/{}/{}", entity.kind, entity.namespace, entity.name);
    let value = client.get_json(&path, &[])?;
    Entity::from_json(value)
}

/// Who the backend says the token belongs to (`/api/auth/v1/userinfo`):
/// the user entity ref, or why it cannot tell.
pub fn whoami(config: &RemoteConfig) -> Result<String, String> {
    let client = Client::new(config)?;
    let info = client.get_json("/api/auth/v1/userinfo", &[]).map_err(|e| {
        format!(
            "{e}\nthe backend did not map this token to a user (service and static tokens have none); \
             set `identity:` in the config or pass --as REF"
        )
    })?;
    info["claims"]["sub"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| "the backend answered without a user (`claims.sub`); set `identity:` in the config".to_string())
}

#[cfg(test)]
mod streaming_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_filters_keep_the_configured_filters() {
        assert_eq!(uid_filters(&[], &["a", "b"]), ["metadata.uid=a", "metadata.uid=b"]);
        let configured = ["kind=api".to_string(), "kind=component,spec.type=service".to_string()];
        assert_eq!(
            uid_filters(&configured, &["a"]),
            ["kind=api,metadata.uid=a", "kind=component,spec.type=service,metadata.uid=a"]
        );
    }

    fn remote_entity(kind: &str, namespace: &str, name: &str) -> Value {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind,
               "metadata": {"name": name, "namespace": namespace, "uid": format!("uid-{name}")}})
    }

    #[test]
    fn remote_identities_are_validated_like_local_ones() {
        let items = vec![
            remote_entity("Component", "default", "good"),
            // OSC 0 (title) and OSC 52 (clipboard), lowercase so ref
            // lowercasing keeps them.
            remote_entity("Component", "default", "x\u{1b}]0;pwned\u{7}"),
            remote_entity("Component", "default", "\u{1b}]52;c;zxzpba==\u{7}"),
            remote_entity("Component", "..", ".."),
            remote_entity("Comp onent", "default", "a"),
            remote_entity("Component", "default", "a/b"),
            remote_entity("Component", "default", "\u{202E}evil"),
            // Breaks the naming rules but is usable: kept, with an error.
            remote_entity("Component", "Team_A", "-lead"),
        ];
        let out = output(items, Vec::new());
        let names: Vec<_> = out.entities.iter().map(|e| e.entity.name().to_string()).collect();
        assert_eq!(names, ["good", "-lead"]);
        let left_out = out.problems.iter().filter(|p| p.message.contains("it is left out")).count();
        assert_eq!(left_out, 6, "{:#?}", out.problems);
        for p in &out.problems {
            assert!(crate::model::sanitize::is_clean(&p.message), "{}", p.message);
        }
        let flagged: Vec<_> =
            out.problems.iter().filter(|p| p.entity.as_deref() == Some("component:team_a/-lead")).collect();
        assert_eq!(flagged.len(), 2, "namespace and name: {:#?}", out.problems);
        assert!(flagged.iter().all(|p| p.severity == crate::model::Severity::Error));
    }
}
