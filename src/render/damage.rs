//! What changed between two frames, triangle by triangle.
//!
//! Each triangle of a frame gets a key: a hash of everything that decides its
//! pixels (corners, colours, texture coordinates, texture and its version,
//! clip rectangle) and the pixels it can touch. Two frames are matched in
//! order; a triangle only in the old frame or only in the new one damages its
//! pixels. The kept triangles are a common subsequence of both frames, so a
//! pixel that no damaged triangle touches is covered by the same triangles in
//! the same order in both, and keeps its colour: redrawing only the damage is
//! exact.

use super::raster::PixelRect;

/// One triangle of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TriangleKey {
    /// Everything that decides the triangle's pixels.
    pub hash: u64,
    /// The pixels it can touch (its bounds within its clip rectangle).
    pub bounds: PixelRect,
    /// Which primitive of the frame it is in.
    pub primitive: u32,
    /// Which triangle of that primitive (the first of its three indices / 3).
    pub triangle: u32,
}

/// How far ahead the matcher looks for a triangle that moved in the list
/// (text that grew by a glyph, a widget that appeared).
const LOOKAHEAD: usize = 384;

/// Pixel rectangles of everything that differs between `old` and `new`.
/// `None` when so much changed that redrawing everything is cheaper.
pub fn changed_bounds(
    old: &[TriangleKey],
    new: &[TriangleKey],
    limit: usize,
) -> Option<Vec<PixelRect>> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<PixelRect>, key: &TriangleKey| -> bool {
        if !key.bounds.is_empty() {
            out.push(key.bounds);
        }
        out.len() <= limit
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if old[i].hash == new[j].hash {
            i += 1;
            j += 1;
            continue;
        }
        let skip_old = (1..LOOKAHEAD)
            .take_while(|k| i + k < old.len())
            .find(|k| old[i + k].hash == new[j].hash);
        let skip_new = (1..LOOKAHEAD)
            .take_while(|k| j + k < new.len())
            .find(|k| new[j + k].hash == old[i].hash);
        match (skip_old, skip_new) {
            (Some(k), Some(l)) if k <= l => {
                for key in &old[i..i + k] {
                    if !push(&mut out, key) {
                        return None;
                    }
                }
                i += k;
            }
            (Some(k), None) => {
                for key in &old[i..i + k] {
                    if !push(&mut out, key) {
                        return None;
                    }
                }
                i += k;
            }
            (_, Some(l)) => {
                for key in &new[j..j + l] {
                    if !push(&mut out, key) {
                        return None;
                    }
                }
                j += l;
            }
            (None, None) => {
                if !push(&mut out, &old[i]) || !push(&mut out, &new[j]) {
                    return None;
                }
                i += 1;
                j += 1;
            }
        }
    }
    for key in old[i..].iter().chain(&new[j..]) {
        if !push(&mut out, key) {
            return None;
        }
    }
    Some(out)
}

/// Merges rectangles that touch or nearly touch (within `gap` pixels) until
/// none do, then, if more than `max` remain, into one. Redrawing a few
/// rectangles costs less than many tiny ones, each of which walks the frame's
/// triangles.
pub fn merge(mut rects: Vec<PixelRect>, gap: i32, max: usize) -> Vec<PixelRect> {
    rects.retain(|rect| !rect.is_empty());
    let mut merged: Vec<PixelRect> = Vec::with_capacity(rects.len().min(64));
    for rect in rects {
        let mut current = rect;
        // Absorb every merged rectangle the growing one now reaches.
        loop {
            let reach = current.grown(gap);
            let before = merged.len();
            merged.retain(|other| {
                if other.overlaps(&reach) {
                    current = current.union(other);
                    false
                } else {
                    true
                }
            });
            if merged.len() == before {
                break;
            }
        }
        merged.push(current);
    }
    if merged.len() > max {
        let all = merged
            .iter()
            .fold(PixelRect::default(), |all, rect| all.union(rect));
        return vec![all];
    }
    merged
}

/// A small, fast hash for the keys (FxHash's mixing step).
#[derive(Clone, Copy)]
pub struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    /// A hasher seeded with `start`.
    pub fn new(start: u64) -> Self {
        Self(start)
    }

    /// Mixes in one word.
    pub fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hash: u64, x: i32) -> TriangleKey {
        TriangleKey {
            hash,
            bounds: PixelRect::new(x, 0, x + 1, 1),
            primitive: 0,
            triangle: 0,
        }
    }

    #[test]
    fn identical_frames_have_no_damage() {
        let frame: Vec<_> = (0..100).map(|n| key(n, n as i32)).collect();
        assert_eq!(changed_bounds(&frame, &frame, 1000), Some(Vec::new()));
    }

    #[test]
    fn a_replaced_triangle_damages_its_old_and_new_place() {
        let old: Vec<_> = (0..10).map(|n| key(n, n as i32)).collect();
        let mut new = old.clone();
        new[4] = key(99, 40);
        let damage = changed_bounds(&old, &new, 1000).unwrap_or_default();
        assert_eq!(damage, vec![old[4].bounds, new[4].bounds]);
    }

    #[test]
    fn an_inserted_run_damages_only_itself() {
        let old: Vec<_> = (0..50).map(|n| key(n, n as i32)).collect();
        let mut new = old.clone();
        new.splice(20..20, (100..105).map(|n| key(n, 1000 + n as i32)));
        let damage = changed_bounds(&old, &new, 1000).unwrap_or_default();
        assert_eq!(damage.len(), 5);
        assert!(damage.iter().all(|rect| rect.x0 >= 1100));
    }

    #[test]
    fn too_much_change_asks_for_a_full_redraw() {
        let old: Vec<_> = (0..50).map(|n| key(n, n as i32)).collect();
        let new: Vec<_> = (100..150).map(|n| key(n, n as i32)).collect();
        assert_eq!(changed_bounds(&old, &new, 20), None);
    }

    #[test]
    fn near_rectangles_merge_and_far_ones_do_not() {
        let rects = vec![
            PixelRect::new(0, 0, 10, 10),
            PixelRect::new(12, 0, 20, 10),
            PixelRect::new(500, 500, 510, 510),
        ];
        let merged = merge(rects, 4, 8);
        assert_eq!(
            merged,
            vec![
                PixelRect::new(0, 0, 20, 10),
                PixelRect::new(500, 500, 510, 510)
            ]
        );
        let many: Vec<_> = (0..20)
            .map(|n| PixelRect::new(n * 100, 0, n * 100 + 5, 5))
            .collect();
        assert_eq!(merge(many, 4, 8), vec![PixelRect::new(0, 0, 1905, 5)]);
    }
}
