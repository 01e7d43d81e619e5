//! Layer 1, where a term was written: the two ends of a source term, so a diagnostic can underline
//! all of it. Imports nothing from the crate.

use proc_macro2::Span;

/// Where a term was written: its first and last token. On stable Rust a diagnostic can cover
/// a range only through its two ends, so every node keeps both.
#[derive(Clone, Copy, Debug)]
pub struct Spans {
    /// The term's first token.
    pub start: Span,
    /// The term's last token.
    pub end: Span,
}

impl Spans {
    /// The extent of a syntax node.
    pub fn of(tokens: &impl quote::ToTokens) -> Spans {
        let mut iter = tokens.to_token_stream().into_iter();
        let start = iter.next().map_or_else(Span::call_site, |t| t.span());
        let end = iter.last().map_or(start, |t| t.span());
        Spans { start, end }
    }

    /// A diagnostic underlining the whole term.
    pub fn error(self, msg: impl std::fmt::Display) -> syn::Error {
        let a = proc_macro2::Ident::new("a", self.start);
        let b = proc_macro2::Ident::new("b", self.end);
        syn::Error::new_spanned(quote::quote!(#a #b), msg)
    }
}

impl From<Span> for Spans {
    fn from(span: Span) -> Spans {
        Spans {
            start: span,
            end: span,
        }
    }
}
