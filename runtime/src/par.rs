//! Data-parallel loops of network building: a slice cut into one contiguous chunk per core.
//!
//! Only for work whose result does not depend on the cut (each element computed from its index
//! alone), so that a network is built the same on any machine.

/// Below this many elements per core a loop stays on the calling thread.
const MIN_PER_THREAD: usize = 1 << 16;

/// The number of threads for a loop over `n` elements: one per core (at most 8), each with at
/// least [`MIN_PER_THREAD`] elements.
fn threads_for(n: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8)
        .min(n / MIN_PER_THREAD)
        .max(1)
}

/// Calls `f(start, chunk)` for contiguous chunks of `out` covering it once (`start`: the index
/// of the chunk's first element), in parallel when `out` is long.
pub(crate) fn chunks<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    let threads = threads_for(out.len());
    if threads == 1 {
        f(0, out);
        return;
    }
    let size = out.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for (k, part) in out.chunks_mut(size).enumerate() {
            let f = &f;
            scope.spawn(move || f(k * size, part));
        }
    });
}

/// `f(i)` for `i` in `0..n`.
pub(crate) fn map<T: Copy + Default + Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut out = vec![T::default(); n];
    chunks(&mut out, |start, part| {
        for (j, x) in part.iter_mut().enumerate() {
            *x = f(start + j);
        }
    });
    out
}

/// `src` permuted: `out[i] = src[perm[i]]`.
pub(crate) fn gather<T: Copy + Default + Send + Sync>(src: &[T], perm: &[usize]) -> Vec<T> {
    map(perm.len(), |i| src[perm[i]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_element_once_with_its_index() {
        for n in [0, 1, 5, MIN_PER_THREAD * 3 + 7] {
            let got = map(n, |i| i as u64 * 3);
            assert_eq!(got, (0..n as u64).map(|i| i * 3).collect::<Vec<_>>());
        }
        let src: Vec<u32> = (0..100).collect();
        let perm: Vec<usize> = (0..100).rev().collect();
        assert_eq!(gather(&src, &perm), (0..100).rev().collect::<Vec<u32>>());
    }
}
