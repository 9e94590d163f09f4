//! A table's layer kept in step with its table: what to send when the user saves, what the
//! server's answers mean, and what to take in when other editors save.
//!
//! [`TableSync`] holds no connection and starts no thread: the app hands it the layer and the
//! worker's replies ([`crate::db::listen::Reply`]) and gets back what to send and what changed
//! ([`SaveStart`], [`Saved`], [`TakenIn`]), so the protocol is tested without a window or a
//! server (see the tests below; `tests/postgis_app.rs` drives it against a real one).
//!
//! The link keeps which feature is which row (`FeatureId` ↔ row key), beside the features: a
//! feature's record holds only what the row holds, so nothing has to be stripped before a file
//! is written. The baseline is each row's version and hash as last read or written. A feature
//! whose hash differs from its row's baseline has unsaved edits; a row in the baseline with no
//! feature was deleted by us.

use std::collections::HashMap;

use super::record_hash;
use super::rows::{Row, row_key, set_row_key, strip_row};
use super::save::{Outcome, Pending};
use crate::model::edit::Change;
use crate::model::{Feature, FeatureId, Layer};

/// A feature saved by someone else since we read it.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub key: String,
    /// Our version (`None`: we deleted it).
    pub mine: Option<geojson::Feature>,
    /// Theirs now (`None`: they deleted it).
    pub theirs: Option<Row>,
}

impl Conflict {
    /// The feature's name, from our version or theirs.
    pub fn name(&self) -> String {
        let record = self
            .mine
            .as_ref()
            .or(self.theirs.as_ref().map(|r| &r.record));
        record.map_or_else(
            || format!("row {}", self.key),
            |r| Feature::from_record(r.clone()).display_name(),
        )
    }
}

/// What one item of a save in flight was.
#[derive(Clone, Debug)]
enum Slot {
    Row { key: String, hash: u64 },
    New { id: FeatureId, hash: u64 },
    Gone(String),
}

/// A map of a table's rows. A pan into new rows adds thousands of keys at once, and letting go
/// of far rows takes as many out: hashed by foldhash, not by the standard library's SipHash.
type RowMap<K, V> = foldhash::HashMap<K, V>;

/// Which feature is which row, both ways.
#[derive(Debug, Default)]
struct Rows {
    key_of: RowMap<FeatureId, String>,
    id_of: RowMap<String, FeatureId>,
}

impl Rows {
    fn link(&mut self, id: FeatureId, key: String) {
        if let Some(old) = self.key_of.insert(id, key.clone()) {
            self.id_of.remove(&old);
        }
        if let Some(old) = self.id_of.insert(key, id)
            && old != id
        {
            self.key_of.remove(&old);
        }
    }

    fn unlink_key(&mut self, key: &str) {
        if let Some(id) = self.id_of.remove(key) {
            self.key_of.remove(&id);
        }
    }
}

/// What [`TableSync::start_save`] decided.
#[derive(Debug, PartialEq)]
pub enum SaveStart {
    /// A save is already on its way: its answer comes first.
    Busy,
    /// Nothing differs from the table (conflicts aside).
    NothingToSend,
    /// Send these items, as save number `ticket`.
    Send { ticket: u64, items: Vec<Pending> },
}

/// What a save's answer did.
#[derive(Debug, PartialEq)]
pub struct Saved {
    /// Rows written, inserted or deleted.
    pub written: usize,
    /// Rows someone else changed since we read them, now waiting in [`TableSync::conflicts`].
    pub conflicts: usize,
}

/// What taking in other editors' rows did to the layer.
#[derive(Debug, Default, PartialEq)]
pub struct TakenIn {
    /// Features were added or removed (the layer's draw data must be built again).
    pub structural: bool,
    /// Positions of features replaced in place.
    pub touched: Vec<usize>,
}

