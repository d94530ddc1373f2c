//! `validate` (catalog YAML text -> problems) and the template tools
//! `list_templates` and `template_parameters`, on the calls `stagehand
//! validate`, `search kind:template` and `scaffold` use.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::cli::browse::{self, Row};
use crate::cli::maintain::{validated, validation_input};
use crate::cli::output::Out;
use crate::cli::scaffold::load_template;
use crate::index::Index;
use crate::model::Severity;
use crate::scaffold::fields::FieldKind;
use crate::scaffold::form::apply_defaults;
use crate::scaffold::runner::preflight;
use crate::sources::fanout;
use crate::workspace::Workspace;

use super::reply::{Reply, Window, more_hint};

/// Largest YAML text `validate` reads.
const MAX_YAML_BYTES: usize = 1024 * 1024;

/// Arguments of `validate`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ValidateArgs {
    /// The catalog YAML (one or more documents), e.g. a catalog-info.yaml.
    pub yaml: String,
    /// The file name problems are reported under (default `catalog-info.yaml`).
    pub file_name: Option<String>,
}

/// One problem found.
#[derive(Serialize, JsonSchema)]
pub struct ProblemOut {
    /// `error` or `warning`.
    pub severity: String,
    /// Where: `file:line:col`.
    pub location: String,
    /// The entity concerned, when known.
    pub entity: Option<String>,
    /// What is wrong, and what is allowed.
    pub message: String,
}

/// Result of `validate`.
#[derive(Serialize, JsonSchema)]
pub struct ValidateOut {
    /// Whether there is no error (warnings allowed).
    pub valid: bool,
    /// Entities read.
    pub entities: usize,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Every problem, in file order.
    pub problems: Vec<ProblemOut>,
}

/// `validate`: `stagehand validate FILE` on text. The text is written to a
/// private temp folder that its Locations may not leave.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<Reply> {
    if args.yaml.len() > MAX_YAML_BYTES {
        anyhow::bail!("the YAML is {} bytes; at most {MAX_YAML_BYTES} are read", args.yaml.len());
    }
    let name = args.file_name.as_deref().unwrap_or("catalog-info.yaml");
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        anyhow::bail!("file_name `{name}`: give a plain file name such as catalog-info.yaml");
    }
    let dir = tempfile::tempdir()?;
    let sandbox = dir.path().canonicalize()?;
    let file = sandbox.join(name);
    std::fs::write(&file, &args.yaml)?;
    let crawl = fanout::crawl(vec![fanout::Root::file(file)], &sandbox, &|_| {});
    let (index, problems) = validated(vec![validation_input(name, crawl)]);
    let folder = sandbox.display().to_string();
    let unplace =
        |s: &str| s.replace("file:", "").replace(&format!("{folder}/"), "").replace(&folder, "the text's folder");
    let problems: Vec<ProblemOut> = problems
        .iter()
        .map(|p| ProblemOut {
            severity: p.severity.to_string(),
            location: unplace(&p.location()),
            entity: p.entity.clone(),
            message: unplace(&p.message),
        })
        .collect();
    let errors = problems.iter().filter(|p| p.severity == Severity::Error.to_string()).count();
    let mut out = Out::default();
    for p in &problems {
        out.line(&format!("{}: {}: {}", p.location, p.severity, p.message));
    }
    out.line(&format!("{} entities: {errors} errors, {} warnings", index.len(), problems.len() - errors));
    let data =
        ValidateOut { valid: errors == 0, entities: index.len(), errors, warnings: problems.len() - errors, problems };
    Reply::new(out.into_string(), &data)
}

/// Arguments of `list_templates`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListTemplatesArgs {
    /// Only templates matching this fuzzy query (facets allowed); all when omitted.
    pub query: Option<String>,
    /// At most this many templates (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many templates (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// Result of `list_templates`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplatesOut<'a> {
    /// The templates.
    pub templates: Vec<Row<'a>>,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `list_templates`: `stagehand search kind:template`.
pub fn list_templates(index: &Index, args: &ListTemplatesArgs) -> anyhow::Result<Reply> {
    let window = Window::new(args.offset, args.limit);
    let hits = browse::find(index, args.query.as_deref().unwrap_or(""), Some("template"), window.probe());
    let (hits, next) = window.take(hits);
    let mut out = Out::default();
    if hits.is_empty() {
        out.line("no templates");
    }
    browse::table(&mut out, index, &hits);
    let text = out.into_string() + &more_hint(next, "templates");
    let rows = hits.iter().map(|h| browse::row(index, h.entity, None)).collect();
    Reply::new(text, &TemplatesOut { templates: rows, next_offset: next })
}

/// Arguments of `template_parameters`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TemplateArgs {
    /// The template: a ref (`go-service`, `template:default/go-service`).
    pub template: String,
}

/// A value the template asks for.
#[derive(Serialize, JsonSchema)]
pub struct FieldOut {
    /// The key to give in `values` (dotted for nested objects).
    pub key: String,
    /// The label.
    pub title: String,
    /// The help text.
    pub description: Option<String>,
    /// How it is entered: text, number, boolean, select, entity picker, ...
    pub widget: String,
    /// Whether a value is required.
    pub required: bool,
    /// The default, if any.
    pub default: Option<Json>,
    /// The allowed values, for selects.
    pub options: Vec<Json>,
    /// The field's `ui:options` (e.g. a repo picker's `allowedOwners`).
    #[serde(rename = "uiOptions")]
    pub ui_options: Option<Json>,
}

