//! The bundled maps against the real boundaries they are made from (`../shared/data`): the
//! localities tile the former province, agree with the published areas, and the build step
//! makes exactly the files in `maps/`. These tests need the shared data and fail, saying so,
//! without it.

#[allow(dead_code)]
#[path = "../examples/build-maps.rs"]
mod build_maps;

mod support {
    pub mod data;
}

use std::path::{Path, PathBuf};

use corridor::geometry::measure::geodesic_area_m2;
use corridor::io::read_geojson;
use geo::{Area, BooleanOps, Geometry, MultiPolygon};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()
}

/// The shared data folder, or a failure that says where it was looked for.
fn data() -> PathBuf {
    let data = support::data::shared_data();
    assert!(
        data.join(build_maps::WARDS_FILE).is_file(),
        "these tests need the shared reference data: {} is missing (see ../shared/data/README.md)",
        data.join(build_maps::WARDS_FILE).display()
    );
    data
}

fn wards() -> Vec<build_maps::SourceWard> {
    build_maps::read_wards(&data().join(build_maps::WARDS_FILE)).expect("the wards load")
}

fn table() -> build_maps::Table {
    build_maps::read_table(&repo().join(build_maps::TABLE_FILE)).expect("the table loads")
}

fn polygons(g: &Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        other => panic!("not areal: {other:?}"),
    }
}

/// The bundled features of a file, by id, as polygons.
fn shapes(file: &str) -> Vec<(String, MultiPolygon<f64>)> {
    let layer = read_geojson(&repo().join("maps").join(file)).expect("bundled file loads");
    layer
        .features
        .iter()
        .filter(|f| f.is_areal())
        .map(|f| {
            let id = match &f.meta().id {
                Some(geojson::feature::Id::String(s)) => s.clone(),
                other => panic!("{file}: id {other:?}"),
            };
            (id, polygons(&f.geometry().expect("geometry")))
        })
        .collect()
}

fn area_km2(m: &MultiPolygon<f64>) -> f64 {
    geodesic_area_m2(&Geometry::MultiPolygon(m.clone())) / 1e6
}

#[test]
fn the_build_step_makes_exactly_the_bundled_files() {
    let out = tempfile::tempdir().expect("temp dir");
    build_maps::build(&data(), &repo().join(build_maps::TABLE_FILE), out.path())
        .unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "localities.geojson",
        "wards-2025.geojson",
        "new-city.geojson",
        "context.geojson",
    ] {
        let made = std::fs::read_to_string(out.path().join(name)).expect("made");
        let bundled = std::fs::read_to_string(repo().join("maps").join(name)).expect("bundled");
        assert!(
            made == bundled,
            "maps/{name} differs from what `cargo run --example build-maps` makes: run it again"
        );
    }
}

#[test]
fn the_localities_tile_without_gaps_or_overlaps_and_stay_inside_the_province() {
    let localities = shapes("localities.geojson");
    assert_eq!(localities.len(), 6);
    let province = build_maps::union_all(wards().iter().map(|w| &w.shape));
    let union = build_maps::union_all(localities.iter().map(|(_, s)| s));
    let sum: f64 = localities.iter().map(|(_, s)| area_km2(s)).sum();
    let whole = area_km2(&union);
    assert!(
        (sum - whole).abs() / whole < 0.001,
        "the localities' areas add up to {sum:.3} km² but their union is {whole:.3} km²: they overlap"
    );
    for (i, (a_id, a)) in localities.iter().enumerate() {
        let outside = area_km2(&a.difference(&province));
        assert!(
            outside < 0.001,
            "{a_id} reaches {outside:.4} km² outside the former province"
        );
        for (b_id, b) in &localities[i + 1..] {
            let common = a.intersection(b).unsigned_area();
            assert!(common < 1e-9, "{a_id} and {b_id} overlap ({common} deg²)");
        }
    }
    // With the three districts outside the innovation district, the province is covered whole.
    let context = shapes("context.geojson");
    let districts: Vec<&MultiPolygon<f64>> = localities
        .iter()
        .map(|(_, s)| s)
        .chain(
            context
                .iter()
                .filter(|(id, _)| {
                    ["ctx-bac-tan-uyen", "ctx-phu-giao", "ctx-dau-tieng"].contains(&id.as_str())
                })
                .map(|(_, s)| s),
        )
        .collect();
    assert_eq!(districts.len(), 9);
    let all = build_maps::union_all(districts);
    let gap = area_km2(&province.difference(&all));
    assert!(
        gap < 0.001,
        "the nine districts leave {gap:.4} km² of the province uncovered"
    );
}

