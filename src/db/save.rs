//! Saving edits to a table in one transaction, each changed row written only if nobody changed it
//! since we read it: a row whose version moved on is a conflict, reported, and left alone.

use geojson::{JsonObject, JsonValue};
use postgres::types::ToSql;

use super::rows::{Row, fetch, row_key, strip_row};
use super::source::{DbError, quote_ident};
use super::table::{
    ColumnKind, EXTRA_COLUMN, FEATURE_ID_COLUMN, KEYS_COLUMN, TableInfo, VERSION_COLUMN, Versioning,
};

/// One feature to write: an update (`key` and `base`, `mine`), an insert (no `key`, `mine`) or a
/// delete (`key` and `base`, no `mine`).
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub key: Option<String>,
    /// The version the row had when we read it.
    pub base: Option<String>,
    pub mine: Option<geojson::Feature>,
}

/// What became of one [`Pending`].
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Written (or inserted): the row's key and new version.
    Written {
        key: String,
        version: String,
    },
    Deleted,
    /// Someone else changed or deleted the row since we read it: nothing was written for it.
    /// `theirs` is the row as it is now (`None`: they deleted it).
    Conflict {
        theirs: Option<Box<Row>>,
    },
}

/// Writes `items` in one transaction. Conflicts do not stop the others; any other refusal rolls
/// everything back and names the feature.
pub fn save(
    client: &mut impl postgres::GenericClient,
    info: &TableInfo,
    items: &[Pending],
) -> Result<Vec<Outcome>, DbError> {
    let what = format!("Saving to {}", info.source.describe());
    let err = |e: postgres::Error| DbError::from_pg(&e, &what);
    let mut tx = client.transaction().map_err(err)?;
    let statements = Statements::new(info);
    let mut outcomes = Vec::with_capacity(items.len());
    let mut conflicted = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = item
            .mine
            .as_ref()
            .map(feature_name)
            .or_else(|| item.key.as_ref().map(|k| format!("row {k}")))
            .unwrap_or_default();
        let refused = |e: postgres::Error| DbError::from_pg(&e, &format!("{what}: {name}"));
        let outcome = match (&item.key, &item.mine) {
            (Some(key), Some(mine)) => {
                let mut params = statements.values(info, mine).map_err(DbError::Other)?;
                params.push(Some(key.clone()));
                params.push(item.base.clone());
                let extra = statements.extras(info, mine);
                let row = tx
                    .query_opt(&statements.update, &statements.bind(&params, &extra))
                    .map_err(refused)?;
                match row {
                    Some(r) => Outcome::Written {
                        key: key.clone(),
                        version: r.get(0),
                    },
                    None => {
                        conflicted.push((i, key.clone()));
                        Outcome::Conflict { theirs: None }
                    }
                }
            }
            (None, Some(mine)) => {
                let mut params = statements.values(info, mine).map_err(DbError::Other)?;
                if !info.key_generated {
                    let id = mine.id.as_ref().map(|id| match id {
                        geojson::feature::Id::String(s) => s.clone(),
                        geojson::feature::Id::Number(n) => n.to_string(),
                    });
                    if id.is_none() {
                        return Err(DbError::Other(format!(
                            "{what}: {name} has no id, and the table's key {} has no default",
                            info.key
                        )));
                    }
                    params.push(id);
                }
                let extra = statements.extras(info, mine);
                let row = tx
                    .query_one(&statements.insert, &statements.bind(&params, &extra))
                    .map_err(refused)?;
                Outcome::Written {
                    key: row.get(0),
                    version: row.get(1),
                }
            }
            (Some(key), None) => {
                let n = tx
                    .execute(&statements.delete, &[key, &item.base])
                    .map_err(refused)?;
                if n == 1 {
                    Outcome::Deleted
                } else {
                    conflicted.push((i, key.clone()));
                    Outcome::Conflict { theirs: None }
                }
            }
            (None, None) => continue,
        };
        outcomes.push(outcome);
    }
    tx.commit().map_err(err)?;
    // What the others have now, for the conflicts.
    if !conflicted.is_empty() {
        let keys: Vec<String> = conflicted.iter().map(|(_, k)| k.clone()).collect();
        let theirs = fetch(client, info, &keys)?;
        for (i, key) in conflicted {
            if let Some(Outcome::Conflict { theirs: slot }) = outcomes.get_mut(i) {
                *slot = theirs.iter().find(|r| r.key == key).cloned().map(Box::new);
            }
        }
    }
    Ok(outcomes)
}

