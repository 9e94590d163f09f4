//! Tables too large to hold whole (a million parcels): the layer holds the rows in and around
//! the view, read tile by tile through the spatial index and let go when the view moves far
//! away; where the view would hold more rows than that, an overview shows every row, painted
//! once from one pass over the table that reads four numbers and a category per row.
//!
//! [`Window`] is the bookkeeping (which tiles are held, which are asked for, which to let go),
//! with no connection, so it is tested alone; the queries are [`read_boxes`] and
//! [`super::rows::read_all`]; [`paint_overview`] turns the boxes into an image.

use postgres::fallible_iterator::FallibleIterator;

use super::source::{DbError, quote_ident};
use super::table::TableInfo;
use crate::geometry::MercatorBox;
use crate::geometry::mercator::{lonlat_from_mercator, mercator_from_lonlat};

/// Sets of tiles: each held row's box is looked up in them when far rows are let go (tens of
/// thousands at once), hashed by foldhash rather than the standard library's SipHash.
type HashSet<T> = foldhash::HashSet<T>;

/// How large a table must be to be read by windows, and how much of it a window holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Tables with more rows than this (the planner's estimate) are read by windows.
    pub window_above: i64,
    /// The rows a tile should hold on average: sets the tiles' size for each table.
    pub rows_per_tile: f64,
    /// The view shows rows themselves (to select and edit) when it would hold no more than
    /// this many; above, the overview.
    pub detail_rows: f64,
    /// Tiles are let go, farthest first, once more than this many rows' worth are held.
    pub held_rows: f64,
    /// The overview image's longest side, pixels.
    pub overview_pixels: usize,
    /// While rows change (saves, other editors'), the overview is made again at most this
    /// often, when it shows.
    pub overview_refresh: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            window_above: 200_000,
            rows_per_tile: 250.0,
            detail_rows: 6_000.0,
            held_rows: 60_000.0,
            overview_pixels: 4096,
            overview_refresh: std::time::Duration::from_secs(30),
        }
    }
}

/// Tiles ahead of the view read in one question: the view's own tiles, asked for next, wait
/// no longer than that.
pub const AHEAD_AT_ONCE: usize = 8;

/// A tile at the table's tile zoom: column and row, as slippy-map tiles count them.
pub type Tile = (u32, u32);

/// How a table is cut into tiles: a zoom chosen so that a tile holds about
/// [`Limits::rows_per_tile`] rows (within a factor of two) if the rows were spread evenly
/// over the table's extent.
#[derive(Clone, Debug, PartialEq)]
pub struct Tiling {
    pub zoom: u8,
    /// The table's extent, world units.
    pub extent: MercatorBox,
    /// Rows in the table (estimated).
    pub rows: i64,
}

impl Tiling {
    pub fn new(rows: i64, extent: MercatorBox, limits: &Limits) -> Self {
        let tiles = (rows as f64 / limits.rows_per_tile.max(1.0)).max(1.0);
        let side = (extent.width().max(1e-12) * extent.height().max(1e-12) / tiles).sqrt();
        let zoom = (-side.log2()).round().clamp(0.0, 22.0) as u8;
        Self { zoom, extent, rows }
    }

    fn tiles_per_side(&self) -> f64 {
        f64::from(self.zoom).exp2()
    }

    /// The tile's box, world units.
    pub fn tile_box(&self, (x, y): Tile) -> MercatorBox {
        let n = self.tiles_per_side();
        MercatorBox {
            min: [f64::from(x) / n, f64::from(y) / n],
            max: [f64::from(x + 1) / n, f64::from(y + 1) / n],
        }
    }

    /// The tile's box as `[west, south, east, north]` degrees.
    pub fn tile_lonlat(&self, tile: Tile) -> [f64; 4] {
        let b = self.tile_box(tile);
        let [w, n] = lonlat_from_mercator(b.min[0], b.min[1]);
        let [e, s] = lonlat_from_mercator(b.max[0], b.max[1]);
        [w, s, e, n]
    }