#[test]
fn each_locality_holds_every_ward_assigned_to_it_and_its_published_area() {
    let localities = shapes("localities.geojson");
    let table = table();
    let wards = wards();
    for d in table.district.iter().filter(|d| d.innovation_district) {
        let (_, shape) = localities
            .iter()
            .find(|(id, _)| *id == d.id)
            .unwrap_or_else(|| panic!("{} ({}) is not in localities.geojson", d.name, d.id));
        let mut published = 0.0;
        let mut measured = 0.0;
        for row in table.ward.iter().filter(|w| w.district == d.name) {
            let ward = wards
                .iter()
                .find(|w| w.code == row.code)
                .unwrap_or_else(|| panic!("ward {} is not in the data", row.code));
            published += ward.area_km2;
            measured += area_km2(&ward.shape);
            let left_out = area_km2(&ward.shape.difference(shape));
            assert!(
                left_out < 0.001,
                "{}: {left_out:.4} km² of its ward {} lie outside it",
                d.name,
                ward.name
            );
        }
        let drawn = area_km2(shape);
        // The union loses nothing: its area is its wards' areas.
        assert!(
            (drawn - measured).abs() / measured < 0.001,
            "{}: geodesic area {drawn:.2} km², its wards' {measured:.2} km²",
            d.name
        );
        // Against the published figures: within 1 %, or, where the source's own outlines
        // disagree with its published areas by more (Đông Hoà's outline is 4 % smaller than its
        // stated 21.89 km²), within that disagreement.
        let source_gap = (measured - published).abs() / published;
        let gap = (drawn - published).abs() / published;
        assert!(
            gap < 0.01 || gap <= source_gap + 0.001,
            "{}: geodesic area {drawn:.2} km², published {published:.2} km² ({:.2} % off)",
            d.name,
            100.0 * gap
        );
        eprintln!(
            "{}: drawn {drawn:.2} km², published {published:.2} km² ({:+.2} %)",
            d.name,
            100.0 * (drawn - published) / published
        );
    }
}

#[test]
fn the_sti_park_and_its_subareas_lie_inside_bau_bang() {
    // The real Bàu Bàng, made here from the wards and the table (not the bundled outline).
    let table = table();
    let wards = wards();
    let bau_bang = build_maps::union_all(
        wards
            .iter()
            .filter(|w| {
                table
                    .ward
                    .iter()
                    .any(|row| row.code == w.code && row.district == "Bàu Bàng")
            })
            .map(|w| &w.shape),
    );
    for (id, s) in shapes("sti-park.geojson") {
        let outside = area_km2(&s.difference(&bau_bang));
        assert!(outside < 1e-6, "{id}: {outside:.4} km² outside Bàu Bàng");
    }
}

#[test]
fn the_new_city_is_the_binh_duong_ward() {
    let ward = wards()
        .into_iter()
        .find(|w| w.name == "Bình Dương")
        .expect("the Bình Dương ward");
    let new_city = shapes("new-city.geojson");
    let [(_, shape)] = new_city.as_slice() else {
        panic!("one New City feature")
    };
    let differ = area_km2(&shape.xor(&ward.shape));
    assert!(
        differ < 0.001,
        "the New City differs from the ward by {differ} km²"
    );
}

#[test]
fn every_ward_is_in_the_table_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(repo().join(build_maps::TABLE_FILE)).expect("table");
    // Drop the row of ward 25822 (Bàu Bàng).
    let start = text.find("code = \"25822\"").expect("row 25822");
    let row_start = text[..start].rfind("[[ward]]").expect("row start");
    let row_end = text[start..]
        .find("[[ward]]")
        .map_or(text.len(), |i| start + i);
    let mut cut = text.clone();
    cut.replace_range(row_start..row_end, "");
    let table = dir.path().join("wards.toml");
    std::fs::write(&table, cut).expect("write");
    let e = build_maps::build(&data(), &table, &dir.path().join("out"))
        .expect_err("a ward missing from the table is an error");
    assert!(
        e.0.contains("25822") && e.0.contains("Bàu Bàng") && e.0.contains("not in the table"),
        "{e}"
    );

    // A broken table names its line.
    std::fs::write(&table, "[[district]]\nid = \"x\"\nname = \n").expect("write");
    let e = build_maps::build(&data(), &table, &dir.path().join("out"))
        .expect_err("a broken table is an error");
    assert!(e.0.contains("wards.toml") && e.0.contains("line 3"), "{e}");

    // A broken source file names its line too.
    let broken = dir.path().join("data");
    let wards_file = broken.join(build_maps::WARDS_FILE);
    std::fs::create_dir_all(wards_file.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &wards_file,
        "{\"type\": \"FeatureCollection\",\n\"features\": [\n{,\n",
    )
    .expect("write");
    let e = build_maps::build(
        &broken,
        &repo().join(build_maps::TABLE_FILE),
        &dir.path().join("out"),
    )
    .expect_err("a broken source file is an error");
    assert!(e.0.contains("line 3"), "{e}");
}

