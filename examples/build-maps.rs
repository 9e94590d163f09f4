//! Regenerates the bundled maps that rest on real boundaries, from the shared source data and the
//! table `maps/sources/wards-2025.toml`:
//!
//! - `maps/localities.geojson`: the six localities of the innovation district, each the union of
//!   the 2025 wards formed from it;
//! - `maps/wards-2025.geojson`: the 36 wards and communes of 2025, as a reference layer;
//! - `maps/new-city.geojson`: Bình Dương New City, drawn as the 2025 ward "Bình Dương";
//! - `maps/context.geojson`: what the map draws when no basemap tile is available: the former
//!   province, its nine former districts (the three outside the innovation district named), and
//!   the neighbouring provinces of before 2025.
//!
//! ```sh
//! cargo run --example build-maps                 # reads ../shared/data, writes maps/
//! cargo run --example build-maps -- DATA_DIR OUT_DIR
//! ```
//!
//! Unions are made with `geo`'s boolean operations. The wards share their edges vertex for vertex,
//! so the localities share theirs exactly: no slivers, no gaps. Coordinates are written with the
//! six decimals of the source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::{BooleanOps, BoundingRect, MultiPolygon, Polygon};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The source files, relative to the shared data folder.
pub const WARDS_FILE: &str = "real/vn-provinces-2025/former_binh_duong_wards_2025_merged.geojson";
pub const PROVINCES_FILE: &str = "real/geoboundaries-vnm-adm1/geoBoundaries-VNM-ADM1.geojson";
/// The table, relative to the repository.
pub const TABLE_FILE: &str = "maps/sources/wards-2025.toml";

/// Where the wards file comes from, as the bundled layers say.
pub const WARDS_SOURCE: &str = "2025 ward and commune boundaries: thanglequoc/vietnamese-provinces-database (MIT), from the national administrative map of 2025";
pub const PROVINCES_SOURCE: &str =
    "Provinces before 2025: geoBoundaries gbOpen VNM-ADM1 (public domain; cite geoBoundaries)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let out = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("maps"));
    match build(&data, &root.join(TABLE_FILE), &out) {
        Ok(report) => {
            for line in report {
                println!("{line}");
            }
        }
        Err(e) => {
            eprintln!("build-maps: {e}");
            std::process::exit(1);
        }
    }
}

/// The table: the former districts, and which of them each 2025 ward was formed from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub district: Vec<District>,
    pub ward: Vec<Ward>,
}

/// A former district (district-level unit before 1 July 2025).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    /// The feature id in `localities.geojson` (for the six) or `context.geojson`.
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub name_zh: Option<String>,
    /// Part of the innovation district (one of the six localities), or drawn as context only.
    pub innovation_district: bool,
    /// Properties written as they are (role, summary, source …), in order.
    #[serde(default)]
    pub properties: toml::Table,
}

/// A 2025 ward or commune and the former district most of its area came from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ward {
    /// The national code of the 2025 unit (as in the source file's `code`).
    pub code: String,
    pub name: String,
    pub district: String,
    /// Other former districts some of its communes came from.
    #[serde(default)]
    pub partly_from: Vec<String>,
    /// What it was formed from, as the source says.
    #[serde(default)]
    pub formed_from: String,
    pub source: String,
    /// Pages the row rests on.
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// What went wrong, with the file (and line) it concerns.
#[derive(Debug)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(text: impl Into<String>) -> BuildError {
    BuildError(text.into())
}

/// Reads a file, saying which one could not be read.
fn read(path: &Path) -> Result<String, BuildError> {
    std::fs::read_to_string(path).map_err(|e| err(format!("{}: cannot read: {e}", path.display())))
}

