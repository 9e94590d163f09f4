//! Where a layer's features come from: a file, a PostGIS table, or nowhere yet.
//!
//! Typed, so that nothing has to guess from a path whether it names a table: the app asks
//! [`LayerSource::path`] before touching the disk and [`LayerSource::table`] before talking
//! to a database. Connecting is `db`'s business; this module only names things.

use std::path::{Path, PathBuf};

/// A table (or view) in a PostGIS database, as a project names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableSource {
    /// `postgres://user@host:port/database`, never with a password.
    pub url: String,
    pub schema: String,
    pub table: String,
}

/// Whether a layer source or a command-line argument is a database URL.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// Why a table cannot be named as a layer's source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("{0}: not a PostgreSQL URL (postgres://…)")]
    NotPostgres(String),
    #[error(
        "The URL holds a password: remove it; Corridor takes it from PGPASSWORD, ~/.pgpass or \
         asks, and never writes it to a project."
    )]
    PasswordInUrl,
    #[error("No table named")]
    NoTable,
}

/// `schema.table` or `table` (schema `public`); quoted parts keep their dots.
pub fn split_table(name: &str) -> Result<(String, String), SourceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SourceError::NoTable);
    }
    let unquote = |s: &str| {
        let s = s.trim();
        if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
            s[1..s.len() - 1].replace("\"\"", "\"")
        } else {
            s.to_owned()
        }
    };
    // A dot outside quotes separates the schema.
    let mut in_quotes = false;
    for (i, c) in name.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '.' if !in_quotes => return Ok((unquote(&name[..i]), unquote(&name[i + 1..]))),
            _ => {}
        }
    }
    Ok(("public".to_owned(), unquote(name)))
}

/// The user, host and port part of a URL, and what follows the first `/` after it.
fn url_parts(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split_once('/').unwrap_or((rest, ""))
}

impl TableSource {
    /// A table from a URL and a table name (`name` or `schema.name`). A URL that is not
    /// `postgres://…` or that holds a password is refused: the password would end up in the
    /// project file. (`db` checks the rest of the URL when it connects.)
    pub fn parse(url: &str, table: &str) -> Result<Self, SourceError> {
        let url = url.trim();
        if !is_postgres_url(url) {
            return Err(SourceError::NotPostgres(url.to_owned()));
        }
        let (authority, path) = url_parts(url);
        let in_authority = authority
            .rsplit_once('@')
            .is_some_and(|(user, _)| user.contains(':'));
        let in_query = path
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|kv| kv.starts_with("password=")));
        if in_authority || in_query {
            return Err(SourceError::PasswordInUrl);
        }
        let (schema, table) = split_table(table)?;
        Ok(Self {
            url: url.to_owned(),
            schema,
            table,
        })
    }

    /// The name that stands for the table where a path would for a file (recovery journals,
    /// remembered answers): the URL with the table, unique per table.
    pub fn key(&self) -> PathBuf {
        PathBuf::from(format!("{}#{}.{}", self.url, self.schema, self.table))
    }

    /// A short name for messages: `table on host/database`.
    pub fn describe(&self) -> String {
        let (authority, path) = url_parts(&self.url);
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
        let db = path.split_once('?').map_or(path, |(d, _)| d);
        let table = if self.schema == "public" {
            self.table.clone()
        } else {
            format!("{}.{}", self.schema, self.table)
        };
        format!("{table} on {host}/{db}")
    }
}

/// Where a layer's features come from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum LayerSource {
    /// A file: GeoJSON, Shapefile, GeoPackage, MapInfo, KML…
    File(PathBuf),
    /// A PostGIS table, read by the loader and kept in step by `db::sync`.
    Table(TableSource),
    /// Made in the app and not yet saved anywhere.
    #[default]
    New,
}

impl From<PathBuf> for LayerSource {
    fn from(path: PathBuf) -> Self {
        if path.as_os_str().is_empty() {
            LayerSource::New
        } else {
            LayerSource::File(path)
        }
    }
}

impl From<&Path> for LayerSource {
    fn from(path: &Path) -> Self {
        path.to_owned().into()
    }
}

impl From<TableSource> for LayerSource {
    fn from(table: TableSource) -> Self {
        LayerSource::Table(table)
    }
}

impl LayerSource {
    /// The file, for a layer read from one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            LayerSource::File(p) => Some(p),
            _ => None,
        }
    }

    /// The table, for a layer read from one.
    pub fn table(&self) -> Option<&TableSource> {
        match self {
            LayerSource::Table(t) => Some(t),
            _ => None,
        }
    }

    /// What names the source where a path is wanted: the file, the table's key (see
    /// [`TableSource::key`]), or nothing.
    pub fn key(&self) -> PathBuf {
        match self {
            LayerSource::File(p) => p.clone(),
            LayerSource::Table(t) => t.key(),
            LayerSource::New => PathBuf::new(),
        }
    }

    /// For messages: the file's path, or the table on its server.
    pub fn display(&self) -> String {
        match self {
            LayerSource::File(p) => p.display().to_string(),
            LayerSource::Table(t) => t.describe(),
            LayerSource::New => "(not saved yet)".to_owned(),
        }
    }

    /// The file's folder, for a layer read from one.
    pub fn parent(&self) -> Option<&Path> {
        self.path().and_then(Path::parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_named_without_a_password_and_described_briefly() {
        let t = TableSource::parse("postgres://planner@db.local:5433/corridor", "zones").unwrap();
        assert_eq!((t.schema.as_str(), t.table.as_str()), ("public", "zones"));
        assert_eq!(t.describe(), "zones on db.local/corridor");
        let t = TableSource::parse(
            "postgresql://db/corridor?sslmode=require",
            "\"plan.a\".\"zones 2\"",
        )
        .unwrap();
        assert_eq!((t.schema.as_str(), t.table.as_str()), ("plan.a", "zones 2"));
        assert_eq!(t.describe(), "plan.a.zones 2 on db/corridor");
        for url in [
            "postgres://planner:secret@db/corridor",
            "postgres://db/corridor?password=secret",
        ] {
            let e = TableSource::parse(url, "zones").unwrap_err();
            assert_eq!(e, SourceError::PasswordInUrl, "{url}");
            assert!(e.to_string().contains("password"));
        }
        assert!(TableSource::parse("zones.geojson", "zones").is_err());
        assert!(TableSource::parse("postgres://db/x", " ").is_err());
    }

    #[test]
    fn sources_say_what_they_are() {
        let file = LayerSource::from(PathBuf::from("maps/zones.geojson"));
        assert_eq!(file.path(), Some(Path::new("maps/zones.geojson")));
        assert!(file.table().is_none());
        assert_eq!(LayerSource::from(PathBuf::new()), LayerSource::New);
        let t = TableSource::parse("postgres://db/c", "s.z").unwrap();
        let table = LayerSource::from(t.clone());
        assert_eq!(table.path(), None);
        assert_eq!(table.key(), PathBuf::from("postgres://db/c#s.z"));
        assert_eq!(table.table(), Some(&t));
    }
}
