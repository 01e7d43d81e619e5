//! Layer 4, attribute syntax: the argument list of every neurode attribute: `key = expr`,
//! `key += expr`, bare `key`, or a positional expression, separated by commas.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

use crate::spans::Spans;

/// How a key is bound, or how a spike update changes its variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `key = value`
    Assign,
    /// `key += value`
    AddAssign,
    /// `key -= value`
    SubAssign,
    /// `key *= value`
    MulAssign,
}

impl Op {
    /// The operator as written.
    pub fn text(self) -> &'static str {
        match self {
            Op::Assign => "=",
            Op::AddAssign => "+=",
            Op::SubAssign => "-=",
            Op::MulAssign => "*=",
        }
    }

    /// `true` for `+=` and `-=`: the update adds an amount.
    pub fn is_additive(self) -> bool {
        matches!(self, Op::AddAssign | Op::SubAssign)
    }
}

/// One argument.
pub enum Arg {
    /// `key = value` or `key += value`.
    Keyed { key: Ident, op: Op, value: Expr },
    /// A bare identifier (a flag such as `membrane`, or a one-name expression).
    Flag(Ident),
    /// Any other expression.
    Positional(Expr),
}

impl Arg {
    /// A diagnostic underlining the whole argument.
    pub fn error(&self, msg: impl std::fmt::Display) -> syn::Error {
        match self {
            Arg::Keyed { key, value, .. } => Spans {
                start: key.span(),
                end: Spans::of(value).end,
            }
            .error(msg),
            Arg::Flag(i) => syn::Error::new(i.span(), msg),
            Arg::Positional(e) => Spans::of(e).error(msg),
        }
    }

    /// The argument read as an expression (a flag is a path expression).
    pub fn into_expr(self) -> Result<Expr, syn::Error> {
        match self {
            Arg::Flag(i) => Ok(syn::parse_quote_spanned!(i.span()=> #i)),
            Arg::Positional(e) => Ok(e),
            Arg::Keyed { .. } => Err(self.error("expected an expression here, not an assignment")),
        }
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `crate = path`: a keyword as a key.
        if input.peek(Token![crate]) && input.peek2(Token![=]) {
            let krate: Token![crate] = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            return Ok(Arg::Keyed {
                key: Ident::new("crate", krate.span),
                op: Op::Assign,
                value,
            });
        }
        if input.peek(Ident) && !input.peek2(Token![==]) && input.peek2(Token![=]) {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value = input.parse()?;
            return Ok(Arg::Keyed {
                key,
                op: Op::Assign,
                value,
            });
        }
        for (peek, op) in [
            (input.peek2(Token![+=]), Op::AddAssign),
            (input.peek2(Token![-=]), Op::SubAssign),
            (input.peek2(Token![*=]), Op::MulAssign),
        ] {
            if input.peek(Ident) && peek {
                let key: Ident = input.parse()?;
                let _: proc_macro2::Punct = input.parse()?;
                let _: proc_macro2::Punct = input.parse()?;
                let value = input.parse()?;
                return Ok(Arg::Keyed { key, op, value });
            }
        }
        if input.peek(Ident) {
            let fork = input.fork();
            fork.parse::<Ident>()?;
            if fork.is_empty() || fork.peek(Token![,]) {
                return Ok(Arg::Flag(input.parse()?));
            }
        }
        Ok(Arg::Positional(input.parse()?))
    }
}

/// Parses the comma-separated arguments of an attribute (empty input gives an empty list).
pub fn parse_args(tokens: proc_macro2::TokenStream) -> syn::Result<Vec<Arg>> {
    let list = syn::parse::Parser::parse2(Punctuated::<Arg, Token![,]>::parse_terminated, tokens)?;
    Ok(list.into_iter().collect())
}
