//! Backstage's naming rules (`FieldFormatEntityPolicy`): names, namespaces,
//! kinds, apiVersions, label and annotation keys, label values and tags, with
//! the words that explain each rule in messages.

use std::sync::LazyLock;

use regex::Regex;

#[allow(clippy::expect_used, reason = "audited: constant patterns, compiled by every test run")]
pub(super) fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static validation regex must compile")
}

pub(super) static OBJECT_NAME: LazyLock<Regex> = LazyLock::new(|| regex(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));
/// Backstage's `isValidDnsLabel`: single dashes only.
pub(super) static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9]+(-[a-z0-9]+)*$"));
pub(super) static KIND: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-zA-Z][a-z0-9A-Z]*$"));
pub(super) static VERSION: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9A-Z]+$"));
pub(super) static TAG: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"));

pub(super) const NAME_RULE: &str = "use 1-63 characters, letters, digits, `-`, `_` and `.`, \
                         starting and ending with a letter or digit";
pub(super) const NAMESPACE_RULE: &str = "use 1-63 lowercase letters and digits, with single `-` between them";
pub(super) const KIND_RULE: &str = "use 1-63 letters and digits, starting with a letter";
pub(super) const API_VERSION_RULE: &str = "use `[prefix/]version`: an optional lowercase DNS name such as \
                                `backstage.io`, then 1-63 letters and digits such as `v1alpha1`";
pub(super) const KEY_RULE: &str = "use `[prefix/]name`: an optional lowercase DNS name such as \
                        `backstage.io`, then 1-63 letters, digits, `-`, `_` and `.`, \
                        starting and ending with a letter or digit";
pub(super) const LABEL_VALUE_RULE: &str = "use an empty string, or 1-63 letters, digits, `-`, `_` and `.`, \
                                starting and ending with a letter or digit";
pub(super) const TAG_RULE: &str = "use 1-63 lowercase letters, digits, `:`, `+` and `#`, with single `-` between them";

pub(super) fn length_within(value: &str, max: usize) -> bool {
    (1..=max).contains(&value.chars().count())
}

/// `<suffix>` or `<prefix>/<suffix>`, each part checked on its own.
pub(super) fn prefix_and_or_suffix(value: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    match value.split_once('/') {
        None => suffix(value),
        Some((p, s)) => !s.contains('/') && prefix(p) && suffix(s),
    }
}

pub(super) fn is_valid_dns_label(value: &str) -> bool {
    length_within(value, 63) && DNS_LABEL.is_match(value)
}

pub(super) fn is_valid_dns_subdomain(value: &str) -> bool {
    length_within(value, 253) && value.split('.').all(is_valid_dns_label)
}

/// Whether `value` is a valid `metadata.name` (1-63 characters).
pub fn is_valid_object_name(value: &str) -> bool {
    length_within(value, 63) && OBJECT_NAME.is_match(value)
}

/// Whether `value` is a valid `metadata.namespace`.
pub fn is_valid_namespace(value: &str) -> bool {
    is_valid_dns_label(value)
}

/// Whether `value` is a valid `kind`.
pub fn is_valid_kind(value: &str) -> bool {
    length_within(value, 63) && KIND.is_match(value)
}

/// Whether `value` is a valid `apiVersion` (`[prefix/]suffix`).
pub fn is_valid_api_version(value: &str) -> bool {
    // Nearly every entity has one of these: valid without the regexes.
    matches!(value, "backstage.io/v1alpha1" | "backstage.io/v1beta1") || api_version_by_rule(value)
}

/// [`is_valid_api_version`] by the rule alone.
fn api_version_by_rule(value: &str) -> bool {
    prefix_and_or_suffix(value, is_valid_dns_subdomain, |v| length_within(v, 63) && VERSION.is_match(v))
}

/// Whether `value` is a valid label or annotation key (`[prefix/]name`).
pub fn is_valid_key(value: &str) -> bool {
    prefix_and_or_suffix(value, is_valid_dns_subdomain, is_valid_object_name)
}

/// Whether `value` is a valid label value (empty, or like a name).
pub fn is_valid_label_value(value: &str) -> bool {
    value.is_empty() || is_valid_object_name(value)
}

/// Whether `value` is a valid tag.
pub fn is_valid_tag(value: &str) -> bool {
    length_within(value, 63) && TAG.is_match(value)
}

/// Quotes a value for a message, shortening long ones.
pub(super) fn quoted(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        format!("`{value}`")
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("`{head}...`")
    }
}

/// "`<what> `<value>` is invalid: <rule>", noting the length when it is the
/// likely cause.
pub(super) fn invalid(what: &str, value: &str, rule: &str, max_len: usize) -> String {
    let len = value.chars().count();
    if len > max_len {
        format!("{what} {} is invalid ({len} characters, at most {max_len}): {rule}", quoted(value))
    } else {
        format!("{what} {} is invalid: {rule}", quoted(value))
    }
}

/// Whether one part of an entity's identity (kind, namespace or name) can be
/// used at all: shown on a terminal, written in a ref and used as a path
/// part. Stricter rules may be relaxed by a backend's own policies; these
/// never are: 1-253 bytes, not `.` or `..`, no whitespace, `/`, `:` or `\`,
/// and nothing the sanitizer would change.
pub fn is_usable_identity_part(value: &str) -> bool {
    (1..=253).contains(&value.len())
        && value != "."
        && value != ".."
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '/' | ':' | '\\') && crate::model::sanitize::is_clean_char(c))
}

/// An entity's identity checked as local files are (`kind`,
/// `metadata.namespace`, `metadata.name`), for entities that come without
/// a file (a remote catalog): the messages, sanitized for any terminal.
pub fn identity_problems(kind: &str, namespace: &str, name: &str) -> Vec<String> {
    let checks = [
        ("kind", kind, is_valid_kind(kind), KIND_RULE),
        ("metadata.namespace", namespace, is_valid_namespace(namespace), NAMESPACE_RULE),
        ("metadata.name", name, is_valid_object_name(name), NAME_RULE),
    ];
    checks
        .into_iter()
        .filter(|(_, _, valid, _)| !valid)
        .map(|(what, value, _, rule)| crate::model::sanitize::line(&invalid(what, value, rule, 63)).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_versions_taken_without_the_rule_pass_it() {
        for v in ["backstage.io/v1alpha1", "backstage.io/v1beta1"] {
            assert!(api_version_by_rule(v) && is_valid_api_version(v), "{v}");
        }
        for v in ["backstage.io/v1 alpha1", "Backstage.io/v1", "/v1", ""] {
            assert!(!is_valid_api_version(v), "{v}");
        }
    }
}
