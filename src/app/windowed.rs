//! Tables too large to hold, in the app: each has a thread of its own that reads the tiles
//! around the view and the overview ([`crate::db::window`] decides which), and makes their draw
//! data there; the window's thread only puts them in place and lets go of far tiles.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use super::CorridorApp;
use crate::db::TableInfo;
use crate::db::rows::{Filter, decode_row, read_raw};
use crate::db::window::{Tile, Window, paint_overview, read_boxes};
use crate::geometry::MercatorBox;
use crate::model::{Feature, Lang, LayerStyle};
use crate::render::cache::{FeatureRender, Overview, styled_render};

/// What the window asks a table's reading thread.
enum Ask {
    Tiles {
        tiles: Vec<Tile>,
        style: LayerStyle,
        lang: Option<Lang>,
        /// The view waits for them: every core makes them ready (else all but one).
        urgent: bool,
    },
    Overview {
        style: LayerStyle,
    },
    /// These rows, whether near the view or not (those a recovery journal names).
    Keys {
        keys: Vec<String>,
        reply: Sender<Result<Vec<crate::db::Row>, String>>,
    },
}

/// Rows read for some tiles, ready to put in place: each row's key, version, hash and
/// feature, with its draw data made in `style` and `lang`.
struct TileRows {
    tiles: Vec<Tile>,
    /// Tiles asked for but left for a question the view waits on.
    dropped: Vec<Tile>,
    urgent: bool,
    rows: Vec<(String, String, u64, Feature)>,
    renders: Vec<FeatureRender>,
    style: LayerStyle,
    lang: Option<Lang>,
}

/// What the reading thread answers.
enum Answer {
    Rows(Box<TileRows>),
    Overview(crate::db::window::OverviewImage),
    Failed {
        tiles: Vec<Tile>,
        urgent: bool,
        message: String,
    },
}

/// What [`CorridorApp::table_windows`] tells of a windowed table.
#[derive(Clone, Copy, Debug)]
pub struct WindowFacts {
    /// The view is drawn in full: its rows held, or the overview there.
    pub complete: bool,
    /// Complete, and nothing more to read around the view.
    pub settled: bool,
    /// Rows the overview shows (0 until it is made).
    pub overview_rows: usize,
    /// Overviews made so far (the first, then one after rows changed).
    pub overviews: usize,
    pub tile_zoom: u8,
}

/// A windowed table layer's side: its tiles, its reading thread, its overview.
pub struct Windowed {
    pub window: Window,
    asks: Sender<Ask>,
    answers: Receiver<Answer>,
    /// Questions about tiles not yet answered, and whether one of them is urgent.
    in_flight: usize,
    urgent_in_flight: bool,
    /// Set when the view asks for its tiles: a question about what lies ahead stops at its
    /// next tile.
    urgent_waiting: std::sync::Arc<std::sync::atomic::AtomicBool>,
    overview_asked: bool,
    /// Rows changed (our saves, other editors') since the overview was asked for: it is made
    /// again, at most every [`crate::db::window::Limits::overview_refresh`], while it shows.
    overview_stale: bool,
    overview_asked_at: Option<Instant>,
    pub overview: Option<Overview>,
    /// Rows the overview shows, and overviews made so far.
    pub overview_rows: usize,
    overviews: usize,
    /// The last failure, and when to try again.
    pub failure: Option<(String, Instant)>,
}

