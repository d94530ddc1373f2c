//! Building an index from what the sources read: merge, de-duplicate,
//! derive relations in both directions, and lay out summaries and bodies.

mod edges;
mod record;
mod spill;
mod summary;

use std::borrow::Cow;
use std::collections::HashSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::model::Problem;
use crate::sources::SourceOutput;

use edges::Edges;
pub use record::Record;
use spill::BodySink;
pub use spill::{BodyFile, Spill};

use super::table::TableBuilder;
use super::{Bodies, Field, Index, Rejected, SourceState, Summary};

/// One configured source and what this sync did with it.
pub struct SourceInput {
    /// The source's name.
    pub name: String,
    /// `dir`, `file`, `git`, ...
    pub kind: String,
    /// Path or URL.
    pub target: String,
    /// `None`: not synced this time (keep what the index has);
    /// `Some(Err)`: failed (keep previous entities, record the error).
    pub read: Option<Result<SourceOutput<Record>, String>>,
    /// Whether relations come from the server (remote sources) rather than
    /// being derived from spec fields.
    pub server_relations: bool,
}

/// What a candidate entity brings to the build.
enum Content<'p> {
    /// An entity read this sync (or re-read from a stored body).
    Read(Box<Record>),
    /// An entity carried over from the previous index: its stored summary
    /// and body are reused as they are, without parsing or serialising it
    /// again. A local source's is read back before a new layout is built
    /// ([`read_back_stored`]), as its relations may change with others.
    Stored {
        /// The previous index.
        prev: &'p Index,
        /// The entity's position in it.
        entity: u32,
    },
}

struct Candidate<'p> {
    content: Content<'p>,
    canonical: Cow<'p, str>,
    source: u16,
    server_relations: bool,
}

impl Candidate<'_> {
    /// About how many bytes its summary takes in the table's text.
    fn summary_text_hint(&self) -> usize {
        match &self.content {
            Content::Read(record) => record.summary_text_len(),
            Content::Stored { .. } => 2 * self.canonical.len(),
        }
    }

    /// The file it was read from, if any, and the line.
    fn origin(&self) -> (Option<&str>, u32) {
        match &self.content {
            Content::Read(record) => record.origin(),
            Content::Stored { prev, entity } => prev.origin(*entity).map_or((None, 0), |(f, l)| (Some(f), l)),
        }
    }
}

/// What a build made of the previous index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The previous index's entities, relations and bodies as they are,
    /// with this sync's time, source states and problems.
    Restamped,
    /// A new layout of entities, relations and bodies.
    Rebuilt,
}

/// Builds a new index in memory. Sources that were not read, or failed,
/// keep their entities and problems from `previous`. The records must hold
/// their bodies in memory ([`Record::local`], [`Record::server`]): reading
/// them back cannot fail.
pub fn build(inputs: Vec<SourceInput>, previous: Option<&Index>, now: u64) -> Index {
    match build_over(inputs, previous, now, None) {
        Ok((index, ..)) => index,
        Err(e) => unreachable!("a build in memory of records in memory failed: {e}"),
    }
}

