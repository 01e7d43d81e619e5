//! Tests of the thread team.

use super::*;

#[test]
fn spike_flags_to_indices() {
    let mut flags = vec![false; 200];
    for j in [0, 5, 63, 64, 127, 128, 199] {
        flags[j] = true;
    }
    let mut out = vec![7];
    push_spikes(&flags, 1000, &mut out);
    assert_eq!(out, vec![7, 1000, 1005, 1063, 1064, 1127, 1128, 1199]);
}

#[test]
fn staged_copies_are_aligned() {
    for len in [0, 1, 7, 100] {
        let src: Vec<f64> = (0..len).map(f64::from).collect();
        let mut s = Staged::new(Origin::Input(0), &src);
        assert_eq!(s.values(), &src[..]);
        assert_eq!(s.ptr().ptr as usize % 64, 0, "len {len}");
    }
}

#[test]
fn columns_split_without_copying() {
    let mut cols = vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]];
    let c = ColumnsMut::of(&mut cols);
    assert_eq!((c.len(), c.width(), c.get(2)), (2, 3, &[5.0, 6.0][..]));
    let [a, b] = c.split::<2>();
    a[0] += b[1];
    b[0] = 0.0;
    assert_eq!(cols, vec![vec![5.0, 2.0], vec![0.0, 4.0], vec![5.0, 6.0]]);
}

#[test]
#[should_panic(expected = "needs 2 columns")]
fn columns_split_checks_the_count() {
    let mut cols = vec![vec![1.0]];
    let _ = ColumnsMut::of(&mut cols).split::<2>();
}

#[test]
fn tiles_cover_the_group_once() {
    for n in [0, 1, 5, 100] {
        for threads in 1..6 {
            let covered: Vec<usize> = (0..threads).flat_map(|k| tile(n, k, threads)).collect();
            assert_eq!(covered, (0..n).collect::<Vec<_>>());
        }
    }
}
