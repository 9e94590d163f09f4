//! Layer styles as the project file states them, and the resolved style of one feature.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Feature;

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    /// This colour with its alpha multiplied by `opacity` (0–1).
    pub fn with_opacity(self, opacity: f32) -> Self {
        let a = (self.a as f32 * opacity.clamp(0.0, 1.0)).round() as u8;
        Self { a, ..self }
    }

    /// Parses CSS-style hex colours: `#rgb`, `#rrggbb`, `#rrggbbaa` (the `#` optional), and a few
    /// names that simplestyle files use.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let named = match t.to_ascii_lowercase().as_str() {
            "black" => Some(Self::rgb(0, 0, 0)),
            "white" => Some(Self::rgb(255, 255, 255)),
            "red" => Some(Self::rgb(255, 0, 0)),
            "green" => Some(Self::rgb(0, 128, 0)),
            "blue" => Some(Self::rgb(0, 0, 255)),
            "yellow" => Some(Self::rgb(255, 255, 0)),
            "orange" => Some(Self::rgb(255, 165, 0)),
            "purple" => Some(Self::rgb(128, 0, 128)),
            "gray" | "grey" => Some(Self::rgb(128, 128, 128)),
            _ => None,
        };
        if named.is_some() {
            return named;
        }
        let hex = t.strip_prefix('#').unwrap_or(t);
        if !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        let nibble = |i: usize| {
            let v = u8::from_str_radix(hex.get(i..i + 1)?, 16).ok()?;
            Some(v * 17)
        };
        match hex.len() {
            3 => Some(Self::rgb(nibble(0)?, nibble(1)?, nibble(2)?)),
            6 => Some(Self::rgb(byte(0)?, byte(2)?, byte(4)?)),
            8 => Some(Self {
                r: byte(0)?,
                g: byte(2)?,
                b: byte(4)?,
                a: byte(6)?,
            }),
            _ => None,
        }
    }

    pub fn to_hex(self) -> String {
        if self.a == 255 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
        }
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a colour; write it as \"#rrggbb\" or \"#rrggbbaa\""
            ))
        })
    }
}

/// Colour features by the value of one property (e.g. `kind`), with a legend entry per value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CategoryStyle {
    /// The property whose value picks the colour.
    pub property: String,
    /// Colour per property value; values not listed keep the layer's colours.
    #[serde(default)]
    pub colors: BTreeMap<String, Color>,
    /// What the legend calls each value, in each language; a value not listed is shown made
    /// readable (`admin_centre` → "Admin centre").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, super::Texts>,
}

/// How a layer is drawn, as written in the project file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerStyle {
    pub fill: Color,
    /// Opacity of polygon fills, 0–1.
    pub fill_opacity: f32,
    pub stroke: Color,
    /// Outline and line width in screen points.
    pub stroke_width: f32,
    /// Colour of point markers.
    pub marker: Color,
    /// Radius of point markers in screen points.
    pub marker_radius: f32,
    /// Property shown as the label; none when empty.
    pub label: Option<String>,
    /// Colour by a property's categories.
    pub categories: Option<CategoryStyle>,
}

impl Default for LayerStyle {
    fn default() -> Self {
        Self {
            fill: Color::rgb(0x4c, 0x78, 0xa8),
            fill_opacity: 0.35,
            stroke: Color::rgb(0x2f, 0x4b, 0x6e),
            stroke_width: 1.5,
            marker: Color::rgb(0xd6, 0x3a, 0x2f),
            marker_radius: 5.0,
            label: Some("name".to_owned()),
            categories: None,
        }
    }
}

/// The style one feature is drawn with, after categories and the feature's own simplestyle
/// properties are applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeatureStyle {
    /// Fill with its opacity applied.
    pub fill: Color,
    pub stroke: Color,
    pub stroke_width: f32,
    pub marker: Color,
    pub marker_radius: f32,
    /// Drawn dashed: the geometry is indicative, not surveyed.
    pub dashed: bool,
}

impl LayerStyle {
    /// The colour a category value gets, if the layer colours by category and lists it.
    pub fn category_color(&self, feature: &Feature) -> Option<Color> {
        let categories = self.categories.as_ref()?;
        let value = feature.property_text(&categories.property)?;
        categories.colors.get(&value).copied()
    }

