//! `corridor db import` and `corridor db export`: a layer into a new table and back, losslessly
//! (ids, properties with their JSON types and order, geometry with Z, foreign members).

use geojson::{JsonObject, JsonValue};

use super::rows::{Filter, read_rows, strip_row};
use super::save::RowTexts;
use super::source::{DbError, PgSource, quote_ident};
use super::table::{EXTRA_COLUMN, FEATURE_ID_COLUMN, KEYS_COLUMN, VERSION_COLUMN, describe};
use crate::model::{Layer, SourceForm};

/// What an import made.
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub rows: usize,
    /// Columns made for properties, with their SQL types.
    pub columns: Vec<(String, String)>,
    /// Property keys stored under another column name (reserved or too long).
    pub renamed: Vec<(String, String)>,
}

/// The SQL type a property's values fit: one scalar type gets its column type, anything mixed or
/// nested is `jsonb`.
fn column_type<'a>(values: impl Iterator<Item = &'a JsonValue>) -> &'static str {
    let mut kind: Option<&'static str> = None;
    for v in values {
        let k = match v {
            JsonValue::Null => continue,
            JsonValue::String(_) => "text",
            JsonValue::Bool(_) => "boolean",
            JsonValue::Number(n) if n.is_i64() => "bigint",
            JsonValue::Number(_) => "numeric",
            JsonValue::Array(_) | JsonValue::Object(_) => return "jsonb",
        };
        kind = match (kind, k) {
            (None, k) => Some(k),
            (Some(a), b) if a == b => Some(a),
            (Some("bigint" | "numeric"), "bigint" | "numeric") => Some("numeric"),
            _ => return "jsonb",
        };
    }
    kind.unwrap_or("jsonb")
}

