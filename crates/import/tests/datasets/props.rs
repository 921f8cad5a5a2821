//! Properties of every dataset parser: any record, however wrong, is an
//! event or a line-numbered error, never a panic; a well-formed record is
//! the event it states.

use annals_import::{read, Catalog, Format};
use annals_model::{v1, EventKind};
use proptest::prelude::*;

use super::{event, import};

/// The header every format's reader needs (its required columns), as a
/// file of that dataset would start.
fn header(format: Format) -> &'static str {
    match format {
        Format::UcdpAcd => "conflict_id,location,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,year,start_date2,start_prec2,ep_end,ep_end_date,gwno_a,gwno_b,gwno_a_2nd,gwno_b_2nd,gwno_loc,version",
        Format::UcdpBrd => "conflict_id,dyad_id,location_inc,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,year,bd_best,bd_low,bd_high,gwno_a,gwno_b,gwno_loc,version",
        Format::UcdpNonState => "conflict_id,dyad_id,org,side_a_name,side_a_id,side_b_name,side_b_id,start_date2,start_prec2,ep_end,ep_end_date,ep_end_prec,year,best_fatality_estimate,low_fatality_estimate,high_fatality_estimate,location,gwno_location",
        Format::UcdpOneSided => "dyad_id,actor_id,actor_name,year,best_fatality_estimate,low_fatality_estimate,high_fatality_estimate,is_government_actor,location,gwno_location,gwnoa",
        Format::AtopMember => "atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,defense,offense,neutral,nonagg,consul",
        Format::AtopAlliance => "atopid,begyr,begmo,begday,endyr,endmo,endday,bilat,defense,offense,neutral,nonagg,consul,mem1,mem2",
        Format::CowIntra => "WarNum,WarName,WarType,CcodeA,SideA,CcodeB,SideB,StartMonth1,StartDay1,StartYear1,EndMonth1,EndDay1,EndYear1,StartMonth2,StartDay2,StartYear2,EndMonth2,EndDay2,EndYear2,Outcome,SideADeaths,SideBDeaths",
        Format::Prif => "HMIID,COWCC,HMISTART,HMISTAPR,HMIEND,HMIENDPR,INTERVEN1,I1CCC,INTERVEN2,I2CCC,INTERVEN3,I3CCC",
        Format::Gdelt => "GLOBALEVENTID,SQLDATE,Actor1Code,Actor1Name,Actor1Type1Code,Actor2Code,Actor2Name,Actor2Type1Code,EventCode,EventRootCode,NumMentions,NumSources,ActionGeo_Type,ActionGeo_FullName,ActionGeo_CountryCode,ActionGeo_Lat,ActionGeo_Long,ActionGeo_FeatureID",
        Format::PowellThyne => "country,ccode,year,month,day,coup,version",
        Format::Cline => "coup_id,cowcode,country,year,month,day,event_type",
        Format::Jsonl | Format::Acled => unreachable!("tested elsewhere"),
    }
}

const TABLES: [Format; 11] = [
    Format::PowellThyne,
    Format::Cline,
    Format::UcdpAcd,
    Format::UcdpBrd,
    Format::UcdpNonState,
    Format::UcdpOneSided,
    Format::AtopMember,
    Format::AtopAlliance,
    Format::CowIntra,
    Format::Prif,
    Format::Gdelt,
];

