//! Planners' files: Shapefiles and GeoPackages in VN-2000 with TCVN3 text, made in the test with
//! GDAL's own `ogr2ogr` from the shared real wards, read back by Corridor and checked against
//! PROJ's `cs2cs`.

mod support {
    pub mod app;
    pub mod data;
}

use std::path::{Path, PathBuf};
use std::process::Command;

use corridor::io::ogr_file::{OgrError, OgrOptions, read_ogr};
use corridor::io::vn_text::{LegacyEncoding, encode};
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};

const WARDS: &str = "real/vn-provinces-2025/former_binh_duong_wards_2025_merged.geojson";

fn wards_file() -> PathBuf {
    let p = support::data::shared_data().join(WARDS);
    assert!(
        p.is_file(),
        "this test needs the shared wards at {} (see ../shared/data/README.md)",
        p.display()
    );
    p
}

/// Runs a GDAL or PROJ command line tool (Debian's gdal-bin and proj-bin, installed by .ci/deps).
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (.ci/deps installs it): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The wards with their names written in TCVN3, as an old tool wrote them (read as Latin-1).
fn tcvn3_wards(dir: &Path) -> (PathBuf, Vec<String>) {
    let text = std::fs::read_to_string(wards_file()).expect("wards");
    let mut json: Value = serde_json::from_str(&text).expect("json");
    let mut names = Vec::new();
    for f in json["features"].as_array_mut().expect("features") {
        let name = f["properties"]["name"].as_str().expect("name").to_owned();
        let code = f["properties"]["code"].clone();
        let area = f["properties"]["areaKm2"].clone();
        f["properties"] = json!({
            "ten": encode(&name, LegacyEncoding::Tcvn3),
            "ma": code,
            "dientich": area,
        });
        names.push(name);
    }
    let path = dir.join("wards-tcvn3.geojson");
    std::fs::write(&path, json.to_string()).expect("write");
    (path, names)
}

/// A Shapefile in VN-2000 / TM-3 105°45′ whose .dbf holds TCVN3 bytes, with no .cpg: what a
/// planning office sends.
fn office_shapefile(dir: &Path) -> (PathBuf, Vec<String>) {
    let (geojson, names) = tcvn3_wards(dir);
    let shp = dir.join("phuong.shp");
    run(
        "ogr2ogr",
        &[
            "-f",
            "ESRI Shapefile",
            "-t_srs",
            "EPSG:9210",
            "-lco",
            "ENCODING=ISO-8859-1",
            shp.to_str().expect("path"),
            geojson.to_str().expect("path"),
        ],
    );
    // Offices' files carry no code page: the legacy bytes are all there is.
    let _ = std::fs::remove_file(dir.join("phuong.cpg"));
    (shp, names)
}