/// The article's own Chinese terms (the seed is the authority for them), and the variants that
/// were used before: every bundled text and the interface must use the former.
const SEED_TERMS: &[(&str, &[&str])] = &[
    ("宜安", &["迪安"]),
    ("槟吉", &["滨吉"]),
    ("巴乌邦", &["宝庞"]),
    ("土龙木", &[]),
    ("顺安", &[]),
    ("新渊", &[]),
    ("平阳新城", &[]),
    ("平阳革新创新区", &["平阳创新走廊", "创新走廊"]),
    (
        "美福—新万—巴乌邦主要交通轴",
        &["主要交通轴线", "美福—新万—宝庞"],
    ),
    ("科技工业区", &["宝庞科技工业区"]),
    ("院校区", &["学院区"]),
    ("技术工业区", &[]),
    (
        "办公室经营公园区和技术实验室—研究区",
        &["办公商务园", "办公园区与科技实验室"],
    ),
    ("高服务城市区", &["高端服务城区"]),
    ("社区文化体育区", &[]),
    ("一类城市", &["一级城市"]),
    ("高质量服务区", &["高品质服务区"]),
    ("公共运输走廊", &["公共交通走廊"]),
];

#[test]
fn chinese_names_are_the_articles_own() {
    let seed = std::fs::read_to_string(repo().join("../shared/seed/000_cad399d994197d0b.txt"))
        .expect("the seed article is at ../shared/seed");
    let mut texts: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(repo().join("maps")).expect("maps/") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            texts.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).expect("text"),
            ));
        }
    }
    let interface: String = corridor::ui::i18n::all_texts()
        .iter()
        .map(|(_, _, zh)| format!("{zh}\n"))
        .collect();
    texts.push(("the interface catalogue".to_owned(), interface));
    for (term, wrong) in SEED_TERMS {
        assert!(seed.contains(term), "{term} is not the article's term");
        for w in *wrong {
            for (file, text) in &texts {
                assert!(
                    !text.contains(w),
                    "{file} writes {w}; the article writes {term}"
                );
            }
        }
    }
    // The features the article names carry its names.
    let expect = [
        ("localities.geojson", "loc-di-an", "宜安"),
        ("localities.geojson", "loc-thuan-an", "顺安"),
        ("localities.geojson", "loc-thu-dau-mot", "土龙木"),
        ("localities.geojson", "loc-tan-uyen", "新渊"),
        ("localities.geojson", "loc-ben-cat", "槟吉"),
        ("localities.geojson", "loc-bau-bang", "巴乌邦"),
        ("new-city.geojson", "zone-new-city", "平阳新城"),
        ("sti-park.geojson", "sti-park", "科技工业区"),
        ("sti-park.geojson", "sti-academy", "院校区"),
        ("sti-park.geojson", "sti-tech-industry", "技术工业区"),
        (
            "sti-park.geojson",
            "sti-office-lab",
            "办公室经营公园区和技术实验室—研究区",
        ),
        ("sti-park.geojson", "sti-urban", "高服务城市区"),
        ("sti-park.geojson", "sti-culture-sports", "社区文化体育区"),
        (
            "axis.geojson",
            "axis-my-phuoc-tan-van-bau-bang",
            "美福—新万—巴乌邦主要交通轴",
        ),
    ];
    for (file, id, zh) in expect {
        let layer = read_geojson(&repo().join("maps").join(file)).expect("loads");
        let f = layer
            .features
            .iter()
            .find(|f| matches!(&f.meta().id, Some(geojson::feature::Id::String(s)) if s == id))
            .unwrap_or_else(|| panic!("{file}: no feature {id}"));
        assert_eq!(
            f.property_text("name_zh").as_deref(),
            Some(zh),
            "{file}: {id}"
        );
    }
}

#[test]
fn no_feature_cites_the_article_for_what_it_does_not_say() {
    // The article never names these; a feature that mentions one must cite another source.
    let absent = [
        "VSIP",
        "Ring Road 3",
        "National Route 13",
        "Hùng Vương",
        "Wikipedia",
    ];
    let seed = std::fs::read_to_string(repo().join("../shared/seed/000_cad399d994197d0b.txt"))
        .expect("the seed article is at ../shared/seed");
    for file in [
        "localities.geojson",
        "new-city.geojson",
        "sti-park.geojson",
        "axis.geojson",
        "places.geojson",
    ] {
        let layer = read_geojson(&repo().join("maps").join(file)).expect("loads");
        for f in &layer.features {
            let summary = f.property_text("summary").unwrap_or_default();
            let source = f.property_text("source").unwrap_or_default();
            assert!(
                !source.trim().is_empty(),
                "{file}: {} has no source",
                f.display_name()
            );
            for word in absent {
                assert!(!seed.contains(word), "the article does name {word}");
                if summary.contains(word) {
                    assert!(
                        source.contains("http"),
                        "{file}: {} speaks of {word} but cites only the article: {source}",
                        f.display_name()
                    );
                }
            }
        }
    }
}
