//! Vietnamese text in the legacy 8-bit encodings that planning offices' files still carry:
//! TCVN3 (TCVN 5712:1993, the "ABC" fonts) and VNI Windows. Such text reaches us already
//! misread: a `.dbf` without a code page is decoded as Latin-1 or Windows-1252, so "Bình
//! Dương" in TCVN3 arrives as "B×nh D\u{AD}¬ng" and "Việt" in VNI as "Vieät". This module tells
//! such text apart from real text ([`detect`]) and decodes it ([`decode`]). The tables are
//! data: `assets/encodings/tcvn3.tsv` and `vni.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A legacy Vietnamese encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 (TCVN3, ABC).
    Tcvn3,
    /// VNI Windows.
    Vni,
}

impl LegacyEncoding {
    pub const ALL: [LegacyEncoding; 2] = [LegacyEncoding::Tcvn3, LegacyEncoding::Vni];

    /// As people call it.
    pub fn name(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "TCVN3 (ABC)",
            LegacyEncoding::Vni => "VNI",
        }
    }

    /// As the command line spells it.
    pub fn key(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "tcvn3",
            LegacyEncoding::Vni => "vni",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key.to_ascii_lowercase().as_str() {
            "tcvn3" | "tcvn" | "abc" | "tcvn5712" => Some(LegacyEncoding::Tcvn3),
            "vni" | "vni-windows" => Some(LegacyEncoding::Vni),
            _ => None,
        }
    }
}

const TCVN3_TABLE: &str = include_str!("../../assets/encodings/tcvn3.tsv");
const VNI_TABLE: &str = include_str!("../../assets/encodings/vni.tsv");

/// Data lines of a table: `(left, right)` split at the tab, comments and blanks skipped.
fn rows(table: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
}

/// TCVN3: byte → letter.
pub fn tcvn3_table() -> &'static HashMap<u8, char> {
    static TABLE: OnceLock<HashMap<u8, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows(TCVN3_TABLE)
            .filter_map(|(byte, ch)| Some((u8::from_str_radix(byte, 16).ok()?, ch.chars().next()?)))
            .collect()
    })
}

/// VNI: letter → its text as read through Windows-1252 (one or two characters).
pub fn vni_table() -> &'static [(char, &'static str)] {
    static TABLE: OnceLock<Vec<(char, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows(VNI_TABLE)
            .filter_map(|(letter, text)| Some((letter.chars().next()?, text)))
            .collect()
    })
}

/// VNI text → letter, longest sequences first.
fn vni_decoder() -> &'static HashMap<&'static str, char> {
    static TABLE: OnceLock<HashMap<&'static str, char>> = OnceLock::new();
    TABLE.get_or_init(|| vni_table().iter().map(|(c, t)| (*t, *c)).collect())
}

/// Windows-1252's characters for bytes 0x80–0x9F (where it differs from Latin-1).
const CP1252_HIGH: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// The byte a character came from, when text was read as Latin-1 or Windows-1252.
fn misread_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code <= 0xFF {
        return Some(code as u8);
    }
    CP1252_HIGH.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b)
}

/// The text with legacy-encoded Vietnamese decoded. Characters that are not of the encoding
/// (real Unicode text, digits, punctuation) pass unchanged.
pub fn decode(text: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => decode_tcvn3(text),
        LegacyEncoding::Vni => decode_vni(text),
    }
}

fn decode_tcvn3(text: &str) -> String {
    let table = tcvn3_table();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for word in split_words(text) {
        // TCVN3 has no capitals with tone marks: an all-capitals word was set in the capital
        // font (.VnTimeH) with the lowercase codes, so its letters go to capitals too.
        let ascii_letters: Vec<char> = word.chars().filter(char::is_ascii_alphabetic).collect();
        let capitals =
            ascii_letters.len() >= 2 && ascii_letters.iter().all(char::is_ascii_uppercase);
        for c in word.chars() {
            let decoded = misread_byte(c)
                .filter(|b| *b >= 0x80 || *b < 0x20)
                .and_then(|b| table.get(&b).copied());
            match decoded {
                Some(d) if capitals => out.extend(d.to_uppercase()),
                Some(d) => out.push(d),
                None => out.push(c),
            }
        }
    }
    out
}

fn decode_vni(text: &str) -> String {
    let table = vni_decoder();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut buf = String::with_capacity(4);
    while i < chars.len() {
        let mut matched = false;
        for len in [2usize, 1] {
            let Some(slice) = chars.get(i..i + len) else {
                continue;
            };
            buf.clear();
            buf.extend(slice);
            if let Some(letter) = table.get(buf.as_str()) {
                out.push(*letter);
                i += len;
                matched = true;
                break;
            }
        }
        if !matched {
            if let Some(c) = chars.get(i) {
                out.push(*c);
            }
            i += 1;
        }
    }
    out
}

