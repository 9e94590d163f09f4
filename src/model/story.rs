//! The story: an ordered list of slides, each a titled view of the corridor in three languages.

use serde::{Deserialize, Serialize};

use super::Lang;

/// A text in Vietnamese, English and Chinese.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Texts {
    pub vi: String,
    pub en: String,
    pub zh: String,
}

impl Texts {
    /// The same text in every language (a name, or a title written once).
    pub fn one(text: impl Into<String>) -> Self {
        Self {
            en: text.into(),
            ..Self::default()
        }
    }

    /// Read from either a plain string (the same in every language) or a table of
    /// translations; written back the same way: a string while there are no translations.
    pub fn string_or_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            One(String),
            Many(Texts),
        }
        Ok(match Form::deserialize(d)? {
            Form::One(s) => Self::one(s),
            Form::Many(t) => t,
        })
    }

    /// See [`Texts::string_or_table`].
    pub fn write_string_or_table<S: serde::Serializer>(t: &Texts, s: S) -> Result<S::Ok, S::Error> {
        if t.vi.is_empty() && t.zh.is_empty() {
            s.serialize_str(&t.en)
        } else {
            t.serialize(s)
        }
    }

    /// The text in `lang`, else in English, else in Vietnamese.
    pub fn get(&self, lang: Lang) -> &str {
        let own = match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        };
        [own, &self.en, &self.vi]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .map_or("", String::as_str)
    }

    /// No text in any language.
    pub fn is_empty(&self) -> bool {
        [&self.vi, &self.en, &self.zh]
            .iter()
            .all(|t| t.trim().is_empty())
    }

    pub fn get_mut(&mut self, lang: Lang) -> &mut String {
        match lang {
            Lang::Vi => &mut self.vi,
            Lang::En => &mut self.en,
            Lang::Zh => &mut self.zh,
        }
    }
}

/// One slide: what to say and what to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slide {
    pub title: Texts,
    pub text: Texts,
    /// Frame these features (by id); when empty, `center` and `zoom` say where to look.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fit: Vec<String>,
    /// `[longitude, latitude]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoom: Option<f64>,
    /// Layers shown, by name; all when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// Features to highlight, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<String>,
}

/// A story file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Story {
    pub title: String,
    pub slides: Vec<Slide>,
}
