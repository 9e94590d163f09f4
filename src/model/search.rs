//! Finding features by what they are called, in any language, with or without diacritics.

use unicode_normalization::UnicodeNormalization;

use super::{Document, FeatureRef};

/// Folds text for matching: lower case, diacritics removed (NFD, combining marks dropped),
/// `đ` as `d`, runs of whitespace and punctuation as one space.
///
/// ```
/// use corridor::model::search::fold;
/// assert_eq!(fold("THỦ DẦU MỘT"), "thu dau mot");
/// assert_eq!(fold("Đồng  Nai"), "dong nai");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// One searchable text of a feature.
struct Entry {
    feature: FeatureRef,
    folded: String,
    /// Names count more than other text.
    is_name: bool,
}

/// A search index over every text property of every feature.
pub struct SearchIndex {
    entries: Vec<Entry>,
}

/// A match and how good it is (higher is better).
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub feature: FeatureRef,
    pub score: u32,
    /// The feature's display name.
    pub matched: String,
}

impl SearchIndex {
    /// Indexes the document's features: every string property, names (keys containing "name")
    /// marked as such.
    pub fn build(doc: &Document) -> Self {
        let mut entries = Vec::new();
        for (r, f) in doc.features() {
            for (key, value) in f.properties() {
                let Some(text) = value.as_str() else { continue };
                if text.trim().is_empty() || text.len() > 500 {
                    continue;
                }
                entries.push(Entry {
                    feature: r,
                    folded: fold(text),
                    is_name: key.to_lowercase().contains("name"),
                });
            }
        }
        Self { entries }
    }

    /// Features matching `query`, best first, at most `limit`; one hit per feature.
    pub fn search(&self, doc: &Document, query: &str, limit: usize) -> Vec<Hit> {
        let q = fold(query);
        if q.is_empty() {
            return Vec::new();
        }
        let words: Vec<&str> = q.split(' ').collect();
        let mut best: std::collections::HashMap<FeatureRef, u32> = Default::default();
        for e in &self.entries {
            let Some(s) = score(&e.folded, &q, &words) else {
                continue;
            };
            let s = if e.is_name { s + 50 } else { s };
            let slot = best.entry(e.feature).or_insert(0);
            *slot = (*slot).max(s);
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .map(|(feature, score)| Hit {
                feature,
                score,
                matched: doc
                    .feature(feature)
                    .map(|f| f.display_name())
                    .unwrap_or_default(),
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.matched.len().cmp(&b.matched.len()))
                .then(a.feature.layer.cmp(&b.feature.layer))
                .then(a.feature.feature.cmp(&b.feature.feature))
        });
        hits.truncate(limit);
        hits
    }
}

/// Exact match, then the whole query at the start, then at a word start, then every word at
/// a word start, then anywhere.
fn score(text: &str, query: &str, words: &[&str]) -> Option<u32> {
    if text == query {
        return Some(400);
    }
    if text.starts_with(query) {
        return Some(300);
    }
    if text.contains(&format!(" {query}")) {
        return Some(250);
    }
    let word_starts = |w: &str| text.starts_with(w) || text.contains(&format!(" {w}"));
    if words.len() > 1 && words.iter().all(|w| word_starts(w)) {
        return Some(200);
    }
    if text.contains(query) {
        return Some(100);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_diacritics_and_case() {
        for s in ["thu dau mot", "THỦ DẦU MỘT", "Thu Dau Mot", "Thủ Dầu Một"] {
            assert_eq!(fold(s), "thu dau mot", "{s}");
        }
        assert_eq!(fold("Đông Hòa"), "dong hoa");
        assert_eq!(fold("  VSIP   II-A "), "vsip ii a");
        assert_eq!(fold("平阳新城"), "平阳新城");
        // The 2025 data writes the older "Hoà", people type "Hòa": the same to search.
        assert_eq!(fold("Phước Hoà"), fold("Phước Hòa"));
        assert_eq!(fold("Long Hoà"), "long hoa");
    }

    #[test]
    fn exact_beats_prefix_beats_substring() {
        let words = ["an"];
        assert!(score("an", "an", &words) > score("an phu", "an", &words));
        assert!(score("an phu", "an", &words) > score("di an", "an", &words));
        assert!(score("di an", "an", &words) > score("thuan an", "uan", &["uan"]));
    }
}