/// [`build`], saying whether the new index only restamps `previous`. With
/// `bodies_in`, the new index's bodies are written to a temporary file in
/// that folder (returned, to be saved with [`crate::index::store::save_with`])
/// instead of memory. Fails only when a spilled body cannot be read back or
/// the bodies cannot be written.
pub fn build_over(
    inputs: Vec<SourceInput>,
    previous: Option<&Index>,
    now: u64,
    bodies_in: Option<&std::path::Path>,
) -> std::io::Result<(Index, Outcome, Option<BodyFile>)> {
    if let Some(index) = previous.and_then(|prev| all_unchanged(&inputs, prev, now)) {
        return Ok((index, Outcome::Restamped, None));
    }
    let mut candidates = Vec::new();
    let mut problems = Vec::new();
    let mut states = Vec::new();
    let mut read = Vec::new();
    let mut rejected = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let source = u16::try_from(i).unwrap_or(u16::MAX);
        let before = previous.and_then(|p| p.sources.iter().find(|s| s.name == input.name));
        let mut state = SourceState {
            name: input.name.clone(),
            kind: input.kind.clone(),
            target: input.target.clone(),
            last_success: before.and_then(|b| b.last_success),
            last_attempt: before.map_or(0, |b| b.last_attempt),
            last_error: before.and_then(|b| b.last_error.clone()),
            entities: 0,
            listing: before.and_then(|b| b.listing.clone()),
        };
        match input.read {
            Some(Ok(output)) if output.unchanged => {
                state.last_success = Some(now);
                state.last_attempt = now;
                state.last_error = None;
                if let Some(prev) = previous {
                    keep_previous(prev, &input.name, source, false, &mut candidates, &mut problems);
                    rejected.extend(prev.rejected.iter().filter(|r| r.source == input.name).cloned());
                }
            }
            Some(Ok(output)) => {
                state.last_success = Some(now);
                state.last_attempt = now;
                state.last_error = None;
                state.listing = output.listing;
                read.push((source, output.kept.len() + output.entities.len()));
                problems.extend(output.problems);
                rejected.extend(output.rejected.into_iter().map(|r| reject(r, &input.name, &mut problems)));
                if let (Some(prev), false) = (previous, output.kept.is_empty()) {
                    let kept: HashSet<&str> = output.kept.iter().map(String::as_str).collect();
                    let from = candidates.len();
                    keep_unchanged(prev, &input.name, &kept, source, &mut candidates);
                    problems.extend(problems_of_kept(prev, &input.name, &candidates[from..]));
                }
                candidates.reserve(output.entities.len());
                candidates.extend(output.entities.into_iter().map(|mut r| Candidate {
                    canonical: Cow::Owned(std::mem::take(&mut r.canonical)),
                    content: Content::Read(Box::new(r)),
                    source,
                    server_relations: input.server_relations,
                }));
            }
            other => {
                if let Some(Err(error)) = other {
                    state.last_attempt = now;
                    problems.push(failure(&input.name, &error));
                    state.last_error = Some(error);
                }
                if let Some(prev) = previous {
                    keep_previous(prev, &input.name, source, input.server_relations, &mut candidates, &mut problems);
                    rejected.extend(prev.rejected.iter().filter(|r| r.source == input.name).cloned());
                }
            }
        }
        states.push(state);
    }
    let mut candidates = dedupe(candidates, &states, &mut problems);
    let problems = unique(problems);
    for c in &candidates {
        states[c.source as usize].entities += 1;
    }
    // A listing describes the source's entities only when all of them are
    // in the index (none lost as a duplicate of another source's).
    for (source, count) in read {
        let state = &mut states[source as usize];
        if state.entities != count {
            state.listing = None;
        }
    }
    rejected.sort_by(|a: &Rejected, b| (&a.entity_ref, &a.file, a.line).cmp(&(&b.entity_ref, &b.file, b.line)));
    let (mut index, outcome, file) = match previous {
        Some(prev) if all_stored(&candidates, prev) => {
            (prev.restamped(now, states, problems), Outcome::Restamped, None)
        }
        _ => {
            read_back_stored(&mut candidates);
            let sink = match bodies_in {
                Some(dir) => BodySink::File(BodyFile::new_in(dir)?),
                None => BodySink::Memory(Vec::new()),
            };
            let (index, sink) = assemble(candidates, states, problems, now, sink)?;
            let file = match sink {
                BodySink::File(file) => Some(file),
                BodySink::Memory(_) => None,
            };
            (index, Outcome::Rebuilt, file)
        }
    };
    index.rejected = rejected;
    Ok((index, outcome, file))
}

/// The previous index restamped, when every source is local and found
/// unchanged, the same sources in the same order: then entities,
/// relations, bodies, problems and rejected entities are the previous ones
/// (a source that failed last time is never found unchanged), and nothing
/// need be gathered to see it.
fn all_unchanged(inputs: &[SourceInput], prev: &Index, now: u64) -> Option<Index> {
    let unchanged = |i: &SourceInput| matches!(&i.read, Some(Ok(out)) if out.unchanged);
    let same = inputs.len() == prev.sources.len()
        && inputs.iter().zip(&prev.sources).all(|(i, s)| unchanged(i) && i.name == s.name);
    if !same {
        return None;
    }
    let states = inputs
        .iter()
        .zip(&prev.sources)
        .map(|(i, s)| SourceState {
            kind: i.kind.clone(),
            target: i.target.clone(),
            last_success: Some(now),
            last_attempt: now,
            last_error: None,
            ..s.clone()
        })
        .collect();
    // As a build keeps them: each source's own (a warning the loader added
    // about the previous file is not one).
    let problems = prev.problems.iter().filter(|p| p.source.is_some()).cloned().collect();
    Some(prev.restamped(now, states, problems))
}

