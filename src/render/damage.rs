//! What changed between two frames, shape by shape.
//!
//! Two frames' shapes are matched in order; a shape only in the old frame or
//! only in the new one damages the pixels it can reach. The kept shapes are a
//! common subsequence of both frames, and the same shape makes the same
//! triangles, so a pixel that no damaged shape reaches is covered by the same
//! triangles in the same order in both frames and keeps its colour: redrawing
//! only the damage is exact.

use super::raster::PixelRect;

/// How far ahead the matcher looks for a shape that moved in the list (a
/// label that appeared above it, a widget that went away).
const LOOKAHEAD: usize = 384;

/// How two frames' items are compared.
pub struct Matcher<Same, Reach, Refine> {
    /// Whether two items draw the same pixels.
    pub same: Same,
    /// The pixels an item can reach.
    pub reach: Reach,
    /// For an item replaced by another in the same place: where exactly the
    /// two differ, when that can be told (a text whose digits changed).
    /// `None` damages all of both.
    pub refine: Refine,
}

/// Pixel rectangles of everything that differs between `old` and `new`.
/// `None` when more than `limit` rectangles changed and redrawing everything
/// is cheaper.
pub fn changed_bounds<T, Same, Reach, Refine>(
    old: &[T],
    new: &[T],
    matcher: &Matcher<Same, Reach, Refine>,
    limit: usize,
) -> Option<Vec<PixelRect>>
where
    Same: Fn(&T, &T) -> bool,
    Reach: Fn(&T) -> PixelRect,
    Refine: Fn(&T, &T) -> Option<Vec<PixelRect>>,
{
    let Matcher {
        same,
        reach,
        refine,
    } = matcher;
    let mut out = Vec::new();
    let push = |out: &mut Vec<PixelRect>, item: &T| -> bool {
        let bounds = reach(item);
        if !bounds.is_empty() {
            out.push(bounds);
        }
        out.len() <= limit
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < new.len() {
        if same(&old[i], &new[j]) {
            i += 1;
            j += 1;
            continue;
        }
        let skip_old = (1..LOOKAHEAD)
            .take_while(|k| i + k < old.len())
            .find(|k| same(&old[i + k], &new[j]));
        let skip_new = (1..LOOKAHEAD)
            .take_while(|k| j + k < new.len())
            .find(|k| same(&new[j + k], &old[i]));
        match (skip_old, skip_new) {
            (Some(k), Some(l)) if k <= l => {
                for item in &old[i..i + k] {
                    if !push(&mut out, item) {
                        return None;
                    }
                }
                i += k;
            }
            (Some(k), None) => {
                for item in &old[i..i + k] {
                    if !push(&mut out, item) {
                        return None;
                    }
                }
                i += k;
            }
            (_, Some(l)) => {
                for item in &new[j..j + l] {
                    if !push(&mut out, item) {
                        return None;
                    }
                }
                j += l;
            }
            (None, None) => {
                if let Some(rects) = refine(&old[i], &new[j]) {
                    out.extend(rects);
                    if out.len() > limit {
                        return None;
                    }
                } else if !push(&mut out, &old[i]) || !push(&mut out, &new[j]) {
                    return None;
                }
                i += 1;
                j += 1;
            }
        }
    }
    for item in old[i..].iter().chain(&new[j..]) {
        if !push(&mut out, item) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An item: what it is, and the pixels it reaches.
    type Item = (u64, PixelRect);

    fn key(id: u64, x: i32) -> Item {
        (id, PixelRect::new(x, 0, x + 1, 1))
    }

    fn changed(old: &[Item], new: &[Item], limit: usize) -> Option<Vec<PixelRect>> {
        let matcher = Matcher {
            same: |a: &Item, b: &Item| a == b,
            reach: |item: &Item| item.1,
            refine: |_: &Item, _: &Item| None,
        };
        changed_bounds(old, new, &matcher, limit)
    }

    #[test]
    fn identical_frames_have_no_damage() {
        let frame: Vec<_> = (0..100).map(|n| key(n, n as i32)).collect();
        assert_eq!(changed(&frame, &frame, 1000), Some(Vec::new()));
    }

    #[test]
    fn a_replaced_shape_damages_its_old_and_new_place() {
        let old: Vec<_> = (0..10).map(|n| key(n, n as i32)).collect();
        let mut new = old.clone();
        new[4] = key(99, 40);
        let damage = changed(&old, &new, 1000).unwrap_or_default();
        assert_eq!(damage, vec![old[4].1, new[4].1]);
    }

    #[test]
    fn an_inserted_run_damages_only_itself() {
        let old: Vec<_> = (0..50).map(|n| key(n, n as i32)).collect();
        let mut new = old.clone();
        new.splice(20..20, (100..105).map(|n| key(n, 1000 + n as i32)));
        let damage = changed(&old, &new, 1000).unwrap_or_default();
        assert_eq!(damage.len(), 5);
        assert!(damage.iter().all(|rect| rect.x0 >= 1100));
    }

    #[test]
    fn too_much_change_asks_for_a_full_redraw() {
        let old: Vec<_> = (0..50).map(|n| key(n, n as i32)).collect();
        let new: Vec<_> = (100..150).map(|n| key(n, n as i32)).collect();
        assert_eq!(changed(&old, &new, 20), None);
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