#[test]
fn a_vn2000_shapefile_with_tcvn3_text_opens_decoded_and_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, names) = office_shapefile(dir.path());
    let plain = read_ogr(&shp, &OgrOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plain.features.len(), 36);
    assert!(plain.crs.contains("9210"), "{}", plain.crs);
    assert_eq!(plain.suspected, Some(LegacyEncoding::Tcvn3));
    let read = read_ogr(
        &shp,
        &OgrOptions {
            decode: Some(LegacyEncoding::Tcvn3),
            ..OgrOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<String> = read
        .features
        .iter()
        .map(|f| {
            f.properties.as_ref().expect("properties")["ten"]
                .as_str()
                .expect("text")
                .to_owned()
        })
        .collect();
    assert_eq!(got, names);
    // Integer and real fields stay numbers.
    let p = read.features[0].properties.as_ref().expect("properties");
    assert!(p["dientich"].is_number(), "{p:?}");
    // Back in WGS84, where the wards are: inside the former province's box.
    for f in &read.features {
        let g: geo::Geometry<f64> = f
            .geometry
            .clone()
            .expect("geometry")
            .value
            .try_into()
            .expect("geo");
        use geo::BoundingRect;
        let b = g.bounding_rect().expect("extent");
        assert!(
            b.min().x > 106.3 && b.max().x < 107.0 && b.min().y > 10.8 && b.max().y < 11.55,
            "{b:?}"
        );
    }
}

/// A point placed by Corridor from VN-2000 / TM-3 105°45′ matches `cs2cs` with the same
/// transformation (EPSG:6960) within a centimetre, across the province; and a `.prj` that names
/// the datum in a way PROJ does not identify gets the same shift.
#[test]
fn vn2000_points_match_cs2cs_within_a_centimetre() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The published shift (Decision 05/2007/QĐ-BTNMT; EPSG:6960 gives the rotations
    // -0.00928836″, 0.01975479″, -0.00427372″ in the coordinate-frame convention, which
    // +towgs84 takes with signs reversed), written out here rather than taken from Corridor.
    let tm3_105_45 = "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 \
        +ellps=WGS84 +towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,\
        0.00427372,0.252906278 +units=m +no_defs";
    let points = [
        [106.6500, 10.9670],
        [106.7678, 10.9039],
        [106.6226, 11.2876],
        [106.4000, 11.3500],
        [106.9000, 11.1000],
    ];
    // Corridor's reading of each point, from a file in EPSG:9210 made by cs2cs.
    let mut features = Vec::new();
    for [lon, lat] in points {
        // cs2cs with the published parameters (Decision 05/2007/QĐ-BTNMT, EPSG:6960) stated.
        let out = run_with_input(
            "cs2cs",
            &[
                "-f",
                "%.4f",
                "+proj=longlat +datum=WGS84 +no_defs",
                "+to",
                tm3_105_45,
            ],
            &format!("{lon} {lat}\n"),
        );
        let xy: Vec<f64> = out
            .split_whitespace()
            .take(2)
            .map(|v| v.parse().expect("number"))
            .collect();
        features.push(
            json!({"type": "Feature", "properties": {"lon": lon, "lat": lat},
            "geometry": {"type": "Point", "coordinates": [xy[0], xy[1]]}}),
        );
    }
    let tm3 = dir.path().join("tm3.geojson");
    std::fs::write(
        &tm3,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("write");
    let shp = dir.path().join("diem.shp");
    run(
        "ogr2ogr",
        &[
            "-f",
            "ESRI Shapefile",
            "-a_srs",
            "EPSG:9210",
            shp.to_str().expect("p"),
            tm3.to_str().expect("p"),
        ],
    );
    let check = |path: &Path, what: &str| {
        let read = read_ogr(path, &OgrOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        for f in &read.features {
            let p = f.properties.as_ref().expect("properties");
            let want = [
                p["lon"].as_f64().expect("lon"),
                p["lat"].as_f64().expect("lat"),
            ];
            let Some(geojson::GeometryValue::Point { coordinates: got }) =
                f.geometry.as_ref().map(|g| g.value.clone())
            else {
                panic!("a point")
            };
            let metres = corridor::geometry::measure::geodesic_distance_m(want, [got[0], got[1]]);
            // cs2cs printed the projected coordinates to 0.1 mm.
            assert!(
                metres < 0.01,
                "{what}: {want:?} came back {metres:.4} m away at {got:?}"
            );
        }
    };
    check(&shp, "EPSG:9210");
    // The same file with an ESRI .prj naming "D_Vietnam_2000", as offices' tools write it.
    std::fs::write(
        shp.with_extension("prj"),
        r#"PROJCS["VN_2000_TM3_105_45",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.75],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#,
    )
    .expect("write prj");
    check(&shp, "an ESRI .prj");
}

fn run_with_input(tool: &str, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(tool)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} must be installed (.ci/deps installs it): {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("run");
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_geopackage_round_trip_keeps_names_types_and_coordinates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("phuong.gpkg");
    run(
        "ogr2ogr",
        &[
            "-f",
            "GPKG",
            "-nln",
            "phuong",
            gpkg.to_str().expect("p"),
            wards_file().to_str().expect("p"),
        ],
    );
    let read = read_ogr(&gpkg, &OgrOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.driver, "GPKG");
    assert_eq!(read.layers, vec!["phuong".to_owned()]);
    assert_eq!(
        read.suspected, None,
        "Unicode text is not taken for a legacy encoding"
    );
    let original: Value =
        serde_json::from_str(&std::fs::read_to_string(wards_file()).expect("read")).expect("json");
    for (f, o) in read
        .features
        .iter()
        .zip(original["features"].as_array().expect("features"))
    {
        let p = f.properties.as_ref().expect("properties");
        assert_eq!(p["name"], o["properties"]["name"]);
        assert_eq!(p["areaKm2"].as_f64(), o["properties"]["areaKm2"].as_f64());
        let got = serde_json::to_value(f.geometry.as_ref().expect("geometry")).expect("json");
        assert_eq!(
            got["coordinates"], o["geometry"]["coordinates"],
            "{}",
            p["name"]
        );
    }
}

#[test]
fn broken_files_say_which_file_and_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, _) = office_shapefile(dir.path());
    // A Shapefile without its attribute table.
    std::fs::remove_file(shp.with_extension("dbf")).expect("remove");
    let e = read_ogr(&shp, &OgrOptions::default()).expect_err("no .dbf");
    assert!(matches!(e, OgrError::MissingPart { .. }), "{e}");
    assert!(
        e.to_string().contains(".dbf") && e.to_string().contains("phuong.shp"),
        "{e}"
    );
    // A corrupted file.
    let bad = dir.path().join("hong.gpkg");
    std::fs::write(&bad, b"SQLite format 3\0 this is not a database").expect("write");
    let e = read_ogr(&bad, &OgrOptions::default()).expect_err("corrupted");
    assert!(e.to_string().contains("hong.gpkg"), "{e}");
    // Coordinates that are not degrees, and no CRS: a question, not a wrong place.
    let tm3 = dir.path().join("khong-crs.geojson");
    std::fs::write(
        &tm3,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[600000,1220000]}}]}"#,
    )
    .expect("write");
    let shp2 = dir.path().join("khong-crs.shp");
    run(
        "ogr2ogr",
        &[
            "-f",
            "ESRI Shapefile",
            shp2.to_str().expect("p"),
            tm3.to_str().expect("p"),
        ],
    );
    let _ = std::fs::remove_file(shp2.with_extension("prj"));
    let e = read_ogr(&shp2, &OgrOptions::default()).expect_err("no CRS");
    assert!(matches!(e, OgrError::NoCrs { .. }), "{e}");
    assert!(e.to_string().contains("EPSG:9210"), "{e}");
    let assumed = read_ogr(
        &shp2,
        &OgrOptions {
            assume_crs: Some("vn2000-tm3-105.75".to_owned()),
            ..OgrOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(assumed.features.len(), 1);
}

/// A DXF file cut off just after a carriage return (a copy broken off mid-transfer, or an old
/// Mac's line endings), or with a NUL byte just after one (binary junk in a text file), used to
/// hang the reading thread: GDAL 3.6's DXF reader waits for the rest of the line forever. Now
/// it gives an answer, naming the file if it is an error; with the .dxf ending or without (GDAL
/// knows a DXF by its first lines too).
#[test]
fn a_dxf_file_cut_off_after_a_carriage_return_gets_an_answer_not_a_hang() {
    let dir = tempfile::tempdir().expect("temp dir");
    let head = "  0\nSECTION\n  2\nHEADER\n  9\n$ACADVER\n  1\nAC1018\n  9\n$INSUNITS";
    let cut = format!("{head}\r");
    let junk = format!("{head}\r\0\0junk\n  0\nENDSEC\n  0\nEOF\n");
    for (name, text) in [
        ("cut-off.dxf", &cut),
        ("cut-off.gml", &cut),
        ("junk.dxf", &junk),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let tables = corridor::io::ogr_file::list_tables(&p).map(|t| t.len());
            let read = read_ogr(&p, &OgrOptions::default()).map(|r| r.features.len());
            let _ = tx.send((
                tables.map_err(|e| e.to_string()),
                read.map_err(|e| e.to_string()),
            ));
        });
        let (tables, read) = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{name}: reading it did not return"));
        for e in [tables.err(), read.err()].into_iter().flatten() {
            assert!(e.contains(name), "{name}: {e}");
        }
    }
    // The file itself is left as it was.
    assert_eq!(
        std::fs::read(dir.path().join("cut-off.dxf")).expect("read"),
        cut.as_bytes()
    );
}

