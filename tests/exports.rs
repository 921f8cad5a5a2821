//! The exports for other tools, each checked against its schema (`xmllint`
//! with the grammars in `fixtures/schemas/`) and read back by an independent
//! reader (networkx for GEXF and GraphML), on the built-in chronicle and on
//! a log written by someone else (`fixtures/outside/graph-test.jsonl`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use annals_app::{Annals, Silent};
use annals_replay::DatedGraph;
use chrono::NaiveDate;
use serde_json::Value;

use super::{ok, Db};

pub(crate) const GRAPH_LOG: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/graph-test.jsonl");
const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/schemas");

/// Runs a Python 3 script with `args`; fails with what it printed on error.
pub(crate) fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 must be installed (.ci/setup installs it and the readers)");
    assert!(
        out.status.success(),
        "python failed on {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Validates `file` with `xmllint` against a RELAX NG grammar (`--relaxng`)
/// or an XSD (`--schema`) of `fixtures/schemas/`.
fn xmllint(file: &Path, how: &str, schema: &str) {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", how, &format!("{SCHEMAS}/{schema}")])
        .arg(file)
        .output()
        .expect("xmllint must be installed (apt-get install libxml2-utils; .ci/setup does)");
    assert!(
        out.status.success(),
        "{} does not validate against {schema}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn valid_gexf(file: &Path) {
    xmllint(file, "--relaxng", "gexf-1.3/gexf.rng");
}

pub(crate) fn valid_graphml(file: &Path) {
    xmllint(file, "--schema", "graphml-1.0/graphml.xsd");
}

/// `annals ARGS -o FILE` on `db` (the built-in chronicle without one).
pub(crate) fn write(db: Option<&Db>, args: &[&str], file: &Path) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", file.to_str().unwrap()]);
    match db {
        Some(db) => db.run(&all),
        None => ok(&all),
    };
}

#[test]
fn gexf_and_graphml_validate_against_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let outside = Db::with(&[GRAPH_LOG]);
    for (name, db) in [("builtin", None), ("outside", Some(&outside))] {
        for day in ["2013-01-28", "2016-06-20", "2023-10-02"] {
            let gexf = dir.path().join(format!("{name}-{day}.gexf"));
            write(db, &["graph", "--on", day, "--format", "gexf"], &gexf);
            valid_gexf(&gexf);
            let graphml = dir.path().join(format!("{name}-{day}.graphml"));
            write(db, &["graph", "--on", day, "--format", "graphml"], &graphml);
            valid_graphml(&graphml);
        }
        let dynamic = dir.path().join(format!("{name}-timeline.gexf"));
        write(db, &["graph", "--dynamic", "--format", "gexf"], &dynamic);
        valid_gexf(&dynamic);
    }
}

/// What networkx reads of one day's GEXF and GraphML, as JSON: node
/// attributes and, per edge, its ends, attributes and look.
const READ_BOTH: &str = r#"
import json, sys, networkx as nx
out = {}
for reader, path in (("gexf", sys.argv[1]), ("graphml", sys.argv[2])):
    g = getattr(nx, "read_" + reader)(path)
    out[reader] = {
        "directed": g.is_directed(),
        "nodes": {n: {k: v for k, v in d.items() if k != "viz"} | {"viz": d.get("viz")} for n, d in g.nodes(data=True)},
        "edges": [[u, v, {k: x for k, x in d.items()}] for u, v, d in g.edges(data=True)],
    }
print(json.dumps(out, default=str))
"#;

