//! Full detail on demand: a large layer is built with simplified fills only
//! ([`LayerRender::build_deferred`]). When a frame draws a feature at full detail, the simplified
//! fill stands in and the painter notes it; here its full-detail fill is triangulated on another
//! thread and put in place, and the oldest such fills out of view are let go past
//! [`FILL_CACHE_BYTES`]. Zoomed in, few features are on screen: the layer never holds every
//! feature's full fill at once, and no core is spent on fills nobody looks at.

use std::sync::mpsc::{Receiver, TryRecvError};

use super::CorridorApp;
use crate::render::LayerRender;
use crate::render::cache::{DeferredFills, FILL_CACHE_BYTES};

/// Features triangulated per request: a frame zoomed in holds a few hundred.
const PER_REQUEST: usize = 4_000;

/// Fills being triangulated for one layer's render.
pub(super) struct FillJob {
    uid: u64,
    rx: Receiver<DeferredFills>,
}

impl CorridorApp {
    /// Puts arrived fills in place, and asks for the fills the last frame stood in for.
    pub(super) fn drive_fills(&mut self, ctx: &egui::Context) {
        let view = self.map.transform.map(|t| t.visible_world());
        let mut arrived = Vec::new();
        self.fill_jobs.retain(|job| match job.rx.try_recv() {
            Ok(done) => {
                arrived.push(done);
                false
            }
            Err(TryRecvError::Empty) => true,
            Err(TryRecvError::Disconnected) => false,
        });
        for done in arrived {
            if let Some(r) = self.renders.iter_mut().find(|r| r.uid == done.uid) {
                let t0 = std::time::Instant::now();
                let count = done.fills.len();
                r.apply_fills(done);
                if let Some(view) = &view {
                    r.evict_fills(view, FILL_CACHE_BYTES);
                }
                log::debug!(
                    "{count} full-detail fills put in place in {:.1} ms",
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                ctx.request_repaint();
            }
        }
        for r in &self.renders {
            if self.fill_jobs.iter().any(|j| j.uid == r.uid) {
                continue;
            }
            let rings = r.take_stand_ins(PER_REQUEST);
            if rings.is_empty() {
                continue;
            }
            let (tx, rx) = std::sync::mpsc::channel();
            let uid = r.uid;
            let repaint = ctx.clone();
            std::thread::spawn(move || {
                let _ = tx.send(LayerRender::deferred_fills(uid, rings));
                repaint.request_repaint();
            });
            self.fill_jobs.push(FillJob { uid, rx });
        }
    }
}