fn read_json(path: &Path) -> Result<Value, BuildError> {
    serde_json::from_str(&read(path)?).map_err(|e| {
        err(format!(
            "{}: line {}, column {}: not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

pub fn read_table(path: &Path) -> Result<Table, BuildError> {
    toml::from_str(&read(path)?).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                1 + text.get(..s.start).map_or(0, |t| t.matches('\n').count())
            })
            .unwrap_or(0);
        err(format!("{}: line {line}: {}", path.display(), e.message()))
    })
}

/// A source feature's geometry as polygons, from GeoJSON `Polygon` or `MultiPolygon`.
fn polygons(path: &Path, index: usize, geometry: &Value) -> Result<MultiPolygon<f64>, BuildError> {
    let g: geojson::Geometry = serde_json::from_value(geometry.clone()).map_err(|e| {
        err(format!(
            "{}: feature {index}: geometry cannot be read: {e}",
            path.display()
        ))
    })?;
    match geo::Geometry::<f64>::try_from(g.value) {
        Ok(geo::Geometry::Polygon(p)) => Ok(cleaned(MultiPolygon::new(vec![p]))),
        Ok(geo::Geometry::MultiPolygon(m)) => Ok(cleaned(m)),
        _ => Err(err(format!(
            "{}: feature {index}: not a polygon or multipolygon",
            path.display()
        ))),
    }
}

/// Drops the holes of fewer than three corners that the source has (one in Thanh An: a ring of
/// two points), which no tool can draw and which make the polygon invalid.
fn cleaned(m: MultiPolygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon::new(
        m.0.into_iter()
            .map(|p| {
                let (exterior, interiors) = p.into_inner();
                let interiors = interiors
                    .into_iter()
                    .filter(|r| {
                        let mut corners: Vec<_> = r.0.clone();
                        corners.dedup();
                        corners.len() >= 4
                    })
                    .collect();
                Polygon::new(exterior, interiors)
            })
            .collect(),
    )
}

/// One source ward: its code, names, published area and outline.
pub struct SourceWard {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub full_name: String,
    pub full_name_en: String,
    pub area_km2: f64,
    pub shape: MultiPolygon<f64>,
}

pub fn read_wards(path: &Path) -> Result<Vec<SourceWard>, BuildError> {
    let json = read_json(path)?;
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| err(format!("{}: not a FeatureCollection", path.display())))?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.get("properties").cloned().unwrap_or(Value::Null);
            let text = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        err(format!(
                            "{}: feature {i}: property `{k}` is missing",
                            path.display()
                        ))
                    })
            };
            Ok(SourceWard {
                code: text("code")?,
                name: text("name")?,
                name_en: text("nameEn")?,
                full_name: text("fullName")?,
                full_name_en: text("fullNameEn")?,
                area_km2: p.get("areaKm2").and_then(Value::as_f64).ok_or_else(|| {
                    err(format!(
                        "{}: feature {i}: property `areaKm2` is missing",
                        path.display()
                    ))
                })?,
                shape: polygons(path, i, f.get("geometry").unwrap_or(&Value::Null))?,
            })
        })
        .collect()
}

/// Names compare alike whatever the tone mark's placement: the 2025 data writes "Hoà", the
/// newer spelling "Hòa".
pub fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        s.nfc()
            .collect::<String>()
            .replace("oà", "òa")
            .replace("oá", "óa")
            .replace("oả", "ỏa")
            .replace("oã", "õa")
            .replace("oạ", "ọa")
            .replace("uý", "úy")
            .to_lowercase()
    }
    norm(a) == norm(b)
}

/// Coordinates at the source's precision, so that shared vertices stay shared.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn ring_json(ring: &geo::LineString<f64>) -> Value {
    Value::Array(
        ring.0
            .iter()
            .map(|c| json!([round6(c.x), round6(c.y)]))
            .collect(),
    )
}

fn polygon_json(p: &Polygon<f64>) -> Value {
    let mut rings = vec![ring_json(p.exterior())];
    rings.extend(p.interiors().iter().map(ring_json));
    Value::Array(rings)
}