    /// Resolves the style of one feature: layer style, then category colour, then the feature's
    /// own simplestyle-spec properties (`fill`, `fill-opacity`, `stroke`, `stroke-width`,
    /// `stroke-opacity`, `marker-color`, `marker-size`), as geojson.io writes them.
    pub fn resolve(&self, feature: &Feature) -> FeatureStyle {
        let mut fill = self.fill;
        let mut fill_opacity = self.fill_opacity;
        let mut stroke = self.stroke;
        let mut stroke_width = self.stroke_width;
        let mut marker = self.marker;
        let mut marker_radius = self.marker_radius;
        if let Some(c) = self.category_color(feature) {
            fill = c;
            marker = c;
            // Outlines of coloured areas read better a shade darker; lines take the colour itself.
            stroke = if feature.is_areal() { darken(c) } else { c };
        }
        // Most features have none of the simplestyle keys, and each read reads the text again:
        // the keys alone are looked at first.
        let (mut styled, mut accuracy) = (false, false);
        let all = feature.each_property_key(|key| {
            styled |=
                key.starts_with("fill") || key.starts_with("stroke") || key.starts_with("marker-");
            accuracy |= key == "accuracy";
        });
        if !all {
            (styled, accuracy) = (true, true);
        }
        if styled {
            let color = |key: &str| feature.property_text(key).and_then(|t| Color::parse(&t));
            let number = |key: &str| feature.property(key).and_then(|v| v.as_f64());
            if let Some(c) = color("fill") {
                fill = c;
            }
            if let Some(o) = number("fill-opacity") {
                fill_opacity = o.clamp(0.0, 1.0) as f32;
            }
            if let Some(c) = color("stroke") {
                stroke = c;
            }
            if let Some(o) = number("stroke-opacity") {
                stroke = stroke.with_opacity(o as f32);
            }
            if let Some(w) = number("stroke-width") {
                stroke_width = w.clamp(0.0, 50.0) as f32;
            }
            if let Some(c) = color("marker-color") {
                marker = c;
            }
            if let Some(size) = feature.property_text("marker-size") {
                marker_radius = match size.as_str() {
                    "small" => 4.0,
                    "large" => 8.0,
                    _ => 6.0,
                };
            }
        }
        let dashed = accuracy && feature.accuracy().as_deref() == Some("indicative");
        FeatureStyle {
            fill: fill.with_opacity(fill_opacity),
            stroke,
            stroke_width,
            marker,
            marker_radius,
            dashed,
        }
    }
}

/// A darker shade for outlines of category-coloured fills.
fn darken(c: Color) -> Color {
    Color {
        r: (c.r as f32 * 0.6) as u8,
        g: (c.g as f32 * 0.6) as u8,
        b: (c.b as f32 * 0.6) as u8,
        a: c.a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(props: serde_json::Value) -> Feature {
        let record = geojson::Feature {
            properties: props.as_object().cloned(),
            ..Default::default()
        };
        Feature::from_record(record)
    }

    #[test]
    fn colours_parse_in_every_common_form() {
        assert_eq!(Color::parse("#ff8000"), Some(Color::rgb(255, 128, 0)));
        assert_eq!(Color::parse("f80"), Some(Color::rgb(255, 136, 0)));
        assert_eq!(Color::parse("#ff800080").map(|c| c.a), Some(128));
        assert_eq!(Color::parse("#zz0000"), None);
        assert_eq!(Color::parse("#ợợợ"), None);
    }

    #[test]
    fn simplestyle_properties_override_the_layer() {
        let style = LayerStyle::default();
        let f =
            feature(serde_json::json!({"fill": "#00ff00", "fill-opacity": 0.5, "stroke-width": 4}));
        let s = style.resolve(&f);
        assert_eq!((s.fill.r, s.fill.g, s.fill.a), (0, 255, 128));
        assert_eq!(s.stroke_width, 4.0);
    }

    #[test]
    fn categories_colour_by_property() {
        let style = LayerStyle {
            categories: Some(CategoryStyle {
                property: "kind".into(),
                colors: [("park".to_owned(), Color::rgb(1, 2, 3))]
                    .into_iter()
                    .collect(),
                labels: Default::default(),
            }),
            ..LayerStyle::default()
        };
        let s = style.resolve(&feature(
            serde_json::json!({"kind": "park", "accuracy": "indicative"}),
        ));
        assert_eq!((s.fill.r, s.fill.g, s.fill.b), (1, 2, 3));
        assert!(s.dashed);
    }
}