/// Words and the separators between them, in order.
fn split_words(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in text.char_indices() {
        let w = !c.is_whitespace();
        if in_word != Some(w) {
            if i > start {
                parts.push(&text[start..i]);
            }
            start = i;
            in_word = Some(w);
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

/// True for a character only Unicode Vietnamese text has (precomposed letters with tone marks,
/// ơ ư ă đ): text holding them is not misread.
fn is_unicode_vietnamese(c: char) -> bool {
    matches!(c as u32, 0x1EA0..=0x1EF9)
        || matches!(
            c,
            'ơ' | 'Ơ' | 'ư' | 'Ư' | 'ă' | 'Ă' | 'đ' | 'Đ' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ'
        )
}

/// How strongly some text looks like each encoding, misread: the share of its words with
/// non-ASCII characters that decode to Vietnamese letters inside ASCII letters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Words with a character outside ASCII.
    pub words: usize,
    pub tcvn3: usize,
    pub vni: usize,
    /// Words already in Unicode Vietnamese.
    pub unicode: usize,
}

impl Evidence {
    /// Adds a text's words.
    pub fn add(&mut self, text: &str) {
        for word in text.split_whitespace() {
            if word.is_ascii() {
                continue;
            }
            self.words += 1;
            if word.chars().any(is_unicode_vietnamese) {
                self.unicode += 1;
                continue;
            }
            if looks_tcvn3(word) {
                self.tcvn3 += 1;
            }
            if looks_vni(word) {
                self.vni += 1;
            }
        }
    }

    /// The encoding the text is in, if the evidence is clear: at least two words, most words
    /// with non-ASCII characters fit it, clearly more than the other, and none is Unicode
    /// Vietnamese already.
    pub fn verdict(&self) -> Option<LegacyEncoding> {
        if self.words == 0 || self.unicode > 0 {
            return None;
        }
        let (best, hits, other) = if self.tcvn3 >= self.vni {
            (LegacyEncoding::Tcvn3, self.tcvn3, self.vni)
        } else {
            (LegacyEncoding::Vni, self.vni, self.tcvn3)
        };
        (hits >= 2 && hits * 2 >= self.words && hits > other).then_some(best)
    }
}

/// The encoding a set of texts (a layer's text attributes, say) is misread from, if any.
pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<LegacyEncoding> {
    let mut evidence = Evidence::default();
    for t in texts {
        evidence.add(t);
    }
    evidence.verdict()
}

/// A word whose every non-ASCII character is a TCVN3 letter code and which decodes to a
/// Vietnamese syllable.
fn looks_tcvn3(word: &str) -> bool {
    let table = tcvn3_table();
    let all_coded = word
        .chars()
        .filter(|c| !c.is_ascii())
        .all(|c| misread_byte(c).is_some_and(|b| table.contains_key(&b)));
    all_coded && syllables(&decode_tcvn3(word))
}

/// A word that VNI changes into Vietnamese syllables ("Vieät" → "Việt").
fn looks_vni(word: &str) -> bool {
    let decoded = decode_vni(word);
    decoded != word && syllables(&decoded)
}

/// Whether every run of letters in `word` is a Vietnamese syllable: an initial consonant, one
/// to three vowels and a final consonant, with at most one tone mark. Misread text decoded in
/// the wrong encoding fails this nearly always ("Crème" as TCVN3 is "Crốme").
pub fn syllables(word: &str) -> bool {
    let mut any = false;
    for run in word
        .split(|c: char| !c.is_alphabetic())
        .filter(|r| !r.is_empty())
    {
        if !syllable(run) {
            return false;
        }
        any = true;
    }
    any
}

fn syllable(run: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let lower = run.to_lowercase();
    let tones = lower.nfd().filter(|c| TONES.contains(c)).count();
    if tones > 1 {
        return false;
    }
    let bare: String = lower.nfd().filter(|c| !TONES.contains(c)).nfc().collect();
    const INITIALS: [&str; 27] = [
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
        "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
    ];
    const FINALS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];
    const VOWELS: &str = "aăâeêioôơuưy";
    let rest = INITIALS
        .iter()
        .find_map(|i| bare.strip_prefix(i))
        .unwrap_or(&bare);
    let vowels = rest.chars().take_while(|c| VOWELS.contains(*c)).count();
    if !(1..=3).contains(&vowels) {
        // "gi" and "qu" may take the whole vowel ("gì", "quá" have one after them).
        return (bare == "gi" || bare.starts_with("gi")) && vowels == 0 && rest.is_empty();
    }
    let tail: String = rest.chars().skip(vowels).collect();
    tail.is_empty() || FINALS.contains(&tail.as_str())
}

/// Encodes text into a legacy encoding, as a legacy tool would have written it and a
/// Latin-1 reader would show it: for tests, and to write files for offices that need it.
/// Letters the encoding cannot hold (TCVN3's capitals with tone marks) are written in lowercase.
pub fn encode(text: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => {
            let table = tcvn3_table();
            let back: HashMap<char, u8> = table.iter().map(|(b, c)| (*c, *b)).collect();
            text.chars()
                .map(|c| {
                    let byte = back
                        .get(&c)
                        .copied()
                        .or_else(|| c.to_lowercase().next().and_then(|l| back.get(&l).copied()));
                    match byte {
                        Some(b) => char::from(b),
                        None => c,
                    }
                })
                .collect()
        }
        LegacyEncoding::Vni => {
            let table = vni_table();
            let mut out = String::with_capacity(text.len() * 2);
            for c in text.chars() {
                match table.iter().find(|(l, _)| *l == c) {
                    Some((_, t)) => out.push_str(t),
                    None => out.push(c),
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_decode() {
        assert_eq!(decode("Ninh B×nh", LegacyEncoding::Tcvn3), "Ninh Bình");
        assert_eq!(decode("B¶o Th¾ng", LegacyEncoding::Tcvn3), "Bảo Thắng");
        assert_eq!(
            decode("M\u{ad}êng Kh\u{ad}¬ng", LegacyEncoding::Tcvn3),
            "Mường Khương"
        );
        assert_eq!(
            decode("Xin chaøo caùc baïn", LegacyEncoding::Vni),
            "Xin chào các bạn"
        );
        assert_eq!(decode("THµNH PHè", LegacyEncoding::Tcvn3), "THÀNH PHỐ");
    }

    #[test]
    fn plain_text_is_left_alone() {
        assert_eq!(detect(["Thủ Dầu Một", "Bình Dương"]), None);
        assert_eq!(detect(["Crème brûlée", "São Paulo"]), None);
        assert_eq!(detect(["Road 13", "Zone A"]), None);
    }
}