/// A rejected entity as the index keeps it, with a problem saying so.
fn reject(r: crate::sources::RejectedEntity, source: &str, problems: &mut Vec<Problem>) -> Rejected {
    let entity_ref = r.read.entity.canonical_ref();
    let file = (!r.read.file.as_os_str().is_empty()).then(|| r.read.file.display().to_string());
    let mut problem =
        Problem::error(format!("`{entity_ref}` is rejected (Backstage would not store it): {}", r.reason))
            .for_entity(entity_ref.clone())
            .from_source(source);
    if let Some(f) = &file {
        problem = problem.in_file(f.clone()).at(crate::model::Pos { line: r.read.line, col: 1 });
    }
    problems.push(problem);
    let body = serde_json::to_string(&r.read.entity).unwrap_or_default();
    Rejected { entity_ref, source: source.to_string(), file, line: r.read.line, reason: r.reason, body }
}

/// Whether the new index holds exactly the previous index's entities, each
/// carried over as stored from the same source: then summaries, relations
/// and bodies are the previous ones as they are.
fn all_stored(candidates: &[Candidate<'_>], prev: &Index) -> bool {
    candidates.len() == prev.len()
        && candidates.iter().enumerate().all(|(i, c)| match c.content {
            Content::Stored { entity, .. } => entity as usize == i && c.source == prev.summary(entity).source,
            Content::Read(_) => false,
        })
}

fn keep_previous<'p>(
    prev: &'p Index,
    name: &str,
    source: u16,
    server_relations: bool,
    candidates: &mut Vec<Candidate<'p>>,
    problems: &mut Vec<Problem>,
) {
    // This build states the failure and the duplicates afresh: the previous
    // ones are replaced, not kept beside them.
    let stale = |p: &Problem| is_failure(p, name) || p.message.starts_with(DUPLICATE);
    problems.extend(prev.problems.iter().filter(|p| p.source.as_deref() == Some(name) && !stale(p)).cloned());
    carry_over(prev, name, source, server_relations, |_| true, candidates);
}

/// Reads back the stored local entities among `candidates` (an unchanged
/// source's, when the index is not the previous one as it is): their
/// relations are derived again, as other entities may have changed. One
/// whose body cannot be read is left out, as [`carry_over`] leaves it.
fn read_back_stored(candidates: &mut Vec<Candidate<'_>>) {
    let local = |c: &Candidate<'_>| matches!(c.content, Content::Stored { .. }) && !c.server_relations;
    if !candidates.iter().any(local) {
        return;
    }
    let taken = std::mem::take(candidates);
    *candidates = taken
        .into_par_iter()
        .filter_map(|mut c| {
            if let (Content::Stored { prev, entity }, false) = (&c.content, c.server_relations) {
                let read = prev.entity(*entity).ok()?;
                let (file, line) = prev.origin(*entity).unwrap_or_default();
                let read = crate::sources::ReadEntity { entity: read, file: file.into(), line };
                c.content = Content::Read(Box::new(Record::local(read)));
            }
            Some(c)
        })
        .collect();
}

/// Carries over, from the previous index, a remote source's entities whose
/// uid the incremental sync found unchanged.
fn keep_unchanged<'p>(
    prev: &'p Index,
    name: &str,
    kept: &HashSet<&str>,
    source: u16,
    candidates: &mut Vec<Candidate<'p>>,
) {
    let unchanged = |i: u32| prev.field(i, Field::Uid).is_some_and(|u| kept.contains(u));
    carry_over(prev, name, source, true, unchanged, candidates);
}