#[test]
fn corridor_never_writes_geojson_into_a_shapefile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, _) = office_shapefile(dir.path());
    let before = std::fs::read(&shp).expect("read");
    let layer = corridor::model::Layer::new(
        "phuong".to_owned(),
        shp.clone(),
        corridor::model::LayerStyle::default(),
        Vec::new(),
        Vec::new(),
    );
    let e = corridor::io::save_geojson(&layer, &shp).expect_err("refused");
    assert!(e.to_string().contains("Save layer as"), "{e}");
    assert_eq!(
        std::fs::read(&shp).expect("read"),
        before,
        "the Shapefile is untouched"
    );
}

/// Steps the app until nothing is loading (at most 30 s).
fn settle(h: &mut egui_kittest::Harness<'static, corridor::CorridorApp>) {
    let start = std::time::Instant::now();
    while h.state().loading() > 0 && start.elapsed() < std::time::Duration::from_secs(30) {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run();
}

/// As a user: the office's Shapefile opens in the app, which offers to decode its TCVN3 text
/// with a preview; accepted, a ward is found by its Vietnamese name with search. Opened again,
/// the file is decoded without asking.
#[test]
fn the_app_opens_the_offices_shapefile_decodes_it_when_asked_and_search_finds_a_ward() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, _) = office_shapefile(dir.path());
    let mut h = support::app::open_sized(shp.clone(), egui::vec2(1280.0, 900.0));
    settle(&mut h);
    let layer = h
        .state()
        .doc
        .layers
        .first()
        .expect("the file opened as a layer");
    assert!(layer.error().is_none(), "{:?}", layer.error());
    assert_eq!(layer.features().len(), 36);
    // Nothing is decoded behind the user's back: the text is as read until they say.
    let misread = encode("Tân Đông Hiệp", LegacyEncoding::Tcvn3);
    assert!(
        layer
            .features()
            .iter()
            .any(|f| f.property_text("ten").as_deref() == Some(misread.as_str())),
        "the text is as the file holds it until the user decodes it"
    );
    assert!(h.state().asking(), "the app offers to decode the text");
    // The preview shows a value before and after.
    h.get_by_label_contains("looks written in the legacy encoding TCVN3 (ABC)");
    h.get_by_label("As read");
    h.get_by_label("Decoded");
    h.get_by_label("Decode from TCVN3 (ABC)").click();
    h.run();
    assert!(!h.state().asking(), "answered");
    let layer = &h.state().doc.layers[0];
    assert!(
        layer.warnings.iter().any(|w| w.contains("TCVN3")),
        "the layer says its text was decoded: {:?}",
        layer.warnings
    );
    assert!(
        !layer.is_dirty(),
        "decoding is how the file is read, not an edit"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("Tân Đông Hiệp");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    let app = h.state();
    let selected = app
        .selection()
        .and_then(|r| app.doc.feature(r))
        .and_then(|f| f.property_text("ten"));
    assert_eq!(selected.as_deref(), Some("Tân Đông Hiệp"));
    // Saving never writes into the Shapefile: it asks where, offering GeoJSON beside it.
    let before = std::fs::read(&shp).expect("shp");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    let target = h.get_by_label("File:").value().unwrap_or_default();
    assert!(target.ends_with("phuong.geojson"), "{target}");
    assert!(
        h.state()
            .info
            .as_deref()
            .is_some_and(|i| i.contains("never writes into")),
        "{:?}",
        h.state().info
    );
    assert_eq!(std::fs::read(&shp).expect("shp"), before);
    h.get_by_label("Save").click();
    h.run();
    assert!(
        dir.path().join("phuong.geojson").is_file(),
        "saved as GeoJSON beside it"
    );
    assert_eq!(
        h.state().doc.layers[0].source.path(),
        Some(dir.path().join("phuong.geojson").as_path())
    );
    // The answer is remembered for the file: opened again, it is decoded without a question.
    let ctx = h.ctx.clone();
    h.state_mut().open_files(&ctx, vec![shp]);
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 2);
    assert!(!app.asking(), "no question the second time");
    assert!(
        app.doc.layers[1]
            .features()
            .iter()
            .any(|f| f.property_text("ten").as_deref() == Some("Tân Đông Hiệp")),
        "decoded as before"
    );
}