/// Names PostgreSQL will keep as given: at most 63 bytes, not one of ours.
fn column_name(key: &str, taken: &[String]) -> String {
    let mut name: String = String::new();
    for c in key.chars() {
        if name.len() + c.len_utf8() > 56 {
            break;
        }
        name.push(c);
    }
    if name.is_empty() {
        name = "property".to_owned();
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.iter().any(|t| t == &candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

/// Creates `source`'s table from `layer` and writes every feature into it, in one transaction.
/// With `replace`, an existing table of that name is dropped first; without, it is an error.
///
/// Long because it is one transaction, from CREATE TABLE to COMMIT, and reads best in that order.
pub fn import(
    client: &mut impl postgres::GenericClient,
    layer: &Layer,
    source: &PgSource,
    replace: bool,
) -> Result<ImportReport, DbError> {
    let what = format!("Importing into {}", source.describe());
    let err = |e: postgres::Error| DbError::from_pg(&e, &what);
    // Property keys in order of first appearance, with their values.
    let mut keys: Vec<String> = Vec::new();
    for f in layer.features() {
        for (k, _) in f.properties() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let geometry_column = ["geom", "geometry", "the_geom", "corridor_geom"]
        .into_iter()
        .find(|c| !keys.iter().any(|k| k == c))
        .unwrap_or("corridor_geom")
        .to_owned();
    let key_column = ["fid", "ogc_fid", "corridor_fid"]
        .into_iter()
        .find(|c| !keys.iter().any(|k| k == c))
        .unwrap_or("corridor_fid")
        .to_owned();
    let mut taken: Vec<String> = vec![
        geometry_column.clone(),
        key_column.clone(),
        VERSION_COLUMN.to_owned(),
        FEATURE_ID_COLUMN.to_owned(),
        KEYS_COLUMN.to_owned(),
        EXTRA_COLUMN.to_owned(),
    ];
    let mut columns = Vec::new();
    let mut renamed = Vec::new();
    for k in &keys {
        let name = column_name(k, &taken);
        if &name != k {
            renamed.push((k.clone(), name.clone()));
        }
        taken.push(name.clone());
        let t = column_type(
            layer
                .features()
                .iter()
                .filter_map(|f| f.property(k))
                .collect::<Vec<_>>()
                .iter(),
        );
        columns.push((name, t.to_owned()));
    }
    // The geometry type: one type and dimension for all gets a typed column (as QGIS likes);
    // a mix gets a plain `geometry` column held to SRID 4326.
    let mut types = std::collections::BTreeSet::new();
    let mut dims = std::collections::BTreeSet::new();
    for g in layer.features().iter().filter_map(|f| f.record_geometry()) {
        types.insert(geometry_type_name(&g.value));
        dims.insert(geometry_dims(&g.value));
    }
    let geometry_sql = match (types.len(), dims.len()) {
        (1, 1) => {
            let t = types.iter().next().copied().unwrap_or("Geometry");
            let z = if dims.contains(&3) { "Z" } else { "" };
            if dims.contains(&2) || dims.contains(&3) {
                format!("geometry({t}{z}, 4326)")
            } else {
                format!(
                    "geometry check (ST_SRID({}) = 4326)",
                    quote_ident(&geometry_column)
                )
            }
        }
        (_, 1) if dims.contains(&2) => "geometry(Geometry, 4326)".to_owned(),
        (0, _) => "geometry(Geometry, 4326)".to_owned(),
        _ => format!(
            "geometry check (ST_SRID({}) = 4326)",
            quote_ident(&geometry_column)
        ),
    };
    let table = source.qualified();
    let mut tx = client.transaction().map_err(err)?;
    if replace {
        tx.batch_execute(&format!("drop table if exists {table} cascade"))
            .map_err(err)?;
    } else if tx
        .query_opt(
            "select 1 from pg_tables where schemaname = $1 and tablename = $2",
            &[&source.schema, &source.table],
        )
        .map_err(err)?
        .is_some()
    {
        return Err(DbError::Other(format!(
            "{}: the table exists already (use --replace to replace it)",
            source.describe()
        )));
    }
    tx.batch_execute(&format!(
        "create schema if not exists {}",
        quote_ident(&source.schema)
    ))
    .map_err(err)?;
    let mut defs = vec![
        format!(
            "{} bigint generated by default as identity primary key",
            quote_ident(&key_column)
        ),
        format!("{} jsonb", quote_ident(FEATURE_ID_COLUMN)),
        format!("{} {geometry_sql}", quote_ident(&geometry_column)),
    ];
    defs.extend(
        columns
            .iter()
            .map(|(n, t)| format!("{} {t}", quote_ident(n))),
    );
    defs.push(format!("{} text[]", quote_ident(KEYS_COLUMN)));
    defs.push(format!("{} jsonb", quote_ident(EXTRA_COLUMN)));
    defs.push(format!(
        "{} bigint not null default 1",
        quote_ident(VERSION_COLUMN)
    ));
    tx.batch_execute(&format!("create table {table} ({})", defs.join(", ")))
        .map_err(err)?;
    // What the collection itself carried, and the renamed keys, in the table's comment.
    let mut note = JsonObject::new();
    if let SourceForm::FeatureCollection {
        bbox,
        foreign_members,
    } = &layer.form
    {
        if let Some(b) = bbox {
            note.insert("bbox".to_owned(), serde_json::json!(b));
        }
        if let Some(f) = foreign_members {
            note.insert("foreign".to_owned(), JsonValue::Object(f.clone()));
        }
    }
    if !renamed.is_empty() {
        let map: JsonObject = renamed
            .iter()
            .map(|(k, c)| (c.clone(), JsonValue::String(k.clone())))
            .collect();
        note.insert("keys".to_owned(), JsonValue::Object(map));
    }
    let comment = serde_json::json!({ "corridor": note }).to_string();
    tx.batch_execute(&format!(
        "comment on table {table} is '{}'",
        comment.replace('\'', "''")
    ))
    .map_err(err)?;
    // Rows, as saves write them (the same texts and casts), in this transaction.
    let info = describe(&mut tx, source)?;
    let records: Vec<geojson::Feature> = layer
        .features()
        .iter()
        .map(|f| {
            let mut record = f.record().into_owned();
            strip_row(&mut record);
            rename_properties(&mut record, &renamed);
            record
        })
        .collect();
    let rows = records.len();
    copy_rows(&mut tx, &info, &records).map_err(|e| match e {
        CopyError::Db(e) => DbError::from_pg(&e, &what),
        CopyError::Feature(m) => DbError::Other(format!("{what}: {m}")),
    })?;
    // The index and the triggers after the rows: faster than keeping them up row by row, and
    // no notification for each imported row.
    tx.batch_execute(&format!(
        "create index on {table} using gist ({})",
        quote_ident(&geometry_column)
    ))
    .map_err(err)?;
    super::listen::install_triggers(&mut tx, source, &key_column).map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(ImportReport {
        rows,
        columns,
        renamed,
    })
}

/// Renames property keys by `(from, to)` pairs, keeping their order: keys to columns on import,
/// columns back to keys on export.
fn rename_properties(record: &mut geojson::Feature, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    if let Some(p) = record.properties.take() {
        record.properties = Some(
            p.into_iter()
                .map(|(k, v)| {
                    let name = pairs
                        .iter()
                        .find(|(from, _)| *from == k)
                        .map_or(k, |(_, to)| to.clone());
                    (name, v)
                })
                .collect(),
        );
    }
}

enum CopyError {
    Db(postgres::Error),
    Feature(String),
}

impl From<postgres::Error> for CopyError {
    fn from(e: postgres::Error) -> Self {
        CopyError::Db(e)
    }
}

/// Writes new rows in bulk: every column's text goes to a temporary table through COPY, then one
/// `INSERT … SELECT` casts them into the table (a statement per row took 0.5 ms a feature).
fn copy_rows(
    tx: &mut impl postgres::GenericClient,
    info: &super::table::TableInfo,
    records: &[geojson::Feature],
) -> Result<(), CopyError> {
    use std::io::Write;
    let texts = RowTexts::new(info);
    // geom, one per column, feature id (if kept), extra (if kept), keys (if kept).
    let mut names = vec!["geom".to_owned()];
    names.extend((0..info.columns.len()).map(|i| format!("c{i}")));
    if info.has_feature_id {
        names.push("fid".to_owned());
    }
    if info.has_extra {
        names.push("extra".to_owned());
    }
    if info.has_keys {
        names.push("keys".to_owned());
    }
    tx.batch_execute(&format!(
        "create temp table corridor_stage (ord bigint, {}) on commit drop",
        names
            .iter()
            .map(|n| format!("{n} text"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let mut out = Vec::new();
    for (ord, record) in records.iter().enumerate() {
        let (values, keys) = texts.of(info, record).map_err(CopyError::Feature)?;
        out.extend_from_slice(ord.to_string().as_bytes());
        for v in &values {
            out.push(b'\t');
            copy_text(&mut out, v.as_deref());
        }
        if info.has_keys {
            out.push(b'\t');
            let keys = keys.map(|k| serde_json::to_string(&k).unwrap_or_default());
            copy_text(&mut out, keys.as_deref());
        }
        out.push(b'\n');
    }
    let mut writer = tx.copy_in(&format!(
        "copy corridor_stage (ord, {}) from stdin",
        names.join(", ")
    ))?;
    writer
        .write_all(&out)
        .map_err(|e| CopyError::Feature(format!("sending the rows: {e}")))?;
    writer.finish()?;
    // Into the table, cast column by column, in the file's order.
    let mut columns = vec![quote_ident(&info.geometry_column)];
    let mut exprs = vec![info.geometry_in_expr("s.geom")];
    for (i, c) in info.columns.iter().enumerate() {
        columns.push(quote_ident(&c.name));
        exprs.push(format!("s.c{i}::{}", c.sql_type));
    }
    if info.has_feature_id {
        columns.push(quote_ident(FEATURE_ID_COLUMN));
        exprs.push("s.fid::jsonb".to_owned());
    }
    if info.has_extra {
        columns.push(quote_ident(EXTRA_COLUMN));
        exprs.push("s.extra::jsonb".to_owned());
    }
    if info.has_keys {
        columns.push(quote_ident(KEYS_COLUMN));
        exprs.push(
            "(select array_agg(k order by n) from jsonb_array_elements_text(s.keys::jsonb) \
             with ordinality as a(k, n))"
                .to_owned(),
        );
    }
    tx.batch_execute(&format!(
        "insert into {} ({}) select {} from corridor_stage s order by s.ord",
        info.source.qualified(),
        columns.join(", "),
        exprs.join(", ")
    ))?;
    Ok(())
}

/// A value in COPY's text format: `\N` for NULL; backslash, tab, newline and return escaped.
fn copy_text(out: &mut Vec<u8>, value: Option<&str>) {
    let Some(v) = value else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for b in v.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn geometry_type_name(v: &geojson::GeometryValue) -> &'static str {
    use geojson::GeometryValue as V;
    match v {
        V::Point { .. } => "Point",
        V::MultiPoint { .. } => "MultiPoint",
        V::LineString { .. } => "LineString",
        V::MultiLineString { .. } => "MultiLineString",
        V::Polygon { .. } => "Polygon",
        V::MultiPolygon { .. } => "MultiPolygon",
        V::GeometryCollection { .. } => "GeometryCollection",
    }
}

/// The number of coordinates per position (the first position found; 2 for an empty geometry).
fn geometry_dims(v: &geojson::GeometryValue) -> usize {
    use geojson::GeometryValue as V;
    let first = match v {
        V::Point { coordinates } => Some(coordinates.as_slice().len()),
        V::MultiPoint { coordinates } | V::LineString { coordinates } => {
            coordinates.first().map(|p| p.as_slice().len())
        }
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => coordinates
            .iter()
            .flatten()
            .next()
            .map(|p| p.as_slice().len()),
        V::MultiPolygon { coordinates } => coordinates
            .iter()
            .flatten()
            .flatten()
            .next()
            .map(|p| p.as_slice().len()),
        V::GeometryCollection { geometries } => geometries.first().map(|g| geometry_dims(&g.value)),
    };
    first.unwrap_or(2)
}

/// Reads a whole table as a layer: the same features a file would give, with the collection's
/// own members back from the table's comment, and the row keys stripped.
pub fn export(
    client: &mut impl postgres::GenericClient,
    source: &PgSource,
) -> Result<Layer, DbError> {
    let info = describe(client, source)?;
    let note = table_note(client, source)?;
    let renamed: Vec<(String, String)> = note
        .get("keys")
        .and_then(JsonValue::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(c, k)| Some((c.clone(), k.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let mut features = Vec::new();
    read_rows(client, &info, Filter::All, |row| {
        let mut record = row.record;
        strip_row(&mut record);
        rename_properties(&mut record, &renamed);
        features.push(crate::model::Feature::from_record(record));
        true
    })?;
    let form = SourceForm::FeatureCollection {
        bbox: note
            .get("bbox")
            .and_then(|b| serde_json::from_value(b.clone()).ok()),
        foreign_members: note.get("foreign").and_then(JsonValue::as_object).cloned(),
    };
    let layer = Layer::new(
        source.table.clone(),
        source.clone(),
        crate::model::LayerStyle::default(),
        features,
        Vec::new(),
    )
    .with_source(form, None);
    Ok(layer)
}

/// What Corridor wrote in the table's comment at import (empty for other tables).
fn table_note(
    client: &mut impl postgres::GenericClient,
    source: &PgSource,
) -> Result<JsonObject, DbError> {
    let row = client
        .query_one(
            "select obj_description(format('%I.%I', $1::text, $2::text)::regclass, 'pg_class')",
            &[&source.schema, &source.table],
        )
        .map_err(|e| DbError::from_pg(&e, "Reading the table's comment"))?;
    let text: Option<String> = row.get(0);
    Ok(text
        .and_then(|t| serde_json::from_str::<JsonValue>(&t).ok())
        .and_then(|v| v.get("corridor").and_then(JsonValue::as_object).cloned())
        .unwrap_or_default())
}

/// `corridor db import`: reads a GeoJSON file and writes it into a new table. Returns what to
/// print.
pub fn import_file(
    path: &std::path::Path,
    url: &str,
    table: &str,
    replace: bool,
) -> Result<String, TransferError> {
    let source = PgSource::new(url, table)?;
    let parsed = crate::io::read_geojson(path)?;
    let warnings = parsed.warnings.clone();
    let layer = parsed.into_layer(
        Layer::name_for(path),
        path.to_owned(),
        crate::model::LayerStyle::default(),
    );
    let mut client = super::connect(url, None).map_err(password_hint)?;
    let report = import(&mut client, &layer, &source, replace)?;
    let mut out = String::new();
    for w in warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out.push_str(&format!(
        "imported {} features into {} ({} property columns{})",
        report.rows,
        source.describe(),
        report.columns.len(),
        if report.renamed.is_empty() {
            String::new()
        } else {
            format!(
                "; renamed: {}",
                report
                    .renamed
                    .iter()
                    .map(|(k, c)| format!("{k} → {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    Ok(out)
}

/// `corridor db export`: writes a table to a GeoJSON file (atomically, keeping a backup of a
/// file it replaces). Returns what to print.
pub fn export_file(url: &str, table: &str, out: &std::path::Path) -> Result<String, TransferError> {
    let source = PgSource::new(url, table)?;
    let mut client = super::connect(url, None).map_err(password_hint)?;
    let layer = export(&mut client, &source)?;
    crate::io::save_geojson(&layer, out)?;
    Ok(format!(
        "exported {} features from {} to {}",
        layer.features().len(),
        source.describe(),
        out.display()
    ))
}

/// Why `corridor db import` or `export` could not do it.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}: set PGPASSWORD or add a line to ~/.pgpass (host:port:database:user:password)")]
    NeedPassword(DbError),
    #[error(transparent)]
    Read(#[from] crate::io::LoadError),
    #[error(transparent)]
    Write(#[from] crate::io::SaveError),
}

/// A connection error, with what to do when it is for want of a password.
fn password_hint(e: DbError) -> TransferError {
    match e {
        DbError::NeedPassword(_) => TransferError::NeedPassword(e),
        e => TransferError::Db(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn column_types_follow_the_values() {
        let t = |v: serde_json::Value| column_type(v.as_array().unwrap().iter());
        assert_eq!(t(json!(["a", null, "b"])), "text");
        assert_eq!(t(json!([1, 2, null])), "bigint");
        assert_eq!(t(json!([1, 2.5])), "numeric");
        assert_eq!(t(json!([true, false])), "boolean");
        assert_eq!(t(json!([1, "a"])), "jsonb");
        assert_eq!(t(json!([[1], {"a": 1}])), "jsonb");
        assert_eq!(t(json!([null])), "jsonb");
    }

    #[test]
    fn column_names_fit_and_do_not_collide() {
        let taken = vec!["geom".to_owned(), "fid".to_owned()];
        assert_eq!(column_name("geom", &taken), "geom_2");
        let long = "tên_rất_dài_".repeat(10);
        let name = column_name(&long, &taken);
        assert!(name.len() <= 63 && long.starts_with(&name), "{name}");
    }
}
