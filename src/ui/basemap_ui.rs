//! The basemap menu (provider, local files, cache size) and "make this area available offline".

use super::i18n::tr;
use crate::ui::i18n::trf;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use egui::{RichText, Ui};

use crate::geometry::MercatorBox;
use crate::geometry::lonlat_from_mercator;
use crate::geometry::measure::group_thousands;
use crate::model::BasemapSpec;
use crate::tiles::http::bulk_download_allowed;
use crate::tiles::prefetch::{Plan, PrefetchJob};

use super::MUTED;

/// What the user changed in the basemap menu.
pub enum BasemapAction {
    /// Use this provider (or none).
    Provider(BasemapSpec),
    /// Ask for a tile file with the file dialog.
    PickFile,
    RemoveFile(PathBuf),
    /// New cache limit in bytes.
    CacheLimit(u64),
    OpenOffline,
    /// Open the form to add a tile provider.
    OpenProviderForm,
    /// Ask for a MapLibre style (JSON) for vector tile files.
    PickStyle,
    /// Go back to the built-in style of the files' schema.
    BuiltInStyle,
}

/// The "add a tile provider" form.
pub struct ProviderForm {
    pub open: bool,
    pub spec: BasemapSpec,
    pub error: Option<String>,
}

impl Default for ProviderForm {
    fn default() -> Self {
        Self {
            open: false,
            spec: BasemapSpec {
                name: String::new(),
                url: "https://".to_owned(),
                attribution: String::new(),
                attribution_url: String::new(),
                min_zoom: 0,
                max_zoom: 19,
                bulk_download: false,
                files: Vec::new(),
                style: None,
            },
            error: None,
        }
    }
}

/// Shows the form; returns the provider once the user adds a valid one.
pub fn provider_form_window(ctx: &egui::Context, form: &mut ProviderForm) -> Option<BasemapSpec> {
    let mut added = None;
    let mut open = form.open;
    egui::Window::new(tr("Add tile provider"))
        .open(&mut open)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("provider_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label(tr("Name"));
                    ui.text_edit_singleline(&mut form.spec.name)
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(tr("URL template"));
                    ui.add(egui::TextEdit::singleline(&mut form.spec.url).desired_width(320.0))
                        .labelled_by(l.id)
                        .on_hover_text(
                            "With {z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png",
                        );
                    ui.end_row();
                    let l = ui.label(tr("Attribution"));
                    ui.text_edit_singleline(&mut form.spec.attribution)
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(tr("Lowest zoom"));
                    ui.add(
                        egui::DragValue::new(&mut form.spec.min_zoom).range(0..=form.spec.max_zoom),
                    )
                    .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(tr("Highest zoom"));
                    ui.add(egui::DragValue::new(&mut form.spec.max_zoom).range(1..=22))
                        .labelled_by(l.id);
                    ui.end_row();
                });
            ui.checkbox(
                &mut form.spec.bulk_download,
                tr("Allows bulk download (its terms permit it: your own tile server, say)"),
            );
            if let Some(e) = &form.error {
                ui.label(RichText::new(e).color(ui.visuals().warn_fg_color));
            }
            if ui.button(tr("Add provider")).clicked() {
                let s = &form.spec;
                form.error = if s.name.trim().is_empty() {
                    Some(tr("Give the provider a name.").to_owned())
                } else if !(s.url.starts_with("http://") || s.url.starts_with("https://"))
                    || !["{z}", "{x}", "{y}"].iter().all(|k| s.url.contains(k))
                {
                    Some(
                        "The URL must start with http:// or https:// and contain {z}, {x} and {y}."
                            .to_owned(),
                    )
                } else {
                    None
                };
                if form.error.is_none() {
                    added = Some(form.spec.clone());
                }
            }
        });
    form.open = open && added.is_none();
    added
}

/// The providers offered: the project's, OpenStreetMap, the user's own, and none.
pub fn providers(project: &BasemapSpec, added: &[BasemapSpec]) -> Vec<BasemapSpec> {
    let mut list = vec![project.clone(), BasemapSpec::openstreetmap()];
    list.extend(added.iter().cloned());
    list.push(BasemapSpec::none());
    let mut seen = std::collections::HashSet::new();
    list.retain(|p| seen.insert(p.url.clone()));
    list
}

