//! `stagehand search --remote QUERY`: the portal's own search backend,
//! results grouped by document type with title, text and location; the
//! server's highlights in bold on a terminal, plain otherwise, every piece
//! sanitized.

use std::io::IsTerminal;

use crate::model::sanitize;
use crate::portal::search::{self, Hit, Piece};
use crate::sources::remote::client::Client;
use crate::workspace::Workspace;

use super::output::Out;

/// Characters of a result's text shown.
const TEXT_BUDGET: usize = 240;

/// What `search --remote` was asked.
pub struct RemoteQuery<'a> {
    /// The words.
    pub term: &'a str,
    /// Only documents of these types.
    pub types: &'a [String],
    /// At most this many results.
    pub limit: usize,
    /// The backstage source to ask.
    pub source: Option<&'a str>,
    /// Machine-readable output.
    pub json: bool,
}

/// `stagehand search --remote`.
pub fn search(ws: &Workspace, q: &RemoteQuery) -> anyhow::Result<u8> {
    let (name, config) = ws.remote_source(q.source)?;
    let client = Client::new(&config).map_err(|e| anyhow::anyhow!("backstage source `{name}`: {e}"))?;
    let found = search::query(&client, q.term, q.types, q.limit, q.limit).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    if q.json {
        out.json(&serde_json::json!({
            "source": name,
            "term": q.term,
            "total": found.total,
            "more": found.more,
            "results": found.hits,
        }))?;
        out.flush()?;
        return Ok(0);
    }
    if found.hits.is_empty() {
        eprintln!("no results for `{}` on `{name}`", sanitize::line(q.term));
        return Ok(0);
    }
    let color = std::io::stdout().is_terminal() && !crate::tui::theme::no_color_env();
    let mut types: Vec<&str> = Vec::new();
    for h in &found.hits {
        if !types.contains(&h.doc_type.as_str()) {
            types.push(&h.doc_type);
        }
    }
    for (i, ty) in types.iter().enumerate() {
        let hits: Vec<&Hit> = found.hits.iter().filter(|h| h.doc_type == *ty).collect();
        if i > 0 {
            out.line("");
        }
        out.line(&format!("{ty} ({})", hits.len()));
        for h in hits {
            let mut title = render(&h.pieces("title"), usize::MAX, color);
            if let Some(r) = &h.entity_ref {
                title.push_str(&format!("  {}", sanitize::line(r)));
            }
            out.raw(&format!("  {title}\n"));
            let text = render(&h.pieces("text"), TEXT_BUDGET, color);
            if !text.trim().is_empty() {
                out.raw(&format!("      {}\n", text.trim()));
            }
            out.line(&format!("      {}", h.location));
        }
    }
    if found.more {
        let total = found.total.map(|t| format!(" of {t}")).unwrap_or_default();
        eprintln!("showing {}{total}; raise --limit for more", found.hits.len());
    }
    out.flush()?;
    Ok(0)
}

/// Pieces as one sanitized line of at most `budget` characters, the
/// highlighted ones in bold when `color`.
fn render(pieces: &[Piece], budget: usize, color: bool) -> String {
    let mut out = String::new();
    let mut left = budget;
    for p in pieces {
        let clean = sanitize::line(&p.text);
        let taken: String = clean.chars().take(left).collect();
        let count = taken.chars().count();
        if p.highlighted && color {
            out.push_str(&format!("\u{1b}[1m{taken}\u{1b}[22m"));
        } else {
            out.push_str(&taken);
        }
        if count < clean.chars().count() {
            out.push('…');
            break;
        }
        left -= count;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_bold_only_in_colour_and_server_text_is_sanitized() {
        let pieces = search::split("a <t>b\u{1b}]0;x\u{7}</t> c", "<t>", "</t>");
        assert_eq!(render(&pieces, usize::MAX, false), "a b␛]0;x␇ c");
        assert_eq!(render(&pieces, usize::MAX, true), "a \u{1b}[1mb␛]0;x␇\u{1b}[22m c");
        assert_eq!(render(&pieces, 3, false), "a b…");
        assert_eq!(render(&search::split("abc", "<t>", "</t>"), 3, false), "abc", "no mark when it fits");
    }
}
