//! Wizard drafts: the values typed into a template's form, kept per
//! template in the profile's data dir (a 0600 file in a 0700 folder) so
//! that leaving, a failed run or a crash never loses input. Secrets
//! (`ui:field: Secret`, `ui:widget: password`, values masked on review)
//! are never written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::form::set_path;
use super::template::Template;
use super::values::all_fields;

/// Largest draft file read back (a hand-edited or corrupt file is refused).
pub const MAX_BYTES: u64 = 1 << 20;

/// What a draft file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The template's entity ref (a file names it too, but by a hash).
    pub template: String,
    /// When it was saved (seconds since the Unix epoch).
    pub saved_at: u64,
    /// The form's values, secrets left out.
    pub values: Map<String, Json>,
}

/// The draft file of `template_ref` under a profile's data dir.
pub fn file(profile_data_dir: &Path, template_ref: &str) -> PathBuf {
    let slug: String =
        template_ref.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(60).collect();
    let hash = sha1_smol::Sha1::from(template_ref).digest().to_string();
    profile_data_dir.join("drafts").join(format!("{slug}-{}.json", &hash[..12]))
}

/// `values` without anything secret: every field that is a secret, a
/// password or masked on review is removed (on every page, whatever the
/// page conditions say).
pub fn without_secrets(template: &Template, values: &Map<String, Json>) -> Map<String, Json> {
    let mut out = values.clone();
    for field in all_fields(template, values) {
        if field.masked() {
            set_path(&mut out, &field.path, None);
        }
    }
    out
}

/// A draft of `values` for `template`, secrets left out, stamped now.
pub fn of(template: &Template, values: &Map<String, Json>) -> Draft {
    let saved_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Draft { template: template.entity_ref.clone(), saved_at, values: without_secrets(template, values) }
}

/// Reads a draft; a missing file is `None`.
pub fn load(path: &Path) -> Result<Option<Draft>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot read the draft {}: {e}", path.display());
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(&e)),
    };
    if meta.len() > MAX_BYTES {
        return Err(fail(&format!("larger than {MAX_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(&e))?;
    serde_json::from_str(&text).map(Some).map_err(|e| fail(&e))
}

/// Writes a draft atomically (0600 file in a 0700 folder).
pub fn save(path: &Path, draft: &Draft) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot save the draft {}: {e}", path.display());
    let text = serde_json::to_string_pretty(draft).map_err(|e| fail(&e))?;
    crate::paths::save_private(path, ".draft-", text.as_bytes()).map_err(|e| fail(&e))
}

/// Deletes a draft (used once a run created what it described).
pub fn remove(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot delete the draft {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::os::unix::fs::PermissionsExt;

    fn template() -> Template {
        Template::from_json(
            json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3",
                "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"parameters": [{"properties": {
                    "name": {"type": "string"},
                    "password": {"type": "string", "ui:widget": "password"},
                    "token": {"type": "string", "ui:field": "Secret"},
                    "db": {"type": "object", "properties": {
                        "pass": {"type": "string", "ui:backstage": {"review": {"mask": "***"}}},
                        "host": {"type": "string"}
                    }}
                }}], "steps": []}
            }),
            None,
        )
        .unwrap()
    }

    #[test]
    fn secrets_passwords_and_masked_values_are_left_out() {
        let values = json!({"name": "n", "password": "hunter2", "token": "t0k", "db": {"pass": "p", "host": "h"}});
        let draft = of(&template(), values.as_object().unwrap());
        assert_eq!(Json::Object(draft.values), json!({"name": "n", "db": {"host": "h"}}));
        assert_eq!(draft.template, "template:default/t");
    }

    #[test]
    fn round_trips_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir.path().join("profile"), "template:default/t");
        assert_eq!(load(&path).unwrap(), None);
        let values = json!({"name": "n", "password": "hunter2"});
        let draft = of(&template(), values.as_object().unwrap());
        save(&path, &draft).unwrap();
        assert_eq!(load(&path).unwrap(), Some(draft));
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(!std::fs::read_to_string(&path).unwrap().contains("hunter2"));
        remove(&path).unwrap();
        assert_eq!(load(&path).unwrap(), None);
        remove(&path).unwrap();
    }

    #[test]
    fn files_are_per_template_and_safe_names() {
        let a = file(Path::new("/d"), "template:default/a");
        let b = file(Path::new("/d"), "template:default/../b");
        assert_ne!(a, b);
        assert_eq!(b.parent(), Some(Path::new("/d/drafts")));
    }

    #[test]
    fn a_corrupt_or_huge_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, "{not json").unwrap();
        assert!(load(&path).unwrap_err().contains("d.json"));
        std::fs::write(&path, vec![b' '; MAX_BYTES as usize + 1]).unwrap();
        assert!(load(&path).unwrap_err().contains("larger than"));
    }
}
