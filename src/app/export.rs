//! Exporting views and slides as PNG images, rendered offscreen (no window, no display needed):
//! the app itself, drawn by egui's wgpu renderer at the requested size.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::app::{AppOptions, CorridorApp, Persisted};
use crate::geometry::Camera;
use crate::model::Lang;
use crate::tiles::BasemapState;

/// What to draw.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The project (or GeoJSON file) to draw.
    pub path: PathBuf,
    /// Present this slide (0-based), with its title, text, legend and number.
    pub slide: Option<usize>,
    /// Otherwise frame this camera (the project's own view when `None`).
    pub camera: Option<Camera>,
    pub lang: Option<Lang>,
    /// Image size in pixels.
    pub size: [u32; 2],
    /// Pixels per point: 2 for print doubles the detail at the same layout.
    pub scale: f32,
    /// Never fetch tiles: local files and the cache only.
    pub offline: bool,
    pub data_dir: Option<PathBuf>,
}

impl ExportRequest {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            slide: None,
            camera: None,
            lang: None,
            size: [1920, 1080],
            scale: 1.0,
            offline: true,
            data_dir: None,
        }
    }
}

/// Renders one image.
pub fn render(req: &ExportRequest) -> Result<image::RgbaImage, String> {
    if req.size[0] < 16 || req.size[1] < 16 || req.size[0] > 8192 || req.size[1] > 8192 {
        return Err(format!(
            "{} × {} pixels is not a size to export (16 to 8192 each way)",
            req.size[0], req.size[1]
        ));
    }
    let scale = req.scale.clamp(0.5, 4.0);
    let points = egui::vec2(req.size[0] as f32 / scale, req.size[1] as f32 / scale);
    let options = AppOptions {
        path: req.path.clone(),
        offline: req.offline,
        data_dir: req.data_dir.clone(),
    };
    let persisted = Persisted {
        lang: req.lang,
        ..Default::default()
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(points)
        .with_pixels_per_point(scale)
        .with_theme(egui::Theme::Light)
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(10_000)
        .allow_missing_glyphs()
        .with_accessibility_check(false)
        .wgpu()
        .build_eframe(move |cc| CorridorApp::with_state(&cc.egui_ctx, options, persisted));
    h.step();
    // Files given directly load in the background; wait for them.
    let start = Instant::now();
    while (h.state().loading() > 0 || h.state().detail_pending())
        && start.elapsed() < Duration::from_secs(120)
    {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    if let Some(slide) = req.slide {
        let count = h
            .state()
            .doc
            .story
            .as_ref()
            .map_or(0, |(s, _)| s.slides.len());
        if slide >= count {
            return Err(format!(
                "slide {} does not exist: the story has {count} slides",
                slide + 1
            ));
        }
        let ctx = h.ctx.clone();
        h.state_mut().start_presenting(&ctx, slide, 0.0);
        h.state_mut().go_to_slide(slide, 0.0, false);
    } else {
        // A figure of the view: the map with its title, legend, scale bar and attribution.
        let camera = req.camera.unwrap_or_else(|| h.state().map.camera());
        h.state_mut().show_figure(camera);
    }
    // Let tiles from local files and the cache arrive; a missing tile stays the land colour.
    let start = Instant::now();
    loop {
        h.step();
        let state = h.state().basemap().state();
        if state != BasemapState::Loading || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..3 {
        h.step();
    }
    h.render()
}

/// Renders and writes a PNG.
pub fn export_png(req: &ExportRequest, out: &Path) -> Result<(), String> {
    let image = render(req)?;
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    crate::io::write_atomic(out, &bytes).map_err(|e| e.to_string())
}

/// Every slide of the project's story as `slide-01.png`, `slide-02.png`, … in `dir`.
pub fn export_all_slides(req: &ExportRequest, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("{}: cannot create the folder: {e}", dir.display()))?;
    let doc = crate::io::load_document(&req.path);
    let count = doc.story.as_ref().map_or(0, |(s, _)| s.slides.len());
    if count == 0 {
        return Err(format!(
            "{}: the project has no story to export",
            req.path.display()
        ));
    }
    let mut written = Vec::new();
    for i in 0..count {
        let out = dir.join(format!("slide-{:02}.png", i + 1));
        export_png(
            &ExportRequest {
                slide: Some(i),
                ..req.clone()
            },
            &out,
        )?;
        written.push(out);
    }
    Ok(written)
}