/// A Shapefile with no .prj in VN-2000 / TM-3 105°45′: the app asks which system it is in,
/// offering Bình Dương's zone first, draws it in the right place, and remembers the answer.
#[test]
fn the_app_asks_for_the_coordinate_system_of_a_file_that_states_none_and_remembers_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, _) = office_shapefile(dir.path());
    std::fs::remove_file(dir.path().join("phuong.prj")).expect("no .prj");
    let mut h = support::app::open_sized(shp.clone(), egui::vec2(1280.0, 900.0));
    settle(&mut h);
    assert!(
        h.state().doc.layers.is_empty(),
        "not drawn at a wrong place"
    );
    assert!(h.state().asking(), "the app asks for the coordinate system");
    h.get_by_label_contains("Which system is it in?");
    // Any other system can be typed in.
    h.get_by_label("Another:");
    // Bình Dương's zone is offered first and chosen; Open.
    h.get_by_label("Open").click();
    h.run();
    settle(&mut h);
    let reference = read_ogr(
        &shp,
        &OgrOptions {
            assume_crs: Some("EPSG:9210".to_owned()),
            ..OgrOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let app = h.state();
    let layer = app.doc.layers.first().expect("opened after the answer");
    assert_eq!(layer.features().len(), 36);
    let first = summary(&[layer.features()[0].record().into_owned()]);
    let expected = summary(&reference.features[..1]);
    for k in 0..4 {
        assert!(
            (first[0].0[k] - expected[0].0[k]).abs() < 1e-9,
            "drawn where VN-2000 / TM-3 105°45′ puts it"
        );
    }
    // Lies in Bình Dương, not at (600 000, 1 200 000) degrees.
    assert!((106.0..107.5).contains(&first[0].0[0]), "{:?}", first[0].0);
    assert_eq!(
        layer.read.as_ref().and_then(|r| r.crs.as_deref()),
        Some("EPSG:9210")
    );
    // Remembered: opened again, no question.
    let ctx = h.ctx.clone();
    h.state_mut().open_files(&ctx, vec![shp]);
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 2, "opened without a question");
    assert_eq!(
        app.doc.layers[1]
            .read
            .as_ref()
            .and_then(|r| r.crs.as_deref()),
        Some("EPSG:9210"),
        "with the remembered answer"
    );
}