pub fn basemap_menu_ui(
    ui: &mut Ui,
    current: &BasemapSpec,
    offered: &[BasemapSpec],
    files: &[PathBuf],
    cache_limit: u64,
) -> Option<BasemapAction> {
    let style = current.style.as_deref();
    let mut action = None;
    ui.label(RichText::new(tr("Provider")).strong());
    for p in offered {
        if ui.radio(p.url == current.url, tr(&p.name)).clicked() {
            action = Some(BasemapAction::Provider(p.clone()));
        }
    }
    ui.separator();
    ui.label(RichText::new(tr("Local tile files (drawn over the provider)")).strong());
    if files.is_empty() {
        ui.label(
            RichText::new(
                tr("None: add an MBTiles or PMTiles file (raster or vector), or make an area available offline."),
            )
                .small()
                .color(MUTED),
        );
    }
    for f in files {
        ui.horizontal(|ui| {
            ui.label(
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
            .on_hover_text(f.display().to_string());
            if ui.small_button(tr("Remove")).clicked() {
                action = Some(BasemapAction::RemoveFile(f.clone()));
            }
        });
    }
    if ui
        .button(tr("Add basemap file… (MBTiles, PMTiles)"))
        .clicked()
    {
        ui.close();
        action = Some(BasemapAction::PickFile);
    }
    ui.label(RichText::new(tr("Style of vector tiles")).strong());
    if ui
        .radio(
            style.is_none(),
            tr("Built-in (Protomaps or OpenMapTiles layers, as the file has)"),
        )
        .clicked()
        && style.is_some()
    {
        action = Some(BasemapAction::BuiltInStyle);
    }
    if let Some(s) = style {
        let _ = ui
            .radio(
                true,
                s.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
            .on_hover_text(s.display().to_string());
    }
    if ui.button(tr("Choose a MapLibre style… (JSON)")).clicked() {
        ui.close();
        action = Some(BasemapAction::PickStyle);
    }
    ui.separator();
    if ui.button(tr("Add tile provider…")).clicked() {
        ui.close();
        action = Some(BasemapAction::OpenProviderForm);
    }
    if ui.button(tr("Make this area available offline…")).clicked() {
        ui.close();
        action = Some(BasemapAction::OpenOffline);
    }
    ui.separator();
    let mut mb = (cache_limit / (1024 * 1024)) as u32;
    ui.horizontal(|ui| {
        let l = ui.label(tr("Tile cache limit"));
        if ui
            .add(
                egui::DragValue::new(&mut mb)
                    .range(16..=32_768)
                    .suffix(" MB"),
            )
            .labelled_by(l.id)
            .changed()
        {
            action = Some(BasemapAction::CacheLimit(mb as u64 * 1024 * 1024));
        }
    });
    action
}

/// Which area to download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaChoice {
    CurrentView,
    AllLayers,
    /// A rectangle the user draws on the map.
    Drawn,
}

/// What the offline window asks of the app this frame.
#[derive(Default)]
pub struct OfflineOutput {
    /// A download finished: use this file as a basemap.
    pub done: Option<PathBuf>,
    /// Let the next drag on the map draw the area.
    pub start_drawing: bool,
    /// Start downloading this plan into this file.
    pub download: Option<(Plan, PathBuf)>,
}

/// The "make this area available offline" window's state.
pub struct OfflineState {
    pub open: bool,
    pub area: AreaChoice,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub job: Option<PrefetchJob>,
    pub message: Option<String>,
}

impl Default for OfflineState {
    fn default() -> Self {
        Self {
            open: false,
            area: AreaChoice::CurrentView,
            min_zoom: 10,
            max_zoom: 15,
            job: None,
            message: None,
        }
    }
}

/// `[west, south, east, north]` of a world box.
pub fn lonlat_bbox(b: &MercatorBox) -> [f64; 4] {
    let [w, n] = lonlat_from_mercator(b.min[0], b.min[1]);
    let [e, s] = lonlat_from_mercator(b.max[0], b.max[1]);
    [w, s, e, n]
}

/// Shows the window: the area, zoom range, count and size, the download and its progress.
///
/// Long because it is one window, drawn top to bottom: area, zooms, size estimate, policy,
/// progress.
pub fn offline_window(
    ctx: &egui::Context,
    state: &mut OfflineState,
    provider: &BasemapSpec,
    areas: [Option<MercatorBox>; 3],
    out_dir: Option<PathBuf>,
) -> OfflineOutput {
    let mut out = OfflineOutput::default();
    let [view, layers, drawn] = areas;
    let mut open = state.open;
    egui::Window::new(tr("Make this area available offline"))
        .open(&mut open)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(trf(
                "From: {}",
                &[&if provider.is_none() {
                    tr("(no provider)")
                } else {
                    &provider.name
                }],
            ));
            ui.horizontal(|ui| {
                ui.radio_value(&mut state.area, AreaChoice::CurrentView, tr("Current view"));
                ui.radio_value(
                    &mut state.area,
                    AreaChoice::AllLayers,
                    tr("Extent of all layers"),
                );
                ui.radio_value(&mut state.area, AreaChoice::Drawn, tr("A rectangle"));
            });
            if state.area == AreaChoice::Drawn {
                let label = if drawn.is_some() {
                    tr("Draw again")
                } else {
                    tr("Draw it on the map")
                };
                if ui
                    .button(label)
                    .on_hover_text(tr("Drag on the map to draw the area"))
                    .clicked()
                {
                    out.start_drawing = true;
                }
            }
            ui.horizontal(|ui| {
                let l = ui.label(tr("Zoom from"));
                ui.add(
                    egui::DragValue::new(&mut state.min_zoom)
                        .range(provider.min_zoom..=provider.max_zoom),
                )
                .labelled_by(l.id);
                let l = ui.label(tr("to"));
                ui.add(
                    egui::DragValue::new(&mut state.max_zoom)
                        .range(state.min_zoom..=provider.max_zoom),
                )
                .labelled_by(l.id);
            });
            state.max_zoom = state.max_zoom.max(state.min_zoom);
            let area = match state.area {
                AreaChoice::CurrentView => view,
                AreaChoice::AllLayers => layers.filter(|l| !l.is_empty()),
                AreaChoice::Drawn => drawn,
            };
            let Some(area) = area else {
                ui.label(if state.area == AreaChoice::Drawn {
                    tr("Drag on the map to draw the area.")
                } else {
                    tr("Nothing to download: the map has no extent yet.")
                });
                return;
            };
            let plan = Plan {
                bbox: lonlat_bbox(&area),
                min_zoom: state.min_zoom,
                max_zoom: state.max_zoom,
            };
            let count = plan.tile_count();
            ui.label(trf(
                "{} tiles, about {} MB",
                &[
                    &group_thousands(count),
                    &format!("{:.0}", plan.estimated_bytes() as f64 / 1_048_576.0),
                ],
            ));
            let policy = if provider.is_none() {
                Err(tr("Choose a tile provider in the Basemap menu first.").to_owned())
            } else {
                bulk_download_allowed(&provider.url, provider.bulk_download)
            };
            if let Err(why) = &policy {
                ui.label(RichText::new(tr(why)).color(ui.visuals().warn_fg_color));
            }
            if count > 250_000 {
                ui.label(
                    RichText::new(tr(
                        "More than 250 000 tiles: choose a smaller area or fewer zoom levels.",
                    ))
                    .color(ui.visuals().warn_fg_color),
                );
            }
            let running = state.job.as_ref().is_some_and(|j| j.is_running());
            if let Some(job) = &state.job {
                let p = &job.progress;
                ui.add(egui::ProgressBar::new(p.fraction()).show_percentage());
                ui.label(trf(
                    "{} downloaded, {} already there, {} failed",
                    &[
                        &p.done.load(Ordering::Relaxed),
                        &p.skipped.load(Ordering::Relaxed),
                        &p.failed.load(Ordering::Relaxed),
                    ],
                ));
            }
            if let Some(m) = &state.message {
                ui.label(m);
            }
            ui.horizontal(|ui| {
                if running {
                    if ui.button(tr("Cancel")).clicked()
                        && let Some(job) = &state.job
                    {
                        job.progress.cancel.store(true, Ordering::Relaxed);
                    }
                } else if ui
                    .add_enabled(
                        policy.is_ok() && count > 0 && count <= 250_000,
                        egui::Button::new(tr("Download")),
                    )
                    .on_hover_text(tr("Downloads into an MBTiles file; run it again to resume"))
                    .clicked()
                {
                    let dir = out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
                    let [w, s, e, n] = plan.bbox;
                    let file = dir.join(format!(
                        "offline-{w:.3}_{s:.3}_{e:.3}_{n:.3}-z{}-{}.mbtiles",
                        plan.min_zoom, plan.max_zoom
                    ));
                    state.message = None;
                    out.download = Some((plan, file));
                }
            });
            if running {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(200));
            }
        });
    state.open = open;
    if let Some(job) = &mut state.job
        && let Some(result) = job.finished()
    {
        state.message = Some(match &result {
            Ok(s) if s.cancelled => trf(
                "Cancelled after {} tiles; Download again to resume.",
                &[&(s.downloaded + s.skipped)],
            ),
            Ok(s) => trf(
                "Done: {} tiles downloaded, {} already there, {} failed. Saved to {} and used as a basemap.",
                &[&s.downloaded, &s.skipped, &s.failed, &job.out.display()],
            ),
            Err(e) => trf("Could not download: {}", &[e]),
        });
        if result.is_ok() {
            out.done = Some(job.out.clone());
        }
    }
    out
}
