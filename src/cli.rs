//! The command line: `corridor` opens the corridor's maps, another project file, or any
//! GeoJSON file; its subcommands export, validate, convert planners' files, move layers to and
//! from PostGIS, prepare and inspect offline basemaps, and measure frames. `src/main.rs` only
//! calls [`run`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use crate::tiles::prefetch::{Limits, Plan, Progress, prefetch_into};
use crate::{AppOptions, CorridorApp};
use clap::{Parser, Subcommand};

/// Corridor: a desktop GIS viewer and zone-boundary editor for the Bình Dương innovation corridor.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    /// A project file (.toml) to open with its layers and view, or a GeoJSON file (.geojson,
    /// .json) to open as a single layer, zoomed to its extent. Without it, the bundled
    /// corridor maps open (maps/corridor.toml).
    path: Option<PathBuf>,

    /// Do not fetch basemap tiles; local MBTiles files and cached tiles still show.
    #[arg(long)]
    offline: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Offline basemaps: download an area into an MBTiles file, or describe one.
    #[command(subcommand)]
    Tiles(TilesCommand),
    /// Measures the app on a GeoJSON layer, offscreen: time to the first frame, CPU time per
    /// frame along a fixed camera path (zoom 8 → 16 and pans), click-to-select time and peak
    /// memory, printed as key=value lines.
    BenchFrames {
        /// The GeoJSON file (or, with --db and --table, a PostGIS table instead)
        #[arg(required_unless_present = "db")]
        file: Option<PathBuf>,
        /// postgres://user@host:port/database: measures a table of it instead of a file
        #[arg(long, requires = "table")]
        db: Option<String>,
        /// The table (name or schema.name), with --db
        #[arg(long)]
        table: Option<String>,
        /// Pans into rows not read yet, with --db
        #[arg(long, default_value_t = 24)]
        pans: usize,
        /// Frames along the camera path
        #[arg(long, default_value_t = 300)]
        frames: usize,
    },
    /// Measures panning over a basemap file (MBTiles or PMTiles, raster or vector), offscreen:
    /// CPU time per frame at zooms 12 to 16, against the same pans with no basemap, printed
    /// as key=value lines.
    BenchBasemap {
        file: PathBuf,
        /// Frames per zoom level
        #[arg(long, default_value_t = 120)]
        frames: usize,
    },
    /// Checks GeoJSON files: prints one line per problem (file, place, what) and a summary;
    /// exits 0 when every file is valid, 1 when any is not.
    Validate {
        /// The files to check
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Converts between GeoJSON, Shapefile, GeoPackage, FlatGeobuf, KML and MapInfo, between
    /// coordinate systems (VN-2000 included) and from the legacy Vietnamese encodings; prints
    /// what it did; exits non-zero with the reason when it cannot.
    Convert {
        input: PathBuf,
        output: PathBuf,
        /// The output's coordinate system: EPSG:n or vn2000-tm3-105.75 (WGS84 when not given)
        #[arg(long)]
        to_crs: Option<String>,
        /// The input's coordinate system, for a file that states none
        #[arg(long)]
        from_crs: Option<String>,
        /// The input's text: tcvn3, vni, utf8 or auto (decode when it looks misread)
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// The layer (table) of the input to read; the first when not given
        #[arg(long)]
        layer: Option<String>,
    },
    /// PostGIS: move a layer into a new table, or a table out to a GeoJSON file, losslessly.
    /// The password comes from PGPASSWORD or ~/.pgpass, never from the URL.
    #[command(subcommand)]
    Db(DbCommand),
    /// Renders the map, or the story's slides, to PNG files without a window (tiles from local
    /// files and the cache only).
    Export {
        /// The project file (maps/corridor.toml when not given)
        path: Option<PathBuf>,
        /// Export this slide of the story (1 is the first), with its title, text and legend
        #[arg(long, conflicts_with = "all_slides")]
        slide: Option<usize>,
        /// Export every slide as slide-01.png, slide-02.png, … into --out-dir
        #[arg(long, requires = "out_dir")]
        all_slides: bool,
        /// The PNG to write (one view or one slide)
        #[arg(long, required_unless_present = "all_slides")]
        out: Option<PathBuf>,
        /// The folder for --all-slides
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Image size in pixels, WIDTHxHEIGHT
        #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
        size: [u32; 2],
        /// Pixels per point: 2 doubles the detail for print
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// Language of labels, panels and slides: vi, en or zh
        #[arg(long, value_parser = parse_lang)]
        lang: Option<crate::model::Lang>,
    },
}

