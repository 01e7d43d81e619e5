//! Layer 8, phase 4: [`Model`] + [`Plan`] → tokens. Infallible: every check and every decision
//! happened in analysis; this module only emits what the plan says.
//!
//! - [`expr`]: expressions, with reciprocals hoisted out of loops;
//! - [`integrate`]: the integrators of each method and their constants (`prepare`);
//! - [`neuron`]: the neuron kernel;
//! - [`synapse`]: one step of a synapse group kept per presynaptic neuron or per synapse;
//! - [`post`]: the per-postsynaptic kernel and its walk over the step's spikes;
//! - [`meta`]: the description (`INFO`), parameters, initial values, accessors, docs.
//!
//! Generated code is hygienic: paths go through the runtime's `__private` module (`crate =
//! path` names the crate that has it; `::neurode` by default), locals the user cannot name start
//! with `__`, and everything but the struct and its accessors sits inside one
//! `const _: () = { ... };` under one list of allowed lints ([`ALLOWED`]).

mod expr;
mod integrate;
mod meta;
mod neuron;
mod post;
mod rules;
mod synapse;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use crate::analysis::{Col, Plan, Storage};
use crate::args::Op;
use crate::model::Model;
use crate::parse::{Kind, Method};
use expr::{Emit, Hoisted};

pub use meta::accessors;