/// GeoJSON geometry: a Polygon when there is one part, else a MultiPolygon.
pub fn geometry_json(m: &MultiPolygon<f64>) -> Value {
    match m.0.as_slice() {
        [one] => json!({"type": "Polygon", "coordinates": polygon_json(one)}),
        parts => json!({
            "type": "MultiPolygon",
            "coordinates": parts.iter().map(polygon_json).collect::<Vec<_>>()
        }),
    }
}

/// Drops the specks boolean operations can leave (parts under a square metre or so).
fn without_specks(m: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::Area;
    MultiPolygon::new(
        m.0.into_iter()
            .filter(|p| p.unsigned_area() > 1e-10)
            .collect(),
    )
}

pub fn union_all<'a>(parts: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let polys: Vec<&MultiPolygon<f64>> = parts.into_iter().collect();
    without_specks(geo::unary_union(polys))
}

/// Per-feature colours (the simplestyle keys the app reads).
fn simplestyle(
    p: &mut Map<String, Value>,
    fill: &str,
    fill_opacity: f64,
    stroke: &str,
    width: f64,
) {
    p.insert("fill".into(), json!(fill));
    p.insert("fill-opacity".into(), json!(fill_opacity));
    p.insert("stroke".into(), json!(stroke));
    p.insert("stroke-width".into(), json!(width));
}

fn feature(id: &str, properties: Map<String, Value>, geometry: Value) -> Value {
    json!({"type": "Feature", "id": id, "properties": properties, "geometry": geometry})
}

