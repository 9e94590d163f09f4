//! What a PostGIS table holds: its geometry column, key, version, and the columns that become
//! feature properties.

use super::source::{DbError, PgSource, quote_ident};

/// The column the app manages to version rows: raised by one on every update, by a trigger for
/// other programs' updates too.
pub const VERSION_COLUMN: &str = "corridor_version";
/// The GeoJSON `id` of an imported feature when the key is not that id.
pub const FEATURE_ID_COLUMN: &str = "corridor_feature_id";
/// A feature's property keys in order, when they are not the table's columns in order.
pub const KEYS_COLUMN: &str = "corridor_keys";
/// A feature's foreign members, `bbox`, and `properties: null`, as JSON.
pub const EXTRA_COLUMN: &str = "corridor_extra";

/// How a column's values become JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// Integers, floating point and `numeric`: JSON numbers (read through their text, exactly).
    Number,
    Bool,
    /// `json` or `jsonb`: any JSON value.
    Json,
    /// Anything else (dates, UUIDs, arrays …): shown and written as its text.
    Other,
}

impl ColumnKind {
    fn of(type_name: &str) -> Self {
        match type_name {
            "text" | "character varying" | "character" | "name" | "citext" => ColumnKind::Text,
            "smallint" | "integer" | "bigint" | "real" | "double precision" | "numeric" => {
                ColumnKind::Number
            }
            "boolean" => ColumnKind::Bool,
            "json" | "jsonb" => ColumnKind::Json,
            _ => ColumnKind::Other,
        }
    }
}

/// A column shown as a property.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    /// `format_type`, for casts when writing (`character varying(20)`, `numeric(10,2)` …).
    pub sql_type: String,
    pub kind: ColumnKind,
}

/// How a row's version is read: the managed column, or the row's `xmin` (the transaction that
/// last wrote it), for tables the app may not alter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    Column,
    Xmin,
}

/// Everything the app needs to read and write one table.
#[derive(Clone, Debug)]
pub struct TableInfo {
    pub source: PgSource,
    pub geometry_column: String,
    /// The geometry column's SRID (0: none declared, taken as 4326).
    pub srid: i32,
    /// `POLYGON`, `MULTIPOLYGON`, `GEOMETRY` …, from `geometry_columns`.
    pub geometry_type: String,
    /// 2, 3 (Z) or 4 as the column's type requires; 0 when it requires none (any dimensions).
    pub dims: i32,
    pub key: String,
    pub key_type: String,
    /// The key is numeric: feature ids are numbers.
    pub key_is_number: bool,
    /// The key has a default (identity or serial): new rows get theirs from the server.
    pub key_generated: bool,
    pub versioning: Versioning,
    pub columns: Vec<Column>,
    /// A `jsonb` object column whose keys are shown as properties (`properties`, `props`,
    /// `attributes` or `tags`, or the only `jsonb` column).
    pub bag: Option<String>,
    pub has_feature_id: bool,
    pub has_keys: bool,
    pub has_extra: bool,
    /// The notify trigger is installed.
    pub notifies: bool,
}

impl TableInfo {
    /// The SQL that reads a row's version as text.
    pub fn version_sql(&self) -> String {
        match self.versioning {
            Versioning::Column => format!("{}::text", quote_ident(VERSION_COLUMN)),
            Versioning::Xmin => "xmin::text".to_owned(),
        }
    }

    /// The geometry as EWKB in WGS84.
    pub fn geometry_out_sql(&self) -> String {
        let g = quote_ident(&self.geometry_column);
        if self.srid == 4326 || self.srid == 0 {
            format!("ST_AsEWKB({g})")
        } else {
            format!("ST_AsEWKB(ST_Transform({g}, 4326))")
        }
    }

    /// The SQL that turns parameter `$n` (GeoJSON text, or NULL) into the column's geometry.
    pub fn geometry_in_sql(&self, n: usize) -> String {
        self.geometry_in_expr(&format!("${n}::text"))
    }