/// Turns features into the text of each column, as a save writes them: the geometry as GeoJSON,
/// each property column, the feature id, the extra members; and the key list. For writers that
/// send many rows at once (`db import`, through COPY).
pub struct RowTexts {
    statements: Statements,
}

impl RowTexts {
    pub fn new(info: &TableInfo) -> Self {
        Self {
            statements: Statements::new(info),
        }
    }

    /// The columns' texts (`None`: NULL) and the key list, or why the feature cannot be written.
    #[allow(clippy::type_complexity)]
    pub fn of(
        &self,
        info: &TableInfo,
        mine: &geojson::Feature,
    ) -> Result<(Vec<Option<String>>, Option<Vec<String>>), String> {
        let texts = self.statements.values(info, mine)?;
        let keys = self.statements.extras(info, mine).keys;
        Ok((texts, keys))
    }
}

/// A feature's name for messages.
fn feature_name(f: &geojson::Feature) -> String {
    let name = f
        .properties
        .as_ref()
        .and_then(|p| p.get("name"))
        .and_then(JsonValue::as_str);
    match (name, &f.id) {
        (Some(n), _) => n.to_owned(),
        (None, Some(geojson::feature::Id::String(s))) => s.clone(),
        (None, Some(geojson::feature::Id::Number(n))) => format!("#{n}"),
        (None, None) => {
            row_key(f).map_or_else(|| "a new feature".to_owned(), |k| format!("row {k}"))
        }
    }
}

/// The statements for one table, and how a feature becomes their parameters.
struct Statements {
    /// The table keeps each feature's key list: one more parameter.
    keys: bool,
    update: String,
    insert: String,
    delete: String,
}

/// Managed columns' parameters beside the text ones: the key list.
struct Extras {
    keys: Option<Vec<String>>,
}

impl Statements {
    fn new(info: &TableInfo) -> Self {
        let table = info.source.qualified();
        // $1: geometry; then one per column; then the managed ones.
        let mut sets = vec![format!(
            "{} = {}",
            quote_ident(&info.geometry_column),
            info.geometry_in_sql(1)
        )];
        let mut names = vec![quote_ident(&info.geometry_column)];
        let mut values = vec![info.geometry_in_sql(1)];
        let mut n = 1;
        for c in &info.columns {
            n += 1;
            sets.push(format!(
                "{} = ${n}::text::{}",
                quote_ident(&c.name),
                c.sql_type
            ));
            names.push(quote_ident(&c.name));
            values.push(format!("${n}::text::{}", c.sql_type));
        }
        if info.has_feature_id {
            // Kept on update: the id of a row does not change with its geometry.
            n += 1;
            names.push(quote_ident(FEATURE_ID_COLUMN));
            values.push(format!("${n}::text::jsonb"));
            sets.push(format!(
                "{} = coalesce(${n}::text::jsonb, {})",
                quote_ident(FEATURE_ID_COLUMN),
                quote_ident(FEATURE_ID_COLUMN)
            ));
        }
        if info.has_extra {
            n += 1;
            names.push(quote_ident(EXTRA_COLUMN));
            values.push(format!("${n}::text::jsonb"));
            sets.push(format!("{} = ${n}::text::jsonb", quote_ident(EXTRA_COLUMN)));
        }
        let version = info.version_sql();
        if info.versioning == Versioning::Column {
            sets.push(format!("{0} = {0} + 1", quote_ident(VERSION_COLUMN)));
        }
        let text_params = n;
        // The key and base version follow the text parameters; the key list comes last.
        let key_at = text_params + 1;
        let base_at = text_params + 2;
        let keys_at = text_params + 3;
        if info.has_keys {
            sets.push(format!("{} = ${keys_at}::text[]", quote_ident(KEYS_COLUMN)));
        }
        let update = format!(
            "update {table} set {} where {} and {version} = ${base_at}::text returning {version}",
            sets.join(", "),
            info.key_sql(key_at)
        );
        // Insert: the key (when not generated) at key_at, the key list after it.
        let mut insert_names = names.clone();
        let mut insert_values = values.clone();
        let insert_keys_at = if info.key_generated {
            text_params + 1
        } else {
            insert_names.push(quote_ident(&info.key));
            insert_values.push(format!("${key_at}::text::{}", info.key_type));
            text_params + 2
        };
        if info.has_keys {
            insert_names.push(quote_ident(KEYS_COLUMN));
            insert_values.push(format!("${insert_keys_at}::text[]"));
        }
        let insert = format!(
            "insert into {table} ({}) values ({}) returning {}::text, {version}",
            insert_names.join(", "),
            insert_values.join(", "),
            quote_ident(&info.key)
        );
        let delete = format!(
            "delete from {table} where {} and {version} = $2::text",
            info.key_sql(1)
        );
        Self {
            keys: info.has_keys,
            update,
            insert,
            delete,
        }
    }