impl Windowed {
    /// Starts the table's reading thread (with its own connection, made at the first question).
    pub fn start(
        info: TableInfo,
        password: Option<String>,
        window: Window,
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let (asks, asked) = channel::<Ask>();
        let (answer, answers) = channel::<Answer>();
        let (tiling, longest) = (window.tiling.clone(), window.limits.overview_pixels);
        let urgent_waiting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let waiting = urgent_waiting.clone();
        std::thread::spawn(move || {
            let mut client = None;
            let pool = spare_pool();
            while let Ok(ask) = asked.recv() {
                let reply = match ask {
                    Ask::Tiles {
                        tiles,
                        style,
                        lang,
                        urgent,
                    } => {
                        if urgent {
                            waiting.store(false, std::sync::atomic::Ordering::Relaxed);
                        }
                        let stop = || !urgent && waiting.load(std::sync::atomic::Ordering::Relaxed);
                        let t0 = Instant::now();
                        let pool = pool.as_ref().filter(|_| !urgent);
                        match read_tiles(
                            &mut client,
                            (&info, password.as_deref()),
                            &tiling,
                            &tiles,
                            (pool, &style, lang),
                            stop,
                        ) {
                            Ok((rows, renders, done)) => {
                                let dropped = tiles[done..].to_vec();
                                let tiles = tiles[..done].to_vec();
                                log::info!(
                                    "{} tiles, {} rows: ready after {:.3} s",
                                    tiles.len(),
                                    rows.len(),
                                    t0.elapsed().as_secs_f64()
                                );
                                Answer::Rows(Box::new(TileRows {
                                    tiles,
                                    dropped,
                                    urgent,
                                    rows,
                                    renders,
                                    style,
                                    lang,
                                }))
                            }
                            Err(message) => Answer::Failed {
                                tiles,
                                urgent,
                                message,
                            },
                        }
                    }
                    Ask::Keys { keys, reply } => {
                        let rows =
                            connected(&mut client, &info, password.as_deref()).and_then(|c| {
                                crate::db::rows::fetch(c, &info, &keys).map_err(|e| e.to_string())
                            });
                        let _ = reply.send(rows);
                        continue;
                    }
                    Ask::Overview { style } => {
                        let t0 = Instant::now();
                        let made = overview(
                            &mut client,
                            &info,
                            password.as_deref(),
                            &tiling,
                            longest,
                            &style,
                        );
                        log::info!("overview made in {:.3} s", t0.elapsed().as_secs_f64());
                        match made {
                            Ok(image) => Answer::Overview(image),
                            Err(message) => Answer::Failed {
                                tiles: Vec::new(),
                                urgent: false,
                                message,
                            },
                        }
                    }
                };
                if answer.send(reply).is_err() {
                    break;
                }
                repaint();
            }
        });
        Self {
            window,
            asks,
            answers,
            in_flight: 0,
            urgent_in_flight: false,
            urgent_waiting,
            overview_asked: false,
            overview_stale: false,
            overview_asked_at: None,
            overview: None,
            overview_rows: 0,
            overviews: 0,
            failure: None,
        }
    }

    /// Rows changed (a save, another editor's): the overview is made again when it next shows.
    pub fn rows_changed(&mut self) {
        self.overview_stale = true;
    }

    /// Reads these rows now, wherever they are (waiting up to 30 s).
    pub fn fetch(&self, keys: Vec<String>) -> Result<Vec<crate::db::Row>, String> {
        let (reply, answer) = channel();
        self.asks
            .send(Ask::Keys { keys, reply })
            .map_err(|_| "the table's reading thread stopped".to_owned())?;
        answer
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| "the table did not answer within 30 s".to_owned())?
    }

    /// Whether the view is drawn in full: its tiles held, or (zoomed out) the overview there.
    pub fn complete(&self, view: &MercatorBox) -> bool {
        if self.window.is_detail(view) {
            self.window.complete(view)
        } else {
            self.overview.is_some()
        }
    }
}

fn connected<'a>(
    client: &'a mut Option<postgres::Client>,
    info: &TableInfo,
    password: Option<&str>,
) -> Result<&'a mut postgres::Client, String> {
    if client.as_mut().is_none_or(|c| c.is_closed()) {
        *client = Some(crate::db::connect(&info.source.url, password).map_err(|e| e.to_string())?);
    }
    client
        .as_mut()
        .ok_or_else(|| "no connection to the database".to_owned())
}

/// A pool of every core but one: the window keeps one to draw with.
fn spare_pool() -> Option<rayon::ThreadPool> {
    let spare = std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(spare)
        .build()
        .ok()
}

/// A row ready to put in place: its key, version, hash and feature.
pub type ReadyRow = (String, String, u64, Feature);

