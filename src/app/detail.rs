//! Full detail on demand: a large layer is built with simplified levels only
//! ([`LayerRender::build_deferred`]). When a frame draws a feature at full detail, its finest
//! simplified level stands in and the painter notes it; here its full-detail outline and fill
//! are made from the layer's geometry on another thread and put in place, and the oldest such
//! detail out of view is let go past [`DETAIL_CACHE_BYTES`]. Zoomed in, few features are on
//! screen: the layer never holds every feature's full detail at once, and no core is spent on
//! detail nobody looks at.

use std::sync::mpsc::{Receiver, TryRecvError};

use super::CorridorApp;
use crate::render::LayerRender;
use crate::render::cache::{DETAIL_CACHE_BYTES, MadeDetail};

/// Features made per request: a frame zoomed in holds a few hundred.
const PER_REQUEST: usize = 4_000;

/// Full detail being made for one layer's render.
pub(super) struct FillJob {
    uid: u64,
    rx: Receiver<MadeDetail>,
}

impl CorridorApp {
    /// Puts arrived detail in place, and asks for the detail the last frame stood in for.
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
                let count = done.made.len();
                r.apply_detail(done);
                if let Some(view) = &view {
                    r.evict_detail(view, DETAIL_CACHE_BYTES);
                }
                log::debug!(
                    "{count} features' full detail put in place in {:.1} ms",
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                ctx.request_repaint();
            }
        }
        // Each render was built from the layer in the same place.
        for (r, layer) in self.renders.iter().zip(&self.doc.layers) {
            if self.fill_jobs.iter().any(|j| j.uid == r.uid) {
                continue;
            }
            let wanted = r.take_stand_ins(layer, PER_REQUEST);
            if wanted.is_empty() {
                continue;
            }
            let (tx, rx) = std::sync::mpsc::channel();
            let uid = r.uid;
            let repaint = ctx.clone();
            std::thread::spawn(move || {
                let _ = tx.send(LayerRender::full_detail(uid, wanted));
                repaint.request_repaint();
            });
            self.fill_jobs.push(FillJob { uid, rx });
        }
    }
}
