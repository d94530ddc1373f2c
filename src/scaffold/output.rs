//! `spec.output`: links and text, each with an optional `if`.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::expr::{Engine, ExprError, is_truthy};

/// An output link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputLink {
    /// Its title.
    pub title: Option<String>,
    /// A URL.
    pub url: Option<String>,
    /// Or an entity ref.
    #[serde(rename = "entityRef")]
    pub entity_ref: Option<String>,
    /// An icon name.
    pub icon: Option<String>,
}

/// An output text block (Markdown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputText {
    /// Its title.
    pub title: Option<String>,
    /// The Markdown content, as text to show.
    #[serde(skip)]
    pub content: String,
    /// The content with the type it rendered to (`${{ parameters.count }}`
    /// stays a number, as in the backend's task output).
    #[serde(rename = "content")]
    pub value: Json,
}

impl OutputText {
    /// A block from a rendered (or reported) `{title, content}` item.
    fn of(item: &Json) -> OutputText {
        OutputText {
            title: string(item, "title"),
            content: string(item, "content").unwrap_or_default(),
            value: item.get("content").cloned().unwrap_or(Json::Null),
        }
    }
}

/// A run's rendered output.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunOutput {
    /// `output.links` whose `if` holds.
    pub links: Vec<OutputLink>,
    /// `output.text` whose `if` holds.
    pub text: Vec<OutputText>,
    /// Any other output keys, rendered.
    pub extra: Map<String, Json>,
}

fn string(v: &Json, key: &str) -> Option<String> {
    match v.get(key)? {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Null | Json::String(_) => None,
        other => Some(other.to_string()),
    }
}

fn kept(engine: &Engine, item: &Json, ctx: &Json) -> Result<Option<Json>, ExprError> {
    if let Some(cond) = item.get("if")
        && !engine.render_value(cond, ctx)?.as_ref().is_some_and(is_truthy)
    {
        return Ok(None);
    }
    engine.render_value(item, ctx)
}

/// Renders `spec.output` against the final context.
pub fn render_output(engine: &Engine, output: &Json, ctx: &Json) -> Result<RunOutput, ExprError> {
    let mut out = RunOutput::default();
    let Some(obj) = output.as_object() else { return Ok(out) };
    for (key, value) in obj {
        match key.as_str() {
            "links" => {
                for item in value.as_array().into_iter().flatten() {
                    if let Some(l) = kept(engine, item, ctx)? {
                        out.links.push(OutputLink {
                            title: string(&l, "title"),
                            url: string(&l, "url"),
                            entity_ref: string(&l, "entityRef"),
                            icon: string(&l, "icon"),
                        });
                    }
                }
            }
            "text" => {
                for item in value.as_array().into_iter().flatten() {
                    if let Some(t) = kept(engine, item, ctx)? {
                        out.text.push(OutputText::of(&t));
                    }
                }
            }
            _ => {
                if let Some(v) = engine.render_value(value, ctx)? {
                    out.extra.insert(key.clone(), v);
                }
            }
        }
    }
    Ok(out)
}

/// The output a backend task reported (`output` of its completion event):
/// links and text as they are, nothing rendered.
pub fn from_task_output(output: Option<&Json>) -> RunOutput {
    let list = |key: &str| output.and_then(|o| o.get(key)).and_then(Json::as_array).cloned().unwrap_or_default();
    let links = list("links")
        .iter()
        .map(|l| OutputLink {
            title: string(l, "title"),
            url: string(l, "url"),
            entity_ref: string(l, "entityRef"),
            icon: string(l, "icon"),
        })
        .collect();
    let text = list("text").iter().map(OutputText::of).collect();
    let extra = output
        .and_then(Json::as_object)
        .map(|o| o.iter().filter(|(k, _)| *k != "links" && *k != "text").map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    RunOutput { links, text, extra }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::expr::Syntax;
    use serde_json::json;

    #[test]
    fn conditional_links_and_text() {
        let e = Engine::new(Syntax::Backstage);
        let ctx = json!({"parameters": {"ci": "Yes", "details": false}});
        let out = render_output(
            &e,
            &json!({
                "links": [{"title": "Home", "url": "https://x"}, {"if": "${{ parameters.ci === 'No' }}", "title": "CI", "url": "u"}],
                "text": [{"if": "${{ parameters.details }}", "title": "D", "content": "c"}, {"title": "S", "content": "ci ${{ parameters.ci }}"}]
            }),
            &ctx,
        )
        .unwrap();
        assert_eq!(out.links.len(), 1);
        assert_eq!(
            out.text,
            vec![OutputText { title: Some("S".into()), content: "ci Yes".into(), value: json!("ci Yes") }]
        );
        let typed = render_output(
            &e,
            &json!({"text": [{"title": "N", "content": "${{ parameters.n }}"}]}),
            &json!({"parameters": {"n": 3}}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&typed.text).unwrap(),
            json!([{"title": "N", "content": 3}]),
            "the type is kept"
        );
        assert_eq!(typed.text[0].content, "3");
    }

    #[test]
    fn task_output_reads_links_and_text() {
        let o = serde_json::json!({"links": [{"title": "Repo", "url": "https://x"}], "text": [{"title": "T", "content": "c"}], "n": 1});
        let out = from_task_output(Some(&o));
        assert_eq!(out.links[0].url.as_deref(), Some("https://x"));
        assert_eq!(out.text[0].content, "c");
        assert_eq!(out.extra.get("n"), Some(&serde_json::json!(1)));
        assert_eq!(from_task_output(None), RunOutput::default());
    }
}