/// A GeoPackage of two tables: the app lists them with their geometry and count, and adds
/// the one ticked, as a layer that knows its table.
#[test]
fn the_app_lets_the_user_choose_the_tables_of_a_geopackage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gpkg = dir.path().join("quy-hoach.gpkg");
    let g = gpkg.to_str().expect("path");
    let wards = wards_file();
    let w = wards.to_str().expect("path");
    run("ogr2ogr", &["-f", "GPKG", "-nln", "phuong", g, w]);
    run(
        "ogr2ogr",
        &[
            "-update",
            "-nln",
            "tam",
            "-nlt",
            "POINT",
            "-dialect",
            "SQLite",
            "-sql",
            "SELECT ST_Centroid(geometry) AS geometry, name FROM former_binh_duong_wards_2025",
            g,
            w,
        ],
    );
    let mut h = support::app::open_sized(gpkg.clone(), egui::vec2(1280.0, 900.0));
    settle(&mut h);
    assert!(
        h.state().doc.layers.is_empty(),
        "nothing added before the choice"
    );
    h.get_by_label_contains("several tables");
    h.get_by_label("phuong");
    h.get_by_label("tam");
    h.get_by_label("Multi Polygon");
    h.get_by_label("Point");
    assert_eq!(
        h.get_all_by_label("36 features").count(),
        2,
        "each table's count"
    );
    // Untick the points; add the wards.
    h.get_by_label("tam").click();
    h.run();
    h.get_by_label("Add layers").click();
    h.run();
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 1, "only the ticked table");
    let layer = &app.doc.layers[0];
    assert_eq!(layer.name, "phuong");
    assert_eq!(layer.features().len(), 36);
    assert_eq!(
        layer.read.as_ref().and_then(|r| r.table.as_deref()),
        Some("phuong")
    );
    assert!(
        layer
            .journal_key()
            .to_string_lossy()
            .ends_with("quy-hoach.gpkg#phuong"),
        "two tables of one file are two layers, journalled apart"
    );
}

/// A layer exported from the app as a Shapefile in VN-2000 / TM-3 105°45′: the file holds every
/// feature with its Vietnamese names, in that system; the layer keeps saving where it did.
#[test]
fn the_app_exports_a_layer_as_a_vn2000_shapefile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wards = dir.path().join("wards.geojson");
    std::fs::copy(wards_file(), &wards).expect("copy");
    let mut h = support::app::open_sized(wards.clone(), egui::vec2(1280.0, 900.0));
    settle(&mut h);
    assert_eq!(h.state().doc.layers.len(), 1);
    // Right-click on the layer's name, as in any desktop GIS.
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "wards")
        .click_secondary();
    h.run();
    h.get_by_label("Save as / export…").click();
    h.run();
    let out = dir.path().join("gui-xa.shp");
    h.get_by_label("File:").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("File:")
        .type_text(out.to_str().expect("path"));
    h.run();
    h.get_by_label_contains("Exports a copy");
    h.get_by_label("Coordinate system:").click();
    h.run();
    h.get_by_label("VN-2000 / TM-3 105°45′ (Bình Dương) (EPSG:9210)")
        .click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert!(out.is_file(), "the Shapefile was written");
    let back = read_ogr(&out, &OgrOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.features.len(), 36);
    assert!(
        back.crs.contains("105-45") || back.crs.contains("9210"),
        "{}",
        back.crs
    );
    assert!(
        back.features
            .iter()
            .any(|f| f.property("name").and_then(Value::as_str) == Some("Tân Đông Hiệp")),
        "Vietnamese names kept"
    );
    let app = h.state();
    assert_eq!(
        app.doc.layers[0].source.path(),
        Some(wards.as_path()),
        "the layer still saves to its own file"
    );
    assert!(
        app.info
            .as_deref()
            .is_some_and(|i| i.contains("Exported 36 features")),
        "{:?}",
        app.info
    );
}

