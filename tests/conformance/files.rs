//! The fixture files themselves: every `catalog-info.yaml` a `dir` source
//! finds, an invalid entity's problems on their lines, and the templates and
//! docs entities next to their skeletons.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use stagehand::config::SourceKind;
use stagehand::index::build::build;
use stagehand::model::Severity;

/// Every file under `dir` whose name is catalog-info.yaml/yml, found with
/// std::fs, not following symlinks, skipping node_modules and .git.
fn walk_catalog_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let name = entry.file_name();
        if kind.is_dir() && name != "node_modules" && name != ".git" {
            walk_catalog_files(&entry.path(), out);
        } else if kind.is_file() && (name == "catalog-info.yaml" || name == "catalog-info.yml") {
            out.push(entry.path());
        }
    }
}

/// Skeleton folders: where each template's fetch step copies from
/// (`input.url` relative to the template), read from the Template entities.
fn skeleton_dirs(fx: &Path) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    for template in template_files(fx) {
        let output = read(&source("t", SourceKind::File(template.clone())));
        for e in output.entities.iter().filter(|e| e.entity.kind() == "Template") {
            let steps = e.entity.spec().and_then(|s| s.get("steps")).and_then(|s| s.as_array()).cloned();
            for step in steps.unwrap_or_default() {
                let action = step["action"].as_str().unwrap_or("");
                let url = step["input"]["url"].as_str().unwrap_or("");
                if action.starts_with("fetch:") && url.starts_with("./") {
                    let dir = template.parent().unwrap().join(url.trim_start_matches("./"));
                    if dir.is_dir() {
                        dirs.insert(dir);
                    }
                }
            }
        }
    }
    dirs
}

/// Every template.yaml under the fixtures, sorted.
fn template_files(fx: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), out);
            } else if entry.file_name() == "template.yaml" {
                out.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(fx, &mut out);
    out.sort();
    out
}

#[test]
fn dir_source_with_default_patterns_finds_every_catalog_info_file() {
    let Some(fx) = fixtures("dir_source_with_default_patterns_finds_every_catalog_info_file") else {
        return;
    };
    let mut expected = Vec::new();
    walk_catalog_files(&fx, &mut expected);
    expected.sort();
    assert!(expected.len() >= 13, "{expected:?}");

    // The walker itself.
    let patterns = stagehand::sources::dir::pattern_set(&default_patterns()).unwrap();
    assert_eq!(stagehand::sources::dir::find_catalog_files(&fx, &patterns), expected);

    // The source: every such file is read (the skeleton .gitignore files in
    // the tree hide none of them) and yields an entity or a problem naming it.
    let src = source("fixtures", SourceKind::Dir(fx.clone()));
    let output = read(&src);
    assert_eq!(output.files, expected.len());
    let mut seen: BTreeSet<PathBuf> = output.entities.iter().map(|e| e.file.clone()).collect();
    seen.extend(output.problems.iter().filter_map(|p| p.file.as_ref().map(PathBuf::from)));
    assert_eq!(seen, expected.iter().cloned().collect::<BTreeSet<_>>());

    // Outside skeletons, each file is a clean entity.
    let skeletons = skeleton_dirs(&fx);
    let index = build(vec![input(&src, Ok(output))], None, 1);
    for (file, name) in [
        ("backstage/plugins/techdocs-backend/examples/documented-component/catalog-info.yaml", "documented-component"),
        ("mkdocs-monorepo-plugin/catalog-info.yaml", "mkdocs-monorepo-plugin"),
        ("mkdocs-techdocs-core/catalog-info.yaml", "mkdocs-techdocs-core"),
        ("techdocs-container/catalog-info.yaml", "techdocs-container"),
    ] {
        let path = fx.join(file);
        assert!(expected.contains(&path), "{file}");
        assert!(!skeletons.iter().any(|s| path.starts_with(s)), "{file}");
        let i = entity(&index, &format!("component:default/{name}"));
        assert_eq!(index.summary(i).file, Some(path.to_str().unwrap()));
        assert!(problems_in(&index.problems, file).is_empty(), "{}", dump(&index.problems));
    }
    assert_eq!(
        relation(&index, "component:default/techdocs-container", "ownedBy", "group:default/techdocs-maintainers"),
        Some(false),
        "no such group in the fixtures: dangling"
    );
    let techdocs = index.entity(entity(&index, "component:default/documented-component")).unwrap();
    assert_eq!(techdocs.annotation("backstage.io/techdocs-ref"), Some("dir:."));
    // Every file with an error is a template skeleton.
    for p in errors(&index.problems) {
        let file = PathBuf::from(p.file.as_deref().unwrap());
        assert!(skeletons.iter().any(|s| file.starts_with(s)), "error outside a skeleton: {p}");
    }
}