/// One table layer's side of the protocol.
#[derive(Debug, Default)]
pub struct TableSync {
    /// Which feature is which row.
    rows: Rows,
    /// Each row's version and hash as last read or written, by key.
    baseline: RowMap<String, (String, u64)>,
    /// A save in flight (its number), with what each of its items was.
    saving: Option<u64>,
    in_flight: Vec<Slot>,
    next_ticket: u64,
    /// A save failed for want of a connection: save when it returns.
    pub save_queued: bool,
    conflicts: Vec<Conflict>,
    /// Rows others changed or deleted while ours had unsaved edits to them: read again after
    /// the next save.
    deferred: Vec<String>,
}

impl TableSync {
    /// A layer read from its table: `baseline` gives each feature's row `(key, version,
    /// hash)`, in the layer's order.
    pub fn new(layer: &Layer, baseline: Vec<(String, String, u64)>) -> Self {
        let mut rows = Rows::default();
        let mut versions = RowMap::with_capacity_and_hasher(baseline.len(), Default::default());
        for (f, (key, version, hash)) in layer.features().iter().zip(baseline) {
            rows.link(f.id(), key.clone());
            versions.insert(key, (version, hash));
        }
        Self {
            rows,
            baseline: versions,
            next_ticket: 1,
            ..Default::default()
        }
    }

    /// The row feature `id` is, if it is one.
    pub fn row_key(&self, id: FeatureId) -> Option<&str> {
        self.rows.key_of.get(&id).map(String::as_str)
    }

    /// Where the feature that is row `key` is in the layer.
    pub fn feature_of_row(&self, layer: &Layer, key: &str) -> Option<usize> {
        layer.position(*self.rows.id_of.get(key)?)
    }