#[test]
fn a_project_file_can_name_a_shapefile_layer_and_how_to_read_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_shp, names) = office_shapefile(dir.path());
    let project = dir.path().join("du-an.toml");
    // Without a word on its text: read as it is, the misreading noticed.
    std::fs::write(
        &project,
        "title = \"Phường\"\n[[layers]]\nname = \"Phường 2025\"\nfile = \"phuong.shp\"\n",
    )
    .expect("write");
    let doc = corridor::io::load_document(&project);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let layer = doc.layers.first().expect("the layer");
    assert!(layer.error().is_none(), "{:?}", layer.error());
    assert_eq!(layer.features().len(), 36);
    assert_eq!(
        layer.read.as_ref().and_then(|r| r.suspected),
        Some(corridor::model::TextEncoding::Tcvn3)
    );
    // Saying how: decoded.
    std::fs::write(
        &project,
        "title = \"Phường\"\n[[layers]]\nname = \"Phường 2025\"\nfile = \"phuong.shp\"\n\
         [layers.read]\nencoding = \"tcvn3\"\n",
    )
    .expect("write");
    let doc = corridor::io::load_document(&project);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let layer = doc.layers.first().expect("the layer");
    assert_eq!(
        layer.features()[0].property_text("ten").as_deref(),
        names.first().map(String::as_str),
        "decoded from TCVN3"
    );
    // Saved, the project says it again.
    corridor::io::save_project(&doc, corridor::model::ViewSpec::default(), &project).expect("save");
    let text = std::fs::read_to_string(&project).expect("read");
    assert!(text.contains("encoding = \"tcvn3\""), "{text}");
}

/// Each feature's extent, and its properties, in the order of their `code` (FlatGeobuf stores
/// features in the order of its spatial index; MapInfo may start a ring elsewhere).
fn summary(features: &[geojson::Feature]) -> Vec<([f64; 4], serde_json::Map<String, Value>)> {
    use geo::BoundingRect;
    let mut rows: Vec<([f64; 4], serde_json::Map<String, Value>)> = features
        .iter()
        .map(|f| {
            let g: geo::Geometry<f64> = f
                .geometry
                .clone()
                .expect("geometry")
                .value
                .try_into()
                .expect("geo");
            let b = g.bounding_rect().expect("extent");
            (
                [b.min().x, b.min().y, b.max().x, b.max().y],
                f.properties.clone().unwrap_or_default(),
            )
        })
        .collect();
    // By code, whether the format kept it as a number or as text.
    rows.sort_by_key(|(_, p)| match p.get("code") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    });
    rows
}

