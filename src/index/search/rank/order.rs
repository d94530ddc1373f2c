//! Ranking one tier's hits: best first, ties by ref.

use rayon::prelude::*;

use super::super::Hit;

/// Widest score range [`sort`] counts; wider ranges are compared.
const COUNTED_RANGE: u32 = 1 << 16;

/// Best first, ties in index order (which is ref order). `hits` come in
/// index order, so a stable counting sort by score does it in linear time;
/// nucleo's scores of one tier span a few hundred values.
pub(super) fn sort(hits: &mut Vec<Hit>) {
    debug_assert!(hits.windows(2).all(|w| w[0].entity < w[1].entity), "hits in index order");
    let (Some(low), Some(high)) = (hits.iter().map(|h| h.score).min(), hits.iter().map(|h| h.score).max()) else {
        return;
    };
    if high - low >= COUNTED_RANGE {
        hits.par_sort_unstable_by_key(|h| (u64::from(u32::MAX - h.score) << 32) | u64::from(h.entity));
        return;
    }
    // Slot of each score, best first: where its first hit goes.
    let mut slot = vec![0usize; (high - low) as usize + 2];
    for h in hits.iter() {
        slot[(high - h.score) as usize + 1] += 1;
    }
    for k in 1..slot.len() {
        slot[k] += slot[k - 1];
    }
    let mut ranked = vec![Hit::unranked(0); hits.len()];
    for h in hits.iter() {
        let at = &mut slot[(high - h.score) as usize];
        ranked[*at] = *h;
        *at += 1;
    }
    *hits = ranked;
}

#[cfg(test)]
mod tests {
    use super::super::LABEL_TIER;
    use super::*;

    #[test]
    fn counting_sort_ranks_as_comparing() {
        let mut rng = fastrand::Rng::with_seed(3);
        for spread in [1, 300, COUNTED_RANGE + 5] {
            let mut entity = 0;
            let mut hits: Vec<Hit> = (0..5000)
                .map(|_| {
                    entity += rng.u32(1..4);
                    Hit { entity, score: LABEL_TIER + rng.u32(0..spread), base: rng.u32(..) }
                })
                .collect();
            let mut compared = hits.clone();
            compared.sort_by_key(|h| (std::cmp::Reverse(h.score), h.entity));
            sort(&mut hits);
            assert_eq!(hits, compared, "spread {spread}");
        }
    }
}
