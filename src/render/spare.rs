//! Lists a frame makes and drops (the features in view, those that may be named, the dot grid's
//! bits, the index's marks), kept for the next frames of the thread that draws them.
//!
//! Made afresh each frame, a crowded frame's lists are hundreds of kilobytes that the allocator
//! gives back to the system between frames and that the next frame then pages in again, a page
//! fault for each 4 KiB: on the large layer's camera path, a few hundred faults a frame, and
//! some thousand in the frames where the allocator had just given memory back. Kept, their room
//! is at most a few bytes a feature of the layers drawn.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Lists kept of each kind (a frame takes two or three a layer).
const KEPT: usize = 8;

type Spares<T> = RefCell<Vec<Vec<T>>>;

thread_local! {
    static INDICES: Spares<usize> = const { RefCell::new(Vec::new()) };
    static WORDS: Spares<u64> = const { RefCell::new(Vec::new()) };
}

fn take<T: 'static>(spares: &'static LocalKey<Spares<T>>) -> Vec<T> {
    spares
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn keep<T: 'static>(spares: &'static LocalKey<Spares<T>>, mut list: Vec<T>) {
    if list.capacity() == 0 {
        return;
    }
    list.clear();
    // Not kept while the thread ends (its spares are gone) or beyond `KEPT`.
    let _ = spares.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut()
            && s.len() < KEPT
        {
            s.push(list);
        }
    });
}

/// An empty list of indices, with the room an earlier frame's had.
pub fn indices() -> Vec<usize> {
    take(&INDICES)
}

/// Keeps a list from [`indices`] for a later frame.
pub fn keep_indices(list: Vec<usize>) {
    keep(&INDICES, list);
}

/// An empty list of words, with the room an earlier frame's had.
pub fn words() -> Vec<u64> {
    take(&WORDS)
}

/// Keeps a list from [`words`] for a later frame.
pub fn keep_words(list: Vec<u64>) {
    keep(&WORDS, list);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_list_comes_back_empty_with_its_room() {
        // Tests run on threads of their own: the spares are this one's.
        let mut a = indices();
        a.extend(0..10_000);
        let room = a.capacity();
        let at = a.as_ptr();
        keep_indices(a);
        let b = indices();
        assert!(b.is_empty());
        assert_eq!(
            (b.capacity(), b.as_ptr()),
            (room, at),
            "the same memory again"
        );
        // Nothing to keep in an unallocated list; no more than `KEPT` of a kind.
        keep_indices(Vec::new());
        assert_eq!(indices().capacity(), 0);
        for _ in 0..KEPT + 3 {
            keep_words(vec![1; 16]);
        }
        let kept: Vec<Vec<u64>> = (0..KEPT + 3).map(|_| words()).collect();
        assert_eq!(kept.iter().filter(|w| w.capacity() >= 16).count(), KEPT);
        assert!(kept.iter().all(|w| w.is_empty()));
    }
}