#[test]
fn convert_round_trips_through_each_format_keeping_attributes_and_coordinates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = corridor::io::read_geojson(&wards_file()).expect("wards");
    let original: Vec<geojson::Feature> = source
        .features
        .iter()
        .map(|f| f.record().into_owned())
        .collect();
    let want = summary(&original);
    // (file, CRS, how near the coordinates come back in degrees — 1e-8° is a millimetre —,
    // whether types survive). Through VN-2000 every vertex goes out and back through the same
    // published shift, so it comes back within a millimetre.
    let cases = [
        ("a.shp", Some("vn2000-tm3-105.75"), 1e-8, true),
        ("b.gpkg", None, 1e-12, true),
        ("c.gpkg", Some("EPSG:9210"), 1e-8, true),
        ("d.fgb", None, 1e-12, true),
        ("e.geojson", None, 1e-12, true),
        ("f.tab", None, 1e-6, true),
        // MapInfo in VN-2000: its datum written with the seven parameters (it has no code for
        // VN-2000; before, it was written as WGS 84 and came back 225 m off).
        ("g.tab", Some("EPSG:9210"), 1e-6, true),
        // KML: WGS 84 only; the name becomes the placemark's (read back as "Name").
        ("h.kml", None, 1e-9, true),
        ("i.kmz", None, 1e-9, true),
    ];
    for (name, crs, tolerance, typed) in cases {
        let out = dir.path().join(name);
        let lines = corridor::io::ogr_file::convert(
            &wards_file(),
            &out,
            &corridor::io::ogr_file::ConvertOptions {
                to_crs: crs.map(str::to_owned),
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(lines.iter().any(|l| l.contains("36 features")), "{lines:?}");
        let back = read_ogr(&out, &OgrOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = summary(&back.features);
        assert_eq!(got.len(), want.len(), "{name}");
        for ((a, p), (b, q)) in want.iter().zip(&got) {
            assert!(
                a.iter().zip(b).all(|(x, y)| (x - y).abs() < tolerance),
                "{name}: extent {a:?} came back as {b:?}"
            );
            // Vietnamese text, every letter, survives.
            let name_key = if name.ends_with(".kml") || name.ends_with(".kmz") {
                "Name"
            } else {
                "name"
            };
            assert_eq!(p["name"], q[name_key], "{name}");
            assert_eq!(p["fullName"], q["fullName"], "{name}");
            if typed {
                assert_eq!(p["areaKm2"].as_f64(), q["areaKm2"].as_f64(), "{name}");
            }
        }
    }
}

#[test]
fn the_convert_command_decodes_tcvn3_and_says_what_it_did() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, names) = office_shapefile(dir.path());
    let out = dir.path().join("phuong.geojson");
    let convert = |encoding: &str| {
        Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args([
                "convert",
                shp.to_str().expect("p"),
                out.to_str().expect("p"),
            ])
            .args(["--encoding", encoding])
            .output()
            .expect("run corridor")
    };
    let run = convert("auto");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("decoded from TCVN3"), "{stdout}");
    assert!(
        stdout.contains("EPSG:9210") && stdout.contains("EPSG:4326"),
        "{stdout}"
    );
    let back: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("out")).expect("json");
    let got: Vec<&str> = back["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["ten"].as_str().expect("ten"))
        .collect();
    assert_eq!(got, names.iter().map(String::as_str).collect::<Vec<_>>());
    // What it cannot do, it says, and exits non-zero.
    let bad = convert("koi8");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--encoding koi8"));
}

/// The questions a planner's file asks are in the planner's language.
#[test]
fn the_decoding_offer_speaks_vietnamese_and_chinese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shp, _) = office_shapefile(dir.path());
    let mut h = support::app::open_sized(shp, egui::vec2(1280.0, 900.0));
    settle(&mut h);
    h.state_mut().set_language(corridor::model::Lang::Vi);
    h.run();
    h.get_by_label_contains("Chữ tiếng Việt");
    h.get_by_label("Chuyển từ TCVN3 (ABC)");
    h.get_by_label("Giữ nguyên");
    h.state_mut().set_language(corridor::model::Lang::Zh);
    h.run();
    h.get_by_label("转换自 TCVN3 (ABC)");
    h.get_by_label("保持原样");
}

/// A GeoPackage whose rows have no geometry (as written from a table without one, a `.dbf`
/// alone) opens with those rows and their attributes, instead of failing on the first.
#[test]
fn a_geopackage_with_rows_without_geometry_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records: Vec<geojson::Feature> = ["Thủ Dầu Một", "Phú Lợi"]
        .iter()
        .map(|name| geojson::Feature {
            bbox: None,
            geometry: None,
            id: None,
            properties: json!({ "name": name }).as_object().cloned(),
            foreign_members: None,
        })
        .collect();
    let path = dir.path().join("rows.gpkg");
    corridor::io::ogr_write::write_ogr(&records, &path, None, None).expect("written");
    let back = read_ogr(&path, &OgrOptions::default()).expect("read back");
    assert_eq!(back.features.len(), 2);
    for (f, name) in back.features.iter().zip(["Thủ Dầu Một", "Phú Lợi"]) {
        assert!(f.geometry.is_none(), "{:?}", f.geometry);
        assert_eq!(
            f.properties.as_ref().and_then(|p| p.get("name")),
            Some(&json!(name))
        );
    }
}