/// A FeatureCollection written one feature per line: small diffs when a boundary changes.
fn collection_text(name: &str, description: &str, features: &[Value]) -> String {
    let mut out = String::new();
    out.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    out.push_str(&Value::String(name.to_owned()).to_string());
    out.push_str(",\"description\":");
    out.push_str(&Value::String(description.to_owned()).to_string());
    out.push_str(",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        out.push_str(&f.to_string());
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out
}

fn toml_to_json(v: &toml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Builds every file into `out`; returns a report of what was made.
pub fn build(data: &Path, table_path: &Path, out: &Path) -> Result<Vec<String>, BuildError> {
    let table = read_table(table_path)?;
    let wards_path = data.join(WARDS_FILE);
    let wards = read_wards(&wards_path)?;
    let provinces_path = data.join(PROVINCES_FILE);
    let provinces = read_json(&provinces_path)?;

    // Every ward in the data is in the table, and the other way round.
    let in_table: BTreeMap<&str, &Ward> = table.ward.iter().map(|w| (w.code.as_str(), w)).collect();
    let in_data: BTreeSet<&str> = wards.iter().map(|w| w.code.as_str()).collect();
    for w in &wards {
        let Some(row) = in_table.get(w.code.as_str()) else {
            return Err(err(format!(
                "{}: ward {} “{}” is in the data but not in the table {}",
                wards_path.display(),
                w.code,
                w.name,
                table_path.display()
            )));
        };
        if !same_name(&row.name, &w.name) {
            return Err(err(format!(
                "{}: ward {} is “{}” in the table but “{}” in the data",
                table_path.display(),
                w.code,
                row.name,
                w.name
            )));
        }
    }
    for row in &table.ward {
        if !in_data.contains(row.code.as_str()) {
            return Err(err(format!(
                "{}: ward {} “{}” is in the table but not in the data {}",
                table_path.display(),
                row.code,
                row.name,
                wards_path.display()
            )));
        }
        for d in std::iter::once(&row.district).chain(&row.partly_from) {
            if !table.district.iter().any(|x| x.name == *d) {
                return Err(err(format!(
                    "{}: ward {} “{}” names the district “{d}”, which the table does not list",
                    table_path.display(),
                    row.code,
                    row.name
                )));
            }
        }
    }

    let mut report = Vec::new();
    let district_of = |code: &str| in_table.get(code).map(|w| w.district.as_str());

    // The wards, as a reference layer.
    let ward_features: Vec<Value> = wards
        .iter()
        .map(|w| {
            let row = in_table.get(w.code.as_str());
            let mut p = Map::new();
            p.insert("name".into(), json!(w.name));
            p.insert("name_en".into(), json!(w.name_en));
            p.insert("full_name".into(), json!(w.full_name));
            p.insert("full_name_en".into(), json!(w.full_name_en));
            p.insert("code".into(), json!(w.code));
            p.insert("kind".into(), json!("ward_2025"));
            p.insert("area_km2_published".into(), json!(w.area_km2));
            if let Some(row) = row {
                p.insert("former_district".into(), json!(row.district));
                if !row.partly_from.is_empty() {
                    p.insert("partly_from".into(), json!(row.partly_from.join(", ")));
                }
                if !row.formed_from.is_empty() {
                    p.insert("formed_from".into(), json!(row.formed_from));
                }
                p.insert("assignment_source".into(), json!(row.source));
            }
            p.insert("source".into(), json!(WARDS_SOURCE));
            feature(&format!("ward-{}", w.code), p, geometry_json(&w.shape))
        })
        .collect();
    write(
        out,
        "wards-2025.geojson",
        &collection_text(
            "wards-2025",
            "The 36 wards and communes of 2025 that made up the former Bình Dương province. Boundaries as published; see SOURCES.md.",
            &ward_features,
        ),
    )?;
    report.push(format!("wards-2025.geojson: {} wards", wards.len()));

    // Former districts: unions of their wards.
    let mut localities = Vec::new();
    let mut context = Vec::new();
    let mut district_shapes = Vec::new();
    for d in &table.district {
        let members: Vec<&SourceWard> = wards
            .iter()
            .filter(|w| district_of(&w.code) == Some(d.name.as_str()))
            .collect();
        if members.is_empty() {
            return Err(err(format!(
                "{}: district “{}” has no ward",
                table_path.display(),
                d.name
            )));
        }
        let shape = union_all(members.iter().map(|w| &w.shape));
        let published: f64 = members.iter().map(|w| w.area_km2).sum();
        let mut p = Map::new();
        p.insert("name".into(), json!(d.name));
        p.insert("name_en".into(), json!(d.name_en));
        if let Some(zh) = &d.name_zh {
            p.insert("name_zh".into(), json!(zh));
        }
        for (k, v) in &d.properties {
            p.insert(k.clone(), toml_to_json(v));
        }
        p.insert(
            "wards_2025".into(),
            json!(
                members
                    .iter()
                    .map(|w| w.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        p.insert(
            "area_km2_published".into(),
            json!((published * 100.0).round() / 100.0),
        );
        p.insert(
            "outline".into(),
            json!(format!(
                "Union of the 2025 wards and communes formed from it (table: {TABLE_FILE}); where a ward came partly from another district it is counted whole with the one most of its area came from."
            )),
        );
        p.insert("boundary_source".into(), json!(WARDS_SOURCE));
        p.insert(
            "status_note".into(),
            json!("Drawn by its name before 2025. Since 1 July 2025 Bình Dương is part of Ho Chi Minh City (Resolution 202/2025/QH15) and its 91 communes and wards became 36 (Resolution 1685/NQ-UBTVQH15); district-level units no longer exist."),
        );
        report.push(format!(
            "{}: {} wards, {} polygon(s), published area {:.2} km²",
            d.name,
            members.len(),
            shape.0.len(),
            published
        ));
        let geometry = geometry_json(&shape);
        district_shapes.push((d, shape.clone()));
        if d.innovation_district {
            localities.push(feature(&d.id, p, geometry));
        } else {
            let mut p = p;
            p.insert("kind".into(), json!("former_district"));
            p.insert("source".into(), json!(WARDS_SOURCE));
            simplestyle(&mut p, "#f7f4ec", 0.0, "#c7bca8", 1.0);
            p.insert("label".into(), json!(d.name));
            p.insert("label_en".into(), json!(d.name_en));
            if let Some(zh) = &d.name_zh {
                p.insert("label_zh".into(), json!(zh));
            }
            context.push(feature(&d.id, p, geometry));
        }
    }
    write(
        out,
        "localities.geojson",
        &collection_text(
            "localities",
            "The six localities of the Bình Dương Innovation District by their 2021 names, each drawn as the union of the 2025 wards and communes formed from it (see SOURCES.md).",
            &localities,
        ),
    )?;

    // The New City: the 2025 ward "Bình Dương".
    let Some(binh_duong) = wards.iter().find(|w| same_name(&w.name, "Bình Dương")) else {
        return Err(err(format!(
            "{}: no ward named “Bình Dương”",
            wards_path.display()
        )));
    };
    write_new_city(
        out,
        binh_duong,
        in_table.get(binh_duong.code.as_str()).copied(),
    )?;

    // The former province and the provinces around it.
    let province = union_all(wards.iter().map(|w| &w.shape));
    let mut p = Map::new();
    p.insert("name".into(), json!("Bình Dương (trước 2025)"));
    p.insert("name_en".into(), json!("Bình Dương (before 2025)"));
    p.insert("name_zh".into(), json!("平阳省（2025年前）"));
    p.insert("kind".into(), json!("former_province"));
    p.insert(
        "outline".into(),
        json!("Union of the 36 wards and communes of 2025 that made up the province."),
    );
    p.insert("source".into(), json!(WARDS_SOURCE));
    simplestyle(&mut p, "#f7f4ec", 1.0, "#8f836d", 2.2);
    let province_feature = feature("ctx-binh-duong", p, geometry_json(&province));
    let mut context_all = Vec::new();
    let province_box = province
        .bounding_rect()
        .ok_or_else(|| err("the province has no extent"))?;
    let neighbours = [
        (
            "VN-58",
            "ctx-binh-phuoc",
            "Bình Phước",
            "Bình Phước",
            "平福省",
        ),
        ("VN-37", "ctx-tay-ninh", "Tây Ninh", "Tây Ninh", "西宁省"),
        ("VN-39", "ctx-dong-nai", "Đồng Nai", "Đồng Nai", "同奈省"),
        (
            "VN-SG",
            "ctx-ho-chi-minh-city",
            "Thành phố Hồ Chí Minh (trước 2025)",
            "Ho Chi Minh City (before 2025)",
            "胡志明市（2025年前）",
        ),
    ];
    let features = provinces
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            err(format!(
                "{}: not a FeatureCollection",
                provinces_path.display()
            ))
        })?;
    for (iso, id, name, name_en, name_zh) in neighbours {
        let Some((index, f)) = features
            .iter()
            .enumerate()
            .find(|(_, f)| f.pointer("/properties/shapeISO").and_then(Value::as_str) == Some(iso))
        else {
            return Err(err(format!(
                "{}: no province with shapeISO {iso} ({name_en})",
                provinces_path.display()
            )));
        };
        let shape = polygons(
            &provinces_path,
            index,
            f.get("geometry").unwrap_or(&Value::Null),
        )?;
        // Only what lies near the province matters, and the two sources' common border
        // differs by a few hundred metres: the province's own outline wins.
        let near = geo::Rect::new(
            geo::coord! { x: province_box.min().x - 0.6, y: province_box.min().y - 0.6 },
            geo::coord! { x: province_box.max().x + 0.6, y: province_box.max().y + 0.6 },
        )
        .to_polygon();
        let shape = without_specks(shape.intersection(&MultiPolygon::new(vec![near])));
        let shape = without_specks(shape.difference(&province));
        let mut p = Map::new();
        p.insert("name".into(), json!(name));
        p.insert("name_en".into(), json!(name_en));
        p.insert("name_zh".into(), json!(name_zh));
        p.insert("label".into(), json!(name));
        p.insert("label_en".into(), json!(name_en));
        p.insert("label_zh".into(), json!(name_zh));
        p.insert("kind".into(), json!("neighbour_province"));
        simplestyle(&mut p, "#e6e0d3", 1.0, "#c9c0ae", 1.0);
        p.insert("source".into(), json!(PROVINCES_SOURCE));
        context_all.push(feature(id, p, geometry_json(&shape)));
    }
    // The six localities' outlines too, unnamed (their layer names them), so the district
    // pattern shows even with that layer hidden.
    for (d, shape) in &district_shapes {
        if d.innovation_district {
            let mut p = Map::new();
            p.insert("name".into(), json!(d.name));
            p.insert("name_en".into(), json!(d.name_en));
            if let Some(zh) = &d.name_zh {
                p.insert("name_zh".into(), json!(zh));
            }
            p.insert("kind".into(), json!("former_district"));
            p.insert("source".into(), json!(WARDS_SOURCE));
            simplestyle(&mut p, "#f7f4ec", 0.0, "#c7bca8", 1.0);
            context_all.push(feature(&format!("ctx-{}", d.id), p, geometry_json(shape)));
        }
    }
    context_all.extend(context);
    // Last, so that its outline is drawn over the districts'.
    context_all.push(province_feature);
    write(
        out,
        "context.geojson",
        &collection_text(
            "context",
            "Drawn under the layers when no basemap tile is available: the former Bình Dương province, its former districts and the neighbouring provinces of before 2025 (see SOURCES.md).",
            &context_all,
        ),
    )?;
    report.push(format!("context.geojson: {} features", context_all.len()));
    Ok(report)
}

fn write_new_city(out: &Path, ward: &SourceWard, row: Option<&Ward>) -> Result<(), BuildError> {
    let mut p = Map::new();
    p.insert("name".into(), json!("Thành phố mới Bình Dương"));
    p.insert("name_en".into(), json!("Bình Dương New City"));
    p.insert("name_zh".into(), json!("平阳新城"));
    p.insert("kind".into(), json!("new_city"));
    p.insert(
        "summary".into(),
        json!("The article calls the World Trade Center Bình Dương New City (平阳新城世界贸易中心, WTC BDNC) a strategic turning point that lays the ground for breakthroughs in the province's international trade services, e-commerce in particular. The WTC's address is No. 1 Hùng Vương, Hòa Phú ward (Becamex Tokyu); Hòa Phú is part of the Bình Dương ward since 2025 (Resolution 1685/NQ-UBTVQH15)."),
    );
    p.insert(
        "source".into(),
        json!("Báo Bình Dương (Chinese edition), 19 March 2021: “(四)新阶段下智慧城市建设实现突破”; address: https://tokyugardencity.com (Becamex Tokyu, page footer)"),
    );
    p.insert(
        "role".into(),
        json!("International trade services (WTC Bình Dương New City)"),
    );
    let formed = row.map(|r| r.formed_from.as_str()).unwrap_or("");
    p.insert(
        "outline".into(),
        json!(format!(
            "Drawn as the 2025 ward “{}” ({}), formed from {}. The New City has no boundary of its own in the data at hand; the ward is the unit that governs it since 2025.",
            ward.name,
            ward.code,
            if formed.is_empty() { "the wards of its area" } else { formed }
        )),
    );
    p.insert("boundary_source".into(), json!(WARDS_SOURCE));
    let text = collection_text(
        "new-city",
        "Bình Dương New City, drawn as the 2025 ward “Bình Dương” (see SOURCES.md).",
        &[feature("zone-new-city", p, geometry_json(&ward.shape))],
    );
    write(out, "new-city.geojson", &text)
}

fn write(out: &Path, name: &str, text: &str) -> Result<(), BuildError> {
    std::fs::create_dir_all(out)
        .map_err(|e| err(format!("{}: cannot create the folder: {e}", out.display())))?;
    let path = out.join(name);
    std::fs::write(&path, text).map_err(|e| err(format!("{}: cannot write: {e}", path.display())))
}
