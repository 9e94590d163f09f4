//! Verdicts on files a planner receives, as `corridor validate` prints them: every problem with
//! its place (line and column, or feature and JSON path) and what it is.

use std::path::{Path, PathBuf};

use super::geojson_file::{LoadError, read_geojson};

/// How bad a finding is: errors make a file invalid; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    /// Where: `line 3, column 12`, `feature 4 (id “x”)`, `(file)`.
    pub place: String,
    pub what: String,
}

/// Everything found in one file.
#[derive(Clone, Debug)]
pub struct Report {
    pub path: PathBuf,
    /// The file loaded (it may still have invalid geometry).
    pub loaded: bool,
    pub features: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.loaded && !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// One line per finding: `FILE: PLACE: error|warning: WHAT`.
    pub fn lines(&self) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| {
                format!(
                    "{}: {}: {}: {}",
                    self.path.display(),
                    f.place,
                    match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    f.what
                )
            })
            .collect()
    }
}

/// Checks one GeoJSON file: that it loads, and that every geometry is drawable and valid.
pub fn validate_file(path: &Path) -> Report {
    let mut report = Report {
        path: path.to_owned(),
        loaded: false,
        features: 0,
        findings: Vec::new(),
    };
    match read_geojson(path) {
        Err(e) => {
            let (place, what) = match &e {
                LoadError::Syntax {
                    line,
                    column,
                    message,
                    ..
                } => (format!("line {line}, column {column}"), message.clone()),
                LoadError::Invalid { message, .. } => split_place(message),
                LoadError::Io { source, .. } => (
                    "(file)".to_owned(),
                    format!("cannot read the file: {source}"),
                ),
            };
            report.findings.push(Finding {
                severity: Severity::Error,
                place,
                what,
            });
        }
        Ok(parsed) => {
            report.loaded = true;
            report.features = parsed.features.len();
            for w in &parsed.warnings {
                let (place, what) = split_place(w);
                // A geometry that cannot be drawn is an error; remarks are warnings.
                let severity = if place.starts_with("feature") {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                report.findings.push(Finding {
                    severity,
                    place,
                    what,
                });
            }
            for (i, f) in parsed.features.iter().enumerate() {
                let Some(g) = f.geometry() else {
                    continue;
                };
                let id = match &f.meta().id {
                    Some(geojson::feature::Id::String(s)) => format!(" (id “{s}”)"),
                    Some(geojson::feature::Id::Number(n)) => format!(" (id {n})"),
                    None => String::new(),
                };
                for p in crate::geometry::validity::problems(&g) {
                    let what = match p.at {
                        Some([lon, lat]) => format!(
                            "{} ({})",
                            p.message,
                            crate::geometry::coords::format_lat_lon(lon, lat)
                        ),
                        None => p.message,
                    };
                    report.findings.push(Finding {
                        severity: Severity::Error,
                        place: format!("feature {i}{id}"),
                        what,
                    });
                }
            }
        }
    }
    report
}

/// `feature 3, features[3].geometry: what` → (`feature 3, features[3].geometry`, `what`).
fn split_place(message: &str) -> (String, String) {
    if message.starts_with("feature")
        && let Some((place, what)) = message.split_once(": ")
    {
        return (place.to_owned(), what.to_owned());
    }
    ("(file)".to_owned(), message.to_owned())
}

/// The summary line: how many files, how many valid, how many problems.
pub fn summary(reports: &[Report]) -> String {
    let valid = reports.iter().filter(|r| r.is_valid()).count();
    let errors: usize = reports.iter().map(Report::errors).sum();
    let warnings: usize = reports.iter().map(|r| r.findings.len()).sum::<usize>() - errors;
    format!(
        "{} file{}: {valid} valid, {} not ({errors} error{}, {warnings} warning{})",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        reports.len() - valid,
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bow_tie_is_an_error_with_its_place_and_a_crs_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.geojson");
        std::fs::write(
            &path,
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[
            {"type":"Feature","id":"bow","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]}"#,
        )
        .unwrap();
        let r = validate_file(&path);
        assert!(!r.is_valid());
        let lines = r.lines();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("feature 0 (id “bow”): error: The boundary crosses itself")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("warning: a `crs` member names urn:ogc:def:crs:EPSG::3857"))
        );
    }

    #[test]
    fn a_bad_position_names_the_feature_and_the_json_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.geojson");
        std::fs::write(
            &path,
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}},\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[\"x\",3]]}}]}",
        )
        .unwrap();
        let r = validate_file(&path);
        assert!(!r.loaded);
        let line = &r.lines()[0];
        assert!(
            line.contains("line 3")
                && line.contains("feature 1, features[1].geometry.coordinates[1]"),
            "{line}"
        );
    }
}
