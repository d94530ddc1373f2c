//! The results of a query with facets and no text: the entities the facets
//! admit, in index order. Checking one entity costs a few nanoseconds, so
//! the work is split as little as it can be: the first screen is looked
//! for on the calling thread, the rest goes to the pool in large waves
//! (cancellation is polled between them).

use rayon::prelude::*;

use super::super::facets::{Distinct, Resolved};
use super::super::{Hit, Query};
use super::{FIRST_WAVE, LAST_WAVE, PIECE, Stream};
use crate::index::Index;

/// The entities of the whole index that pass the query's facets (it has
/// no text), in index order; the first screen (the first `window`
/// admitted) is sent as soon as it is found. `None` when cancelled.
pub fn admitted(index: &Index, values: &Distinct, query: &Query, stream: &Stream<'_>) -> Option<Vec<Hit>> {
    let facets = Resolved::new(index, values, &query.facets);
    if facets.admits_none() {
        return Some(Vec::new());
    }
    let n = index.len();
    let window = stream.window.max(1);
    // The first screen is usually among the first few hundred entities:
    // found here, sooner than the pool could start.
    let head = n.min(FIRST_WAVE);
    let mut hits = Vec::new();
    let mut at = 0;
    while at < head && hits.len() < window {
        if facets.admit(at as u32) {
            hits.push(Hit::unranked(at as u32));
        }
        at += 1;
    }
    let mut sent = send_first(stream, &hits, at < n);
    // Waves grow while a first screen is wanted and still missing, else
    // take the most they may.
    let wanted = stream.window != usize::MAX;
    let mut wave = FIRST_WAVE;
    while at < n {
        if (stream.cancelled)() {
            return None;
        }
        let end = n.min(at + if sent || !wanted { LAST_WAVE } else { wave });
        let range = (at as u32..end as u32).into_par_iter().with_min_len(PIECE);
        hits.par_extend(range.filter(|&i| facets.admit(i)).map(Hit::unranked));
        (at, wave) = (end, (wave * 2).min(LAST_WAVE));
        sent = sent || send_first(stream, &hits, at < n);
    }
    Some(hits)
}

/// Sends the first screen when `hits` fill it and more remain to be found
/// (else the whole answer is as soon): whether it was sent.
fn send_first(stream: &Stream<'_>, hits: &[Hit], more: bool) -> bool {
    let window = stream.window.max(1);
    let ready = more && hits.len() >= window;
    if ready {
        (stream.first_screen)(hits[..window].to_vec());
    }
    ready
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::testing::big;
    use super::*;

    fn streamed(index: &Index, q: &str, window: usize, cancel_after: usize) -> (Option<Vec<Hit>>, Option<Vec<Hit>>) {
        let first = Mutex::new(None);
        let polls = AtomicUsize::new(0);
        let stream = Stream {
            window,
            first_screen: &|hits| *first.lock().unwrap() = Some(hits),
            cancelled: &|| polls.fetch_add(1, Ordering::Relaxed) >= cancel_after,
        };
        let all = admitted(index, &Distinct::default(), &Query::parse(q), &stream);
        (all, first.into_inner().unwrap())
    }

    #[test]
    fn admits_what_each_entity_checked_alone_admits_in_index_order() {
        let index = big();
        for q in ["tag:ledger", "kind:component !tag:quiet", "owner:team-7", "tag:orders tag:quiet", "!kind:api"] {
            let query = Query::parse(q);
            let expected: Vec<u32> = (0..index.len() as u32).filter(|&i| query.admits(&index, i)).collect();
            for window in [1, 40, 5000, usize::MAX] {
                let (all, first) = streamed(&index, q, window, usize::MAX);
                let all: Vec<u32> = all.expect("not cancelled").iter().map(|h| h.entity).collect();
                assert_eq!(all, expected, "{q} window {window}");
                if let Some(first) = first {
                    let first: Vec<u32> = first.iter().map(|h| h.entity).collect();
                    assert_eq!(first, expected[..window], "{q}: the first screen sent is the final one");
                }
            }
        }
    }

    #[test]
    fn the_first_screen_goes_early_when_results_remain_to_be_found() {
        let index = big();
        // `owner:team-7` admits every 40th entity: 40 of them are found
        // past the first wave, far before the end.
        for (q, window, early) in
            [("tag:ledger", 40, true), ("owner:team-7", 40, true), ("tag:ledger", usize::MAX, false)]
        {
            let (_, first) = streamed(&index, q, window, usize::MAX);
            assert_eq!(first.is_some(), early, "{q} window {window}");
        }
    }

    #[test]
    fn a_cancelled_scan_stops_between_waves() {
        let index = big();
        let (all, first) = streamed(&index, "owner:team-7", 40, 0);
        assert_eq!((all, first.map(|f| f.len())), (None, Some(40)), "the first screen, then stopped");
        assert_eq!(streamed(&index, "owner:team-7", usize::MAX, 0), (None, None));
        let (all, _) = streamed(&index, "owner:team-7", usize::MAX, 1);
        assert_eq!(all.map(|a| a.len()), Some(300), "one wave holds the rest of 12,000 when no first screen is wanted");
    }

    #[test]
    fn a_facet_no_value_satisfies_admits_nothing_at_once() {
        let index = big();
        let (all, first) = streamed(&index, "tag:ledg", 40, 0);
        assert_eq!((all, first), (Some(Vec::new()), None), "not even polled");
    }
}