/// What source `name` reported last time about the entities it keeps
/// unchanged (the catalog's errors for them still hold).
fn problems_of_kept(prev: &Index, name: &str, kept: &[Candidate<'_>]) -> Vec<Problem> {
    let refs: HashSet<&str> = kept.iter().map(|c| c.canonical.as_ref()).collect();
    prev.problems
        .iter()
        .filter(|p| p.source.as_deref() == Some(name) && p.entity.as_deref().is_some_and(|e| refs.contains(e)))
        .cloned()
        .collect()
}

/// The previous index's entities of source `name` that `keep` accepts, as
/// candidates of the new build, as stored. Those of a local source
/// (`server_relations` false) are read back by [`read_back_stored`] unless
/// the new index is the previous one as it is.
fn carry_over<'p>(
    prev: &'p Index,
    name: &str,
    source: u16,
    server_relations: bool,
    keep: impl Fn(u32) -> bool,
    candidates: &mut Vec<Candidate<'p>>,
) {
    let Some(before) = prev.sources.iter().position(|s| s.name == name) else { return };
    let stored = (0..prev.len() as u32).filter(|&i| prev.source_of(i) == Some(before) && keep(i));
    candidates.extend(stored.map(|i| Candidate {
        canonical: Cow::Borrowed(prev.ref_of(i)),
        content: Content::Stored { prev, entity: i },
        source,
        server_relations,
    }));
}

/// Whether source `name` lost an entity to an earlier claimer in `index`
/// (a conflict of its own files, or with another source's).
pub fn lost_conflicts(index: &Index, name: &str) -> bool {
    index.problems.iter().any(|p| p.source.as_deref() == Some(name) && p.message.starts_with(DUPLICATE))
}

/// Entities laid out together: their bodies and summaries are made in
/// parallel, a chunk at a time.
const LAYOUT_CHUNK: usize = 512;

/// How every conflicting-entity problem starts.
const DUPLICATE: &str = "conflicting entity `";

/// The problem recorded when source `name` failed to read.
fn failure(name: &str, error: &str) -> Problem {
    Problem::error(format!("source `{name}` failed: {error}; keeping its previous entities")).from_source(name)
}

/// Whether `p` is a failure of source `name` recorded by [`failure`].
fn is_failure(p: &Problem, name: &str) -> bool {
    p.entity.is_none() && p.file.is_none() && p.message.starts_with(&format!("source `{name}` failed: "))
}

/// The problems without repeats (the first of equal ones is kept, in order):
/// a problem is keyed by its source, entity, place and message.
fn unique(problems: Vec<Problem>) -> Vec<Problem> {
    let mut seen = HashSet::with_capacity(problems.len());
    problems.into_iter().filter(|p| seen.insert(p.clone())).collect()
}

fn where_from(c: &Candidate<'_>, states: &[SourceState]) -> String {
    match c.origin() {
        (Some(f), line) => format!("{f}:{line}"),
        (None, _) => format!("source `{}`", states[c.source as usize].name),
    }
}

/// Keeps the first claimer of each ref, as the catalog does; every later
/// one is a conflict warning naming both places. The result is sorted by
/// canonical ref.
fn dedupe<'p>(
    candidates: Vec<Candidate<'p>>,
    states: &[SourceState],
    problems: &mut Vec<Problem>,
) -> Vec<Candidate<'p>> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity_and_hasher(candidates.len(), Default::default());
    let mut keep = vec![true; candidates.len()];
    for (i, c) in candidates.iter().enumerate() {
        let Some(&at) = first.get(c.canonical.as_ref()) else {
            first.insert(&c.canonical, i);
            continue;
        };
        keep[i] = false;
        let mut p = Problem::warning(format!(
            "{DUPLICATE}{}`: already claimed at {}; this definition at {} is not stored \
             (the catalog keeps the first claimer)",
            c.canonical,
            where_from(&candidates[at], states),
            where_from(c, states)
        ))
        .for_entity(c.canonical.as_ref())
        .from_source(&states[c.source as usize].name);
        if let (Some(f), line) = c.origin() {
            p = p.in_file(f).at(crate::model::Pos { line, col: 1 });
        }
        problems.push(p);
    }
    drop(first);
    let mut kept = candidates;
    let mut at = 0;
    kept.retain(|_| {
        at += 1;
        keep[at - 1]
    });
    kept.par_sort_unstable_by(|a, b| a.canonical.cmp(&b.canonical));
    kept
}

