//! Writing a layer as GeoJSON, losslessly: each feature from its exact record (numbers, key
//! order and foreign members as read), in the form its file had, atomically with a backup.
//! Reading is in [`super::geojson_file`].

use std::path::Path;

use super::atomic::{SaveError, write_atomic_with};
use super::geojson_file::{RS, modified_time};
use crate::model::{FileStamp, Layer, SourceForm};

/// The layer as GeoJSON text, written the way its file was: a FeatureCollection keeps its
/// `bbox` (recomputed if a geometry changed) and foreign members, a single Feature or bare Geometry
/// stays one while the layer still is one. Features are one per line, in order, for readable diffs.
pub fn geojson_bytes(layer: &Layer) -> Result<Vec<u8>, serde_json::Error> {
    // About the size of the file as read: growing by doubling would hold the text one and a
    // half times over while it is copied.
    let mut out = Vec::with_capacity(
        layer
            .stamp
            .map_or(0, |s| usize::try_from(s.len + s.len / 16).unwrap_or(0)),
    );
    write_geojson(layer, &mut out)?;
    Ok(out)
}

/// [`geojson_bytes`], written to `out` as it is made.
pub fn write_geojson(layer: &Layer, out: &mut impl std::io::Write) -> serde_json::Result<()> {
    write_snapshot(&LayerText::of(layer), out, None)
}

/// What a save writes: the layer as it was when the save began. The features are shared with
/// the layer, so taking it costs a pointer per feature, and the user may go on editing while
/// it is written (an edit copies only the feature it changes).
#[derive(Clone)]
pub struct LayerText {
    pub form: SourceForm,
    pub features: Vec<std::sync::Arc<crate::model::Feature>>,
    /// A geometry changed since the file was read (its `bbox` is worked out again).
    pub geometry_changed: bool,
}

impl LayerText {
    pub fn of(layer: &Layer) -> Self {
        Self {
            form: layer.form.clone(),
            features: layer.snapshot(),
            geometry_changed: layer.history.geometry_changed,
        }
    }
}

/// Writes a [`LayerText`] as GeoJSON; `progress` counts the features written.
pub fn write_snapshot(
    layer: &LayerText,
    out: &mut impl std::io::Write,
    progress: Option<&std::sync::atomic::AtomicUsize>,
) -> serde_json::Result<()> {
    let mut out = Bytes(out);
    let out = &mut out;
    match (&layer.form, &layer.features[..]) {
        (SourceForm::Feature, [only]) => {
            serde_json::to_writer(&mut *out, &*only.record())?;
            return out.push(b'\n');
        }
        (SourceForm::Geometry, [only])
            if only.meta().id.is_none()
                && only.meta().bbox.is_none()
                && only.properties_text().is_none_or(|p| p == "{}")
                && only
                    .meta()
                    .foreign_members
                    .as_ref()
                    .is_none_or(|m| m.is_empty())
                && only.record_geometry().is_some() =>
        {
            serde_json::to_writer(&mut *out, &only.record_geometry())?;
            return out.push(b'\n');
        }
        _ => {}
    }
    if let SourceForm::Sequence { separators } = layer.form {
        if layer.features.is_empty() {
            return Ok(());
        }
        // Each record on a line of its own, after an RS character when the file had them.
        let (first, between): (&[u8], &[u8]) = if separators {
            (&[RS], &[b'\n', RS])
        } else {
            (b"", b"\n")
        };
        return write_features(out, &layer.features, first, between, b"\n", progress);
    }
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\"")?;
    if let SourceForm::FeatureCollection {
        bbox,
        foreign_members,
    } = &layer.form
    {
        if let Some(bbox) = bbox {
            let fresh = if layer.geometry_changed {
                // Feature by feature, so that no more than one GeoJSON geometry is made at once.
                let dims = (bbox.len() / 2).max(2);
                layer
                    .features
                    .iter()
                    .filter_map(|f| {
                        let g = f.record_geometry()?;
                        crate::model::edit::bbox_of([&g.value], dims)
                    })
                    .reduce(|a, b| {
                        (0..a.len())
                            .map(|k| {
                                if k < dims {
                                    a[k].min(b[k])
                                } else {
                                    a[k].max(b[k])
                                }
                            })
                            .collect()
                    })
            } else {
                None
            };
            out.extend_from_slice(b",\"bbox\":")?;
            serde_json::to_writer(&mut *out, fresh.as_ref().unwrap_or(bbox))?;
        }
        for (key, value) in foreign_members.iter().flatten() {
            out.push(b',')?;
            serde_json::to_writer(&mut *out, key)?;
            out.push(b':')?;
            serde_json::to_writer(&mut *out, value)?;
        }
    }
    out.extend_from_slice(b",\"features\":[")?;
    if !layer.features.is_empty() {
        write_features(out, &layer.features, b"\n", b",\n", b"", progress)?;
    }
    out.extend_from_slice(b"\n]}\n")
}

/// A writer with the two calls the GeoJSON writer makes, giving serde_json's errors.
struct Bytes<'a, W: std::io::Write>(&'a mut W);