/// The rows whose boxes meet the tiles, each once, in the tiles' order, ready to put in
/// place, and how many tiles were read: all, unless `stop` said to stop first. Each tile's rows
/// are made ready on the pool while the server answers for the next.
fn read_tiles<'a>(
    client: &mut Option<postgres::Client>,
    (info, password): (&'a TableInfo, Option<&str>),
    tiling: &crate::db::window::Tiling,
    tiles: &[Tile],
    (pool, style, lang): (Option<&rayon::ThreadPool>, &'a LayerStyle, Option<Lang>),
    stop: impl Fn() -> bool,
) -> Result<(Vec<ReadyRow>, Vec<FeatureRender>, usize), String> {
    use rayon::prelude::*;
    let client = connected(client, info, password)?;
    type Made = Result<(Vec<ReadyRow>, Vec<FeatureRender>), String>;
    let made: std::sync::Arc<std::sync::Mutex<Vec<(usize, Made)>>> = Default::default();
    let mut done = 0;
    let mut failed = None;
    let work = |scope: &rayon::Scope<'a>| {
        for (i, &t) in tiles.iter().enumerate() {
            if stop() {
                break;
            }
            let raw = match read_raw(client, info, Filter::Within(tiling.tile_lonlat(t))) {
                Ok(raw) => raw,
                Err(e) => {
                    failed = Some(e.to_string());
                    break;
                }
            };
            done = i + 1;
            let made = made.clone();
            scope.spawn(move |_| {
                let rows: Result<Vec<crate::db::Row>, _> =
                    raw.par_iter().map(|r| decode_row(info, r)).collect();
                let result = rows
                    .map(|rows| make_ready(rows, style, lang))
                    .map_err(|e| e.to_string());
                if let Ok(mut m) = made.lock() {
                    m.push((i, result));
                }
            });
        }
    };
    // The questions go from this thread; the pool makes rows ready meanwhile.
    match pool {
        Some(p) => p.in_place_scope(work),
        None => rayon::in_place_scope(work),
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let mut made = std::mem::take(&mut *made.lock().map_err(|e| e.to_string())?);
    made.sort_by_key(|(i, _)| *i);
    let mut seen = std::collections::HashSet::new();
    let (mut rows, mut renders) = (Vec::new(), Vec::new());
    for (_, m) in made {
        let (r, d) = m?;
        for (row, render) in r.into_iter().zip(d) {
            if seen.insert(row.0.clone()) {
                rows.push(row);
                renders.push(render);
            }
        }
    }
    Ok((rows, renders, done))
}

/// Rows into features with their hashes and draw data (on the current rayon pool).
pub fn make_ready(
    rows: Vec<crate::db::Row>,
    style: &LayerStyle,
    lang: Option<Lang>,
) -> (Vec<ReadyRow>, Vec<FeatureRender>) {
    use rayon::prelude::*;
    let rows: Vec<ReadyRow> = rows
        .into_par_iter()
        .map(|r| {
            let hash = crate::db::record_hash(&r.record);
            (r.key, r.version, hash, Feature::from_record(r.record))
        })
        .collect();
    let renders = rows
        .par_iter()
        .map(|(_, _, _, f)| styled_render(style, f, lang, false))
        .collect();
    (rows, renders)
}

/// The colour a row of category `value` takes in the overview: its dot on a crowded map.
fn dot_color(style: &LayerStyle, value: Option<&str>) -> egui::Color32 {
    let c = style
        .categories
        .as_ref()
        .zip(value)
        .and_then(|(cats, v)| cats.colors.get(v).copied())
        .unwrap_or(style.fill);
    egui::Color32::from_rgba_unmultiplied(c.r, c.g, c.b, 204)
}

/// Every row's box, painted.
fn overview(
    client: &mut Option<postgres::Client>,
    info: &TableInfo,
    password: Option<&str>,
    tiling: &crate::db::window::Tiling,
    longest: usize,
    style: &LayerStyle,
) -> Result<crate::db::window::OverviewImage, String> {
    let client = connected(client, info, password)?;
    let category = style.categories.as_ref().map(|c| c.property.as_str());
    let mut colors: std::collections::HashMap<Option<String>, egui::Color32> =
        std::collections::HashMap::new();
    let mut boxes = Vec::new();
    read_boxes(client, info, category, |row| {
        let color = match colors.get(&row.category) {
            Some(c) => *c,
            None => {
                let c = dot_color(style, row.category.as_deref());
                colors.insert(row.category, c);
                c
            }
        };
        boxes.push((row.bbox, color));
        true
    })
    .map_err(|e| e.to_string())?;
    Ok(paint_overview(tiling.extent, longest, boxes))
}

impl CorridorApp {
    /// Brings the rows with these keys into a windowed table's layer `li`, if they are not
    /// there (a recovery journal's edits must find their rows, wherever the view is).
    pub(super) fn hold_rows(
        &mut self,
        li: crate::model::LayerIndex,
        keys: Vec<String>,
    ) -> Result<(), String> {
        let Some(k) = self.link_of(li) else {
            return Ok(());
        };
        let link = &mut self.db.links[k];
        let Some(w) = link.windowed.as_ref() else {
            return Ok(());
        };
        let missing: Vec<String> = keys
            .into_iter()
            .filter(|key| {
                link.sync
                    .feature_of_row(&self.doc.layers[li], key)
                    .is_none()
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let rows = w.fetch(missing)?;
        let ready = rows
            .into_iter()
            .map(|r| {
                let hash = crate::db::record_hash(&r.record);
                (r.key, r.version, hash, Feature::from_record(r.record))
            })
            .collect();
        link.sync.add_window_rows(&mut self.doc.layers[li], ready);
        let overview = self.renders[li].overview.take();
        self.renders[li] =
            crate::render::LayerRender::build_in(&self.doc.layers[li], self.persisted.lang);
        self.renders[li].overview = overview;
        self.layers_changed();
        Ok(())
    }

    /// Per layer, the PostGIS table it is and, if too large to hold, what the layers panel
    /// tells of it.
    pub(super) fn layer_tables(
        &self,
    ) -> Vec<Option<(String, Option<crate::ui::layers_ui::WindowedRow>)>> {
        let view = self.map.transform.map(|t| t.visible_world());
        self.doc
            .layers
            .iter()
            .map(|l| {
                let table = l.source.table()?;
                let windowed = self
                    .db
                    .links
                    .iter()
                    .find(|k| k.source == l.source)
                    .and_then(|k| k.windowed.as_ref())
                    .map(|w| crate::ui::layers_ui::WindowedRow {
                        rows: w.window.tiling.rows,
                        shows_rows: view.is_some_and(|v| w.window.is_detail(&v)),
                        failure: w.failure.as_ref().map(|(m, _)| m.clone()),
                    });
                Some((table.describe(), windowed))
            })
            .collect()
    }

    /// Each windowed table, as of the last frame's view.
    pub fn table_windows(&self) -> impl Iterator<Item = WindowFacts> + '_ {
        let view = self.map.transform.map(|t| t.visible_world());
        self.db.links.iter().filter_map(move |l| {
            let w = l.windowed.as_ref()?;
            Some(WindowFacts {
                complete: view.is_some_and(|v| w.complete(&v)),
                settled: view
                    .is_some_and(|v| w.complete(&v) && w.in_flight == 0 && w.window.settled(&v)),
                overview_rows: w.overview_rows,
                overviews: w.overviews,
                tile_zoom: w.window.tiling.zoom,
            })
        })
    }

    /// Whether the view shows a windowed table's rows themselves (not its overview).
    pub fn table_shows_rows(&self) -> bool {
        let Some(view) = self.map.transform.map(|t| t.visible_world()) else {
            return false;
        };
        self.db
            .links
            .iter()
            .filter_map(|l| l.windowed.as_ref())
            .any(|w| w.window.is_detail(&view))
    }

    /// Each frame: puts in place what the tables' threads read, lets go of far tiles, asks
    /// for the tiles the view needs (or the overview), and says what to draw.
    pub(super) fn drive_windows(&mut self, ctx: &egui::Context) {
        let view = self.map.transform.map(|t| t.visible_world());
        let lang = self.persisted.lang;
        let selected = self.selection.as_ref().map(|s| s.feature);
        for k in 0..self.db.links.len() {
            if self.db.links[k].windowed.is_none() {
                continue;
            }
            let Some(li) = self.layer_of(&self.db.links[k].source) else {
                continue;
            };
            loop {
                let answer = match self.db.links[k]
                    .windowed
                    .as_ref()
                    .map(|w| w.answers.try_recv())
                {
                    Some(Ok(a)) => a,
                    Some(Err(TryRecvError::Empty)) | None => break,
                    Some(Err(TryRecvError::Disconnected)) => {
                        if let Some(w) = self.db.links[k].windowed.as_mut() {
                            w.failure = Some((
                                "the table's reading thread stopped".to_owned(),
                                Instant::now() + Duration::from_secs(3600),
                            ));
                        }
                        break;
                    }
                };
                self.take_window_answer(ctx, k, li, answer, view, selected, lang);
            }
            let (link, layer) = (&mut self.db.links[k], &self.doc.layers[li]);
            let Some(w) = link.windowed.as_mut() else {
                continue;
            };
            let waiting = w
                .failure
                .as_ref()
                .is_some_and(|(_, at)| Instant::now() < *at);
            if let Some(view) = view
                && !waiting
            {
                if w.window.is_detail(&view) {
                    // The view's own tiles are asked for at once (what lies ahead in flight
                    // stops at its next tile); what lies ahead, one question at a time.
                    let urgent = !w.window.complete(&view);
                    if (urgent && !w.urgent_in_flight) || (!urgent && w.in_flight == 0) {
                        let tiles = w.window.wanted(&view);
                        if !tiles.is_empty() {
                            if urgent && w.in_flight > 0 {
                                w.urgent_waiting
                                    .store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                            w.in_flight += 1;
                            w.urgent_in_flight |= urgent;
                            let _ = w.asks.send(Ask::Tiles {
                                tiles,
                                style: layer.style.clone(),
                                lang,
                                urgent,
                            });
                        }
                    }
                } else if !w.overview_asked
                    && (w.overview.is_none()
                        || (w.overview_stale
                            && w.overview_asked_at
                                .is_none_or(|t| t.elapsed() >= w.window.limits.overview_refresh)))
                {
                    w.overview_asked = true;
                    w.overview_stale = false;
                    w.overview_asked_at = Some(Instant::now());
                    let _ = w.asks.send(Ask::Overview {
                        style: layer.style.clone(),
                    });
                }
            }
            // The overview shows where the rows are not (yet) held.
            let zoomed_out = view.is_some_and(|v| !w.window.is_detail(&v));
            let shown = zoomed_out || view.is_some_and(|v| !w.window.complete(&v));
            let render = &mut self.renders[li];
            render.overview = if shown { w.overview.clone() } else { None };
            render.overview_only = zoomed_out && w.overview.is_some();
            render.extent = render.extent.union(&w.window.tiling.extent);
            if w.in_flight > 0 || (w.overview_asked && w.overview.is_none()) {
                ctx.request_repaint_after(Duration::from_millis(50));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn take_window_answer(
        &mut self,
        ctx: &egui::Context,
        k: usize,
        li: crate::model::LayerIndex,
        answer: Answer,
        view: Option<MercatorBox>,
        selected: Option<crate::model::FeatureRef>,
        lang: Option<Lang>,
    ) {
        let link = &mut self.db.links[k];
        let Some(w) = link.windowed.as_mut() else {
            return;
        };
        match answer {
            Answer::Rows(rows) => {
                let TileRows {
                    tiles,
                    dropped,
                    urgent,
                    rows,
                    renders,
                    style,
                    lang: made_in,
                } = *rows;
                w.in_flight = w.in_flight.saturating_sub(1);
                w.urgent_in_flight &= !urgent;
                w.failure = None;
                w.window.arrived(&tiles);
                w.window.failed(&dropped);
                let layer = &mut self.doc.layers[li];
                let render = &mut self.renders[li];
                // Far tiles first, so that what arrives is not let go at once.
                let t_start = Instant::now();
                let kept = match view {
                    Some(v) if w.window.let_go(&v) => {
                        let keep: Vec<bool> = layer
                            .features()
                            .iter()
                            .zip(&render.features)
                            .map(|(f, r)| {
                                selected.is_some_and(|s| s.feature == f.id())
                                    || r.bbox.is_empty()
                                    || w.window.holds(&r.bbox)
                            })
                            .collect();
                        let t_mask = t_start.elapsed().as_secs_f64() * 1000.0;
                        let kept = link.sync.let_go(layer, &keep);
                        log::debug!(
                            "let go: mask {t_mask:.1} ms, layer and rows {:.1} ms",
                            t_start.elapsed().as_secs_f64() * 1000.0 - t_mask
                        );
                        Some(kept)
                    }
                    _ => None,
                };
                let t_add = Instant::now();
                let added = link.sync.add_window_rows(layer, rows);
                log::debug!(
                    "rows added in {:.1} ms",
                    t_add.elapsed().as_secs_f64() * 1000.0
                );
                let renders = renders
                    .into_iter()
                    .zip(added)
                    .filter_map(|(r, a)| a.then_some(r))
                    .collect();
                let t0 = Instant::now();
                render.splice(kept.as_deref(), renders);
                log::info!(
                    "{} features held, put in place in {:.1} ms",
                    layer.features().len(),
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                if style != layer.style || made_in != lang {
                    let overview = render.overview.take();
                    *render = crate::render::LayerRender::build_in(layer, lang);
                    render.overview = overview;
                }
                self.layers_changed();
            }
            Answer::Overview(image) => {
                w.overview_asked = false;
                w.overview_rows = image.rows;
                w.overviews += 1;
                let t0 = Instant::now();
                let texture = ctx.load_texture(
                    format!("overview of {}", link.pg.describe()),
                    image.image,
                    egui::TextureOptions {
                        mipmap_mode: Some(egui::TextureFilter::Linear),
                        ..egui::TextureOptions::LINEAR
                    },
                );
                w.overview = Some(Overview {
                    texture,
                    world: image.world,
                });
                log::info!(
                    "overview of {} rows in place in {:.1} ms",
                    w.overview_rows,
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                w.failure = None;
            }
            Answer::Failed {
                tiles,
                urgent,
                message,
            } => {
                if tiles.is_empty() {
                    w.overview_asked = false;
                } else {
                    w.in_flight = w.in_flight.saturating_sub(1);
                    w.urgent_in_flight &= !urgent;
                    w.window.failed(&tiles);
                }
                log::warn!("{}: {message}", link.pg.describe());
                w.failure = Some((message, Instant::now() + Duration::from_secs(3)));
            }
        }
    }
}
