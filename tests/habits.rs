//! A command line that fits a person's habits: suggestions for mistyped
//! commands, flags and names; shell completions and manual pages made from
//! the same definitions as `--help`.

use std::process::Command;

use super::{annals, ok};

/// The commands `annals --help` lists (clap's own `help` aside).
fn commands() -> Vec<String> {
    let help = ok(&["--help"]);
    let section = help.split("Commands:").nth(1).expect("a Commands section");
    let section = section.split("Options:").next().unwrap();
    let names: Vec<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 19, "{names:?}");
    names
}

fn stderr_of(args: &[&str], code: i32) -> String {
    let out = annals(args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "annals {args:?}: {stderr}");
    stderr
}

#[test]
fn a_mistyped_command_or_flag_gets_a_suggestion() {
    let stderr = stderr_of(&["contrl", "bamba"], 2);
    assert!(stderr.contains("unrecognized subcommand 'contrl'"), "{stderr}");
    assert!(stderr.contains("'control'"), "no suggestion: {stderr}");
    let stderr = stderr_of(&["control", "bamba", "--on", "2023-10-02", "--jsn"], 2);
    assert!(stderr.contains("'--json'"), "no suggestion: {stderr}");
    let stderr = stderr_of(&["histroy", "kidal"], 2);
    assert!(stderr.contains("'history'"), "no suggestion: {stderr}");
}

#[test]
fn a_mistyped_name_gets_the_names_it_is_close_to() {
    // (arguments, what the error names, a suggestion it must make)
    let cases: &[(&[&str], &str, &str)] = &[
        (&["control", "timbuktou", "--on", "2023-10-02"], "unknown place `timbuktou`", "timbuktu"),
        (&["control", "kidl", "--on", "2023-10-02"], "unknown place `kidl`", "kidal"),
        (&["history", "tombouctu"], "unknown place `tombouctu`", "timbuktu"),
        (&["actor", "mnl", "--on", "2023-10-02"], "unknown actor `mnl`", "mnla"),
        (&["actor", "jmin", "--on", "2023-10-02"], "unknown actor `jmin`", "jnim"),
        (&["government", "mal", "--on", "2023-10-02"], "unknown state `mal`", "mali"),
        (&["government", "nigr", "--on", "2023-10-02"], "unknown state `nigr`", "niger"),
        (&["path", "cmaa", "fama", "--on", "2023-10-02"], "`cmaa`", "cma"),
    ];
    for (args, names, suggestion) in cases {
        let stderr = stderr_of(args, 3);
        assert!(stderr.contains(names), "annals {args:?}: {stderr}");
        let hint = stderr.split("did you mean").nth(1).unwrap_or_else(|| {
            panic!("annals {args:?} suggests nothing: {stderr}");
        });
        assert!(
            hint.split([',', ' ', '?', '(', ')']).any(|w| w == *suggestion),
            "annals {args:?} should suggest {suggestion}: {stderr}"
        );
    }
    // Nothing close: no list of unrelated names.
    let stderr = stderr_of(&["control", "atlantis", "--on", "2023-10-02"], 3);
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn the_bash_completion_script_knows_every_command_and_parses() {
    let script = ok(&["completions", "bash"]);
    // The words offered after `annals `: the first list of options that has any.
    let first = script
        .lines()
        .find(|l| l.trim_start().starts_with("opts=") && l.contains("--version"))
        .expect("the options of `annals`");
    let offered: Vec<&str> =
        first.trim().trim_start_matches("opts=\"").trim_end_matches('"').split(' ').collect();
    for command in commands() {
        assert!(offered.contains(&command.as_str()), "bash does not offer {command}: {first}");
    }
    assert!(script.contains("--known-at") && script.contains("--json"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("annals.bash");
    std::fs::write(&path, &script).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = ok(&["completions", shell]);
        assert!(script.contains("control") && script.contains("known-at"), "{shell}");
    }
    let stderr = stderr_of(&["completions", "tcsh"], 2);
    assert!(stderr.contains("bash") && stderr.contains("zsh"), "{stderr}");
}

/// The text of a manual page as `man` shows it (groff's plain text).
fn rendered(page: &str) -> Option<String> {
    use std::io::Write;
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-Wall"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && warnings.trim().is_empty(), "groff: {warnings}");
    // Plain text: bold and underline are overstrikes in groff's tty output.
    let text = String::from_utf8(out.stdout).unwrap();
    let mut plain = String::new();
    for c in text.chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    Some(plain)
}

#[test]
fn the_manual_lists_every_command_and_each_has_its_page() {
    let page = ok(&["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH"), "not roff: {page:.200}");
    let commands = commands();
    for command in &commands {
        assert!(page.contains(&format!("annals\\-{command}(1)")), "annals(1) lacks {command}");
    }
    let control = ok(&["man", "control"]);
    assert!(control.contains("\\-\\-known\\-at") && control.contains("\\-\\-on"), "{control}");
    assert!(stderr_of(&["man", "contrl"], 2).contains("the commands are init"));

    let dir = tempfile::tempdir().unwrap();
    ok(&["man", "--dir", dir.path().to_str().unwrap()]);
    for command in &commands {
        let file = dir.path().join(format!("annals-{command}.1"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("no {file:?}"));
        assert!(text.contains(".SH NAME"), "{file:?}");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("annals.1")).unwrap(), page);

    let Some(text) = rendered(&page) else {
        eprintln!("groff is not installed: the manual's rendering is not checked");
        return;
    };
    assert!(text.contains("SUBCOMMANDS"), "{text}");
    for command in &commands {
        assert!(text.contains(&format!("annals-{command}(1)")), "rendered page lacks {command}");
    }
    let text = rendered(&control).unwrap();
    assert!(text.contains("--known-at") && text.contains("PLACE"), "{text}");
}

#[test]
fn the_rust_version_is_the_same_in_the_manifest_and_the_readme_and_ci_checks_it() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).unwrap();
    let manifest = read("Cargo.toml");
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("a rust-version in Cargo.toml");
    let readme = read("README.md").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(readme.contains(&format!("Rust {msrv} or later")), "README does not state {msrv}");
    assert!(readme.contains(&format!("cargo +{msrv}.0 check")), "README does not say how");
    let ci = read(".ci/run");
    assert!(ci.contains("rust-version") && ci.contains("cargo \"+$msrv\" check --workspace"));
}
