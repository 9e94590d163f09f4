//! The three languages of the corridor's names and texts: Vietnamese, English, Chinese.

use serde::{Deserialize, Serialize};

/// A language for labels, panels and slides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Vi,
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Vi, Lang::En, Lang::Zh];

    /// The suffix of this language's property keys: `name`, `name_en`, `name_zh`.
    pub fn suffix(self) -> &'static str {
        match self {
            Lang::Vi => "",
            Lang::En => "_en",
            Lang::Zh => "_zh",
        }
    }

    /// The language's own name, as a menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The next language in the cycle vi → en → zh (the `L` key).
    pub fn next(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::Vi,
        }
    }

    /// A property key in this language: `name` → `name_zh`; `name_en` → `name` in Vietnamese.
    pub fn key(self, base: &str) -> String {
        let stem = base
            .strip_suffix("_en")
            .or_else(|| base.strip_suffix("_zh"))
            .unwrap_or(base);
        format!("{stem}{}", self.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_language() {
        assert_eq!(Lang::Zh.key("name"), "name_zh");
        assert_eq!(Lang::Vi.key("name_en"), "name");
        assert_eq!(Lang::En.key("name_zh"), "name_en");
        assert_eq!(Lang::Vi.next().next().next(), Lang::Vi);
    }
}
