//! Every state code in every file of `shared/data` resolves in the
//! catalogue of states, in the scheme its column uses; the few that do not
//! are listed here, each with what the importers do about it.

use annals_model::states;

/// How a column names states.
#[derive(Clone, Copy, Debug)]
enum Scheme {
    Cow,
    Gw,
    Iso3,
    Fips,
}

/// (file, delimiter, columns, scheme).
const COLUMNS: &[(&str, u8, &[&str], Scheme)] = &[
    ("powell_thyne_coups_V2022.11.29.csv", b',', &["ccode"], Scheme::Cow),
    ("powell_thyne_coups_final_V2015.05.20.txt", b'\t', &["ccode"], Scheme::Cow),
    ("cline_center_coup_data_v2.0.0.csv", b',', &["cowcode"], Scheme::Cow),
    ("atop_v4.01_member_level.csv", b',', &["member"], Scheme::Cow),
    ("cow_intrastate_war_v4.1.csv", b',', &["CcodeA", "CcodeB"], Scheme::Cow),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        b',',
        &["COWCC", "I1CCC", "I2CCC", "I3CCC"],
        Scheme::Cow,
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        b',',
        &["WBCC"],
        Scheme::Iso3,
    ),
    (
        "ucdp_prio_acd_v21.1.csv",
        b',',
        &["gwno_a", "gwno_b", "gwno_a_2nd", "gwno_b_2nd", "gwno_loc"],
        Scheme::Gw,
    ),
    (
        "ucdp_prio_acd_v22.1.csv",
        b',',
        &["gwno_a", "gwno_b", "gwno_a_2nd", "gwno_b_2nd", "gwno_loc"],
        Scheme::Gw,
    ),
    ("ucdp_nonstate_v22.1.csv", b',', &["gwno_a_2nd", "gwno_b_2nd", "gwno_location"], Scheme::Gw),
    ("ucdp_onesided_v21.1.csv", b',', &["gwno_location", "gwnoa"], Scheme::Gw),
    (
        "ucdp_brd_dyadic_v21.1.csv",
        b',',
        &["gwno_a", "gwno_b", "gwno_a_2nd", "gwno_b_2nd", "gwno_loc", "gwno_battle"],
        Scheme::Gw,
    ),
    (
        "gdelt1_west_africa_conflict_1991.csv",
        b',',
        &["ActionGeo_CountryCode", "Actor1Geo_CountryCode", "Actor2Geo_CountryCode"],
        Scheme::Fips,
    ),
];

/// Codes that are no state code, and why the importers are right to meet them.
const NOT_STATES: &[(&str, &str, &str)] = &[
    (
        "cline_center_coup_data_v2.0.0.csv",
        "480",
        "Cline's code for the DR Congo in 2013 (COW 490): resolved by the country name",
    ),
    (
        "cline_center_coup_data_v2.0.0.csv",
        "393",
        "Cline's code for Russia in 1993 (COW 365): resolved by the country name",
    ),
    (
        "cline_center_coup_data_v2.0.0.csv",
        "340",
        "Cline's code for Serbia in 1999: resolved by the country name",
    ),
    (
        "atop_v4.01_member_level.csv",
        "8152",
        "ATOP's member of alliance 1320 (1874) outside the COW list: the importer labels it",
    ),
    ("cow_intrastate_war_v4.1.csv", "-8", "COW's code for `not applicable` (a non-state side)"),
    ("cow_intrastate_war_v4.1.csv", "-9", "COW's code for `unknown`"),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "-88",
        "PRIF's code for `not applicable` (no second or third intervener)",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "1014",
        "PRIF's code for the UN (an organization)",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "1060",
        "PRIF's code for NATO",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "2220",
        "PRIF's code for the EU",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "2400",
        "PRIF's code for the AU",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "2420",
        "PRIF's code for ECOWAS",
    ),
    (
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "619",
        "PRIF's code for the Arab League",
    ),
    ("gdelt1_west_africa_conflict_1991.csv", "GZ", "FIPS for the Gaza Strip, a territory"),
    ("gdelt1_west_africa_conflict_1991.csv", "WI", "FIPS for Western Sahara, a territory"),
];

fn resolves(scheme: Scheme, code: &str) -> bool {
    match scheme {
        Scheme::Cow => code.parse().ok().and_then(states::by_cow).is_some(),
        Scheme::Gw => code.parse().ok().and_then(states::by_gw).is_some(),
        Scheme::Iso3 => states::by_iso3(code).is_some(),
        Scheme::Fips => states::by_fips(code).is_some(),
    }
}

#[test]
fn every_state_code_in_every_data_file_resolves() {
    let Some(dir) = super::data_dir() else { return };
    let mut checked = 0;
    for &(file, delimiter, columns, scheme) in COLUMNS {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
        let header = csv.headers().unwrap().clone();
        for column in columns {
            let at = header
                .iter()
                .position(|h| h == *column)
                .unwrap_or_else(|| panic!("{file}: {column}"));
            for record in csv.records() {
                let record = record.unwrap();
                for code in
                    record[at].split(',').map(str::trim).filter(|c| !c.is_empty() && *c != "NA")
                {
                    checked += 1;
                    let known = NOT_STATES.iter().any(|(f, c, _)| *f == file && *c == code);
                    assert!(
                        resolves(scheme, code) || known,
                        "{file}: column {column}: `{code}` ({scheme:?}) names no state of the catalogue"
                    );
                }
            }
            csv = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
            csv.headers().unwrap();
        }
    }
    assert!(checked > 20_000, "{checked} codes");
}

/// ATOP's alliance level lists members `mem1` … `mem59`; every code but
/// ATOP's own `8152` (a member of alliance 1320, 1874, outside the COW
/// list) is a COW state.
#[test]
fn every_atop_member_code_resolves_but_one() {
    let Some(dir) = super::data_dir() else { return };
    let bytes = std::fs::read(dir.join("atop_v4.01_alliance_level.csv")).unwrap();
    let mut csv = csv::Reader::from_reader(&bytes[..]);
    let header = csv.headers().unwrap().clone();
    let mut unknown = Vec::new();
    for record in csv.records() {
        let record = record.unwrap();
        for (h, v) in header.iter().zip(record.iter()) {
            if h.starts_with("mem") && !v.trim().is_empty() && !resolves(Scheme::Cow, v.trim()) {
                unknown.push(v.trim().to_string());
            }
        }
    }
    assert_eq!(unknown, ["8152"]);
}