    /// Changes as the recovery journal keeps them for a table's layer: each record carries its
    /// row's key, so that the journal can be replayed on the table read again, whatever order
    /// its rows come in then (see [`rebase_by_row`]).
    pub fn with_row_keys(&self, changes: &[Change]) -> Vec<Change> {
        changes
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if let Some(key) = self.row_key(c.id) {
                    for r in [c.before.as_mut(), c.after.as_mut()].into_iter().flatten() {
                        set_row_key(r, key);
                    }
                }
                c
            })
            .collect()
    }

    /// Whether a save is on its way.
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// Conflicts waiting for the user.
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// More rows of the table arrived (the rest of a large one): added to the layer.
    pub fn add_rows(&mut self, layer: &mut Layer, rows: Vec<Row>) {
        for r in rows {
            self.baseline
                .insert(r.key.clone(), (r.version, record_hash(&r.record)));
            let id = layer.push_feature(Feature::from_record(r.record));
            self.rows.link(id, r.key);
        }
    }

    /// Rows read around the view of a windowed table, as features with their hashes: those
    /// not yet in the layer are added (a row already there may carry unsaved edits, and wins).
    /// Returns, for each one given, whether it was added.
    pub fn add_window_rows(
        &mut self,
        layer: &mut Layer,
        rows: Vec<(String, String, u64, Feature)>,
    ) -> Vec<bool> {
        rows.into_iter()
            .map(|(key, version, hash, feature)| {
                if self.rows.id_of.contains_key(&key) || self.baseline.contains_key(&key) {
                    return false;
                }
                self.baseline.insert(key.clone(), (version, hash));
                let id = layer.push_feature(feature);
                self.rows.link(id, key);
                true
            })
            .collect()
    }

    /// Lets go of rows far from the view (see [`Layer::let_go`]): a row with a save in flight,
    /// in conflict or deferred stays. Returns which features stayed.
    pub fn let_go(&mut self, layer: &mut Layer, keep: &[bool]) -> Vec<bool> {
        let mut keep = keep.to_vec();
        let pinned: foldhash::HashSet<&str> = self
            .in_flight
            .iter()
            .filter_map(|s| match s {
                Slot::Row { key, .. } | Slot::Gone(key) => Some(key.as_str()),
                Slot::New { .. } => None,
            })
            .chain(self.conflicts.iter().map(|c| c.key.as_str()))
            .chain(self.deferred.iter().map(String::as_str))
            .collect();
        // Only rows to let go are looked up: what stays, stays anyway.
        let mut gone: Vec<(usize, FeatureId)> = Vec::new();
        for (i, (k, f)) in keep.iter_mut().zip(layer.features()).enumerate() {
            if *k {
                continue;
            }
            // New features (no row yet) always stay.
            match self.rows.key_of.get(&f.id()) {
                Some(key) if !pinned.contains(key.as_str()) => gone.push((i, f.id())),
                _ => *k = true,
            }
        }
        let looked_up = std::time::Instant::now();
        let kept = layer.let_go(&keep);
        let layer_done = std::time::Instant::now();
        for (i, id) in gone {
            // Gone unless an edit names it (then the layer kept it).
            if !kept.get(i).copied().unwrap_or(true)
                && let Some(key) = self.rows.key_of.remove(&id)
            {
                self.rows.id_of.remove(&key);
                self.baseline.remove(&key);
            }
        }
        log::debug!(
            "let go: the layer's features in {:.1} ms, then the rows' keys in {:.1} ms",
            (layer_done - looked_up).as_secs_f64() * 1000.0,
            layer_done.elapsed().as_secs_f64() * 1000.0
        );
        kept
    }

    /// What to send to save the layer's edits: rows changed since read (only those the
    /// history says were touched, when it can tell: hashing a province's records takes
    /// seconds), new features, and rows deleted. Rows in conflict wait for the user.
    pub fn start_save(&mut self, layer: &Layer) -> SaveStart {
        if self.saving.is_some() {
            return SaveStart::Busy;
        }
        let conflicted: Vec<&str> = self.conflicts.iter().map(|c| c.key.as_str()).collect();
        let touched: Option<std::collections::HashSet<FeatureId>> = layer
            .history
            .changes_since_saved()
            .map(|changes| changes.iter().map(|c| c.id).collect());
        let mut items = Vec::new();
        let mut slots = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in layer.features() {
            match self.row_key(f.id()) {
                Some(key) if self.baseline.contains_key(key) && seen.insert(key.to_owned()) => {
                    if conflicted.contains(&key)
                        || touched.as_ref().is_some_and(|t| !t.contains(&f.id()))
                    {
                        continue;
                    }
                    let (version, hash) = &self.baseline[key];
                    let now = record_hash(&f.record());
                    if now != *hash {
                        items.push(Pending {
                            key: Some(key.to_owned()),
                            base: Some(version.clone()),
                            mine: Some(f.record().into_owned()),
                        });
                        slots.push(Slot::Row {
                            key: key.to_owned(),
                            hash: now,
                        });
                    }
                }
                // New features.
                _ => {
                    items.push(Pending {
                        key: None,
                        base: None,
                        mine: Some(f.record().into_owned()),
                    });
                    slots.push(Slot::New {
                        id: f.id(),
                        hash: record_hash(&f.record()),
                    });
                }
            }
        }
        for (key, (version, _)) in &self.baseline {
            if !seen.contains(key) && !conflicted.contains(&key.as_str()) {
                items.push(Pending {
                    key: Some(key.clone()),
                    base: Some(version.clone()),
                    mine: None,
                });
                slots.push(Slot::Gone(key.clone()));
            }
        }
        if items.is_empty() {
            return SaveStart::NothingToSend;
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.saving = Some(ticket);
        self.in_flight = slots;
        self.save_queued = false;
        SaveStart::Send { ticket, items }
    }

    /// The save could not be sent or was refused as a whole: nothing was written. With
    /// `retry`, it goes again when the connection is back.
    pub fn save_failed(&mut self, retry: bool) {
        self.saving = None;
        self.in_flight.clear();
        if retry {
            self.save_queued = true;
        }
    }

    /// The answer to save `ticket`: written rows join the baseline (a new row's feature takes
    /// its key, which is not an edit), conflicts wait for the user. `None` for an answer to a
    /// save that is no longer awaited.
    pub fn on_saved(
        &mut self,
        layer: &Layer,
        ticket: u64,
        outcomes: Vec<Outcome>,
    ) -> Option<Saved> {
        if self.saving != Some(ticket) {
            return None;
        }
        self.saving = None;
        let mut written = 0;
        let mut conflicts = Vec::new();
        for (slot, outcome) in std::mem::take(&mut self.in_flight)
            .into_iter()
            .zip(outcomes)
        {
            match (slot, outcome) {
                (Slot::Row { key, hash }, Outcome::Written { version, .. }) => {
                    self.baseline.insert(key, (version, hash));
                    written += 1;
                }
                (Slot::New { id, hash }, Outcome::Written { key, version }) => {
                    // The feature is now that row. If it was edited while the save was on its
                    // way, its hash differs from what was written, so the next save sends it.
                    self.rows.link(id, key.clone());
                    self.baseline.insert(key, (version, hash));
                    written += 1;
                }
                (Slot::Gone(key), Outcome::Deleted) => {
                    self.baseline.remove(&key);
                    self.rows.unlink_key(&key);
                    written += 1;
                }
                (Slot::Row { key, .. }, Outcome::Conflict { theirs }) => {
                    let mine = self
                        .feature_of_row(layer, &key)
                        .map(|i| layer.features()[i].record().into_owned());
                    conflicts.push(Conflict {
                        key,
                        mine,
                        theirs: theirs.map(|b| *b),
                    });
                }
                (Slot::Gone(key), Outcome::Conflict { theirs }) => {
                    conflicts.push(Conflict {
                        key,
                        mine: None,
                        theirs: theirs.map(|b| *b),
                    });
                }
                _ => {}
            }
        }
        let n = conflicts.len();
        self.conflicts.extend(conflicts);
        Some(Saved {
            written,
            conflicts: n,
        })
    }

    /// The layer now matches its table: the rows others changed meanwhile, to read again.
    pub fn saved_cleanly(&mut self) -> Vec<String> {
        std::mem::take(&mut self.deferred)
    }

    /// Rows whose version differs from ours (changed, added or deleted by others while we
    /// were not listening), from the table's `(key, version)` list.
    pub fn stale(&self, versions: &[(String, String)]) -> Vec<String> {
        let mut stale: Vec<String> = versions
            .iter()
            .filter(|(key, v)| self.baseline.get(key).is_none_or(|(b, _)| b != v))
            .map(|(key, _)| key.clone())
            .collect();
        let there: std::collections::HashSet<&str> =
            versions.iter().map(|(k, _)| k.as_str()).collect();
        stale.extend(
            self.baseline
                .keys()
                .filter(|key| !there.contains(key.as_str()))
                .cloned(),
        );
        stale
    }

    /// The keys of the rows read (or written) and still held.
    pub fn held_keys(&self) -> Vec<String> {
        self.baseline.keys().cloned().collect()
    }

    /// Whether the row with this key is held.
    pub fn holds_row(&self, key: &str) -> bool {
        self.baseline.contains_key(key)
    }

    /// Rows read again (after a notification or a reconnection), and rows gone. Taken in at
    /// once unless ours has unsaved edits to that row or it is `editing` (a drag may be on
    /// its way): those wait for the next save, where they will be a conflict to decide. A row
    /// another editor deleted leaves the layer at once even while other features have unsaved
    /// edits: the history names features by id, so undo goes on working.
    pub fn take_in(
        &mut self,
        layer: &mut Layer,
        rows: Vec<Row>,
        gone: Vec<String>,
        editing: Option<FeatureId>,
    ) -> TakenIn {
        let mut out = TakenIn::default();
        for row in rows {
            let hash = record_hash(&row.record);
            match self.feature_of_row(layer, &row.key) {
                Some(i) => {
                    let Some((version, base_hash)) = self.baseline.get(&row.key).cloned() else {
                        continue;
                    };
                    if version == row.version {
                        continue;
                    }
                    let ours = &layer.features()[i];
                    let ours_unchanged = record_hash(&ours.record()) == base_hash;
                    if ours_unchanged && editing != Some(ours.id()) {
                        layer.features_mut_at(i).set_record(row.record);
                        self.baseline.insert(row.key, (row.version, hash));
                        out.touched.push(i);
                    } else if !self.deferred.contains(&row.key) {
                        self.deferred.push(row.key);
                    }
                }
                None => {
                    if self.baseline.contains_key(&row.key) {
                        // We deleted it and have not saved: leave it to the save.
                        continue;
                    }
                    self.baseline.insert(row.key.clone(), (row.version, hash));
                    let id = layer.push_feature(Feature::from_record(row.record));
                    self.rows.link(id, row.key);
                    out.structural = true;
                }
            }
        }
        for key in gone {
            let Some(i) = self.feature_of_row(layer, &key) else {
                self.baseline.remove(&key);
                self.rows.unlink_key(&key);
                continue;
            };
            let ours = &layer.features()[i];
            let ours_unchanged = self
                .baseline
                .get(&key)
                .is_some_and(|(_, h)| record_hash(&ours.record()) == *h);
            if ours_unchanged && editing != Some(ours.id()) {
                let id = ours.id();
                layer.remove_feature(id);
                self.baseline.remove(&key);
                self.rows.unlink_key(&key);
                out.structural = true;
            } else if !self.deferred.contains(&key) {
                self.deferred.push(key);
            }
        }
        out
    }

    /// Takes conflict `index` out of the list.
    fn take_conflict(&mut self, index: usize) -> Option<Conflict> {
        (index < self.conflicts.len()).then(|| self.conflicts.remove(index))
    }

    /// "Keep mine" for conflict `index`: the next save writes ours over theirs, knowingly (or
    /// again as a new row, if they deleted it). Returns whether there was such a conflict.
    pub fn keep_mine(&mut self, index: usize) -> bool {
        let Some(c) = self.take_conflict(index) else {
            return false;
        };
        match (&c.mine, &c.theirs) {
            (_, Some(theirs)) => {
                let hash = self.baseline.get(&c.key).map_or(0, |(_, h)| *h);
                self.baseline
                    .insert(c.key.clone(), (theirs.version.clone(), hash));
            }
            (Some(_), None) => {
                // Ours is no longer that row: the next save inserts it as a new one.
                self.baseline.remove(&c.key);
                self.rows.unlink_key(&c.key);
            }
            (None, None) => {
                self.baseline.remove(&c.key);
            }
        }
        true
    }

    /// "Take theirs" for conflict `index`: their version becomes the baseline, and the change
    /// that makes ours theirs is returned, to commit as an edit that can be undone (`None`
    /// inside when there is nothing to change). `None` when there is no such conflict.
    pub fn take_theirs(&mut self, layer: &Layer, index: usize) -> Option<Option<Change>> {
        let c = self.take_conflict(index)?;
        let at = self
            .feature_of_row(layer, &c.key)
            .map(|i| &layer.features()[i]);
        let change = match (&c.theirs, at) {
            (Some(theirs), Some(f)) => Some(Change {
                id: f.id(),
                before: Some(f.record().into_owned()),
                after: Some(theirs.record.clone()),
            }),
            (Some(theirs), None) => {
                // Theirs comes back as a new feature, which is that row.
                let id = layer.next_feature_id();
                self.rows.link(id, c.key.clone());
                Some(Change {
                    id,
                    before: None,
                    after: Some(theirs.record.clone()),
                })
            }
            (None, Some(f)) => Some(Change {
                id: f.id(),
                before: Some(f.record().into_owned()),
                after: None,
            }),
            (None, None) => None,
        };
        match &c.theirs {
            Some(t) => {
                self.baseline
                    .insert(c.key.clone(), (t.version.clone(), record_hash(&t.record)));
            }
            None => {
                self.baseline.remove(&c.key);
            }
        }
        Some(change)
    }
}

