//! `corridor`: opens the corridor's maps, another project file, or any GeoJSON file.

use std::path::PathBuf;

use clap::Parser;
use corridor::{AppOptions, CorridorApp};

/// Corridor: a desktop GIS viewer and zone-boundary editor for the Bình Dương innovation corridor.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Cli {
    /// A project file (.toml) to open with its layers and view, or a GeoJSON file (.geojson,
    /// .json) to open as a single layer, zoomed to its extent. Without it, the bundled
    /// corridor maps open (maps/corridor.toml).
    path: Option<PathBuf>,

    /// Do not fetch basemap tiles; the map shows its neutral background and the overlays.
    #[arg(long)]
    offline: bool,
}

fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let path = cli.path.unwrap_or_else(default_project);
    let options = AppOptions {
        path,
        offline: cli.offline,
        data_dir: None,
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Corridor")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native(
        "corridor",
        native,
        Box::new(move |cc| Ok(Box::new(CorridorApp::new(cc, options)))),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}

/// `maps/corridor.toml` beside the current directory, else beside the executable's checkout.
fn default_project() -> PathBuf {
    let here = PathBuf::from("maps/corridor.toml");
    if here.exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("maps/corridor.toml")
}
