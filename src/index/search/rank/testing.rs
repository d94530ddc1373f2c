//! Helpers the tests of this module, its parts and its siblings share.

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use serde_json::json;

use crate::index::Index;
/// 12,000 entities over several waves: names from a few stems (a third
/// of them after an `a-` prefix, scoring just below a perfect match),
/// owners, tags and descriptions that also hold the stems.
pub fn big() -> Index {
    let stems = ["payments", "ledger", "orders", "gateway", "silver", "quiet"];
    crate::index::testing::index_of(
        (0..12_000)
            .map(|i| {
                let stem = stems[i % stems.len()];
                let other = stems[(i / 7) % stems.len()];
                json!({"kind": "Component", "metadata": {
                    "name": if i % 3 == 1 { format!("a-{stem}-{i}") } else { format!("{stem}-{i}") },
                    "title": if i % 5 == 0 { format!("The {other} service") } else { String::new() },
                    "description": format!("Handles {other} for team {}", i % 40),
                    "tags": [other]},
                 "spec": {"type": "service", "lifecycle": "production", "owner": format!("team-{}", i % 40)}})
            })
            .collect(),
    )
}

/// A pattern as a search parses one.
pub fn pattern(text: &str) -> Pattern {
    Pattern::parse(text, CaseMatching::Smart, Normalization::Smart)
}

/// A random string of `len` characters drawn from `alphabet`.
pub fn random_text(rng: &mut fastrand::Rng, alphabet: &str, len: std::ops::Range<usize>) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    (0..rng.usize(len)).map(|_| chars[rng.usize(..chars.len())]).collect()
}