    /// The text parameters for a feature: geometry, columns, feature id, extra.
    fn values(
        &self,
        info: &TableInfo,
        mine: &geojson::Feature,
    ) -> Result<Vec<Option<String>>, String> {
        let mut out = Vec::with_capacity(info.columns.len() + 3);
        out.push(mine.geometry.as_ref().map(|g| {
            let mut g = g.clone();
            g.bbox = None;
            g.foreign_members = None;
            g.to_string()
        }));
        let empty = JsonObject::new();
        let properties = mine.properties.as_ref().unwrap_or(&empty);
        let mut bag = JsonObject::new();
        for (k, v) in properties {
            if !info.columns.iter().any(|c| &c.name == k) {
                bag.insert(k.clone(), v.clone());
            }
        }
        for c in &info.columns {
            if info.bag.as_deref() == Some(c.name.as_str()) {
                out.push(Some(
                    JsonValue::Object(std::mem::take(&mut bag)).to_string(),
                ));
                continue;
            }
            let value = properties.get(&c.name).unwrap_or(&JsonValue::Null);
            if c.kind == ColumnKind::Number
                && !matches!(value, JsonValue::Number(_) | JsonValue::Null)
            {
                if let JsonValue::String(s) = value
                    && serde_json::from_str::<serde_json::Number>(s.trim()).is_ok()
                {
                    out.push(Some(s.trim().to_owned()));
                    continue;
                }
                return Err(format!(
                    "{}: “{}” must be a number in the table (it is {value})",
                    feature_name(mine),
                    c.name
                ));
            }
            out.push(super::rows::text_for(c.kind, value));
        }
        if let Some(k) = bag.keys().next() {
            return Err(format!(
                "{}: the table has no column “{k}”; add it in the database first",
                feature_name(mine)
            ));
        }
        if info.has_feature_id {
            out.push(mine.id.as_ref().map(|id| match id {
                geojson::feature::Id::String(s) => JsonValue::String(s.clone()).to_string(),
                geojson::feature::Id::Number(n) => n.to_string(),
            }));
        }
        if info.has_extra {
            let mut extra = JsonObject::new();
            let mut stripped = mine.clone();
            strip_row(&mut stripped);
            if let Some(foreign) = stripped.foreign_members {
                extra.insert("foreign".to_owned(), JsonValue::Object(foreign));
            }
            if let Some(bbox) = &mine.bbox {
                extra.insert("bbox".to_owned(), serde_json::json!(bbox));
            }
            if mine.properties.is_none() {
                extra.insert("properties_null".to_owned(), JsonValue::Bool(true));
            }
            out.push((!extra.is_empty()).then(|| JsonValue::Object(extra).to_string()));
        }
        Ok(out)
    }

    /// The key list, when the table keeps one and the feature's keys are not the columns.
    fn extras(&self, info: &TableInfo, mine: &geojson::Feature) -> Extras {
        if !info.has_keys {
            return Extras { keys: None };
        }
        let keys: Vec<String> = mine
            .properties
            .iter()
            .flat_map(|p| p.keys().cloned())
            .collect();
        let columns: Vec<&String> = info.columns.iter().map(|c| &c.name).collect();
        let same = keys.len() == columns.len() && keys.iter().zip(&columns).all(|(a, b)| a == *b);
        Extras {
            keys: (!same).then_some(keys),
        }
    }

    fn bind<'a>(
        &self,
        params: &'a [Option<String>],
        extra: &'a Extras,
    ) -> Vec<&'a (dyn ToSql + Sync)> {
        let mut out: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        if self.keys {
            out.push(&extra.keys);
        }
        out
    }
}