    /// The range of tiles a box meets (inclusive), clipped to the table's extent; `None` when
    /// it misses the extent.
    fn range(&self, b: &MercatorBox) -> Option<([u32; 2], [u32; 2])> {
        let min = [
            b.min[0].max(self.extent.min[0]),
            b.min[1].max(self.extent.min[1]),
        ];
        let max = [
            b.max[0].min(self.extent.max[0]),
            b.max[1].min(self.extent.max[1]),
        ];
        if b.is_empty() || min[0] > max[0] || min[1] > max[1] {
            return None;
        }
        let n = self.tiles_per_side();
        let last = (n - 1.0).max(0.0);
        let at = |v: f64| (v * n).floor().clamp(0.0, last) as u32;
        Some(([at(min[0]), at(min[1])], [at(max[0]), at(max[1])]))
    }

    /// The tiles a box meets, those nearest its middle first.
    pub fn tiles_over(&self, b: &MercatorBox) -> Vec<Tile> {
        let Some((min, max)) = self.range(b) else {
            return Vec::new();
        };
        let mut out: Vec<Tile> = (min[1]..=max[1])
            .flat_map(|y| (min[0]..=max[0]).map(move |x| (x, y)))
            .collect();
        let c = b.center();
        let n = self.tiles_per_side();
        let distance = |&(x, y): &Tile| {
            let dx = (f64::from(x) + 0.5) / n - c[0];
            let dy = (f64::from(y) + 0.5) / n - c[1];
            dx * dx + dy * dy
        };
        out.sort_by(|a, b| distance(a).total_cmp(&distance(b)));
        out
    }

    /// Rows a box would hold if the table's rows were spread evenly over its extent.
    pub fn expected_rows(&self, b: &MercatorBox) -> f64 {
        let w = b.max[0].min(self.extent.max[0]) - b.min[0].max(self.extent.min[0]);
        let h = b.max[1].min(self.extent.max[1]) - b.min[1].max(self.extent.min[1]);
        if w <= 0.0 || h <= 0.0 {
            return 0.0;
        }
        let area = self.extent.width().max(1e-12) * self.extent.height().max(1e-12);
        self.rows as f64 * (w * h / area).min(1.0)
    }
}

/// The view grown by a quarter of its size on every side: what is read ahead of a pan.
pub fn ahead_of(view: &MercatorBox) -> MercatorBox {
    let (w, h) = (view.width() * 0.25, view.height() * 0.25);
    MercatorBox {
        min: [view.min[0] - w, view.min[1] - h],
        max: [view.max[0] + w, view.max[1] + h],
    }
}

/// Which tiles a layer holds and which it has asked for.
#[derive(Clone, Debug)]
pub struct Window {
    pub tiling: Tiling,
    pub limits: Limits,
    held: HashSet<Tile>,
    asked: HashSet<Tile>,
}

impl Window {
    pub fn new(tiling: Tiling, limits: Limits) -> Self {
        Self {
            tiling,
            limits,
            held: HashSet::default(),
            asked: HashSet::default(),
        }
    }

    /// Whether a view shows rows themselves (else the overview).
    pub fn is_detail(&self, view: &MercatorBox) -> bool {
        self.tiling.expected_rows(view) <= self.limits.detail_rows
    }

    /// The tiles to read next for a view, nearest first, that are neither held nor asked for:
    /// those under the view, all at once; once they are all held, what lies ahead of it, at most
    /// [`AHEAD_AT_ONCE`] at a time. They count as asked from now on. None for an overview view.
    pub fn wanted(&mut self, view: &MercatorBox) -> Vec<Tile> {
        if !self.is_detail(view) {
            return Vec::new();
        }
        let new = |t: &Tile| !self.held.contains(t) && !self.asked.contains(t);
        let under = self.tiling.tiles_over(view);
        let complete = under.iter().all(|t| self.held.contains(t));
        let mut out: Vec<Tile> = under.into_iter().filter(new).collect();
        if complete {
            out = self
                .tiling
                .tiles_over(&ahead_of(view))
                .into_iter()
                .filter(new)
                .take(AHEAD_AT_ONCE)
                .collect();
        }
        self.asked.extend(out.iter().copied());
        out
    }