/// Lays out the index of `candidates` (sorted, unique): relations on ids,
/// then each entity's summary and body, one after the other into `sink`,
/// each record dropped once written. With the bodies in a file, the index's
/// own bodies are empty.
///
/// A pipeline of three: this thread takes each chunk's bodies as read, in
/// order (the spill reads them ahead in that order); the thread pool splices
/// their relations in and makes their summaries; a writer thread appends the
/// previous chunk to `sink` and the table meanwhile.
fn assemble(
    candidates: Vec<Candidate<'_>>,
    sources: Vec<SourceState>,
    problems: Vec<Problem>,
    now: u64,
    sink: BodySink,
) -> std::io::Result<(Index, BodySink)> {
    let mut refs: Vec<String> = candidates.iter().map(|c| c.canonical.as_ref().to_owned()).collect();
    let edges = Edges::collect(&candidates, &refs);
    let entities = refs.len();
    refs.extend(edges.dangling.iter().cloned());
    let text_hint = candidates.iter().map(Candidate::summary_text_hint).sum();
    let table = TableBuilder::new(&refs, text_hint);
    refs.truncate(entities);
    let (table, mut sink) = std::thread::scope(|scope| {
        let (send, chunks) = std::sync::mpsc::sync_channel(1);
        let writer = std::thread::Builder::new()
            .name("index-writer".into())
            .spawn_scoped(scope, move || write_laid(&chunks, table, sink))?;
        let laid = lay_out(candidates, &edges, &refs, &send);
        drop(send);
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        laid.and(written)
    })?;
    let bodies = match &mut sink {
        BodySink::Memory(bytes) => std::mem::take(bytes),
        BodySink::File(_) => Vec::new(),
    };
    let index = Index {
        created: now,
        sources,
        problems,
        relation_types: edges.types,
        rejected: Vec::new(),
        generation: 0,
        table: table.finish(),
        bodies: Bodies::Owned(bodies),
    };
    Ok((index, sink))
}

/// Each chunk's bodies and summaries, made in parallel, sent in order to
/// the writer. Stops early when the writer has stopped (it failed).
fn lay_out(
    candidates: Vec<Candidate<'_>>,
    edges: &Edges,
    refs: &[String],
    send: &std::sync::mpsc::SyncSender<Vec<(Vec<u8>, Summary)>>,
) -> std::io::Result<()> {
    let mut raw: Vec<Vec<u8>> = Vec::new();
    let mut candidates = candidates.into_iter().enumerate();
    loop {
        let chunk: Vec<(usize, Candidate<'_>)> = candidates.by_ref().take(LAYOUT_CHUNK).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        raw.resize_with(raw.len().max(chunk.len()), Vec::new);
        for ((_, c), raw) in chunk.iter().zip(raw.iter_mut()) {
            raw.clear();
            if let Content::Read(record) = &c.content {
                record.append_body(raw)?;
            }
        }
        let laid: Vec<(Vec<u8>, Summary)> = chunk
            .into_par_iter()
            .zip(raw.par_iter())
            .map(|((i, c), raw)| {
                let links = edges.links(i);
                let mut out = Vec::with_capacity(raw.len() + 64 * links.len());
                let summary = match c.content {
                    Content::Read(record) => {
                        let derived = (!c.server_relations).then(|| edges.relations(&links, refs));
                        record.write_body_of(raw, derived.as_deref(), &mut out);
                        record.summary(links, c.source)
                    }
                    Content::Stored { prev, entity } => {
                        out.extend_from_slice(prev.body_json(entity));
                        Summary { links, source: c.source, ..prev.summary(entity).to_summary() }
                    }
                };
                (out, summary)
            })
            .collect();
        if send.send(laid).is_err() {
            return Ok(());
        }
    }
}

/// The writer of [`assemble`]: appends each chunk's bodies to `sink` and
/// their summaries, with the bodies' places, to `table`, in order.
fn write_laid(
    chunks: &std::sync::mpsc::Receiver<Vec<(Vec<u8>, Summary)>>,
    mut table: TableBuilder,
    mut sink: BodySink,
) -> std::io::Result<(TableBuilder, BodySink)> {
    for laid in chunks {
        for (bytes, summary) in laid {
            let start = sink.len();
            sink.append(&bytes)?;
            table.push(&Summary { body: (start, (sink.len() - start) as u32), ..summary });
        }
    }
    Ok((table, sink))
}

#[cfg(test)]
mod tests;
