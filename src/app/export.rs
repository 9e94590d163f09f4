//! Exporting views and slides as PNG images, rendered offscreen (no window, no display needed):
//! the app itself, drawn by egui's wgpu renderer at the requested size.

use super::*;
use crate::ui::i18n::tr;
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
        .build_eframe(move |cc| {
            crate::tiles::install_vector_renderer(cc.wgpu_render_state.as_ref());
            crate::render::gpu::install(cc.wgpu_render_state.as_ref(), &cc.egui_ctx);
            CorridorApp::with_state(&cc.egui_ctx, options, persisted)
        });
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
    // Let every tile on the image arrive (read and decoded: vector tiles take a few
    // milliseconds each); one that does not come stays the land colour.
    let start = Instant::now();
    let mut quiet = 0;
    loop {
        h.step();
        let state = h.state().basemap().state();
        let pending = h.state().basemap().stats().pending;
        quiet = if state != BasemapState::Loading && pending == 0 {
            quiet + 1
        } else {
            0
        };
        if quiet >= 3 || start.elapsed() > Duration::from_secs(20) {
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

/// Exports asked for from the menu: where to, and taking in the finished files.
impl CorridorApp {
    /// The export request for what this window shows: the project on disk, the current
    /// language, offline (local tiles and the cache).
    pub(super) fn export_request(&self) -> export::ExportRequest {
        let mut req = export::ExportRequest::new(
            self.doc.path.clone().unwrap_or_else(|| self.opened.clone()),
        );
        req.lang = self.persisted.lang;
        req.data_dir = self.data_dir.clone();
        req
    }

    /// Exports the current view as a 1920 × 1080 PNG (× `scale`), in the background.
    pub fn export_view(&mut self, scale: f32) {
        let mut req = self.export_request();
        req.camera = Some(self.map.camera());
        req.scale = scale;
        req.size = [(1920.0 * scale) as u32, (1080.0 * scale) as u32];
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let name = format!("corridor-view-{stamp}.png");
        let Some(out) = self.pick_output(&name, false) else {
            return;
        };
        self.exports.push(std::thread::spawn(move || {
            export::export_png(&req, &out)
                .map(|()| format!("Exported the view to {}", out.display()))
        }));
    }

    /// Exports every slide as numbered PNGs, in the background.
    pub fn export_slides(&mut self) {
        let req = self.export_request();
        let Some(dir) = self.pick_output("slides", true) else {
            return;
        };
        self.exports.push(std::thread::spawn(move || {
            export::export_all_slides(&req, &dir)
                .map(|files| format!("Exported {} slides to {}", files.len(), dir.display()))
        }));
    }

    /// Asks where to write (a file, or a folder), or uses the exports folder when no dialog
    /// can open.
    pub(super) fn pick_output(&mut self, name: &str, folder: bool) -> Option<PathBuf> {
        if crate::ui::file_dialog_unavailable().is_none() {
            let dialog = rfd::FileDialog::new().set_title(tr("Export"));
            return if folder {
                dialog.pick_folder()
            } else {
                dialog
                    .set_file_name(name)
                    .add_filter("PNG", &["png"])
                    .save_file()
            };
        }
        let Some(dir) = &self.exports_dir else {
            self.report(
                tr("There is nowhere to export to: no file dialog and no pictures folder.")
                    .to_owned(),
            );
            return None;
        };
        if let Err(e) = std::fs::create_dir_all(dir) {
            self.report(format!(
                "{}: cannot create the exports folder: {e}",
                dir.display()
            ));
            return None;
        }
        Some(dir.join(name))
    }

    /// Reports finished exports.
    pub(super) fn poll_exports(&mut self) {
        let mut i = 0;
        while i < self.exports.len() {
            if self.exports[i].is_finished() {
                match self.exports.remove(i).join() {
                    Ok(Ok(done)) => {
                        log::info!("{done}");
                        self.info = Some(done);
                    }
                    Ok(Err(e)) => self.report(format!("Export failed: {e}")),
                    Err(_) => self
                        .notices
                        .push(tr("Export failed: the renderer stopped unexpectedly").to_owned()),
                }
            } else {
                i += 1;
            }
        }
    }
}
