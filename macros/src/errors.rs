//! Collects every diagnostic of a struct so they are reported together in one pass.

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

/// The closest of `candidates` to `name` by edit distance, if close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, case-insensitive on ASCII.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
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
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