fn parse_size(text: &str) -> Result<[u32; 2], String> {
    let (w, h) = text
        .split_once(['x', 'X', '×'])
        .ok_or("write the size as WIDTHxHEIGHT, e.g. 1920x1080")?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{v}` is not a number of pixels"))
    };
    Ok([parse(w)?, parse(h)?])
}

fn parse_lang(text: &str) -> Result<crate::model::Lang, String> {
    crate::model::Lang::ALL
        .into_iter()
        .find(|l| l.code() == text.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("`{text}` is not one of vi, en, zh"))
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Creates a table from a GeoJSON file: a generated key, the GeoJSON id, one column per
    /// property, the geometry with a spatial index, a version column and the notify trigger.
    Import {
        file: PathBuf,
        /// postgres://user@host:port/database (no password)
        #[arg(long)]
        db: String,
        /// The table to create: name or schema.name
        #[arg(long)]
        table: String,
        /// Replace the table if it exists
        #[arg(long)]
        replace: bool,
    },
    /// Writes a table to a GeoJSON file.
    Export {
        /// postgres://user@host:port/database (no password)
        #[arg(long)]
        db: String,
        /// The table: name or schema.name
        #[arg(long)]
        table: String,
        /// The GeoJSON file to write
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum TilesCommand {
    /// Downloads every tile of an area and zoom range into an MBTiles or PMTiles file
    /// (resumable: run it again to fetch what is missing). Progress goes to stderr.
    Prefetch {
        /// Tile URL template with {z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png
        #[arg(long)]
        url: String,
        /// Area as west,south,east,north in degrees, e.g. 106.5,10.86,106.9,11.4
        #[arg(long, value_parser = parse_bbox, allow_hyphen_values = true)]
        bbox: [f64; 4],
        /// Zoom range, e.g. 10-14 (or a single level, 12)
        #[arg(long, value_parser = parse_zooms)]
        zoom: (u8, u8),
        /// The file to write: F.mbtiles, or F.pmtiles (written when every tile has arrived;
        /// until then the download is kept in F.pmtiles.download.mbtiles)
        #[arg(long)]
        out: PathBuf,
        /// Name written into the file's metadata
        #[arg(long, default_value = "Corridor offline basemap")]
        name: String,
        /// Attribution written into the file's metadata (the provider's credit line)
        #[arg(long, default_value = "")]
        attribution: String,
        /// Parallel requests
        #[arg(long, default_value_t = 2)]
        parallel: usize,
        /// Requests per second, at most
        #[arg(long, default_value_t = 10.0)]
        rate: f64,
    },
    /// Describes an MBTiles or PMTiles file: tile type (read from the tiles when the file does
    /// not say), compression, zooms, bounds, centre, tile count, metadata.
    Info { file: PathBuf },
    /// Converts between MBTiles and PMTiles (by the output's extension), raster or vector.
    Convert { input: PathBuf, output: PathBuf },
}

fn parse_bbox(text: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = text
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{p}` is not a number"))
        })
        .collect::<Result<_, _>>()?;
    let [w, s, e, n] = v[..] else {
        return Err("give four numbers: west,south,east,north".to_owned());
    };
    if !(-180.0..=180.0).contains(&w)
        || !(-180.0..=180.0).contains(&e)
        || !(-90.0..=90.0).contains(&s)
        || !(-90.0..=90.0).contains(&n)
        || s > n
    {
        return Err(
            "west,south,east,north must be longitudes and latitudes with south ≤ north".to_owned(),
        );
    }
    Ok([w, s, e, n])
}