impl<W: std::io::Write> Bytes<'_, W> {
    fn extend_from_slice(&mut self, bytes: &[u8]) -> serde_json::Result<()> {
        self.0.write_all(bytes).map_err(serde_json::Error::io)
    }

    fn push(&mut self, byte: u8) -> serde_json::Result<()> {
        self.extend_from_slice(&[byte])
    }
}

impl<W: std::io::Write> std::io::Write for Bytes<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Writes each feature's JSON to `out`, in order: the first after `first`, the others after
/// `between`, the last followed by `last`. The features are written on every core, a batch at a
/// time, so that the text of no more than one batch is held (a 350 MB layer took 2 s on one
/// core, and its whole text beside the layer took 1.6 GB at the peak of a save). The batch's
/// buffers serve every batch: made afresh each time, they grew by doubling and were let go on
/// other threads than made them, and a save of the 100 000-polygon layer held 43 MiB more than
/// the frames before it.
fn write_features<W: std::io::Write>(
    out: &mut Bytes<'_, W>,
    features: &[std::sync::Arc<crate::model::Feature>],
    first: &[u8],
    between: &[u8],
    last: &[u8],
    progress: Option<&std::sync::atomic::AtomicUsize>,
) -> serde_json::Result<()> {
    use rayon::prelude::*;
    // Two chunks a thread a batch: enough for the threads to share the work, and no more text
    // held than that. A batch of 2 048 features held some 7 MiB of text on any machine (3.5 KB
    // a feature of the large layer), where a save on two cores writes on one thread.
    const CHUNK: usize = 128;
    let chunks_per_batch = rayon::current_num_threads().max(1) * 2;
    let batch_len = CHUNK * chunks_per_batch;
    let mut texts: Vec<Vec<u8>> = vec![Vec::new(); chunks_per_batch];
    for (b, batch) in features.chunks(batch_len).enumerate() {
        let chunks: Vec<&[std::sync::Arc<crate::model::Feature>]> = batch.chunks(CHUNK).collect();
        texts
            .par_iter_mut()
            .zip(chunks.par_iter())
            .enumerate()
            .try_for_each(|(c, (text, chunk))| {
                text.clear();
                for (k, f) in chunk.iter().enumerate() {
                    let at_start = b == 0 && c == 0 && k == 0;
                    text.extend_from_slice(if at_start { first } else { between });
                    serde_json::to_writer(&mut *text, &*f.record())?;
                }
                serde_json::Result::Ok(())
            })?;
        for text in &texts[..chunks.len()] {
            out.extend_from_slice(text)?;
        }
        if let Some(p) = progress {
            p.fetch_add(batch.len(), std::sync::atomic::Ordering::Relaxed);
        }
    }
    out.extend_from_slice(last)
}

/// Saves the layer to `path` atomically, keeping the previous file as `NAME.bak`. Returns what
/// the file now is.
pub fn save_geojson(layer: &Layer, path: &Path) -> Result<FileStamp, SaveError> {
    save_snapshot(&LayerText::of(layer), path, None)
}

/// [`save_geojson`] for a [`LayerText`] taken when the save began (on any thread);
/// `progress` counts the features written.
pub fn save_snapshot(
    layer: &LayerText,
    path: &Path,
    progress: Option<&std::sync::atomic::AtomicUsize>,
) -> Result<FileStamp, SaveError> {
    // A Shapefile or GeoPackage is never overwritten with GeoJSON text: its field names and
    // types, and every other program that reads it, would be lost.
    if super::ogr_file::is_ogr_path(path) {
        return Err(SaveError::Encode {
            path: path.to_owned(),
            message: "this is not a GeoJSON file, and Corridor never writes into a Shapefile, \
                      GeoPackage or MapInfo file (their field names and types would be cut); \
                      use Save layer as… to save it as GeoJSON"
                .to_owned(),
        });
    }
    // Written to the temporary file as it is made, counted and checksummed on the way: the
    // whole text is never held.
    let mut stamp = FileStamp {
        len: 0,
        crc: 0,
        modified: None,
    };
    write_atomic_with(path, |file| {
        let mut out = Stamping {
            inner: file,
            len: 0,
            crc: crc32fast::Hasher::new(),
            checked: false,
        };
        write_snapshot(layer, &mut out, progress).map_err(std::io::Error::from)?;
        stamp.len = out.len;
        stamp.crc = out.crc.clone().finalize();
        Ok(())
    })?;
    stamp.modified = modified_time(path);
    Ok(stamp)
}

/// Passes bytes on, counting them and their CRC-32 (the saved file's [`FileStamp`]); after the
/// first bytes, a fault injected at the write stage strikes.
struct Stamping<'a> {
    inner: &'a mut dyn std::io::Write,
    len: u64,
    crc: crc32fast::Hasher,
    checked: bool,
}

impl std::io::Write for Stamping<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.len > 0 && !self.checked {
            self.checked = true;
            super::atomic::write_checkpoint()?;
        }
        let n = self.inner.write(buf)?;
        self.len += n as u64;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
