//! The page of a rejected entity: one the catalog would not store (see
//! [`crate::index::Rejected`]). It has no index id, so it is not an entity
//! page: it shows the REJECTED marker, the reason, where it was read and
//! its YAML as read. Its keys are in [`keys`], its drawing in [`view`].

pub mod keys;
pub mod view;

use crate::index::Rejected;

/// The page of one rejected entity.
pub struct RejectedScreen {
    /// The entity, its reason and where it was read.
    pub rejected: Rejected,
    /// Its body as read, as YAML (or why it cannot be shown).
    pub yaml: String,
    /// The first line shown.
    pub scroll: usize,
}

impl RejectedScreen {
    /// The page of `rejected`, at its top.
    pub fn new(rejected: Rejected) -> RejectedScreen {
        let yaml = serde_json::from_str::<serde_json::Value>(&rejected.body)
            .map_err(|e| e.to_string())
            .and_then(|v| serde_yaml::to_string(&v).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| format!("cannot show as YAML: {e}"));
        RejectedScreen { rejected, yaml, scroll: 0 }
    }

    /// The breadcrumb label: the name in its ref.
    pub fn label(&self) -> String {
        let r = &self.rejected.entity_ref;
        r.rsplit_once('/').map_or(r.as_str(), |(_, name)| name).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn rejected() -> Rejected {
        Rejected {
            entity_ref: "component:default/bad name!".into(),
            source: "demo".into(),
            file: Some("broken/catalog-info.yaml".into()),
            line: 7,
            reason: "`metadata.name` \"Bad Name!\" is not a valid name".into(),
            body: r#"{"kind":"Component","metadata":{"name":"Bad Name!"},"spec":{"owner":"team"}}"#.into(),
        }
    }

    #[test]
    fn the_body_is_shown_as_yaml_and_the_label_is_the_name() {
        let page = RejectedScreen::new(rejected());
        assert!(page.yaml.contains("kind: Component"), "{}", page.yaml);
        assert!(page.yaml.contains("name: Bad Name!"), "{}", page.yaml);
        assert_eq!(page.label(), "bad name!");
    }

    #[test]
    fn an_unreadable_body_says_so() {
        let page = RejectedScreen::new(Rejected { body: "{".into(), ..rejected() });
        assert!(page.yaml.starts_with("cannot show as YAML:"), "{}", page.yaml);
    }
}