    /// Tiles read: held from now on.
    pub fn arrived(&mut self, tiles: &[Tile]) {
        for t in tiles {
            self.asked.remove(t);
            self.held.insert(*t);
        }
    }

    /// Tiles that could not be read: asked again when next wanted.
    pub fn failed(&mut self, tiles: &[Tile]) {
        for t in tiles {
            self.asked.remove(t);
        }
    }

    /// Whether every tile under the view is held.
    pub fn complete(&self, view: &MercatorBox) -> bool {
        self.tiling
            .tiles_over(view)
            .iter()
            .all(|t| self.held.contains(t))
    }

    /// Whether the view and what lies ahead of it are all held (nothing more to read there).
    pub fn settled(&self, view: &MercatorBox) -> bool {
        !self.is_detail(view)
            || self
                .tiling
                .tiles_over(&ahead_of(view))
                .iter()
                .all(|t| self.held.contains(t))
    }

    /// Tiles asked for and not yet read.
    pub fn asked(&self) -> usize {
        self.asked.len()
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// When more than [`Limits::held_rows`] rows' worth of tiles are held, lets go of those
    /// farthest from the view until three quarters of that are, never one that the view or what lies
    /// ahead of it meets. Returns whether any was let go (then [`Window::holds`] tells which
    /// rows to keep).
    pub fn let_go(&mut self, view: &MercatorBox) -> bool {
        let per_tile = (self.tiling.rows as f64
            / self.tiling.tiles_over(&self.tiling.extent).len().max(1) as f64)
            .max(1.0);
        let budget = (self.limits.held_rows / per_tile).floor().max(1.0) as usize;
        if self.held.len() <= budget {
            return false;
        }
        let keep: HashSet<Tile> = self
            .tiling
            .tiles_over(&ahead_of(view))
            .into_iter()
            .collect();
        let c = view.center();
        let n = self.tiling.tiles_per_side();
        let mut far: Vec<(f64, Tile)> = self
            .held
            .iter()
            .filter(|t| !keep.contains(t))
            .map(|&(x, y)| {
                let dx = (f64::from(x) + 0.5) / n - c[0];
                let dy = (f64::from(y) + 0.5) / n - c[1];
                (dx * dx + dy * dy, (x, y))
            })
            .collect();
        far.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Down to three quarters of the budget: the layer's draw data is made again after a
        // letting go, so it should not come with every pan.
        let excess = self.held.len() - budget * 3 / 4;
        let mut any = false;
        for (_, t) in far.into_iter().take(excess) {
            self.held.remove(&t);
            any = true;
        }
        any
    }

    /// Whether a row with this box (world units) lies in a held tile, or is being read.
    pub fn holds(&self, bbox: &MercatorBox) -> bool {
        let Some((min, max)) = self.tiling.range(bbox) else {
            return false;
        };
        (min[1]..=max[1]).any(|y| {
            (min[0]..=max[0]).any(|x| self.held.contains(&(x, y)) || self.asked.contains(&(x, y)))
        })
    }
}

/// One row in the overview: its box (`[west, south, east, north]` degrees) and its category.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxRow {
    pub bbox: [f64; 4],
    pub category: Option<String>,
}

/// The box of a geometry expression, in WGS84, as SQL: only a box is transformed, never a
/// whole geometry.
fn box_sql(info: &TableInfo) -> String {
    let g = quote_ident(&info.geometry_column);
    if info.srid == 4326 || info.srid == 0 {
        format!("Box2D({g})")
    } else {
        format!(
            "Box2D(ST_Transform(ST_SetSRID(Box2D({g})::geometry, {}), 4326))",
            info.srid
        )
    }
}

