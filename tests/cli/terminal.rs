//! Terminal safety: catalog text with escape sequences, refs on stderr,
//! and what the binary prints with no setup at all.

use crate::ESC;
use crate::common::{Sandbox, write};

// --- terminal safety ------------------------------------------------------------

#[test]
fn escape_sequences_in_catalog_text_never_reach_the_terminal() {
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    // YAML's \e is ESC, \a is BEL, \x9b is the 8-bit CSI.
    write(
        &catalog,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: sneaky\n  title: \"\\e]0;pwned\\a\"\n  description: \"red \\e[31mALERT\\e[0m \\x9b2J \\e]52;c;ZXZpbA==\\a\"\n  tags: [ok]\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team-\\e[5mx\"\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: sneakier\n  title: \"\\e]0;pwned\\a\"\n  tags: [ok, \"\\e[2J\"]\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team-\\e[5mx\"\n",
    );
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);

    for args in [
        &["list"][..],
        &["search", "sneaky"][..],
        &["show", "sneaky"][..],
        &["show", "sneaky", "--yaml"][..],
        &["show", "sneakier"][..],
        &["show", "sneakier", "--yaml"][..],
        &["search", "is:rejected"][..],
        &["problems"][..],
        &["validate", catalog.to_str().unwrap()][..],
    ] {
        let run = sb.run(args);
        assert!(run.code == 0 || run.code == 1, "{}: {}", run.args, run.stderr);
        assert!(!run.raw_stdout.contains(&ESC), "raw ESC on stdout of `{}`:\n{:?}", run.args, run.stdout);
        assert!(!run.raw_stderr.contains(&ESC), "raw ESC on stderr of `{}`:\n{:?}", run.args, run.stderr);
        assert!(!run.stdout.contains('\u{9b}'), "raw CSI on stdout of `{}`", run.args);
    }
    let run = sb.run(&["show", "sneaky"]);
    assert!(run.stdout.contains("Title        ␛]0;pwned␇"), "{}", run.stdout);
    assert!(run.stdout.contains("<U+009B>2J"), "{}", run.stdout);
    let run = sb.run(&["problems"]);
    assert!(run.stdout.contains("tag `␛[2J` is invalid"), "{}", run.stdout);

    // JSON keeps the text exact, escaped.
    for args in [
        &["show", "sneaky", "--json"][..],
        &["list", "--json"][..],
        &["search", "sneaky", "--json"][..],
        &["show", "sneakier", "--json"][..],
        &["search", "is:rejected", "--json"][..],
        &["problems", "--json"][..],
    ] {
        let run = sb.run(args);
        run.code(0);
        assert!(!run.raw_stdout.contains(&ESC), "raw ESC in `{}`", run.args);
        assert!(run.stdout.contains("\\u001b"), "`{}` lost the ESC:\n{}", run.args, run.stdout);
        run.json();
    }
    let run = sb.run(&["show", "sneaky", "--json"]);
    assert_eq!(run.json()["entity"]["metadata"]["title"], "\u{1b}]0;pwned\u{7}");

    // Untrusted text in error messages (here, the argument) is made safe too.
    let run = sb.run(&["show", "\u{1b}]0;x\u{7}"]);
    run.code(2);
    assert!(!run.raw_stderr.contains(&ESC), "{:?}", run.stderr);
}

/// Rule 8: `members` says which members are not in the catalog, and fails
/// when none is (a group whose users were all rejected listed nothing, exit 0).
#[test]
fn members_says_when_members_are_missing() {
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    let team = |name: &str, members: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {name}}}\nspec: {{type: team, children: [], members: [{members}]}}\n"
        )
    };
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: jo}\nspec: {memberOf: []}\n";
    let rejected = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: gone, tags: [Not_Valid]}\nspec: {memberOf: []}\n";
    let text =
        [team("ghosts", "gone, nobody"), team("mixed", "jo, nobody"), team("empty", ""), user.into(), rejected.into()];
    write(&catalog, "catalog-info.yaml", text.join("---\n"));
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);

    let run = sb.run(&["members", "ghosts"]);
    run.code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("group:default/ghosts: every member (2) is not in the catalog")
            && run.stderr.contains("user:default/gone, user:default/nobody"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["members", "ghosts", "--json"]);
    run.code(1);
    assert_eq!(run.json(), serde_json::json!([]));
    let run = sb.run(&["members", "mixed"]);
    run.code(0);
    let refs: Vec<&str> = run.lines().iter().map(|l| l.split('\t').next().unwrap_or("")).collect();
    assert_eq!(refs, ["user:default/jo"]);
    assert!(run.stderr.contains("1 more member(s) not in the catalog") && run.stderr.contains("user:default/nobody"));
    let run = sb.run(&["members", "empty"]);
    run.code(0);
    assert!(run.stderr.contains("group:default/empty has no members"), "{}", run.stderr);
}

#[test]
fn refs_printed_on_stderr_are_sanitized() {
    // `owners` of an owner-less entity names it on stderr; its name carries
    // OSC 0 (title) and OSC 52 (clipboard), lowercase so ref lowercasing
    // keeps them.
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    write(
        &catalog,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: \"x\\e]0;pwned\\a\\e]52;c;zxzpba==\\a\"\nspec:\n  type: team\n  children: []\n",
    );
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);
    // The catalog rejects such a name, so the ref is unknown: the error
    // that names it is what reaches stderr.
    let run = sb.run(&["owners", "group:x\u{1b}]0;pwned\u{7}\u{1b}]52;c;zxzpba==\u{7}"]);
    run.code(2);
    assert!(run.stderr.contains("no entity"), "{}", run.stderr);
    assert!(!run.raw_stderr.contains(&ESC), "raw ESC on stderr: {:?}", run.stderr);
    assert!(run.stderr.contains("␛]0;pwned␇"), "{}", run.stderr);
}

#[test]
fn version_and_help_work_without_any_setup() {
    let sb = Sandbox::new();
    let run = sb.run(&["--version"]);
    run.code(0);
    assert_eq!(run.stdout.trim(), format!("stagehand {}", env!("CARGO_PKG_VERSION")));
    let run = sb.run(&["--help"]);
    run.code(0);
    for word in ["sync", "search", "list", "show", "validate", "problems", "config", "--demo"] {
        assert!(run.stdout.contains(word), "{word}");
    }
    let run = sb.run(&["frobnicate"]);
    run.code(2);
}
