//! A table row's key as the recovery journal writes it: in a foreign member of the record, so
//! that a journal can be replayed on the table read again (`db::sync::rebase_by_row`). In
//! memory, which feature is which row is kept beside the features, by `db::sync::TableSync`;
//! records never carry it, and files never get it.

use geojson::{JsonObject, JsonValue};

/// The foreign member that carries a row key in the recovery journal.
pub const ROW_MEMBER: &str = "corridor:row";

/// The row key a feature carries, if it came from a table.
pub fn row_key(record: &geojson::Feature) -> Option<&str> {
    record.foreign_members.as_ref()?.get(ROW_MEMBER)?.as_str()
}

/// Sets the row key a feature carries.
pub fn set_row_key(record: &mut geojson::Feature, key: &str) {
    record
        .foreign_members
        .get_or_insert_with(JsonObject::new)
        .insert(ROW_MEMBER.to_owned(), JsonValue::String(key.to_owned()));
}

/// The record without its row key, as files get it.
pub fn strip_row(record: &mut geojson::Feature) {
    if let Some(members) = record.foreign_members.as_mut() {
        members.shift_remove(ROW_MEMBER);
        if members.is_empty() {
            record.foreign_members = None;
        }
    }
}
