//! The formats annals imports: their names, titles, and how each is told
//! from a file's first line.

/// A format annals imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Interchange format v1, JSON Lines.
    Jsonl,
    /// An ACLED CSV export (docs/ACLED.md).
    Acled,
    /// Powell & Thyne's coups (the tab-separated release or a CSV copy).
    PowellThyne,
    /// The Cline Center Coup d'État Project's data.
    Cline,
    /// UCDP/PRIO Armed Conflict Dataset.
    UcdpAcd,
    /// UCDP Non-State Conflict Dataset.
    UcdpNonState,
    /// UCDP One-sided Violence Dataset.
    UcdpOneSided,
    /// UCDP Battle-Related Deaths Dataset, dyadic.
    UcdpBrd,
    /// ATOP, member level.
    AtopMember,
    /// ATOP, alliance level.
    AtopAlliance,
    /// COW Intra-State War Data.
    CowIntra,
    /// PRIF humanitarian military interventions, as CSV.
    Prif,
    /// GDELT 1.0 events.
    Gdelt,
}

impl Format {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [Format; 13] = [
        Format::Jsonl,
        Format::Acled,
        Format::PowellThyne,
        Format::Cline,
        Format::UcdpAcd,
        Format::UcdpNonState,
        Format::UcdpOneSided,
        Format::UcdpBrd,
        Format::AtopMember,
        Format::AtopAlliance,
        Format::CowIntra,
        Format::Prif,
        Format::Gdelt,
    ];

    /// The name the command line uses (`--format powell-thyne`).
    pub fn name(self) -> &'static str {
        self.about().0
    }

    /// What the format is, for people.
    pub fn title(self) -> &'static str {
        self.about().1
    }

    /// The format with this [`name`](Format::name).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// (name, title, the header columns that tell it apart).
    fn about(self) -> (&'static str, &'static str, &'static [&'static str]) {
        match self {
            Format::Jsonl => ("jsonl", "interchange format v1 (JSON Lines)", &[]),
            Format::Acled => ("acled", "an ACLED CSV export", &["event_id_cnty", "event_date"]),
            Format::PowellThyne => {
                ("powell-thyne", "Powell & Thyne coups", &["country", "ccode", "coup", "day"])
            }
            Format::Cline => ("cline", "Cline Center coups", &["coup_id", "cowcode", "event_type"]),
            Format::UcdpAcd => (
                "ucdp-acd",
                "the UCDP/PRIO Armed Conflict Dataset",
                &["conflict_id", "side_a", "side_b", "start_date2", "intensity_level"],
            ),
            Format::UcdpNonState => (
                "ucdp-nonstate",
                "the UCDP Non-State Conflict Dataset",
                &["dyad_id", "org", "side_a_name", "side_b_name"],
            ),
            Format::UcdpOneSided => (
                "ucdp-onesided",
                "the UCDP One-sided Violence Dataset",
                &["actor_id", "actor_name", "is_government_actor"],
            ),
            Format::UcdpBrd => (
                "ucdp-brd",
                "the UCDP Battle-Related Deaths Dataset (dyadic)",
                &["dyad_id", "side_a", "side_b", "bd_best"],
            ),
            Format::AtopMember => {
                ("atop-member", "ATOP, member level", &["atopid", "member", "yrent", "yrexit"])
            }
            Format::AtopAlliance => {
                ("atop-alliance", "ATOP, alliance level", &["atopid", "begyr", "mem1"])
            }
            Format::CowIntra => {
                ("cow-intrastate", "COW Intra-State War Data", &["warnum", "ccodea", "sidea"])
            }
            Format::Prif => (
                "prif-hmi",
                "PRIF humanitarian military interventions (CSV)",
                &["hmiid", "hmistart", "i1ccc"],
            ),
            Format::Gdelt => {
                ("gdelt", "GDELT 1.0 events", &["globaleventid", "sqldate", "eventcode"])
            }
        }
    }

    /// The format a file is in, told from its first bytes: a JSON object
    /// for JSON Lines, else the columns its header names. `None` when
    /// nothing fits.
    pub fn detect(head: &[u8]) -> Option<Format> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
        if first == Some(b'{') {
            return Some(Format::Jsonl);
        }
        let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line).to_ascii_lowercase();
        let columns: Vec<&str> =
            line.split([',', '\t', ';']).map(|c| c.trim().trim_matches('"').trim()).collect();
        Format::ALL[1..].iter().copied().find(|f| f.about().2.iter().all(|c| columns.contains(c)))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