/// Journalled changes to a table's layer, re-addressed by row key (the table read again may
/// give its rows in another order, so other ids): a change to a row goes to wherever that row
/// is now; a change to a row others deleted brings it back as a new feature, which the changes
/// after it follow; new features get ids of their own.
///
/// The journal's records carry their row's key (see [`TableSync::with_row_keys`]); the
/// changes returned do not: which feature is which row stays with the link.
pub fn rebase_by_row(sync: &TableSync, layer: &Layer, changes: Vec<Change>) -> Vec<Change> {
    let mut by_key: HashMap<String, FeatureId> = layer
        .features()
        .iter()
        .filter_map(|f| Some((sync.row_key(f.id())?.to_owned(), f.id())))
        .collect();
    // Features the journal made (or made again), by their id in the journal.
    let mut renamed: HashMap<FeatureId, FeatureId> = HashMap::new();
    let mut next = layer.next_feature_id().get();
    let mut fresh = |old: FeatureId, renamed: &mut HashMap<FeatureId, FeatureId>| {
        let id = FeatureId::new(next);
        next += 1;
        renamed.insert(old, id);
        id
    };
    let mut out = Vec::with_capacity(changes.len());
    for mut c in changes {
        let key = c.before.as_ref().and_then(row_key).map(str::to_owned);
        if let Some(&id) = renamed.get(&c.id) {
            c.id = id;
            for r in [c.before.as_mut(), c.after.as_mut()].into_iter().flatten() {
                strip_row(r);
            }
        } else if let Some(key) = key {
            match by_key.get(&key) {
                Some(&id) => c.id = id,
                None => {
                    // The row is gone: what we made of it becomes a new feature.
                    let Some(mut after) = c.after.take() else {
                        continue;
                    };
                    strip_row(&mut after);
                    c = Change {
                        id: fresh(c.id, &mut renamed),
                        before: None,
                        after: Some(after),
                    };
                }
            }
        } else if c.before.is_none() {
            c.id = fresh(c.id, &mut renamed);
        } else {
            // A feature without a row the journal never made: nothing to match it to.
            continue;
        }
        match (&c.before, &c.after) {
            (_, Some(after)) => {
                if let Some(k) = row_key(after) {
                    by_key.insert(k.to_owned(), c.id);
                }
            }
            (Some(before), None) => {
                if let Some(k) = row_key(before) {
                    by_key.remove(k);
                }
            }
            (None, None) => {}
        }
        for r in [c.before.as_mut(), c.after.as_mut()].into_iter().flatten() {
            strip_row(r);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::edit::translate;

    /// A layer of three rows, "1", "2", "3", each a point, as read from a table.
    fn table() -> (Layer, TableSync) {
        let rows: Vec<Row> = (1..=3)
            .map(|k| {
                let record: geojson::Feature = serde_json::from_value(serde_json::json!({
                    "type": "Feature",
                    "properties": {"name": format!("zone {k}")},
                    "geometry": {"type": "Point", "coordinates": [106.6 + k as f64 * 0.01, 11.0]},
                }))
                .unwrap();
                Row {
                    key: k.to_string(),
                    version: "v1".into(),
                    record,
                }
            })
            .collect();
        let baseline: Vec<(String, String, u64)> = rows
            .iter()
            .map(|r| (r.key.clone(), r.version.clone(), record_hash(&r.record)))
            .collect();
        let features = rows
            .into_iter()
            .map(|r| Feature::from_record(r.record))
            .collect();
        let layer = Layer::new(
            "zones".into(),
            crate::model::TableSource::parse("postgres://x/db", "zones").unwrap(),
            Default::default(),
            features,
            Vec::new(),
        );
        let sync = TableSync::new(&layer, baseline);
        (layer, sync)
    }

    fn id_of(sync: &TableSync, key: &str) -> FeatureId {
        sync.rows.id_of[key]
    }

    fn nudge(layer: &mut Layer, id: FeatureId) {
        layer
            .edit_geometry(id, "Move feature", |g| {
                translate(g, [0.001, 0.0]);
                Ok(())
            })
            .unwrap();
    }

    fn row(sync: &TableSync, layer: &Layer, key: &str, version: &str, name: &str) -> Row {
        let mut record = layer.features()[sync.feature_of_row(layer, key).unwrap()]
            .record()
            .into_owned();
        record.set_property("name", name);
        Row {
            key: key.into(),
            version: version.into(),
            record,
        }
    }

    fn send(sync: &mut TableSync, layer: &Layer) -> (u64, Vec<Pending>) {
        match sync.start_save(layer) {
            SaveStart::Send { ticket, items } => (ticket, items),
            other => panic!("expected a save, got {other:?}"),
        }
    }

    #[test]
    fn a_save_sends_the_edited_row_a_new_feature_and_a_deletion_and_nothing_else() {
        let (mut layer, mut sync) = table();
        assert_eq!(sync.start_save(&layer), SaveStart::NothingToSend);
        nudge(&mut layer, id_of(&sync, "2"));
        let id3 = id_of(&sync, "3");
        layer.delete_feature(id3, "Delete feature").unwrap();
        let mut fresh = layer.features()[0].record().into_owned();
        strip_row(&mut fresh);
        let new = layer.add_feature(fresh, "Add point").unwrap();
        let (ticket, items) = send(&mut sync, &layer);
        let mut kinds: Vec<(Option<&str>, bool)> = items
            .iter()
            .map(|p| (p.key.as_deref(), p.mine.is_some()))
            .collect();
        kinds.sort();
        assert_eq!(kinds, [(None, true), (Some("2"), true), (Some("3"), false)]);
        assert!(
            items
                .iter()
                .all(|p| p.key.is_none() || p.base.as_deref() == Some("v1"))
        );
        assert_eq!(sync.start_save(&layer), SaveStart::Busy);
        // The server's answer, item by item in the order sent.
        let outcomes = items
            .iter()
            .map(|p| match (&p.key, &p.mine) {
                (Some(k), Some(_)) => Outcome::Written {
                    key: k.clone(),
                    version: "v2".into(),
                },
                (Some(_), None) => Outcome::Deleted,
                (None, _) => Outcome::Written {
                    key: "4".into(),
                    version: "v1".into(),
                },
            })
            .collect();
        assert_eq!(sync.on_saved(&layer, ticket + 1, Vec::new()), None);
        let saved = sync.on_saved(&layer, ticket, outcomes).unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 3,
                conflicts: 0
            }
        );
        // The new feature carries its row's key; nothing is left to send.
        assert_eq!(sync.row_key(new), Some("4"));
        layer.history.mark_saved();
        assert_eq!(sync.start_save(&layer), SaveStart::NothingToSend);
    }

    #[test]
    fn a_conflict_waits_for_the_user_and_keep_mine_saves_over_theirs() {
        let (mut layer, mut sync) = table();
        nudge(&mut layer, id_of(&sync, "1"));
        let (ticket, _) = send(&mut sync, &layer);
        let theirs = row(&sync, &layer, "1", "v9", "renamed by them");
        let saved = sync
            .on_saved(
                &layer,
                ticket,
                vec![Outcome::Conflict {
                    theirs: Some(Box::new(theirs)),
                }],
            )
            .unwrap();
        assert_eq!(
            saved,
            Saved {
                written: 0,
                conflicts: 1
            }
        );
        assert_eq!(sync.conflicts()[0].name(), "zone 1");
        // While it waits, a save leaves that row alone.
        assert_eq!(sync.start_save(&layer), SaveStart::NothingToSend);
        assert!(sync.keep_mine(0));
        let (_, items) = send(&mut sync, &layer);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].base.as_deref(),
            Some("v9"),
            "written over their version"
        );
    }

    #[test]
    fn take_theirs_is_an_edit_that_can_be_undone() {
        let (mut layer, mut sync) = table();
        nudge(&mut layer, id_of(&sync, "1"));
        let (ticket, _) = send(&mut sync, &layer);
        let theirs = row(&sync, &layer, "1", "v9", "renamed by them");
        sync.on_saved(
            &layer,
            ticket,
            vec![Outcome::Conflict {
                theirs: Some(Box::new(theirs)),
            }],
        );
        let change = sync.take_theirs(&layer, 0).unwrap().unwrap();
        layer.commit("Take theirs", vec![change]).unwrap();
        let id = id_of(&sync, "1");
        assert_eq!(
            layer.feature(id).unwrap().property_text("name").as_deref(),
            Some("renamed by them")
        );
        layer.undo();
        assert_eq!(
            layer.feature(id).unwrap().property_text("name").as_deref(),
            Some("zone 1")
        );
    }

    /// Other editors' saves: an untouched row is replaced, a row we edited waits for our save,
    /// a deleted row leaves at once even with unsaved edits elsewhere, and undo still works.
    #[test]
    fn other_editors_rows_are_taken_in_around_our_unsaved_edits() {
        let (mut layer, mut sync) = table();
        nudge(&mut layer, id_of(&sync, "3"));
        let edited = layer
            .feature(id_of(&sync, "3"))
            .unwrap()
            .record()
            .into_owned();
        let renamed = row(&sync, &layer, "1", "v2", "renamed by them");
        let theirs_3 = row(&sync, &layer, "3", "v2", "also theirs");
        let taken = sync.take_in(&mut layer, vec![renamed, theirs_3], vec!["2".into()], None);
        assert!(taken.structural);
        assert_eq!(taken.touched, [0]);
        let names: Vec<String> = layer
            .features()
            .iter()
            .filter_map(|f| f.property_text("name"))
            .collect();
        assert_eq!(names, ["renamed by them", "zone 3"], "2 gone, 3 still ours");
        assert_eq!(*layer.features()[1].record(), edited);
        // Undo takes our edit back; the row deleted by them stays deleted.
        assert!(layer.undo().is_some());
        assert_eq!(layer.features().len(), 2);
        assert!(!layer.is_dirty());
        // Once saved, the row we held back is read again.
        assert_eq!(sync.saved_cleanly(), ["3".to_owned()]);
    }

    #[test]
    fn the_row_being_edited_is_left_alone() {
        let (mut layer, mut sync) = table();
        let id = id_of(&sync, "2");
        let theirs = row(&sync, &layer, "2", "v2", "theirs");
        let taken = sync.take_in(&mut layer, vec![theirs], vec![], Some(id));
        assert_eq!(taken, TakenIn::default());
        assert_eq!(
            layer.feature(id).unwrap().property_text("name").as_deref(),
            Some("zone 2")
        );
    }

    #[test]
    fn stale_rows_are_those_whose_version_moved_and_those_added_or_gone() {
        let (_, sync) = table();
        let versions = vec![
            ("1".to_owned(), "v1".to_owned()),
            ("2".to_owned(), "v5".to_owned()),
            ("9".to_owned(), "v1".to_owned()),
        ];
        let mut stale = sync.stale(&versions);
        stale.sort();
        assert_eq!(stale, ["2", "3", "9"]);
    }

    #[test]
    fn journalled_changes_follow_rows_to_their_new_ids() {
        let (layer, sync) = table();
        // The journal was written when row "3" was the first feature (#0), and also made a
        // new feature #7 which it then edited.
        let mut before = layer.features()[2].record().into_owned();
        set_row_key(&mut before, "3");
        let mut after = before.clone();
        after.set_property("name", "moved");
        let new: geojson::Feature = serde_json::from_value(serde_json::json!({
            "type": "Feature", "properties": {"name": "new"}, "geometry": null}))
        .unwrap();
        let mut new2 = new.clone();
        new2.set_property("name", "new, renamed");
        let changes = vec![
            Change {
                id: FeatureId::new(0),
                before: Some(before.clone()),
                after: Some(after),
            },
            Change {
                id: FeatureId::new(7),
                before: None,
                after: Some(new.clone()),
            },
            Change {
                id: FeatureId::new(7),
                before: Some(new),
                after: Some(new2),
            },
        ];
        let rebased = rebase_by_row(&sync, &layer, changes);
        assert_eq!(rebased[0].id, layer.features()[2].id());
        assert_eq!(rebased[1].id, layer.next_feature_id());
        assert_eq!(
            rebased[2].id, rebased[1].id,
            "the edit follows the new feature"
        );
        let mut l = layer.clone();
        l.commit("Recovered", rebased).unwrap();
        assert_eq!(l.features().len(), 4);
        // A change to a row others have deleted since brings ours back as a new feature.
        let mut without_3 = layer.clone();
        without_3.remove_feature(layer.features()[2].id());
        let mut after = before.clone();
        after.set_property("name", "kept");
        let rebased = rebase_by_row(
            &sync,
            &without_3,
            vec![Change {
                id: FeatureId::new(0),
                before: Some(before),
                after: Some(after),
            }],
        );
        assert_eq!(rebased.len(), 1);
        assert!(rebased[0].before.is_none());
        assert!(
            row_key(rebased[0].after.as_ref().unwrap()).is_none(),
            "no longer that row"
        );
    }
}