/// A page of the template's form.
#[derive(Serialize, JsonSchema)]
pub struct FormPageOut {
    /// The page title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Its fields (for the default values; conditional fields follow values).
    pub fields: Vec<FieldOut>,
}

/// Result of `template_parameters`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateOut {
    /// The template's ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The form, page by page.
    pub pages: Vec<FormPageOut>,
    /// Its steps' actions, in order.
    pub steps: Vec<String>,
    /// Why it cannot run on this machine (empty: it can).
    pub needs_backend: Vec<String>,
}

fn widget(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text { multiline: true, .. } => "multiline text",
        FieldKind::Text { password: true, .. } | FieldKind::Secret => "secret",
        FieldKind::Text { .. } => "text",
        FieldKind::Number { integer: true } => "integer",
        FieldKind::Number { .. } => "number",
        FieldKind::Boolean => "boolean",
        FieldKind::Select { .. } => "select",
        FieldKind::MultiSelect { .. } => "multi-select (list)",
        FieldKind::StringList => "list of strings",
        FieldKind::Tags => "tags (list of strings)",
        FieldKind::Picker(_) => "entity ref",
        FieldKind::MultiPicker => "entity refs (list)",
        FieldKind::EntityName => "entity name",
        FieldKind::RepoUrl => "repo URL (host?owner=o&repo=r)",
        FieldKind::Info => "information (no value)",
        FieldKind::Hidden => "hidden",
        FieldKind::Object => "object",
        FieldKind::ObjectList => "list of objects (JSON array)",
        FieldKind::Json => "JSON",
    }
}

/// `template_parameters`: what `stagehand scaffold TEMPLATE` asks for.
pub fn template_parameters(ws: &Workspace, args: &TemplateArgs) -> anyhow::Result<Reply> {
    let template = load_template(ws, &args.template)?.template;
    let mut values = Map::new();
    apply_defaults(&template.pages, &mut values);
    let pages: Vec<FormPageOut> = template
        .pages
        .iter()
        .map(|page| FormPageOut {
            title: page.title.clone(),
            description: page.description.clone(),
            fields: page
                .fields(&values)
                .iter()
                .filter(|f| !matches!(f.kind, FieldKind::Hidden | FieldKind::Info))
                .map(|f| FieldOut {
                    key: f.key(),
                    title: f.title(),
                    description: f.description().map(String::from),
                    widget: widget(&f.kind).into(),
                    required: f.required,
                    default: f.schema.get("default").cloned(),
                    options: match &f.kind {
                        FieldKind::Select { options, .. } | FieldKind::MultiSelect { options } => {
                            options.iter().map(|(v, _)| v.clone()).collect()
                        }
                        _ => Vec::new(),
                    },
                    ui_options: f.schema.get("ui:options").cloned(),
                })
                .collect(),
        })
        .collect();
    let mut out = Out::default();
    out.line(&format!("{}  {}", template.entity_ref, template.title));
    if let Some(d) = &template.description {
        out.line(&format!("  {d}"));
    }
    for page in &pages {
        out.line(&format!("{}:", page.title));
        for f in &page.fields {
            let required = if f.required { " (required)" } else { "" };
            let default = f.default.as_ref().map(|d| format!(" default {d}")).unwrap_or_default();
            out.line(&format!("  {}: {}{required}{default}  {}", f.key, f.widget, f.title));
        }
    }
    let needs_backend = preflight(&template);
    for p in &needs_backend {
        out.line(&format!("cannot run locally: {p}"));
    }
    let data = TemplateOut {
        entity_ref: template.entity_ref.clone(),
        title: template.title.clone(),
        description: template.description.clone(),
        pages,
        steps: template.steps.iter().map(|s| s.action.clone()).collect(),
        needs_backend,
    };
    Reply::new(out.into_string(), &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> serde_json::Value {
        validate(&ValidateArgs { yaml: yaml.into(), file_name: None }).unwrap().data
    }

    #[test]
    fn problems_are_placed_in_the_named_file() {
        let data = check("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok\nspec: {}\n");
        assert_eq!(data["valid"], false);
        let location = data["problems"][0]["location"].as_str().unwrap();
        assert!(location.starts_with("catalog-info.yaml:"), "{location}");
    }

    #[test]
    fn locations_in_the_text_cannot_read_this_machine() {
        let data = check(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: out\n\
             spec:\n  targets:\n    - /etc/hostname\n    - ../../x.yaml\n",
        );
        let messages: Vec<&str> =
            data["problems"].as_array().unwrap().iter().map(|p| p["message"].as_str().unwrap()).collect();
        assert_eq!(messages.len(), 3, "two targets and the rejected Location: {messages:?}");
        for m in &messages {
            assert!(m.contains("leaves the source root") && m.contains("the text's folder"), "{m}");
            assert!(!m.contains("/tmp"), "no temp path leaks: {m}");
        }
        assert_eq!(data["entities"], 0, "the Location fails, as in Backstage");
    }

    #[test]
    fn file_names_are_plain_and_text_is_bounded() {
        for bad in ["../x.yaml", "a/b.yaml", ".hidden", ""] {
            let err = validate(&ValidateArgs { yaml: "kind: x".into(), file_name: Some(bad.into()) }).unwrap_err();
            assert!(err.to_string().contains("plain file name"), "{bad}: {err}");
        }
        let huge = "#".repeat(MAX_YAML_BYTES + 1);
        assert!(validate(&ValidateArgs { yaml: huge, file_name: None }).is_err());
    }
}