/// Reads every row's box and the text of `category` (a column, or a key of the table's
/// property bag), handing each to `each` (which returns false to stop). One pass over the
/// table, sent in PostgreSQL's binary COPY form: a million rows in about a second.
pub fn read_boxes(
    client: &mut postgres::Client,
    info: &TableInfo,
    category: Option<&str>,
    mut each: impl FnMut(BoxRow) -> bool,
) -> Result<(), DbError> {
    use postgres::binary_copy::BinaryCopyOutIter;
    use postgres::types::Type;
    let what = format!("Reading the overview of {}", info.source.describe());
    let category_sql = match category {
        Some(c) if info.columns.iter().any(|col| col.name == c) => {
            format!("{}::text", quote_ident(c))
        }
        Some(c) if info.bag.is_some() => format!(
            "({} ->> {})",
            quote_ident(info.bag.as_deref().unwrap_or_default()),
            quote_literal(c)
        ),
        _ => "null::text".to_owned(),
    };
    let sql = format!(
        "copy (select ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), c from \
         (select {} as b, {category_sql} as c from {} where {} is not null) s) \
         to stdout (format binary)",
        box_sql(info),
        info.source.qualified(),
        quote_ident(&info.geometry_column),
    );
    let reader = client
        .copy_out(&sql)
        .map_err(|e| DbError::from_pg(&e, &what))?;
    let mut rows = BinaryCopyOutIter::new(
        reader,
        &[
            Type::FLOAT8,
            Type::FLOAT8,
            Type::FLOAT8,
            Type::FLOAT8,
            Type::TEXT,
        ],
    );
    while let Some(row) = rows.next().map_err(|e| DbError::from_pg(&e, &what))? {
        let get = |i: usize| row.try_get::<Option<f64>>(i).ok().flatten();
        let (Some(w), Some(s), Some(e), Some(n)) = (get(0), get(1), get(2), get(3)) else {
            continue;
        };
        let category = row.try_get::<Option<String>>(4).ok().flatten();
        if !each(BoxRow {
            bbox: [w, s, e, n],
            category,
        }) {
            break;
        }
    }
    Ok(())
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The table's extent from the planner's statistics (`ST_EstimatedExtent`), else counted.
pub fn extent(client: &mut postgres::Client, info: &TableInfo) -> Result<MercatorBox, DbError> {
    let what = format!("Reading the extent of {}", info.source.describe());
    let estimated = client
        .query_opt(
            "select ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) from \
             (select ST_EstimatedExtent($1, $2, $3)::geometry as e) s where e is not null",
            &[
                &info.source.schema,
                &info.source.table,
                &info.geometry_column,
            ],
        )
        .ok()
        .flatten();
    let b: [f64; 4] = match estimated {
        Some(r) => [r.get(0), r.get(1), r.get(2), r.get(3)],
        None => {
            let (_, e) = super::table::count_and_extent(client, info)?;
            return Ok(e.map_or(MercatorBox::EMPTY, |e| mercator_box(&e)));
        }
    };
    // The estimate is in the column's own system: its corners into WGS84.
    let b = if info.srid == 4326 || info.srid == 0 {
        b
    } else {
        let r = client
            .query_one(
                "select ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) from (select \
                 Box2D(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, $5), 4326)) as e) s",
                &[&b[0], &b[1], &b[2], &b[3], &info.srid],
            )
            .map_err(|e| DbError::from_pg(&e, &what))?;
        [r.get(0), r.get(1), r.get(2), r.get(3)]
    };
    // The statistics' box is rounded to single precision: grown a hair so that no row's box
    // falls outside it.
    let pad = 1e-5 * (b[2] - b[0]).abs().max((b[3] - b[1]).abs()).max(1e-6);
    Ok(mercator_box(&[
        b[0] - pad,
        b[1] - pad,
        b[2] + pad,
        b[3] + pad,
    ]))
}

/// The planner's estimate of a table's rows (`reltuples`). A table never analysed has none
/// (-1, or 0 before PostgreSQL 14): its rows are counted, so that a million rows never
/// analysed are not read whole.
pub fn estimated_rows(client: &mut postgres::Client, info: &TableInfo) -> Result<i64, DbError> {
    let what = "Estimating the table's size";
    let row = client
        .query_one(
            &format!(
                "select reltuples::float8 from pg_class where oid = '{}'::regclass",
                info.source.qualified().replace('\'', "''")
            ),
            &[],
        )
        .map_err(|e| DbError::from_pg(&e, what))?;
    let estimate = row.get::<_, f64>(0) as i64;
    if estimate > 0 {
        return Ok(estimate);
    }
    let row = client
        .query_one(
            &format!("select count(*) from {}", info.source.qualified()),
            &[],
        )
        .map_err(|e| DbError::from_pg(&e, what))?;
    Ok(row.get::<_, i64>(0))
}

/// `[west, south, east, north]` degrees to a box in world units.
pub fn mercator_box(b: &[f64; 4]) -> MercatorBox {
    let [x0, y0] = mercator_from_lonlat(b[0], b[3]);
    let [x1, y1] = mercator_from_lonlat(b[2], b[1]);
    MercatorBox {
        min: [x0, y0],
        max: [x1, y1],
    }
}

/// The overview image: where it lies (world units) and its pixels.
pub struct OverviewImage {
    pub world: MercatorBox,
    pub image: egui::ColorImage,
    /// Rows painted.
    pub rows: usize,
}

/// Paints row boxes (`[west, south, east, north]` degrees, with their colours) into an image
/// of `world`, `longest` pixels on its longer side, each box at least a pixel: as the map
/// draws features too small to show their shape, a dot of the fill colour.
pub fn paint_overview(
    world: MercatorBox,
    longest: usize,
    rows: impl IntoIterator<Item = ([f64; 4], egui::Color32)>,
) -> OverviewImage {
    let longest = longest.max(16) as f64;
    let scale = longest / world.width().max(world.height()).max(1e-12);
    let w = ((world.width() * scale).ceil() as usize).clamp(1, longest as usize);
    let h = ((world.height() * scale).ceil() as usize).clamp(1, longest as usize);
    let mut image = egui::ColorImage::filled([w, h], egui::Color32::TRANSPARENT);
    let mut count = 0;
    for (bbox, color) in rows {
        count += 1;
        let b = mercator_box(&bbox);
        let px = |v: f64, o: f64, n: usize| ((v - o) * scale).clamp(0.0, n as f64);
        let x0 = (px(b.min[0], world.min[0], w).floor() as usize).min(w - 1);
        let y0 = (px(b.min[1], world.min[1], h).floor() as usize).min(h - 1);
        let x1 = (px(b.max[0], world.min[0], w).ceil() as usize)
            .max(x0 + 1)
            .min(w);
        let y1 = (px(b.max[1], world.min[1], h).ceil() as usize)
            .max(y0 + 1)
            .min(h);
        for y in y0..y1 {
            let line = y * w;
            if let Some(run) = image.pixels.get_mut(line + x0..line + x1) {
                run.fill(color);
            }
        }
    }
    OverviewImage {
        world,
        image,
        rows: count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corridor() -> MercatorBox {
        mercator_box(&[106.55, 10.85, 106.85, 11.30])
    }

    #[test]
    fn tiles_hold_about_the_rows_asked_for() {
        let limits = Limits::default();
        let t = Tiling::new(1_000_000, corridor(), &limits);
        let tiles = t.tiles_over(&t.extent).len() as f64;
        let per_tile = 1_000_000.0 / tiles;
        // Tiles are a power of two: within a factor of two of what is asked (a little more
        // for the part tiles at the edges).
        assert!(
            per_tile > limits.rows_per_tile / 2.5 && per_tile < limits.rows_per_tile * 2.0,
            "{per_tile} rows a tile at zoom {}",
            t.zoom
        );
    }

    #[test]
    fn a_window_reads_what_is_in_view_first_and_never_twice() {
        let mut w = Window::new(
            Tiling::new(1_000_000, corridor(), &Limits::default()),
            Limits::default(),
        );
        let c = w.tiling.extent.center();
        let tile = w.tiling.tile_box((0, 0)).width();
        let view = MercatorBox {
            min: [c[0] - 2.0 * tile, c[1] - tile],
            max: [c[0] + 2.0 * tile, c[1] + tile],
        };
        assert!(w.is_detail(&view));
        let first = w.wanted(&view);
        let under: HashSet<Tile> = w.tiling.tiles_over(&view).into_iter().collect();
        assert_eq!(
            first.iter().copied().collect::<HashSet<_>>(),
            under,
            "the tiles under the view come first, all at once"
        );
        assert!(w.wanted(&view).is_empty(), "asked once");
        assert!(!w.complete(&view));
        w.arrived(&first);
        assert!(w.complete(&view));
        // Then what lies ahead, a few at a time, until it is all held.
        let ahead: HashSet<Tile> = w.tiling.tiles_over(&ahead_of(&view)).into_iter().collect();
        let mut read = under.clone();
        loop {
            let next = w.wanted(&view);
            if next.is_empty() {
                break;
            }
            assert!(next.len() <= AHEAD_AT_ONCE);
            assert!(next.iter().all(|t| ahead.contains(t) && !read.contains(t)));
            read.extend(next.iter().copied());
            w.arrived(&next);
        }
        assert_eq!(read, ahead);
        // The whole extent is an overview: no tiles.
        let mut whole = w.clone();
        assert!(!whole.is_detail(&whole.tiling.extent.clone()));
        let e = whole.tiling.extent;
        assert!(whole.wanted(&e).is_empty());
    }

    #[test]
    fn tiles_far_away_are_let_go_and_those_in_view_never() {
        let limits = Limits {
            held_rows: 5_000.0,
            ..Limits::default()
        };
        let mut w = Window::new(Tiling::new(1_000_000, corridor(), &limits), limits);
        let e = w.tiling.extent;
        let tile = w.tiling.tile_box((0, 0)).width();
        let view_at = |x: f64| {
            let c = [e.min[0] + x * e.width(), e.center()[1]];
            MercatorBox {
                min: [c[0] - tile, c[1] - tile * 0.5],
                max: [c[0] + tile, c[1] + tile * 0.5],
            }
        };
        for step in 0..=10 {
            let view = view_at(f64::from(step) / 10.0);
            loop {
                let got = w.wanted(&view);
                if got.is_empty() {
                    break;
                }
                w.arrived(&got);
            }
            w.let_go(&view);
            assert!(w.complete(&view), "step {step}: the view is still held");
            let held_rows = w.held() as f64 * 1_000_000.0 / w.tiling.tiles_over(&e).len() as f64;
            assert!(
                held_rows <= 5_000.0 * 1.01
                    || w.held() <= w.tiling.tiles_over(&ahead_of(&view)).len(),
                "step {step}: {} tiles held",
                w.held()
            );
        }
        // The first view's tiles are gone, the last's are held.
        let first = view_at(0.0);
        assert!(!w.holds(&MercatorBox {
            min: first.center(),
            max: first.center()
        }));
        let last = view_at(1.0);
        assert!(w.holds(&MercatorBox {
            min: last.center(),
            max: last.center()
        }));
    }

    #[test]
    fn the_overview_paints_every_box_at_least_a_pixel_in_its_colour() {
        let world = corridor();
        let red = egui::Color32::from_rgb(200, 0, 0);
        let grey = egui::Color32::from_rgb(90, 90, 90);
        let rows = vec![
            ([106.55, 10.85, 106.5500001, 10.8500001], red),
            ([106.70, 11.0, 106.75, 11.05], grey),
        ];
        let o = paint_overview(world, 512, rows);
        assert_eq!(o.rows, 2);
        let [w, h] = o.image.size;
        assert_eq!(w.max(h), 512);
        // The tiny one: bottom-left pixel (south-west corner; y grows southwards).
        assert_eq!(o.image.pixels[(h - 1) * w], red);
        let greys = o.image.pixels.iter().filter(|p| **p == grey).count();
        let expected = (0.05 / 0.30 * w as f64) * (0.05 / 0.45 * h as f64);
        assert!(
            (greys as f64 - expected).abs() < expected * 0.2,
            "{greys} vs {expected}"
        );
        let empty = o
            .image
            .pixels
            .iter()
            .filter(|p| **p == egui::Color32::TRANSPARENT)
            .count();
        assert_eq!(empty + greys + 1, w * h);
    }
}
