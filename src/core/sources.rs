//! Where the app's claims come from: a fixed list of sources that routines
//! cite by key, each with what it found and how strong that is, so the app can
//! say plainly what trials showed and what guides only report.

/// How much weight a source's finding carries, said in words on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A trial or a systematic review measured it.
    Shown,
    /// Guides and practitioners say it; no trial here measured it.
    Reported,
    /// A clinical guideline's recommendation.
    Guideline,
    /// Safety advice from public health guidance.
    Guidance,
}

impl Strength {
    /// The label shown beside a finding.
    pub fn label(self) -> &'static str {
        match self {
            Strength::Shown => "Measured in trials",
            Strength::Reported => "Reported, not measured",
            Strength::Guideline => "Clinical guideline",
            Strength::Guidance => "Safety guidance",
        }
    }
}

/// One source a routine or the app's own text may cite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The key used in routine files (`sources = ["furlan-2015"]`).
    pub key: &'static str,
    /// A short name for lists ("Furlan et al. 2015, Cochrane review").
    pub short: &'static str,
    /// The full reference, enough to find it.
    pub reference: &'static str,
    /// What it found, in the app's own words.
    pub finding: &'static str,
    /// How strong the finding is.
    pub strength: Strength,
}

/// Every source the app knows, in the order the "Why this routine" view lists them.
pub const SOURCES: &[Source] = &[
    Source {
        key: "furlan-2015",
        short: "Furlan et al. 2015, Cochrane review",
        reference: "Furlan AD et al. Massage for low-back pain. Cochrane Database of Systematic Reviews 2015, CD001929.",
        finding: "Across 25 trials with 3,096 people, massage eased low-back pain in the short term only. The evidence is of low or very low quality; the side effects seen were minor, mostly soreness.",
        strength: Strength::Shown,
    },
    Source {
        key: "nice-ng59",
        short: "NICE guideline NG59, 2016",
        reference: "National Institute for Health and Care Excellence. Low back pain and sciatica in over 16s: assessment and management (NG59), 2016.",
        finding: "Massage and other hands-on therapy are worth considering only as part of a package that includes exercise, not on their own.",
        strength: Strength::Guideline,
    },
    Source {
        key: "french-2006",
        short: "French et al. 2006, Cochrane review",
        reference: "French SD et al. Superficial heat or cold for low back pain. Cochrane Database of Systematic Reviews 2006, CD004750.",
        finding: "Heat wraps gave a small, short-term reduction in pain and disability for recent low-back pain; adding exercise to heat helped more. There was too little evidence to judge cold.",
        strength: Strength::Shown,
    },
    Source {
        key: "nadler-2003",
        short: "Nadler et al. 2003, Arch Phys Med Rehabil 84",
        reference: "Nadler SF et al. Overnight use of continuous low-level heatwrap therapy for relief of low back pain. Archives of Physical Medicine and Rehabilitation 2003; 84.",
        finding: "Low-level heat wraps of about 40 \u{b0}C, worn for hours, eased pain for more than 48 hours afterwards. That is a wrap worn for hours, not a hot pack for twenty minutes, and not massage.",
        strength: Strength::Shown,
    },
    Source {
        key: "day-1987",
        short: "Day et al. 1987, Phys Ther 67:926",
        reference: "Day JA, Mason RR, Chesrown SE. Effect of massage on serum level of beta-endorphin and beta-lipotropin in healthy adults. Physical Therapy 1987; 67(6): 926\u{2013}930.",
        finding: "A 30-minute back massage made no measurable change to beta-endorphin in the blood of healthy adults.",
        strength: Strength::Shown,
    },
    Source {
        key: "murphy-2019",
        short: "Murphy et al. 2019, Pain Medicine",
        reference: "Murphy SL et al. Self-administered acupressure for chronic low back pain: a randomized controlled pilot trial. Pain Medicine 2019; 20(12).",
        finding: "People who pressed points themselves, about 3 minutes a point and about 30 minutes a day for six weeks, had less chronic low-back pain than with usual care. The side effects reported came from pressing too hard.",
        strength: Strength::Shown,
    },
    Source {
        key: "massage-guides",
        short: "Popular massage guides",
        reference: "Consumer guides to back massage and self-massage.",
        finding: "Guides say about fifteen minutes of massage releases endorphins with an easing effect of up to 48 hours, and suggest four sessions spread over six weeks for muscle spasm. These figures are reported, not measured.",
        strength: Strength::Reported,
    },
    Source {
        key: "heat-safety",
        short: "Heat-pack safety guidance",
        reference: "Public safety guidance for heat packs, heating pads and hot-water bottles.",
        finding: "Keep a towel or cloth between the heat and the skin, start at the lowest warmth, check the skin every few minutes, stop after 20 minutes and wait an hour or two before heating the same place again. Never lie on a heat source or fall asleep with one. A fresh injury with swelling, in its first two or three days, calls for cold instead.",
        strength: Strength::Guidance,
    },
    Source {
        key: "self-massage-safety",
        short: "Self-massage safety guidance",
        reference: "Public guidance on self-massage and on when back pain needs a professional.",
        finding: "Work the muscle beside the spine, never the bony ridge itself. Tingling, numbness or pain running down the leg means a nerve is being pressed: move off. Severe, sudden or worsening pain, pain after a fall, leg weakness or numbness, fever, or trouble with bladder or bowel need a professional first.",
        strength: Strength::Guidance,
    },
];

