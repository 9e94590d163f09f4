//! `corridor tiles convert IN OUT`: MBTiles to PMTiles and back, raster or vector, metadata
//! carried over. The output is written beside its final place and renamed into it when whole;
//! a file it replaces is kept as `OUT.bak`.

use std::path::{Path, PathBuf};

use pmtiles::{PmTilesWriter, TileCoord, TileType};

use super::file::{TileFile, TileFileInfo, TileFormat};
use super::mbtiles::MbTiles;

/// What a conversion did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    pub tiles: u64,
    pub bytes: u64,
}

fn is_pmtiles(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pmtiles"))
}

fn is_mbtiles(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mbtiles"))
}

/// Converts `input` (either kind) into `output`, whose kind its extension names.
pub fn convert(input: &Path, output: &Path) -> Result<Converted, String> {
    if !is_pmtiles(output) && !is_mbtiles(output) {
        return Err(format!(
            "{}: the output must end in .pmtiles or .mbtiles",
            output.display()
        ));
    }
    if input
        .canonicalize()
        .ok()
        .is_some_and(|i| output.canonicalize().ok().is_some_and(|o| o == i))
    {
        return Err(format!(
            "{}: the input and the output are the same file",
            output.display()
        ));
    }
    let file = TileFile::open(input).map_err(|e| e.to_string())?;
    let info = file.info().map_err(|e| e.to_string())?;
    if let TileFormat::Unknown(what) = &info.format {
        return Err(format!(
            "{}: the tiles' format is not known ({what}), so it cannot be written into another file",
            input.display()
        ));
    }
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".corridor-tiles-")
        .suffix(if is_pmtiles(output) {
            ".pmtiles"
        } else {
            ".mbtiles"
        })
        .tempfile_in(&dir)
        .map_err(|e| format!("{}: cannot write here: {e}", dir.display()))?;
    let done = if is_pmtiles(output) {
        write_pmtiles(&file, &info, tmp.path())
    } else {
        write_mbtiles(&file, &info, tmp.path())
    }?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("{}: {e}", output.display()))?;
    if output.exists() {
        let backup = crate::io::atomic::backup_path(output);
        std::fs::rename(output, &backup).map_err(|e| {
            format!(
                "{}: cannot keep the old file as a backup: {e}",
                output.display()
            )
        })?;
    }
    tmp.persist(output)
        .map_err(|e| format!("{}: {}", output.display(), e.error))?;
    Ok(done)
}

/// Every tile of the file, with compression taken off, in PMTiles order (by tile id).
fn for_each_tile(
    file: &TileFile,
    mut each: impl FnMut(u8, u32, u32, Vec<u8>) -> Result<(), String>,
) -> Result<(), String> {
    let mut coords: Vec<(u64, u8, u32, u32)> = Vec::new();
    match file {
        TileFile::Mb(m) => m.for_each_coord(|z, x, y| {
            let id = TileCoord::new(z, x, y).map_err(|e| e.to_string())?;
            coords.push((pmtiles::TileId::from(id).value(), z, x, y));
            Ok(())
        })?,
        TileFile::Pm(p) => p.for_each_coord(|z, x, y| {
            let id = TileCoord::new(z, x, y).map_err(|e| e.to_string())?;
            coords.push((pmtiles::TileId::from(id).value(), z, x, y));
            Ok(())
        })?,
    }
    coords.sort_unstable();
    for (_, z, x, y) in coords {
        if let Some(bytes) = file.tile(z, x, y).map_err(|e| e.to_string())? {
            each(z, x, y, bytes)?;
        }
    }
    Ok(())
}

fn metadata_json(info: &TileFileInfo) -> String {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), serde_json::Value::String(v.clone()));
        }
    };
    put("name", &info.name);
    put("description", &info.description);
    put("attribution", &info.attribution);
    if !info.vector_layers.is_empty() {
        m.insert(
            "vector_layers".to_owned(),
            serde_json::Value::Array(
                info.vector_layers
                    .iter()
                    .map(|id| serde_json::json!({ "id": id, "fields": {} }))
                    .collect(),
            ),
        );
    }
    serde_json::Value::Object(m).to_string()
}