#[test]
fn invalid_component_fails_validation_on_its_lines() {
    let Some(fx) = fixtures("invalid_component_fails_validation_on_its_lines") else {
        return;
    };
    let file = catalog_examples(&fx).join("components/invalid-component.yaml");
    let index = index_of(&source("invalid", SourceKind::File(file.clone())));
    let got: Vec<(Severity, u32, u32, &str)> = index
        .problems
        .iter()
        .map(|p| (p.severity, p.pos.unwrap().line, p.pos.unwrap().col, p.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Severity::Error,
                4,
                9,
                "metadata.name `invalid component` is invalid: use 1-63 characters, letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
            ),
            (
                Severity::Error,
                11,
                7,
                "tag `go 1.15.3` is invalid: use 1-63 lowercase letters, digits, `:`, `+` and `#`, with single `-` between them"
            ),
            (
                Severity::Error,
                1,
                1,
                "`component:default/invalid component` is rejected (Backstage would not store it): metadata.name \
                 `invalid component` is invalid: use 1-63 characters, letters, digits, `-`, `_` and `.`, starting and \
                 ending with a letter or digit (line 4)"
            ),
        ],
        "{}",
        dump(&index.problems)
    );
    for p in &index.problems {
        assert_eq!(p.file.as_deref(), Some(file.to_str().unwrap()));
        assert_eq!(p.entity.as_deref(), Some("component:default/invalid component"));
    }
    assert_eq!(
        index.problems[0].to_string(),
        format!(
            "{}:4:9: error: metadata.name `invalid component` is invalid: use 1-63 characters, letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
            file.display()
        )
    );
    // The entity is rejected, as Backstage would, and kept apart to be shown
    // with the reason; it has no relations.
    assert!(index.is_empty());
    let rejected = index.find_rejected("component:default/invalid component");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].location(), format!("{}:1", file.display()));
}