/// Cells near the values the datasets hold, and wrong ones.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,4}",
        "-[0-9]",
        "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "Government of (Mali|France|Varenia)",
        "[A-Za-z ]{0,10}",
        Just("NA".to_string()),
        Just(String::new()),
        Just("\"a, b\"".to_string()),
        "[\\PC]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the cells, a file reads as events or as errors that name
    /// its lines.
    #[test]
    fn any_record_of_any_dataset_is_an_event_or_an_error(
        format in prop::sample::select(TABLES.to_vec()),
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..24), 1..4),
    ) {
        let header = header(format);
        let width = header.split(',').count();
        let body: Vec<String> = rows
            .iter()
            .map(|r| (0..width).map(|i| r.get(i).cloned().unwrap_or_default()).collect::<Vec<_>>().join(","))
            .collect();
        let text = format!("{header}\n{}\n", body.join("\n"));
        match read(format, "p.csv", text.as_bytes(), &Catalog::empty()) {
            Ok(imported) => prop_assert!(imported.rows <= rows.len()),
            Err(errors) => {
                let lines = text.lines().count();
                prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= lines + 1), "{errors:?}");
            }
        }
    }

    /// A conflict-year of the ACD is hostilities from the episode's start.
    #[test]
    fn an_acd_row_is_its_hostilities(year in 1990u16..2020, month in 1u8..=12, day in 1u8..=28, prec in 1u8..=2, ended in any::<bool>()) {
        let start = format!("{year}-{month:02}-{day:02}");
        let end = if ended { format!("1,{year}-12-31") } else { "0,".to_string() };
        let text = format!("{}\n7,Mali,Government of Mali,72,,FPLA,934,,{year},{start},{prec},{end},432,,,,432,22.1\n", header(Format::UcdpAcd));
        let imported = import(Format::UcdpAcd, "a.csv", text.as_bytes());
        let began = event(&imported.events, &format!("ucdp-acd:7:{start}:mali:ucdp-actor-934:began"));
        let want = if prec == 1 { start.clone() } else { format!("{start}~") };
        prop_assert_eq!(began.date.unwrap().to_string(), want);
        let actors_ok = matches!(&began.kind, EventKind::HostilitiesBegan { actors, .. } if actors[0].as_str() == "mali" && actors[1].as_str() == "ucdp-actor-934");
        prop_assert!(actors_ok);
        let end_id = format!("ucdp-acd:7:{start}:mali:ucdp-actor-934:ended");
        prop_assert_eq!(imported.events.iter().any(|e| e.id.as_str() == end_id), ended);
    }

    /// A one-sided actor-year is an attack in that year with its deaths.
    #[test]
    fn a_one_sided_row_is_an_attack(year in 1989u16..2021, best in 0u64..10_000, low in 0u64..10_000, high in 0u64..10_000) {
        let text = format!("{}\n1,77,JNIM,{year},{best},{low},{high},0,Mali,432,\n", header(Format::UcdpOneSided));
        let imported = import(Format::UcdpOneSided, "o.csv", text.as_bytes());
        let attack = event(&imported.events, &format!("ucdp-onesided:1:{year}"));
        prop_assert_eq!(attack.date.unwrap().to_string(), year.to_string());
        let ok = matches!(&attack.kind, EventKind::Attack { attacker, place, fatalities, .. } if attacker.as_str() == "ucdp-actor-77" && place.as_str() == "mali-country" && *fatalities == Some(best));
        prop_assert!(ok);
    }

    /// An ATOP member-level row is a membership of its pact.
    #[test]
    fn an_atop_member_row_is_a_membership(year in 1816u16..2016, month in 1u8..=12, day in 1u8..=28, defense in any::<bool>()) {
        let text = format!("{}\n3385,432,{year},{month},{day},0,0,0,{},0,0,0,1\n", header(Format::AtopMember), u8::from(defense));
        let imported = import(Format::AtopMember, "m.csv", text.as_bytes());
        let id = format!("atop:3385:mali:{year}-{month:02}-{day:02}:began");
        let joined = event(&imported.events, &id);
        let ok = matches!(&joined.kind, EventKind::MembershipBegan { member, group } if member.as_str() == "mali" && group.as_str() == "atop-3385");
        prop_assert!(ok);
        prop_assert_eq!(joined.note.as_deref().unwrap().contains("defense"), defense);
    }

    /// A PRIF case is an intervention from its Excel serial day.
    #[test]
    fn a_prif_row_is_an_intervention(start in 20_000i64..45_000, length in 0i64..3000) {
        let text = format!("{}\nCase X,432,{start},1,{},1,France,220,-88,-88,-88,-88\n", header(Format::Prif), start + length);
        let imported = import(Format::Prif, "p.csv", text.as_bytes());
        let began = event(&imported.events, "prif-hmi:case-x:france:began");
        let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Days::new(start as u64);
        prop_assert_eq!(began.date.unwrap().to_string(), day.to_string());
    }

    /// A GDELT fight is a machine-coded attack on its day.
    #[test]
    fn a_gdelt_fight_is_an_attack(day in 1u8..=28, root in 18u8..=20) {
        let text = format!("{}\n42,199103{day:02},MLI,MALI,NA,REB,REBELS,REB,{root}0,{root},3,1,4,\"Gao, Gao, Mali\",ML,16.27,-0.04,-2287014\n", header(Format::Gdelt));
        let imported = import(Format::Gdelt, "g.csv", text.as_bytes());
        let attack = event(&imported.events, "gdelt:42");
        prop_assert_eq!(attack.date.unwrap().to_string(), format!("1991-03-{day:02}"));
        prop_assert!(v1::to_line(attack).contains("machine-coded"));
        let ok = matches!(&attack.kind, EventKind::Attack { attacker, target: Some(t), place, .. } if attacker.as_str() == "mali" && t.as_str() == "gdelt:actor.reb" && place.as_str() == "gdelt:geo.m2287014");
        prop_assert!(ok);
    }

    /// A COW participant is a member of its war's side for its spell.
    #[test]
    fn a_cow_row_is_a_spell_on_a_side(year in 1818u16..2007, month in 1u8..=12, known_day in any::<bool>()) {
        let day = if known_day { "5".to_string() } else { "-9".to_string() };
        let text = format!("{}\n900,Test War,4,432,Mali,-8,Rebels,{month},{day},{year},-9,-9,{},-8,-8,-8,-8,-8,-8,1,-9,-9\n", header(Format::CowIntra), year + 1);
        let imported = import(Format::CowIntra, "c.csv", text.as_bytes());
        let start = if known_day { format!("{year}-{month:02}-05") } else { format!("{year}-{month:02}") };
        let joined = event(&imported.events, &format!("cow-intra:900:cow-intra-900-side-a:mali:{start}:began"));
        prop_assert_eq!(joined.date.unwrap().to_string(), start);
    }
}
