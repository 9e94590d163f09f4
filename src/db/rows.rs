//! Rows to GeoJSON features and back: geometry through EWKB (exact doubles, Z kept), every other
//! column through its text, so numbers come back as the server holds them.

use geojson::{JsonObject, JsonValue};
use postgres::fallible_iterator::FallibleIterator;

use super::source::{DbError, quote_ident};
use super::table::{ColumnKind, TableInfo};

/// One row read: its key, its version, and the feature it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: String,
    pub version: String,
    pub record: geojson::Feature,
}

/// Which rows to read.
#[derive(Clone, Debug)]
pub enum Filter<'a> {
    All,
    /// Rows whose geometry's box meets `[west, south, east, north]` (WGS84), by the spatial index.
    Within([f64; 4]),
    /// The rest: rows whose box does not meet it, or without geometry.
    Outside([f64; 4]),
    Keys(&'a [String]),
}

// The row key's place in a record is the model's (files and the journal meet it too).
pub use crate::model::row::{ROW_MEMBER, row_key, set_row_key, strip_row};

fn select_sql(info: &TableInfo) -> String {
    let mut cols = vec![
        // Named apart, so that `order by` means the key itself, not its text.
        format!("{}::text as corridor_row_key", quote_ident(&info.key)),
        info.version_sql(),
        info.geometry_out_sql(),
    ];
    cols.extend(
        info.columns
            .iter()
            .map(|c| format!("{}::text", quote_ident(&c.name))),
    );
    if info.has_feature_id {
        cols.push(format!(
            "{}::text",
            quote_ident(super::table::FEATURE_ID_COLUMN)
        ));
    }
    if info.has_keys {
        cols.push(quote_ident(super::table::KEYS_COLUMN));
    }
    if info.has_extra {
        cols.push(format!("{}::text", quote_ident(super::table::EXTRA_COLUMN)));
    }
    format!(
        "select {} from {}",
        cols.join(", "),
        info.source.qualified()
    )
}

fn envelope_sql(info: &TableInfo) -> String {
    let envelope = "ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)";
    let envelope = if info.srid == 4326 {
        envelope.to_owned()
    } else if info.srid == 0 {
        format!("ST_SetSRID({envelope}, 0)")
    } else {
        format!("ST_Transform({envelope}, {})", info.srid)
    };
    format!("{} && {envelope}", quote_ident(&info.geometry_column))
}