#[test]
fn gexf_and_graphml_carry_coordinates_styles_mutual_edges_and_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let (gexf, graphml) = (dir.path().join("g.gexf"), dir.path().join("g.graphml"));
    write(None, &["graph", "--on", "2023-10-02", "--format", "gexf"], &gexf);
    write(None, &["graph", "--on", "2023-10-02", "--format", "graphml"], &graphml);
    let read: Value = serde_json::from_str(&python(
        READ_BOTH,
        &[gexf.to_str().unwrap(), graphml.to_str().unwrap()],
    ))
    .unwrap();
    let chronicle = include_str!("../fixtures/mali/chronicle.jsonl");
    let bamba: Value = chronicle
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["type"] == "place" && v["id"] == "bamba-camp")
        .unwrap();
    let (lat, lon) = (bamba["lat"].clone(), bamba["lon"].clone());
    assert!(lat.is_f64(), "the chronicle places the Bamba camp");
    for reader in ["gexf", "graphml"] {
        let node = &read[reader]["nodes"]["bamba-camp"];
        assert_eq!((&node["latitude"], &node["longitude"]), (&lat, &lon), "{reader}: {node}");
        assert!(read[reader]["nodes"]["cma"].get("latitude").is_none());
    }
    // Symmetric relations are mutual: networkx reads both arcs of one edge.
    let gexf_edges = read["gexf"]["edges"].as_array().unwrap();
    let arcs = |a: &str, b: &str| {
        gexf_edges
            .iter()
            .filter(|e| e[0] == a && e[1] == b && e[2]["relation"] == "hostile_to")
            .count()
    };
    assert_eq!((arcs("cma", "fama"), arcs("fama", "cma")), (1, 1));
    // Colours and shapes as in DOT (networkx reads a node's `viz:`, not an edge's).
    let viz = &read["gexf"]["nodes"]["bamba-camp"]["viz"];
    assert_eq!(viz["color"], serde_json::json!({"r": 253, "g": 248, "b": 216, "a": 1.0}));
    let text = std::fs::read_to_string(&gexf).unwrap();
    assert!(text.contains("<viz:shape value=\"triangle\"/>") && text.contains("type=\"mutual\""));
    let hostile = "label=\"hostile_to\" type=\"mutual\">";
    let edge = &text[text.find(hostile).unwrap()..];
    let edge = &edge[..edge.find("</edge>").unwrap()];
    assert!(
        edge.contains("<viz:color r=\"205\" g=\"0\" b=\"0\"/>")
            && edge.contains("<viz:thickness value=\"2\"/>")
            && edge.contains("<viz:shape value=\"solid\"/>"),
        "{edge}"
    );
    assert!(!text.contains("xsi:schemaLocation"), "GEXF's grammar refuses it");

    // A name with a line break keeps it, in GEXF's attribute and GraphML's data.
    let outside = Db::with(&[GRAPH_LOG]);
    write(Some(&outside), &["graph", "--on", "2022-01-01", "--format", "gexf"], &gexf);
    write(Some(&outside), &["graph", "--on", "2022-01-01", "--format", "graphml"], &graphml);
    assert!(std::fs::read_to_string(&gexf).unwrap().contains("&quot;de salut&quot;&#10;national"));
    let read: Value = serde_json::from_str(&python(
        READ_BOTH,
        &[gexf.to_str().unwrap(), graphml.to_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(read["gexf"]["nodes"]["junta"]["label"], "Comité \"de salut\"\nnational");
    assert_eq!(read["graphml"]["nodes"]["junta"]["name"], "Comité \"de salut\"\nnational");
}

/// Every edge of a dynamic GEXF as networkx reads it: `[id, source, target,
/// relation, qualifier, spells, status]`, spells and statuses as `[start,
/// end]` and `[value, start, end]` (`end` null when open).
const READ_SPELLS: &str = r#"
import json, sys, networkx as nx
g = nx.read_gexf(sys.argv[1])
day = lambda d: None if d in (None, "None") else d
seen, out = set(), []
for u, v, d in g.edges(data=True):
    if d["id"] in seen:
        continue  # the second arc of a mutual edge
    seen.add(d["id"])
    spells = [[day(s), day(e)] for s, e in d["spells"]]
    status = [[x, day(s), day(e)] for x, s, e in d["status"]]
    out.append([d["id"], u, v, d["relation"], d.get("qualifier"), spells, status])
print(json.dumps(out))
"#;

/// `relation source target qualifier` of every edge of a dated graph, with its status.
fn shown(g: &DatedGraph) -> Vec<(String, String)> {
    g.edges()
        .into_iter()
        .map(|e| {
            let key = format!(
                "{} {} {} {}",
                e.key.kind,
                annals_export::node_id(&e.key.source),
                annals_export::node_id(&e.key.target),
                e.key.qualifier.as_deref().unwrap_or("")
            );
            (key, e.status.as_str().to_string())
        })
        .collect()
}

/// Checks the spells of the dynamic GEXF of `db` against `graph --on`: on
/// the first and last day of every spell the relation shows, the day before
/// and the day after it does not, and each status value holds on its days.
/// Returns the number of closed spells.
fn spells_agree_with_graph_on(db: Option<&Db>) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("timeline.gexf");
    write(db, &["graph", "--dynamic", "--format", "gexf"], &file);
    let edges: Value =
        serde_json::from_str(&python(READ_SPELLS, &[file.to_str().unwrap()])).unwrap();
    let annals = Annals::open(db.map(|d| &d.path), chrono::Utc::now(), Box::new(Silent)).unwrap();
    let world = annals.replay(None).unwrap();
    let mut graphs = std::collections::HashMap::new();
    let mut on =
        |d: NaiveDate| graphs.entry(d).or_insert_with(|| shown(&world.graph_on(d))).clone();
    let day = |v: &Value| v.as_str().map(|s| s.parse::<NaiveDate>().unwrap());
    let mut closed = 0;
    for e in edges.as_array().unwrap() {
        let key = format!(
            "{} {} {} {}",
            e[3].as_str().unwrap(),
            e[1].as_str().unwrap(),
            e[2].as_str().unwrap(),
            e[4].as_str().unwrap_or("")
        );
        let has = |g: &[(String, String)]| g.iter().any(|(k, _)| k == &key);
        for spell in e[5].as_array().unwrap() {
            let start = day(&spell[0]).unwrap();
            assert!(has(&on(start)), "{key} does not show on {start}, its spell's first day");
            assert!(
                !has(&on(start.pred_opt().unwrap())),
                "{key} shows the day before its spell {spell}"
            );
            if let Some(end) = day(&spell[1]) {
                closed += 1;
                assert!(has(&on(end)), "{key} does not show on {end}, its spell's last day");
                assert!(
                    !has(&on(end.succ_opt().unwrap())),
                    "{key} still shows the day after its spell {spell}"
                );
            }
        }
        for status in e[6].as_array().unwrap() {
            for d in [day(&status[1]), day(&status[2])].into_iter().flatten() {
                let g = on(d);
                let now = g.iter().find(|(k, _)| k == &key).map(|(_, s)| s.as_str());
                assert_eq!(now, status[0].as_str(), "{key} on {d}");
            }
        }
    }
    closed
}

#[test]
fn every_closed_spell_ends_on_the_last_day_graph_on_shows_the_relation() {
    let closed = spells_agree_with_graph_on(None);
    assert!(closed > 100, "the chronicle has many closed spells, found {closed}");
    let outside = Db::with(&[GRAPH_LOG]);
    assert!(spells_agree_with_graph_on(Some(&outside)) >= 3);

    // Timbuktu changed hands on 2013-01-28: on that day one spell holds it, as `graph --on` says.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("timeline.gexf");
    write(None, &["graph", "--dynamic", "--format", "gexf"], &file);
    let edges: Value =
        serde_json::from_str(&python(READ_SPELLS, &[file.to_str().unwrap()])).unwrap();
    let day = "2013-01-28";
    let holders: BTreeSet<&str> = edges
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[2] == "timbuktu" && e[3] == "controls")
        .filter(|e| {
            e[5].as_array().unwrap().iter().any(|s| {
                s[0].as_str().unwrap() <= day && s[1].as_str().is_none_or(|end| day <= end)
            })
        })
        .map(|e| e[1].as_str().unwrap())
        .collect();
    let g = super::json(&["graph", "--on", day, "--kind", "controls", "--json"]);
    let want: BTreeSet<String> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == "timbuktu")
        .map(|e| e["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(holders.len(), 1, "{holders:?}");
    assert_eq!(holders.into_iter().map(String::from).collect::<BTreeSet<_>>(), want);
}

/// Checks a GeoJSON file with the `geojson` package (`is_valid`, RFC 7946
/// points) and prints `[place, controller, status, start, end]` per feature.
const READ_GEOJSON: &str = r#"
import json, sys, geojson
with open(sys.argv[1]) as f:
    fc = geojson.load(f)
assert isinstance(fc, geojson.FeatureCollection), type(fc)
assert fc.is_valid, fc.errors()
rows = []
for f in fc["features"]:
    assert f.is_valid and f["geometry"]["type"] == "Point", f
    lon, lat = f["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90, f
    p = f["properties"]
    c = p["controller"]
    rows.append([p["id"], c and c["id"], p["status"], p.get("start"), p.get("end")])
print(json.dumps(rows))
"#;

fn read_geojson(file: &Path) -> Vec<Value> {
    let out = python(READ_GEOJSON, &[file.to_str().unwrap()]);
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn geojson_of_a_day_and_over_time_is_valid_and_says_what_control_and_graph_say() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.geojson");
    write(None, &["graph", "--on", "2023-10-02", "--format", "geojson"], &file);
    let rows = read_geojson(&file);
    let bamba = rows.iter().find(|r| r[0] == "bamba-camp").unwrap();
    let control = super::json(&["control", "bamba-camp", "--on", "2023-10-02", "--json"]);
    assert_eq!((&bamba[1], &bamba[2]), (&control["controller"]["id"], &control["status"]));
    let err =
        super::fails(&["graph", "--on", "2023-10-02", "--format", "geojson", "--kind", "controls"]);
    assert!(err.contains("--around and --kind do not apply"), "{err}");

    let file = dir.path().join("timeline.geojson");
    write(None, &["graph", "--dynamic", "--format", "geojson"], &file);
    let rows = read_geojson(&file);
    let annals = Annals::open(None, chrono::Utc::now(), Box::new(Silent)).unwrap();
    let world = annals.replay(None).unwrap();
    let located: BTreeSet<&str> = world
        .places()
        .filter(|p| p.lat.is_some() && p.lon.is_some())
        .map(|p| p.id.as_str())
        .collect();
    let mapped: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(mapped, located, "every place with coordinates, and only those");
    let mut checked = 0;
    for r in rows.iter().filter(|r| !r[1].is_null()) {
        let key = format!("controls {} {} ", r[1].as_str().unwrap(), r[0].as_str().unwrap());
        for d in [&r[3], &r[4]].into_iter().filter_map(|d| d.as_str()) {
            let d: NaiveDate = d.parse().unwrap();
            let g = shown(&world.graph_on(d));
            let status =
                g.iter().find(|(k, _)| k == &key).map(|(_, s)| s.replace("valid", "controlled"));
            assert_eq!(status.as_deref(), r[2].as_str(), "{key} on {d}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

/// Two ids of one army (a `same_as` link) and two of one town (a shared
/// GeoNames id), each with identifiers of its own.
const LINKED_LOG: &str = r#"{"type":"source","id":"s","title":"Field notes"}
{"type":"actor","id":"fama","name":"Malian Armed Forces","kind":"armed_force"}
{"type":"actor","id":"gazetteer:fama","name":"FAMa","kind":"armed_force"}
{"type":"actor","id":"cma","name":"Coordination of Azawad Movements","kind":"coalition"}
{"type":"place","id":"bamba","name":"Bamba","kind":"town","lat":17.03,"lon":-1.4}
{"type":"place","id":"gazetteer:bamba","name":"Bamba","kind":"town"}
{"type":"same_as","id":"link-fama","actors":["fama","gazetteer:fama"],"sources":["s"]}
{"type":"identifiers","id":"ids-fama","actor":"fama","ids":{"wikidata":"Q3041916"},"sources":["s"]}
{"type":"identifiers","id":"ids-gazetteer-fama","actor":"gazetteer:fama","ids":{"acled-actor":"Military Forces of Mali (2021-)"},"sources":["s"]}
{"type":"identifiers","id":"ids-bamba","place":"bamba","ids":{"geonames":"2460954"},"sources":["s"]}
{"type":"identifiers","id":"ids-gazetteer-bamba","place":"gazetteer:bamba","ids":{"geonames":"2460954"},"sources":["s"]}
{"type":"control_taken","id":"fama-takes-bamba","place":"gazetteer:bamba","actor":"gazetteer:fama","date":"2022-01-10","sources":["s"]}
{"type":"hostilities_began","id":"cma-vs-fama","actors":["cma","gazetteer:fama"],"date":"2022-01-05","sources":["s"]}
"#;

/// A linked set is one node in every graph format, under the id its answers
/// use (its node id in every format), listing
/// its ids (`same_as`) and bearing the identifiers of all of them; GraphML
/// and GEXF still validate, and networkx reads the links back.
#[test]
fn graph_exports_draw_a_linked_set_once_with_its_ids_and_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let log = super::write(dir.path(), "linked.jsonl", LINKED_LOG);
    let db = Db::with(&[&log]);
    let on = ["graph", "--on", "2022-02-01"];

    let graph = db.json(&on);
    let nodes: Vec<&Value> = graph["nodes"].as_array().unwrap().iter().collect();
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cma", "fama", "bamba"], "{graph:#}");
    let fama = nodes[1];
    assert_eq!(fama["same_as"], serde_json::json!(["fama", "gazetteer:fama"]));
    assert_eq!(
        fama["identifiers"],
        serde_json::json!({"acled-actor": "Military Forces of Mali (2021-)", "wikidata": "Q3041916"})
    );
    assert_eq!(nodes[2]["same_as"], serde_json::json!(["bamba", "gazetteer:bamba"]));
    assert_eq!(nodes[2]["identifiers"], serde_json::json!({"geonames": "2460954"}));
    assert!(nodes[0].get("same_as").is_none() && nodes[0].get("identifiers").is_none());
    let edges: Vec<(&str, &str)> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["source"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    assert_eq!(edges, [("cma", "fama"), ("fama", "bamba")], "{graph:#}");
    super::schema::validate(&[("graph", "graph of a linked set".into(), graph.clone())]);

    let (gexf, graphml) = (dir.path().join("l.gexf"), dir.path().join("l.graphml"));
    write(Some(&db), &[&on[..], &["--format", "gexf"]].concat(), &gexf);
    write(Some(&db), &[&on[..], &["--format", "graphml"]].concat(), &graphml);
    valid_gexf(&gexf);
    valid_graphml(&graphml);
    let read: Value = serde_json::from_str(&python(
        READ_BOTH,
        &[gexf.to_str().unwrap(), graphml.to_str().unwrap()],
    ))
    .unwrap();
    for reader in ["gexf", "graphml"] {
        let nodes = read[reader]["nodes"].as_object().unwrap();
        // The same nodes as JSON's, under the same ids.
        let keys: Vec<&str> = nodes.keys().map(String::as_str).collect();
        assert_eq!(keys, ["bamba", "cma", "fama"], "{reader}");
        for n in &graph["nodes"].as_array().unwrap()[..] {
            let key = n["id"].as_str().unwrap();
            let read = &nodes[key];
            let same_as = n["same_as"]
                .as_array()
                .map(|ids| ids.iter().map(|i| i.as_str().unwrap()).collect::<Vec<_>>().join(" "));
            assert_eq!(read["same_as"].as_str(), same_as.as_deref(), "{reader} {key}: {read}");
            for (scheme, value) in n["identifiers"].as_object().into_iter().flatten() {
                assert_eq!(&read[format!("identifiers.{scheme}")], value, "{reader} {key}");
            }
        }
        let edges: Vec<(&str, &str)> = read[reader]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e[2]["relation"] == "controls")
            .map(|e| (e[0].as_str().unwrap(), e[1].as_str().unwrap()))
            .collect();
        assert_eq!(edges, [("fama", "bamba")], "{reader}");
    }

    // DOT: drawn once, the other id under its own, the identifiers in the tooltip.
    let dot = db.run(&[&on[..], &["--format", "dot"]].concat());
    assert!(dot.contains("\"fama\" [") && !dot.contains("\"gazetteer:fama\""), "{dot}");
    // Graphviz writes hyphens in SVG text as `&#45;`.
    let svg = super::graph::render(&dot).replace("&#45;", "-");
    assert!(svg.contains(">(fama)</text>") && svg.contains(">= gazetteer:fama</text>"), "{svg}");
    assert!(
        svg.contains(
            "xlink:title=\"acled-actor Military Forces of Mali (2021-); wikidata Q3041916\""
        ),
        "{svg}"
    );
}

/// An agreement whose slug is an actor's id (`algiers`, signed by the
/// delegation `algiers`), an actor and a place without a declared kind, a
/// membership, a hostility and a seizure.
const NAMESAKE_LOG: &str = r#"{"type":"source","id":"s","title":"Field notes"}
{"type":"actor","id":"algiers","name":"Algiers delegation"}
{"type":"actor","id":"cma","name":"Coordination of Azawad Movements","kind":"coalition"}
{"type":"actor","id":"mnla","name":"MNLA","kind":"armed_group"}
{"type":"actor","id":"fama","name":"Malian Armed Forces","kind":"armed_force"}
{"type":"place","id":"kidal","name":"Kidal","kind":"town","lat":18.44,"lon":1.41}
{"type":"place","id":"anefis","name":"Anéfis"}
{"type":"membership_began","id":"mnla-joins","member":"mnla","group":"cma","date":"2014-10-28","sources":["s"]}
{"type":"hostilities_began","id":"cma-vs-fama","actors":["cma","fama"],"date":"2014-05-17","sources":["s"]}
{"type":"control_taken","id":"cma-takes-kidal","place":"kidal","actor":"cma","date":"2014-05-21","sources":["s"]}
{"type":"control_taken","id":"fama-takes-anefis","place":"anefis","actor":"fama","date":"2015-01-10","sources":["s"]}
{"type":"agreement_signed","id":"algiers-signed","agreement":"algiers","name":"Algiers Agreement","signatories":["algiers","cma","fama"],"date":"2015-06-20","sources":["s"]}
"#;

/// GraphML's and GEXF's nodes `[id, kind, category]` (kind null when the
/// node has none) and edges `[source, target, relation]`, read with
/// Python's XML parser.
const READ_XML_GRAPHS: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
G = "{http://graphml.graphdrawing.org/xmlns}"
X = "{http://gexf.net/1.3}"
out = {}
root = ET.parse(sys.argv[1]).getroot()
def data(e):
    return {d.get("key"): d.text for d in e.findall(G + "data")}
out["graphml"] = {
    "nodes": [[n.get("id"), data(n).get("n_kind"), data(n).get("n_category")] for n in root.iter(G + "node")],
    "edges": [[e.get("source"), e.get("target"), data(e)["e_relation"]] for e in root.iter(G + "edge")],
}
root = ET.parse(sys.argv[2]).getroot()
def values(e):
    return {v.get("for"): v.get("value") for v in e.iter(X + "attvalue")}
out["gexf"] = {
    "nodes": [[n.get("id"), values(n).get("kind"), values(n).get("category")] for n in root.iter(X + "node")],
    "edges": [[e.get("source"), e.get("target"), values(e)["relation"]] for e in root.iter(X + "edge")],
}
print(json.dumps(out))
"#;

/// Graphviz's own reader (`gvpr`) of a DOT file: a line `node ID` per node
/// and `edge TAIL HEAD COLOR` per edge.
fn read_dot(file: &Path) -> String {
    let program = r#"N{printf("node\t%s\n", $.name)} E{printf("edge\t%s\t%s\t%s\n", $.tail.name, $.head.name, $.color)}"#;
    let out = Command::new("gvpr")
        .arg(program)
        .arg(file)
        .output()
        .expect("gvpr must be installed (it comes with graphviz; .ci/setup installs it)");
    assert!(out.status.success(), "gvpr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

type Triples = BTreeSet<(String, String, String)>;

fn triples(list: &Value, fields: [&str; 3]) -> Triples {
    let text = |v: &Value| v.as_str().map_or("null".to_string(), str::to_string);
    let at = |row: &Value, i: usize| match row {
        Value::Array(a) => text(&a[i]),
        _ => text(&row[fields[i]]),
    };
    list.as_array().unwrap().iter().map(|r| (at(r, 0), at(r, 1), at(r, 2))).collect()
}

/// One day's graph in JSON, GraphML, GEXF and DOT has the same node ids
/// and the same edges (source, target, relation), an agreement under
/// `agreement::SLUG` beside the actor of the same slug; JSON, GraphML and
/// GEXF give each node the same `kind` (none where the log declares none)
/// and `category`.
#[test]
fn every_graph_format_has_the_same_node_ids_and_edges() {
    use annals_replay::{EdgeStatus, RelationKind};
    let dir = tempfile::tempdir().unwrap();
    let log = super::write(dir.path(), "namesake.jsonl", NAMESAKE_LOG);
    let db = Db::with(&[&log]);
    let on = ["graph", "--on", "2015-07-01"];

    let graph = db.json(&on);
    super::schema::validate(&[("graph", "graph with a namesake agreement".into(), graph.clone())]);
    let nodes = triples(&graph["nodes"], ["id", "kind", "category"]);
    let edges = triples(&graph["edges"], ["source", "target", "kind"]);
    let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    let want_nodes: Triples = [
        row("agreement::algiers", "null", "agreement"),
        row("algiers", "null", "actor"),
        row("anefis", "null", "place"),
        row("cma", "coalition", "actor"),
        row("fama", "armed_force", "actor"),
        row("kidal", "town", "place"),
        row("mnla", "armed_group", "actor"),
    ]
    .into();
    assert_eq!(nodes, want_nodes, "{graph:#}");
    let want_edges: Triples = [
        row("algiers", "agreement::algiers", "signed"),
        row("cma", "agreement::algiers", "signed"),
        row("fama", "agreement::algiers", "signed"),
        row("cma", "fama", "hostile_to"),
        row("cma", "kidal", "controls"),
        row("fama", "anefis", "controls"),
        row("mnla", "cma", "member_of"),
    ]
    .into();
    assert_eq!(edges, want_edges, "{graph:#}");

    let (graphml, gexf, dot) =
        (dir.path().join("g.graphml"), dir.path().join("g.gexf"), dir.path().join("g.dot"));
    write(Some(&db), &[&on[..], &["--format", "graphml"]].concat(), &graphml);
    write(Some(&db), &[&on[..], &["--format", "gexf"]].concat(), &gexf);
    write(Some(&db), &[&on[..], &["--format", "dot"]].concat(), &dot);
    valid_graphml(&graphml);
    valid_gexf(&gexf);
    let read: Value = serde_json::from_str(&python(
        READ_XML_GRAPHS,
        &[graphml.to_str().unwrap(), gexf.to_str().unwrap()],
    ))
    .unwrap();
    for reader in ["graphml", "gexf"] {
        assert_eq!(triples(&read[reader]["nodes"], ["", "", ""]), nodes, "{reader}");
        assert_eq!(triples(&read[reader]["edges"], ["", "", ""]), edges, "{reader}");
    }

    // DOT names no relation: its colour, one per kind, says which.
    let kind_of = |colour: &str| {
        RelationKind::ALL
            .into_iter()
            .find(|k| {
                annals_export::style::edge_style(*k, Some(EdgeStatus::Valid)).color.hex() == colour
            })
            .unwrap_or_else(|| panic!("no relation is drawn {colour}"))
    };
    let (mut dot_nodes, mut dot_edges) = (BTreeSet::new(), Triples::new());
    for line in read_dot(&dot).lines() {
        match line.split('\t').collect::<Vec<_>>()[..] {
            ["node", id] => {
                dot_nodes.insert(id.to_string());
            }
            ["edge", tail, head, colour] => {
                dot_edges.insert(row(tail, head, kind_of(colour).as_str()));
            }
            _ => panic!("gvpr printed {line:?}"),
        }
    }
    let ids: BTreeSet<String> = nodes.into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(dot_nodes, ids);
    assert_eq!(dot_edges, edges);
}
