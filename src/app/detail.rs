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

/// Features whose detail is put in place per frame, at most ([`CorridorApp::drive_fills`]).
const APPLIED_PER_FRAME: usize = 1_000;

/// The same while the map stands still, when a frame's few milliseconds more are not seen: at
/// a thousand a frame, sixty frames a second put in place no more than a first view's levels
/// were made on one core, and the large layer's took 1.7 s instead of 0.8.
const APPLIED_PER_STILL_FRAME: usize = 4_000;

/// Features whose levels a first view left ([`LayerRender::build_for_view`]) made per request:
/// about 20 ms of one core each on the large layer, so that a frame that asks for what it
/// stands in for does not wait long behind them, and each batch is put in place in well under
/// a millisecond.
const PROVISIONAL_PER_REQUEST: usize = 2_000;

/// Full detail being made for one layer's render.
pub(super) struct FillJob {
    uid: u64,
    rx: Receiver<MadeDetail>,
}

impl CorridorApp {
    /// Puts arrived detail in place, and asks for the detail the last frame stood in for.
    pub(super) fn drive_fills(&mut self, ctx: &egui::Context) {
        let view = self.map.transform.map(|t| t.visible_world());
        let moving = view != std::mem::replace(&mut self.detail_view, view);
        let arrived = &mut self.arrived_detail;
        self.fill_jobs.retain(|job| match job.rx.try_recv() {
            Ok(done) => {
                arrived.push_back(done);
                false
            }
            Err(TryRecvError::Empty) => true,
            Err(TryRecvError::Disconnected) => false,
        });
        // A few hundred features a frame: putting one in place reads what another core made
        // (a fraction of a microsecond each), and 4 000 at once held a frame up by 3 ms.
        let mut room = if moving {
            APPLIED_PER_FRAME
        } else {
            APPLIED_PER_STILL_FRAME
        };
        while room > 0
            && let Some(done) = self.arrived_detail.front_mut()
        {
            let take = room.min(done.made.len());
            room -= take;
            let part = MadeDetail {
                uid: done.uid,
                made: done.made.drain(..take).collect(),
            };
            if done.made.is_empty() {
                self.arrived_detail.pop_front();
            }
            if let Some(r) = self.renders.iter_mut().find(|r| r.uid == part.uid) {
                let t0 = std::time::Instant::now();
                r.apply_detail(part);
                if let Some(view) = &view {
                    r.evict_detail(view, DETAIL_CACHE_BYTES);
                }
                log::debug!(
                    "{take} features' detail put in place in {:.1} ms",
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                ctx.request_repaint();
            }
        }
        // Each render was built from the layer in the same place. What the last frame stood in
        // for comes first; then the features whose levels a first view left, a batch at a time.
        for (r, layer) in self.renders.iter_mut().zip(&self.doc.layers) {
            let running = self.fill_jobs.iter().filter(|j| j.uid == r.uid).count();
            // Made but not yet put in place.
            let waiting = self
                .arrived_detail
                .iter()
                .filter(|d| d.uid == r.uid)
                .count();
            // What frames stood in for, once nothing asked for before is still being made or
            // waits to be put in place: a feature is not asked for twice.
            let mut wanted = if running + waiting == 0 {
                r.take_stand_ins(layer, PER_REQUEST)
            } else {
                Vec::new()
            };
            // The rest of a first view's features while the map stands still: while it moves,
            // what the frames stand in for is made and the frames have the other core. Two
            // batches are asked for at once, so that the spare core makes the next while the
            // last is put in place: with one at a time, it stood idle from a batch's end to the
            // next frame, and a batch took two frames. The cursor moves past what is asked
            // for; it starts again from the start only once nothing is outstanding.
            if wanted.is_empty() && !moving && running + waiting < 2 {
                let wrap = running + waiting == 0;
                wanted = r.next_provisional(layer, PROVISIONAL_PER_REQUEST, wrap);
            }
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