/// Reads rows in key order, handing each to `each`; `each` returns false to stop.
pub fn read_rows(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    filter: Filter<'_>,
    mut each: impl FnMut(Row) -> bool,
) -> Result<(), DbError> {
    let mut failed = None;
    raw_rows(client, info, filter, |raw| match row_of(info, &raw) {
        Ok(row) => each(row),
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    failed.map_or(Ok(()), Err)
}

/// Reads rows in key order, like [`read_rows`], but turns them into features on every core
/// once they have all arrived (EWKB to GeoJSON is most of the client's work). `arrived` is
/// called for each row as it comes, and returns false to stop.
pub fn read_all(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    filter: Filter<'_>,
    mut arrived: impl FnMut() -> bool,
) -> Result<Vec<Row>, DbError> {
    use rayon::prelude::*;
    let mut raw = Vec::new();
    raw_rows(client, info, filter, |r| {
        raw.push(r);
        arrived()
    })?;
    raw.par_iter().map(|r| row_of(info, r)).collect()
}

/// The rows a filter selects, in key order, as the server sends them, to turn into features
/// with [`decode_row`] (on another thread, while the next question is answered).
pub fn read_raw(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    filter: Filter<'_>,
) -> Result<Vec<postgres::Row>, DbError> {
    let mut raw = Vec::new();
    raw_rows(client, info, filter, |r| {
        raw.push(r);
        true
    })?;
    Ok(raw)
}

/// A row as the server sent it ([`read_raw`]) into its feature.
pub fn decode_row(info: &TableInfo, row: &postgres::Row) -> Result<Row, DbError> {
    row_of(info, row)
}

/// The rows a filter selects, in key order, as the server sends them.
fn raw_rows(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    filter: Filter<'_>,
    mut each: impl FnMut(postgres::Row) -> bool,
) -> Result<(), DbError> {
    let what = format!("Reading {}", info.source.describe());
    let mut sql = select_sql(info);
    let order = format!(" order by {}", quote_ident(&info.key));
    let bounds: Vec<f64>;
    let keys: Vec<String>;
    let params: Vec<&(dyn postgres::types::ToSql + Sync)> = match &filter {
        Filter::All => Vec::new(),
        Filter::Within(b) => {
            sql.push_str(&format!(" where {}", envelope_sql(info)));
            bounds = b.to_vec();
            bounds.iter().map(|v| v as _).collect()
        }
        Filter::Outside(b) => {
            sql.push_str(&format!(
                " where {} is null or not ({})",
                quote_ident(&info.geometry_column),
                envelope_sql(info)
            ));
            bounds = b.to_vec();
            bounds.iter().map(|v| v as _).collect()
        }
        Filter::Keys(k) => {
            sql.push_str(&format!(
                " where {}::text = any($1::text[])",
                quote_ident(&info.key)
            ));
            keys = k.to_vec();
            vec![&keys as _]
        }
    };
    sql.push_str(&order);
    let mut rows = client
        .query_raw(&sql, params)
        .map_err(|e| DbError::from_pg(&e, &what))?;
    while let Some(row) = rows.next().map_err(|e| DbError::from_pg(&e, &what))? {
        if !each(row) {
            break;
        }
    }
    Ok(())
}

/// The rows with these keys (those that still exist).
pub fn fetch(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    keys: &[String],
) -> Result<Vec<Row>, DbError> {
    let mut out = Vec::new();
    read_rows(client, info, Filter::Keys(keys), |r| {
        out.push(r);
        true
    })?;
    Ok(out)
}

fn row_of(info: &TableInfo, row: &postgres::Row) -> Result<Row, DbError> {
    let key: String = row.get(0);
    let version: String = row.get(1);
    let wkb: Option<Vec<u8>> = row.get(2);
    let geometry = match wkb {
        Some(bytes) => Some(geometry_from_ewkb(&bytes).map_err(|e| {
            DbError::Other(format!(
                "{}: row {key}: the geometry cannot be read ({e})",
                info.source.describe()
            ))
        })?),
        None => None,
    };
    let mut properties = JsonObject::new();
    let mut at = 3;
    for column in &info.columns {
        let text: Option<String> = row.get(at);
        at += 1;
        let value = json_of(column.kind, text);
        if info.bag.as_deref() == Some(column.name.as_str())
            && let JsonValue::Object(bag) = value
        {
            properties.extend(bag);
            continue;
        }
        properties.insert(column.name.clone(), value);
    }
    let mut id = if info.key_is_number {
        serde_json::from_str::<serde_json::Number>(&key)
            .map(geojson::feature::Id::Number)
            .unwrap_or_else(|_| geojson::feature::Id::String(key.clone()))
    } else {
        geojson::feature::Id::String(key.clone())
    }
    .into();
    if info.has_feature_id {
        let text: Option<String> = row.get(at);
        at += 1;
        id = match text.and_then(|t| serde_json::from_str::<JsonValue>(&t).ok()) {
            Some(JsonValue::String(s)) => Some(geojson::feature::Id::String(s)),
            Some(JsonValue::Number(n)) => Some(geojson::feature::Id::Number(n)),
            _ => None,
        };
    }
    if info.has_keys {
        let keys: Option<Vec<String>> = row.get(at);
        at += 1;
        if let Some(keys) = keys {
            let mut ordered = JsonObject::new();
            for k in keys {
                if let Some(v) = properties.shift_remove(&k) {
                    ordered.insert(k, v);
                }
            }
            properties = ordered;
        }
    }
    let mut record = geojson::Feature {
        bbox: None,
        geometry,
        id,
        properties: Some(properties),
        foreign_members: None,
    };
    if info.has_extra {
        let text: Option<String> = row.get(at);
        if let Some(JsonValue::Object(extra)) =
            text.and_then(|t| serde_json::from_str::<JsonValue>(&t).ok())
        {
            if let Some(JsonValue::Object(foreign)) = extra.get("foreign") {
                record.foreign_members = Some(foreign.clone());
            }
            if let Some(bbox) = extra.get("bbox") {
                record.bbox = serde_json::from_value(bbox.clone()).ok();
            }
            if extra.get("properties_null") == Some(&JsonValue::Bool(true)) {
                record.properties = None;
            }
        }
    }
    Ok(Row {
        key,
        version,
        record,
    })
}

/// A column's text as JSON: numbers parsed exactly, `true`/`false`, JSON as JSON.
fn json_of(kind: ColumnKind, text: Option<String>) -> JsonValue {
    let Some(text) = text else {
        return JsonValue::Null;
    };
    match kind {
        ColumnKind::Number => serde_json::from_str::<serde_json::Number>(&text)
            .map(JsonValue::Number)
            // NaN and infinities have no JSON number.
            .unwrap_or(JsonValue::String(text)),
        ColumnKind::Bool => match text.as_str() {
            "true" => JsonValue::Bool(true),
            "false" => JsonValue::Bool(false),
            _ => JsonValue::String(text),
        },
        ColumnKind::Json => serde_json::from_str(&text).unwrap_or(JsonValue::String(text)),
        ColumnKind::Text | ColumnKind::Other => JsonValue::String(text),
    }
}

/// A property value as the text parameter written to a column of this kind (`None`: NULL).
pub fn text_for(kind: ColumnKind, value: &JsonValue) -> Option<String> {
    match (kind, value) {
        (_, JsonValue::Null) => None,
        (ColumnKind::Json, v) => Some(v.to_string()),
        (_, JsonValue::String(s)) => Some(s.clone()),
        (_, v) => Some(v.to_string()),
    }
}

/// A GeoJSON geometry from PostGIS's EWKB, with every double as stored and Z kept.
pub fn geometry_from_ewkb(bytes: &[u8]) -> Result<geojson::Geometry, String> {
    use geozero::GeozeroGeometry;
    let mut out = Vec::new();
    let mut writer =
        geozero::geojson::GeoJsonWriter::with_dims(&mut out, geozero::CoordDimensions::xyz());
    geozero::wkb::Ewkb(bytes)
        .process_geom(&mut writer)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&out).map_err(|e| e.to_string())
}

/// The version a row read with `info` has now, `None` if it is gone.
pub fn version_of(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    key: &str,
) -> Result<Option<String>, DbError> {
    let sql = format!(
        "select {} from {} where {}",
        info.version_sql(),
        info.source.qualified(),
        info.key_sql(1)
    );
    let row = client
        .query_opt(&sql, &[&key])
        .map_err(|e| DbError::from_pg(&e, "Reading a version"))?;
    Ok(row.map(|r| r.get(0)))
}