fn parse_zooms(text: &str) -> Result<(u8, u8), String> {
    let parse = |p: &str| {
        p.trim()
            .parse::<u8>()
            .ok()
            .filter(|z| *z <= 22)
            .ok_or_else(|| format!("`{p}` is not a zoom level (0–22)"))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => {
            let z = parse(text)?;
            (z, z)
        }
    };
    if a > b {
        return Err(format!("the zoom range {a}-{b} runs backwards"));
    }
    Ok((a, b))
}

/// Runs the command line: the app, or one of its subcommands.
///
/// Long because it reads every subcommand's arguments; each then calls one function.
pub fn run() -> ExitCode {
    // No transparent huge pages: mimalloc asks for them, and each first touch of a 2 MiB page
    // then zeroes (and may first compact) the whole of it. Measured on the 100 000-polygon layer:
    // first frame 3.4–3.6 s → 2.3–2.7 s; the small layer's peak memory 100 → 75 MiB.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Tiles(command)) => tiles(command),
        Some(Command::BenchFrames {
            file,
            frames,
            db,
            table,
            pans,
        }) => {
            let report = match (file, db, table) {
                (_, Some(db), Some(table)) => {
                    crate::bench_frames::bench_table(&db, &table, pans.max(1)).map(|r| r.lines())
                }
                (Some(file), _, _) => {
                    crate::bench_frames::bench_frames(file, frames.max(10)).map(|r| r.lines())
                }
                _ => Err("give a file, or --db and --table".to_owned()),
            };
            match report {
                Ok(lines) => {
                    for line in lines {
                        println!("{line}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor bench-frames: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::BenchBasemap { file, frames }) => {
            match crate::bench_frames::bench_basemap(file, frames.max(10)) {
                Ok(report) => {
                    for line in report.lines() {
                        println!("{line}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor bench-basemap: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Db(command)) => {
            let result = match command {
                DbCommand::Import {
                    file,
                    db,
                    table,
                    replace,
                } => crate::db::transfer::import_file(&file, &db, &table, replace),
                DbCommand::Export { db, table, out } => {
                    crate::db::transfer::export_file(&db, &table, &out)
                }
            };
            match result {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor db: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Convert {
            input,
            output,
            to_crs,
            from_crs,
            encoding,
            layer,
        }) => {
            let options = crate::io::ogr_file::ConvertOptions {
                to_crs,
                from_crs,
                encoding: Some(encoding),
                layer,
            };
            match crate::io::ogr_file::convert(&input, &output, &options) {
                Ok(lines) => {
                    for line in lines {
                        println!("{line}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor convert: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some(Command::Validate { files }) => {
            let reports: Vec<_> = files
                .iter()
                .map(|f| crate::io::validate::validate_file(f))
                .collect();
            for r in &reports {
                for line in r.lines() {
                    println!("{line}");
                }
            }
            println!("{}", crate::io::validate::summary(&reports));
            if reports.iter().all(|r| r.is_valid()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Some(Command::Export {
            path,
            slide,
            all_slides,
            out,
            out_dir,
            size,
            scale,
            lang,
        }) => {
            let mut req = crate::export::ExportRequest::new(path.unwrap_or_else(default_project));
            req.size = size;
            req.scale = scale;
            req.lang = lang;
            req.slide = slide.map(|s| s.saturating_sub(1));
            let result = match (all_slides, out, out_dir) {
                (true, _, Some(dir)) => crate::export::export_all_slides(&req, &dir).map(|files| {
                    for f in &files {
                        eprintln!("wrote {}", f.display());
                    }
                }),
                (false, Some(out), _) => crate::export::export_png(&req, &out)
                    .map(|()| eprintln!("wrote {}", out.display())),
                _ => Err("give --out FILE, or --all-slides with --out-dir DIR".to_owned()),
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("corridor export: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => match run_app(cli.path, cli.offline) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("corridor: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_app(path: Option<PathBuf>, offline: bool) -> anyhow::Result<()> {
    let path = path.unwrap_or_else(default_project);
    let options = AppOptions {
        path,
        offline,
        data_dir: None,
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Corridor")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true)
            .with_app_id("corridor")
            .with_icon(window_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "corridor",
        native,
        Box::new(move |cc| Ok(Box::new(CorridorApp::new(cc, options)))),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}

fn tiles(command: TilesCommand) -> ExitCode {
    match command {
        TilesCommand::Info { file } => {
            match crate::tiles::TileFile::open(&file).and_then(|f| f.info()) {
                Ok(info) => {
                    print!("{}", crate::tiles::file::describe(&file, &info));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor tiles info: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        TilesCommand::Convert { input, output } => {
            match crate::tiles::convert::convert(&input, &output) {
                Ok(done) => {
                    eprintln!(
                        "wrote {} tiles ({:.1} MB) into {}",
                        done.tiles,
                        done.bytes as f64 / 1_048_576.0,
                        output.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corridor tiles convert: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        TilesCommand::Prefetch {
            url,
            bbox,
            zoom,
            out,
            name,
            attribution,
            parallel,
            rate,
        } => {
            // A URL on the command line is the user's own choice of provider; OpenStreetMap's
            // standard servers still forbid bulk downloads.
            if let Err(why) = crate::tiles::http::bulk_download_allowed(&url, true) {
                eprintln!("corridor tiles prefetch: {why}");
                return ExitCode::FAILURE;
            }
            if !url.contains("{z}") || !url.contains("{x}") || !url.contains("{y}") {
                eprintln!("corridor tiles prefetch: the URL must contain {{z}}, {{x}} and {{y}}");
                return ExitCode::FAILURE;
            }
            let plan = Plan {
                bbox,
                min_zoom: zoom.0,
                max_zoom: zoom.1,
            };
            eprintln!(
                "{} tiles (about {:.0} MB) into {}",
                plan.tile_count(),
                plan.estimated_bytes() as f64 / 1_048_576.0,
                out.display()
            );
            let progress = std::sync::Arc::new(Progress::default());
            let reporter = {
                let p = progress.clone();
                std::thread::spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_millis(500));
                        let f = p.fraction();
                        eprint!(
                            "\r{:5.1} %  {} downloaded, {} already there, {} failed   ",
                            f * 100.0,
                            p.done.load(Ordering::Relaxed),
                            p.skipped.load(Ordering::Relaxed),
                            p.failed.load(Ordering::Relaxed)
                        );
                        if p.cancel.load(Ordering::Relaxed) {
                            return;
                        }
                    }
                })
            };
            let limits = Limits {
                parallel: parallel.clamp(1, 8),
                per_second: rate.max(0.1),
            };
            let result = prefetch_into(&url, &name, &attribution, &plan, &out, limits, &progress);
            progress.cancel.store(true, Ordering::Relaxed);
            let _ = reporter.join();
            eprintln!();
            match result {
                Ok(s) => {
                    eprintln!(
                        "{} downloaded, {} already there, {} failed",
                        s.downloaded, s.skipped, s.failed
                    );
                    if s.failed > 0 {
                        eprintln!(
                            "corridor tiles prefetch: {} tiles failed; run the same command again to retry them",
                            s.failed
                        );
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("corridor tiles prefetch: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The window's icon: the one the desktop file names, built in.
fn window_icon() -> std::sync::Arc<egui::IconData> {
    let png = include_bytes!("../assets/desktop/corridor-256.png");
    let icon = image::load_from_memory(png)
        .map(|i| i.to_rgba8())
        .map(|i| egui::IconData {
            width: i.width(),
            height: i.height(),
            rgba: i.into_raw(),
        })
        .unwrap_or_default();
    std::sync::Arc::new(icon)
}

/// `maps/corridor.toml` in the current folder (a checkout), else the bundled maps, written
/// into the user's data folder on first use.
fn default_project() -> PathBuf {
    let here = PathBuf::from("maps/corridor.toml");
    if here.exists() {
        return here;
    }
    let data = directories::ProjectDirs::from("vn", "Corridor", "corridor")
        .map(|d| d.data_dir().to_owned());
    match data.map(|d| crate::io::bundled::install(&d)) {
        Some(Ok(project)) => project,
        Some(Err(e)) => {
            eprintln!("corridor: the bundled maps cannot be written to the data folder: {e}");
            here
        }
        None => {
            eprintln!("corridor: no data folder (is HOME set?): the bundled maps cannot be opened");
            here
        }
    }
}