/// The source with this key.
pub fn find(key: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|source| source.key == key)
}

/// The known keys, for error messages.
pub fn accepted() -> String {
    SOURCES
        .iter()
        .map(|source| source.key)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a `sources` entry is written as a key (lowercase, digits and
/// hyphens) rather than a free citation with spaces.
pub fn looks_like_key(entry: &str) -> bool {
    !entry.is_empty()
        && entry
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A claim in the app's own text, with the sources it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    /// The sentence as shown.
    pub text: &'static str,
    /// Keys into [`SOURCES`].
    pub sources: &'static [&'static str],
}

/// Shown after the endorphin routine when about fifteen minutes were played.
pub const ENDORPHIN_CLAIM: Claim = Claim {
    text: "Massage guides report that about fifteen minutes of massage releases endorphins, with an easing that can last up to 48 hours. A trial that measured it after a 30-minute back massage found no change, so take that as reported, not shown. What trials do show is a small, short-lived easing of back pain.",
    sources: &["massage-guides", "day-1987", "furlan-2015"],
};

/// The course plan's rhythm.
pub const COURSE_CLAIM: Claim = Claim {
    text: "Massage guides suggest four sessions spread over six weeks for muscle spasm; if two sessions bring no easing, try something else. Trials found massage helps most alongside exercise.",
    sources: &["massage-guides", "nice-ng59"],
};

/// The heat rules on the safety page.
pub const HEAT_CLAIM: Claim = Claim {
    text: "Always keep a towel or cloth between the heat and your skin, start at the lowest comfortable warmth, and check the skin every five minutes. At most 20 minutes at a stretch, then a break of an hour or two. Never lie on a heat pack or fall asleep with one on. A fresh injury with swelling (the first two or three days) needs cold, not heat.",
    sources: &["heat-safety", "french-2006"],
};

/// Every claim in the app's own text, so the lint can check each one.
pub const APP_CLAIMS: &[Claim] = &[ENDORPHIN_CLAIM, COURSE_CLAIM, HEAT_CLAIM];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_well_formed_and_every_claim_cites_known_ones() {
        let mut keys: Vec<&str> = SOURCES.iter().map(|source| source.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), SOURCES.len());
        assert!(keys.iter().all(|key| looks_like_key(key)));
        for claim in APP_CLAIMS {
            assert!(!claim.sources.is_empty());
            for key in claim.sources {
                assert!(find(key).is_some(), "{key}");
            }
        }
        assert!(!looks_like_key("Smith 2020, a trial"));
        assert!(find("nobody-2000").is_none());
    }
}
