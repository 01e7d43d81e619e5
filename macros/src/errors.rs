//! Layer 2, diagnostics: collects every diagnostic of a struct so they are reported together in
//! one pass; suggestions for mistyped names.

/// An error collector: phases push into it and keep going where they can.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// Records one diagnostic.
    pub fn push(&mut self, e: syn::Error) {
        self.list.push(e);
    }

    /// Records a diagnostic at `span`.
    pub fn at(&mut self, span: proc_macro2::Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Records a diagnostic underlining all of `tokens` (on stable Rust `span()` of a
    /// multi-token node is its first token only).
    pub fn spanned(&mut self, tokens: &impl quote::ToTokens, msg: impl std::fmt::Display) {
        self.push(crate::spans::Spans::of(tokens).error(msg));
    }

    /// How many diagnostics were recorded (to tell whether a step added any).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// `true` when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Moves every diagnostic of `other` in.
    pub fn extend(&mut self, other: Vec<syn::Error>) {
        self.list.extend(other);
    }

    /// All diagnostics as one `compile_error!` stream.
    pub fn to_compile_errors(&self) -> proc_macro2::TokenStream {
        self.list.iter().map(syn::Error::to_compile_error).collect()
    }
}

/// The closest of `candidates` to `name` if close enough to be a likely typo: at most one edit
/// per three characters (a swap of neighbours counts as one), never for names of one or two
/// characters (every short name is close to every other). Ties go to the alphabetically first,
/// so the suggestion does not depend on the order of the candidates.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() < 3 {
        return None;
    }
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance (Levenshtein plus swaps of neighbours), case-insensitive
/// on ASCII.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["tau_rise", "tau_decay", "g_max"];
        assert_eq!(suggest("tau_rse", names), Some("tau_rise"));
        assert_eq!(suggest("g_mx", names), Some("g_max"));
        assert_eq!(suggest("alpha", names), None);
        assert_eq!(
            suggest("tua", ["tau", "t"]),
            Some("tau"),
            "a swap is one edit"
        );
        assert_eq!(suggest("dealy", ["delay"]), Some("delay"));
        assert_eq!(
            suggest("V", ["s", "t"]),
            None,
            "no guesses for one-letter names"
        );
        assert_eq!(
            suggest("abd", ["abc", "abe"]),
            Some("abc"),
            "ties are broken alphabetically"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