    /// The SQL that turns a text expression holding GeoJSON (or NULL) into the column's
    /// geometry.
    pub fn geometry_in_expr(&self, text: &str) -> String {
        let mut e = format!("ST_SetSRID(ST_GeomFromGeoJSON({text}), 4326)");
        if self.srid != 4326 && self.srid != 0 {
            e = format!("ST_Transform({e}, {})", self.srid);
        } else if self.srid == 0 {
            e = format!("ST_SetSRID({e}, 0)");
        }
        if self.geometry_type.starts_with("MULTI") {
            e = format!("ST_Multi({e})");
        }
        match self.dims {
            2 => e = format!("ST_Force2D({e})"),
            3 => e = format!("ST_Force3DZ({e})"),
            4 => e = format!("ST_Force4D({e})"),
            _ => {}
        }
        e
    }

    /// The key's SQL equality with parameter `$n` (given as text).
    pub fn key_sql(&self, n: usize) -> String {
        format!("{} = ${n}::text::{}", quote_ident(&self.key), self.key_type)
    }

    /// The column names that are not properties.
    pub fn is_managed(&self, name: &str) -> bool {
        name == self.geometry_column
            || name == self.key
            || [VERSION_COLUMN, FEATURE_ID_COLUMN, KEYS_COLUMN, EXTRA_COLUMN].contains(&name)
    }
}

/// Reads what the app needs to know of `source`'s table. Tables without a primary key are
/// refused: rows could not be told apart to update them.
///
/// Long because it asks the catalogue in order: the geometry column, its SRID, the key, the columns
/// and how rows are versioned.
pub fn describe(
    client: &mut impl postgres::GenericClient,
    source: &PgSource,
) -> Result<TableInfo, DbError> {
    let what = format!("Reading {}", source.describe());
    let err = |e: postgres::Error| DbError::from_pg(&e, &what);
    let regclass = client
        .query_opt(
            "select c.oid::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = $1 and c.relname = $2",
            &[&source.schema, &source.table],
        )
        .map_err(err)?;
    let Some(oid_row) = regclass else {
        return Err(DbError::Other(format!(
            "{}: no such table",
            source.describe()
        )));
    };
    let oid: i64 = oid_row.get(0);
    let geometry = client
        .query(
            "select f_geometry_column::text, srid, type, coord_dimension from geometry_columns \
             where f_table_schema = $1 and f_table_name = $2 order by f_geometry_column",
            &[&source.schema, &source.table],
        )
        .map_err(err)?;
    let Some(g) = geometry.first() else {
        return Err(DbError::Other(format!(
            "{} has no geometry column (PostGIS `geometry`)",
            source.describe()
        )));
    };
    let geometry_column: String = g.get(0);
    let srid: i32 = g.get(1);
    let geometry_type: String = g.get(2);
    let typmod: i32 = client
        .query_one(
            "select atttypmod from pg_attribute where attrelid = $1::bigint::oid and attname = $2",
            &[&oid, &geometry_column],
        )
        .map_err(err)?
        .get(0);
    let dims: i32 = if typmod < 0 { 0 } else { g.get(3) };
    let key_rows = client
        .query(
            "select a.attname::text, format_type(a.atttypid, a.atttypmod), \
                    (a.attidentity <> '' or coalesce(pg_get_expr(d.adbin, d.adrelid), '') like 'nextval(%') \
             from pg_index i \
             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) \
             left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum \
             where i.indrelid = $1::bigint::oid and i.indisprimary",
            &[&oid],
        )
        .map_err(err)?;
    if key_rows.len() != 1 {
        return Err(DbError::Other(format!(
            "{} has {}: Corridor edits tables with a one-column primary key, so that every row \
             can be told apart",
            source.describe(),
            if key_rows.is_empty() {
                "no primary key"
            } else {
                "a primary key of several columns"
            }
        )));
    }
    let key: String = key_rows[0].get(0);
    let key_type: String = key_rows[0].get(1);
    let key_generated: bool = key_rows[0].get(2);
    let key_is_number = ColumnKind::of(&key_type) == ColumnKind::Number;
    let rows = client
        .query(
            "select attname::text, format_type(atttypid, atttypmod), atttypid::regtype::text \
             from pg_attribute where attrelid = $1::bigint::oid and attnum > 0 and not attisdropped \
             order by attnum",
            &[&oid],
        )
        .map_err(err)?;
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for row in rows {
        let name: String = row.get(0);
        let sql_type: String = row.get(1);
        let base: String = row.get(2);
        names.push(name.clone());
        columns.push(Column {
            name,
            kind: ColumnKind::of(&base),
            sql_type,
        });
    }
    let has = |n: &str| names.iter().any(|c| c == n);
    let versioning = if has(VERSION_COLUMN) {
        Versioning::Column
    } else {
        Versioning::Xmin
    };
    let notifies = client
        .query_opt(
            "select 1 from pg_trigger where tgrelid = $1::bigint::oid and tgname = 'corridor_notify'",
            &[&oid],
        )
        .map_err(err)?
        .is_some();
    let mut info = TableInfo {
        source: source.clone(),
        geometry_column,
        srid,
        geometry_type,
        dims,
        key,
        key_type,
        key_is_number,
        key_generated,
        versioning,
        columns: Vec::new(),
        bag: None,
        has_feature_id: has(FEATURE_ID_COLUMN),
        has_keys: has(KEYS_COLUMN),
        has_extra: has(EXTRA_COLUMN),
        notifies,
    };
    columns.retain(|c| !info.is_managed(&c.name));
    let jsonb: Vec<&Column> = columns.iter().filter(|c| c.sql_type == "jsonb").collect();
    // Tables Corridor made keep every property in a column of its own.
    info.bag = jsonb
        .iter()
        .find(|c| ["properties", "props", "attributes", "tags"].contains(&c.name.as_str()))
        .or(if jsonb.len() == 1 {
            jsonb.first()
        } else {
            None
        })
        .filter(|_| !info.has_extra)
        .map(|c| c.name.clone());
    info.columns = columns;
    Ok(info)
}