#[test]
fn templates_and_docs_entities_parse_cleanly_and_skeletons_do_not() {
    let Some(fx) = fixtures("templates_and_docs_entities_parse_cleanly_and_skeletons_do_not") else {
        return;
    };

    // The skeleton folders, as the templates' fetch steps name them.
    let skeletons = skeleton_dirs(&fx);
    let rel: Vec<String> = skeletons.iter().map(|d| d.strip_prefix(&fx).unwrap().display().to_string()).collect();
    let st = "software-templates/scaffolder-templates";
    assert_eq!(
        rel,
        vec![
            "backstage/packages/create-app/templates/default-app/examples/template/content".to_string(),
            format!("{st}/clean-architecture-app/skeleton"),
            format!("{st}/create-react-app/skeleton"),
            format!("{st}/docs-template/skeleton"),
            format!("{st}/docs-template-cookiecutter/skeleton"),
            format!("{st}/gitlab-merge-request/template"),
            format!("{st}/pull-request/template"),
            format!("{st}/react-ssr-template/skeleton"),
            format!("{st}/springboot-grpc-template/skeleton"),
        ]
    );

    // Every template.yaml: one Template, no error.
    let mut names = Vec::new();
    for file in template_files(&fx) {
        let output = read(&source("t", SourceKind::File(file.clone())));
        assert!(errors(&output.problems).is_empty(), "{}:\n{}", file.display(), dump(&output.problems));
        assert_eq!(output.entities.len(), 1, "{}", file.display());
        let e = &output.entities[0].entity;
        assert_eq!(e.kind(), "Template");
        assert_eq!(e.api_version(), "scaffolder.backstage.io/v1beta3");
        names.push(e.name().to_string());
    }
    names.sort();
    assert_eq!(
        names,
        sorted(&[
            "example-nodejs-template",
            "bui-kitchen-sink-demo",
            "conditional-output-demo",
            "conditional-parameters-demo",
            "notifications-demo",
            "scaffold-bancolombia-java",
            "create-react-app-template",
            "docs-template-cookiecutter",
            "docs-template",
            "gitlab-merge-request",
            "pull-request",
            "rails-demo",
            "react-ssr-template",
            "springboot-template",
        ])
    );

    // The sample-templates Location: local templates are read, the `url`
    // Location of remote-templates.yaml is a warning per target, not an error.
    let all_templates = fx.join("backstage/plugins/scaffolder-backend/sample-templates/all-templates.yaml");
    let index = index_of(&source("samples", SourceKind::File(all_templates)));
    assert_eq!(
        refs(&index),
        sorted(&[
            "location:default/example-templates",
            "location:default/example-templates-remote",
            "template:default/notifications-demo",
            "template:default/conditional-output-demo",
            "template:default/conditional-parameters-demo",
            "template:default/bui-kitchen-sink-demo",
        ])
    );
    assert!(errors(&index.problems).is_empty(), "{}", dump(&index.problems));
    let warned: Vec<u32> = problems_in(&index.problems, "sample-templates/remote-templates.yaml")
        .iter()
        .map(|p| {
            assert_eq!(p.severity, Severity::Warning);
            assert!(p.message.contains("is a URL: local sources do not fetch URLs, so it is not followed"), "{p}");
            p.pos.unwrap().line
        })
        .collect();
    assert_eq!(warned, vec![9, 10, 11, 12, 13, 14]);
    assert_eq!(index.problems.len(), 6);

    // Docs entities (catalog-info files outside skeletons, and the legacy
    // `github:` techdocs-ref descriptor) and the create-app examples.
    let mut catalog_files = Vec::new();
    walk_catalog_files(&fx, &mut catalog_files);
    catalog_files.sort();
    let (clean, skeleton): (Vec<PathBuf>, Vec<PathBuf>) =
        catalog_files.into_iter().partition(|f| !skeletons.iter().any(|s| f.starts_with(s)));
    let mut clean_files = clean.clone();
    clean_files
        .push(fx.join("backstage/plugins/techdocs-backend/examples/documented-component/documented-component.yaml"));
    clean_files.push(fx.join("backstage/packages/create-app/templates/default-app/examples/entities.yaml"));
    clean_files.push(fx.join("backstage/packages/create-app/templates/default-app/examples/org.yaml"));
    let mut total = 0;
    for file in &clean_files {
        let output = read(&source("docs", SourceKind::File(file.clone())));
        assert!(output.problems.is_empty(), "{}:\n{}", file.display(), dump(&output.problems));
        assert!(!output.entities.is_empty(), "{}", file.display());
        total += output.entities.len();
    }
    // 4 docs catalog-info files + the legacy descriptor + entities.yaml (3)
    // + create-app org.yaml (2).
    assert_eq!(clean.len(), 4, "{clean:?}");
    assert_eq!(total, 4 + 1 + 3 + 2);

    // Skeleton catalog-info files are templated YAML (`${{ }}`, `{%- %}`,
    // cookiecutter `{{ }}`): each is an error, on the line of the template
    // syntax.
    let mut outcomes: Vec<(String, u32, String)> = Vec::new();
    for file in &skeleton {
        let output = read(&source("skeleton", SourceKind::File(file.clone())));
        let errs = errors(&output.problems);
        assert_eq!(errs.len(), 1, "{}:\n{}", file.display(), dump(&output.problems));
        let p = errs[0];
        assert_eq!(p.file.as_deref(), Some(file.to_str().unwrap()));
        let what = if p.message.starts_with("invalid YAML") {
            "yaml"
        } else if p.message.starts_with("metadata.name `${{") {
            "name"
        } else {
            panic!("unexpected problem {p}")
        };
        let dir = file.parent().unwrap().strip_prefix(&fx).unwrap().display().to_string();
        outcomes.push((dir, p.pos.unwrap().line, what.to_string()));
    }
    let expected: Vec<(String, u32, String)> = [
        ("backstage/packages/create-app/templates/default-app/examples/template/content".to_string(), 4, "name"),
        (format!("{st}/clean-architecture-app/skeleton"), 4, "name"),
        (format!("{st}/create-react-app/skeleton"), 5, "yaml"),
        (format!("{st}/docs-template/skeleton"), 4, "name"),
        (format!("{st}/docs-template-cookiecutter/skeleton"), 4, "yaml"),
        (format!("{st}/gitlab-merge-request/template"), 4, "name"),
        (format!("{st}/pull-request/template"), 4, "name"),
        (format!("{st}/react-ssr-template/skeleton"), 5, "yaml"),
        (format!("{st}/springboot-grpc-template/skeleton"), 5, "yaml"),
    ]
    .into_iter()
    .map(|(d, l, w)| (d, l, w.to_string()))
    .collect();
    assert_eq!(outcomes, expected);
}