/// `#[allow(lint, reason = "...")]` for every lint generated code allows, each with its
/// reason; nothing else is allowed (the model crate's own lints apply to everything else).
pub fn allowed() -> TokenStream {
    let allows = [
        (
            quote!(non_snake_case),
            "the model's names are written as in the literature (V_th, E_L)",
        ),
        (
            quote!(non_upper_case_globals),
            "accessors are named as the variables they read (`Lif::V`, `Nmda::g_NMDA`)",
        ),
        (
            quote!(dead_code),
            "a crate may never record a model, leaving its accessors unused",
        ),
        (
            quote!(non_camel_case_types),
            "helper types are prefixed with `__` to stay out of the user's namespace",
        ),
        (
            quote!(unused_variables),
            "every parameter and built-in is bound for the equations, which use some",
        ),
        (
            quote!(unused_mut),
            "states are bound mutably for integrators, which leave some alone",
        ),
        (
            quote!(unused_assignments),
            "a state's value is stored after the step whether or not the step changed it",
        ),
    ];
    allows
        .into_iter()
        .map(|(lint, reason)| quote!(#[allow(#lint, reason = #reason)]))
        .collect()
}

/// What every emitter reads: the model, the plan, and the path of the runtime's `__private`.
pub struct Ctx<'a> {
    pub m: &'a Model,
    pub p: &'a Plan,
    pub rt: TokenStream,
}

impl<'a> Ctx<'a> {
    fn new(m: &'a Model, p: &'a Plan) -> Self {
        Ctx {
            m,
            p,
            rt: runtime_path(m),
        }
    }

    pub fn state_ident(&self, i: usize) -> Ident {
        Ident::new(&self.m.states[i].ident.to_string(), Span::call_site())
    }

    pub fn derived_ident(&self, i: usize) -> Ident {
        Ident::new(&self.m.derived[i].ident.to_string(), Span::call_site())
    }

    /// The local of the column of `name`.
    pub fn col(&self, name: &Ident) -> Ident {
        format_ident!("__c_{}", name)
    }

    /// The name of stored column `c`.
    pub fn column_ident(&self, c: Col) -> Ident {
        match c {
            Col::State(i) => self.state_ident(i),
            Col::Derived(d) => self.derived_ident(d),
        }
    }

    /// The local name of every column that follows the group's storage (every column of a
    /// neuron), in storage order.
    pub fn columns(&self) -> Vec<Ident> {
        let clock = self.p.clock_width();
        self.p.columns[..clock]
            .iter()
            .map(|&c| self.col(&self.column_ident(c)))
            .collect()
    }

    /// The local name of every per-synapse column, in storage order.
    pub fn synapse_columns(&self) -> Vec<Ident> {
        let clock = self.p.clock_width();
        self.p.columns[clock..]
            .iter()
            .map(|&c| self.col(&self.column_ident(c)))
            .collect()
    }

    /// The states that follow the group's storage, in declaration order.
    pub fn clock_states(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.m.states.len()).filter(|&i| !self.p.per_synapse(i))
    }

    /// `let Self { p1, p2, .. } = *self;` for the parameters of one value per group: the
    /// equations read a per-element parameter from its column, and its field (its default)
    /// stays unbound, so that code which forgot to load it does not compile.
    pub fn params_destructure(&self) -> TokenStream {
        let names = self
            .m
            .params
            .iter()
            .filter(|p| !p.per_element)
            .map(|p| &p.ident);
        quote!(let Self { #(#names,)* .. } = *self;)
    }

    /// `let Self { p1, p2, .. } = *self;` for every parameter (initial values).
    pub fn params_destructure_all(&self) -> TokenStream {
        let names = self.m.params.iter().map(|p| &p.ident);
        quote!(let Self { #(#names),* } = *self;)
    }

    /// `let Model { params.. } = <place>;` (parameters of one value per group).
    pub fn params_from(&self, place: TokenStream) -> TokenStream {
        let ident = &self.m.item.ident;
        let names = self
            .m
            .params
            .iter()
            .filter(|p| !p.per_element)
            .map(|p| &p.ident);
        quote!(let #ident { #(#names,)* .. } = #place;)
    }

    /// `let d: f64 = ...;` for the derived expressions `which`, in that order.
    pub fn derived_lets(&self, emit: &mut Emit<'_>, which: &[usize]) -> TokenStream {
        which
            .iter()
            .map(|&d| {
                let id = self.derived_ident(d);
                let v = emit.num(&self.m.derived[d].value);
                quote!(let #id: f64 = #v;)
            })
            .collect()
    }

    /// `let mut s: f64 = __c_s[index];` for every state that follows the storage.
    pub fn loads(&self, index: &Ident) -> TokenStream {
        self.clock_states()
            .map(|i| {
                let id = self.state_ident(i);
                let col = self.col(&id);
                quote!(let mut #id: f64 = #col[#index];)
            })
            .collect()
    }

    /// Stores every column but the derived expressions in `skip` and folds its finiteness into
    /// `__finite` (vectorises with the loop).
    pub fn stores(&self, index: &Ident, skip: &[usize]) -> TokenStream {
        let states = self
            .clock_states()
            .filter(|&i| self.m.states[i].fixed.is_none())
            .map(|i| self.state_ident(i));
        let derived = (0..self.m.derived.len())
            .filter(|d| !skip.contains(d))
            .map(|i| self.derived_ident(i));
        states
            .chain(derived)
            .map(|id| {
                let col = self.col(&id);
                quote!(#col[#index] = #id; __finite &= #id.is_finite();)
            })
            .collect()
    }

    /// `let col = &mut col[..n];` for every stored column: the loop bound then proves every
    /// index in range, so the compiler drops the bounds checks and can vectorise.
    pub fn reslice(&self, n: &Ident) -> TokenStream {
        self.columns()
            .iter()
            .map(|c| quote!(let #c = &mut #c[..#n];))
            .collect()
    }

    /// Per method: the body of one element (emitted by `body` with a hoisting emitter), as
    /// `(constructor, element, kernel constants, hoisted)`: the constructor computes the
    /// method's constants (`consts_of(method)` of them, read from `__consts.k`) and the hoisted
    /// reciprocals into `__k` and `__h`; the element reads them back.
    pub fn kernel_arms(
        &self,
        consts_of: impl Fn(Method) -> usize,
        mut body: impl FnMut(&mut Emit<'_>, Method) -> TokenStream,
    ) -> (TokenStream, TokenStream, usize, usize) {
        let nk = self
            .p
            .methods
            .iter()
            .map(|&m| consts_of(m))
            .max()
            .unwrap_or(0);
        let arms: Vec<(Method, Vec<Hoisted>, TokenStream)> = self
            .p
            .methods
            .iter()
            .map(|&method| {
                let mut emit = Emit::hoisting(self.m);
                let b = body(&mut emit, method);
                (method, emit.finish(), b)
            })
            .collect();
        let nh = arms.iter().map(|(_, h, _)| h.len()).max().unwrap_or(0);
        let mut ctor = TokenStream::new();
        let mut element = TokenStream::new();
        for (method, hoisted, b) in &arms {
            let mp = self.method_path(*method);
            let nc = consts_of(*method);
            let ks: Vec<Ident> = (0..nc).map(|j| format_ident!("__k{}", j)).collect();
            let kpad = (nc..nk).map(|_| quote!(0.0f64));
            let hs: Vec<&Ident> = hoisted.iter().map(|h| &h.local).collect();
            let hv = hoisted.iter().map(|h| &h.value);
            let hpad = (hs.len()..nh).map(|_| quote!(0.0f64));
            let (ki, hi) = (0..nc, 0..hs.len());
            let kj = 0..nc;
            ctor.extend(quote! {
                if __M == #mp as u8 {
                    #( let #ks: f64 = __consts.k[#kj]; )*
                    #( let #hs: f64 = #hv; )*
                    ([#(#ks,)* #(#kpad,)*], [#(#hs,)* #(#hpad,)*])
                } else
            });
            element.extend(quote! {
                if __M == #mp as u8 {
                    #( let #ks: f64 = self.__k[#ki]; )*
                    #( let #hs: f64 = self.__h[#hi]; )*
                    #b
                } else
            });
        }
        (
            quote!(#ctor { ([f64::NAN; #nk], [f64::NAN; #nh]) }),
            quote!(#element {}),
            nk,
            nh,
        )
    }

    /// A kernel struct `name` with const parameters `generics` (`const __M: u8, ...`): the
    /// model's parameters, `nk` constants and `nh` hoisted values of the method, the clock, then
    /// `fields` (the tile's columns).
    pub fn kernel_struct(
        &self,
        name: &Ident,
        generics: TokenStream,
        (nk, nh): (usize, usize),
        fields: TokenStream,
    ) -> TokenStream {
        let model = &self.m.item.ident;
        quote! {
            #[doc(hidden)]
            pub struct #name<'a, #generics> {
                __model: #model,
                __k: [f64; #nk],
                __h: [f64; #nh],
                __t: f64,
                __dt: f64,
                #fields
            }
        }
    }

    pub fn method_path(&self, m: Method) -> TokenStream {
        let rt = &self.rt;
        match m {
            Method::Euler => quote!(#rt::Method::Euler),
            Method::Rk2 => quote!(#rt::Method::Rk2),
            Method::Rk4 => quote!(#rt::Method::Rk4),
            Method::ExpEuler => quote!(#rt::Method::ExpEuler),
            Method::Exact => quote!(#rt::Method::Exact),
        }
    }

    pub fn storage_path(&self, s: Storage) -> TokenStream {
        let rt = &self.rt;
        match s {
            Storage::PerSynapse => quote!(#rt::Storage::PerSynapse),
            Storage::PerPre => quote!(#rt::Storage::PerPre),
            Storage::PerPost => quote!(#rt::Storage::PerPost),
        }
    }

    /// The spike updates of `timing` as statements on the locals.
    pub fn events(&self, emit: &mut Emit<'_>, timing: crate::parse::Timing) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, s) in self.m.states.iter().enumerate() {
            for e in s.events.iter().filter(|e| e.timing == timing) {
                let id = self.state_ident(i);
                let v = emit.num(&e.value);
                out.extend(match e.op {
                    Op::Assign => quote!(#id = #v;),
                    Op::AddAssign => quote!(#id += #v;),
                    Op::SubAssign => quote!(#id -= #v;),
                    Op::MulAssign => quote!(#id *= #v;),
                });
            }
        }
        out
    }
}

/// The path of the runtime's support module in generated code: `<crate>::__private`.
pub fn runtime_path(m: &Model) -> TokenStream {
    match &m.krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::neurode::__private),
    }
}

/// The whole expansion of a model that passed analysis.
pub fn expand(m: &Model, p: &Plan) -> TokenStream {
    let ctx = Ctx::new(m, p);
    let rt = &ctx.rt;
    let mut item = m.item.clone();
    let param_names: Vec<String> = m.params.iter().map(|x| x.ident.to_string()).collect();
    crate::parse::strip(&mut item, &param_names);
    for line in meta::generated_docs(m, p) {
        item.attrs.push(syn::parse_quote!(#[doc = #line]));
    }
    let ident = &item.ident;
    let accessors = accessors(m, &p.columns);
    let model_impl = ctx.model_impl();
    let kind_impl = match m.kind {
        Kind::Neuron => ctx.neuron_kernel(),
        Kind::Synapse => {
            let step = ctx.synapse_step();
            let (outside, inside) = ctx.post_kernel();
            let post_events = ctx.post_events();
            let event_driven_at = ctx.event_driven_at();
            let extras = ctx.synapse_extras();
            quote! {
                #[automatically_derived]
                impl #rt::SynapseModel for #ident {
                    #extras
                    #step
                    #inside
                    #post_events
                    #event_driven_at
                }

                #outside
            }
        }
    };
    let allowed = allowed();
    quote! {
        #[derive(Clone, Debug, PartialEq)]
        #[allow(non_snake_case, reason = "parameters are named as in the literature (V_th, E_L)")]
        #item

        #allowed
        const _: () = {
            #accessors
            #model_impl
            #kind_impl
        };
    }
}

/// The whole expansion of three models of `models/` (LIF, AMPA, the exponential synapse),
/// pretty-printed, against the files in `macros/tests/expansions/`: a change to generated code
/// shows as a readable diff. `UPDATE_EXPECT=1 cargo test -p neurode-macros snapshots` rewrites
/// them.
#[cfg(test)]
mod snapshots {
    use crate::parse::Kind;

    /// The expansion of the model `name` defined in `source` (a file of `models/src`).
    fn expansion(source: &str, name: &str) -> String {
        let file: syn::File = syn::parse_str(source).expect("a model file parses");
        let mut item = file
            .items
            .into_iter()
            .find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .expect("the model is defined in the file");
        let at = item
            .attrs
            .iter()
            .position(|a| a.path().is_ident("neuron") || a.path().is_ident("synapse"))
            .expect("the model has its attribute");
        let attr = item.attrs.remove(at);
        let kind = if attr.path().is_ident("neuron") {
            Kind::Neuron
        } else {
            Kind::Synapse
        };
        let args = match attr.meta {
            syn::Meta::List(l) => l.tokens,
            _ => proc_macro2::TokenStream::new(),
        };
        let out = crate::expand::expand(kind, args, quote::quote!(#item));
        prettyplease::unparse(&syn::parse2(out).expect("the expansion parses"))
    }

    #[test]
    fn lif() {
        expect_test::expect_file!["../../tests/expansions/lif.rs"].assert_eq(&expansion(
            include_str!("../../../models/src/lif.rs"),
            "Lif",
        ));
    }

    #[test]
    fn ampa() {
        expect_test::expect_file!["../../tests/expansions/ampa.rs"].assert_eq(&expansion(
            include_str!("../../../models/src/ampa.rs"),
            "Ampa",
        ));
    }

    #[test]
    fn exponential() {
        expect_test::expect_file!["../../tests/expansions/exponential.rs"].assert_eq(&expansion(
            include_str!("../../../models/src/exponential.rs"),
            "Exponential",
        ));
    }
}