/// A table with a geometry column, as "Add PostGIS layer" lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerEntry {
    pub schema: String,
    pub table: String,
    pub geometry_column: String,
    pub geometry_type: String,
    pub srid: i32,
}

/// Every table the user can see with a geometry column.
pub fn list_layers(client: &mut impl postgres::GenericClient) -> Result<Vec<LayerEntry>, DbError> {
    let rows = client
        .query(
            "select f_table_schema::text, f_table_name::text, f_geometry_column::text, type, srid \
             from geometry_columns \
             where f_table_schema not in ('pg_catalog', 'information_schema', 'topology', 'tiger') \
             order by 1, 2, 3",
            &[],
        )
        .map_err(|e| DbError::from_pg(&e, "Listing the tables"))?;
    Ok(rows
        .iter()
        .map(|r| LayerEntry {
            schema: r.get(0),
            table: r.get(1),
            geometry_column: r.get(2),
            geometry_type: r.get(3),
            srid: r.get(4),
        })
        .collect())
}

/// A table's feature count and extent (WGS84 `[west, south, east, north]`), counted exactly.
pub fn count_and_extent(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
) -> Result<(i64, Option<[f64; 4]>), DbError> {
    let g = quote_ident(&info.geometry_column);
    let geometry = if info.srid == 4326 || info.srid == 0 {
        g
    } else {
        format!("ST_Transform({g}, 4326)")
    };
    let row = client
        .query_one(
            &format!(
                "select n, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) \
                 from (select count(*) as n, ST_Extent({geometry})::geometry as e from {}) s",
                info.source.qualified()
            ),
            &[],
        )
        .map_err(|e| DbError::from_pg(&e, "Counting features"))?;
    let count: i64 = row.get(0);
    let extent = match (
        row.get::<_, Option<f64>>(1),
        row.get::<_, Option<f64>>(2),
        row.get::<_, Option<f64>>(3),
        row.get::<_, Option<f64>>(4),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    };
    Ok((count, extent))
}