fn write_pmtiles(file: &TileFile, info: &TileFileInfo, out: &Path) -> Result<Converted, String> {
    let err = |e: pmtiles::PmtError| format!("{}: {e}", out.display());
    let tile_type = match info.format {
        TileFormat::Png => TileType::Png,
        TileFormat::Jpeg => TileType::Jpeg,
        TileFormat::Webp => TileType::Webp,
        TileFormat::Avif => TileType::Avif,
        TileFormat::Mvt => TileType::Mvt,
        TileFormat::Unknown(_) => TileType::Unknown,
    };
    let mut writer = PmTilesWriter::new(tile_type).metadata(&metadata_json(info));
    if let (Some(a), Some(b)) = (info.min_zoom, info.max_zoom) {
        writer = writer.min_zoom(a).max_zoom(b.max(a));
    }
    if let Some([w, s, e, n]) = info.bounds {
        writer = writer.bounds(w, s, e, n);
    }
    if let Some([lon, lat, z]) = info.center {
        writer = writer.center(lon, lat).center_zoom(z as u8);
    }
    let f = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = writer.create(std::io::BufWriter::new(f)).map_err(err)?;
    let mut done = Converted { tiles: 0, bytes: 0 };
    for_each_tile(file, |z, x, y, bytes| {
        let coord = TileCoord::new(z, x, y).map_err(|e| e.to_string())?;
        done.tiles += 1;
        done.bytes += bytes.len() as u64;
        w.add_tile(coord, &bytes).map_err(err)
    })?;
    w.finalize().map_err(err)?;
    Ok(done)
}

fn write_mbtiles(file: &TileFile, info: &TileFileInfo, out: &Path) -> Result<Converted, String> {
    let m = MbTiles::create(out).map_err(|e| e.to_string())?;
    let set = |k: &str, v: &str| m.set_metadata(k, v).map_err(|e| e.to_string());
    set("name", info.name.as_deref().unwrap_or(""))?;
    let format = match info.format {
        TileFormat::Mvt => "pbf",
        TileFormat::Jpeg => "jpg",
        _ => info.format.name(),
    };
    set("format", format)?;
    set("type", "baselayer")?;
    if let Some(a) = &info.attribution {
        set("attribution", a)?;
    }
    if let Some(d) = &info.description {
        set("description", d)?;
    }
    if let Some([w, s, e, n]) = info.bounds {
        set("bounds", &format!("{w},{s},{e},{n}"))?;
    }
    if let Some([lon, lat, z]) = info.center {
        set("center", &format!("{lon},{lat},{z}"))?;
    }
    if let Some(z) = info.min_zoom {
        set("minzoom", &z.to_string())?;
    }
    if let Some(z) = info.max_zoom {
        set("maxzoom", &z.to_string())?;
    }
    if !info.vector_layers.is_empty() {
        set("json", &metadata_json(info))?;
    }
    let mut done = Converted { tiles: 0, bytes: 0 };
    m.begin().map_err(|e| e.to_string())?;
    for_each_tile(file, |z, x, y, bytes| {
        // Vector tiles in MBTiles are gzipped, as the specification asks.
        let stored = if info.format.is_vector() {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&bytes)
                .and_then(|()| gz.finish())
                .map_err(|e| e.to_string())?
        } else {
            bytes
        };
        done.tiles += 1;
        done.bytes += stored.len() as u64;
        m.put_tile(z, x, y, &stored).map_err(|e| e.to_string())
    })?;
    m.commit().map_err(|e| e.to_string())?;
    m.finish().map_err(|e| e.to_string())?;
    Ok(done)
}
