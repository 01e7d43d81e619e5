//! The per-postsynaptic kernel of a synapse and its walk over the step's spikes.
//!
//! The state such a synapse keeps per postsynaptic neuron is linear and homogeneous,
//! `y' = A·y`, stepped as `y ← M·y` with the method's step matrix. During a run the stored
//! state is kept *advanced*: `M·y`, the state of the next step before its spikes. The walk over
//! the spikes then only adds each update (`on_pre` updates through `M`, `on_pre_after` ones as
//! they are), which makes the stored value the step's state; the kernel pushes its outputs and
//! advances it again. The runtime advances the state once when a run starts
//! (`PostKernel::advance`) and the kernel does not on the run's last step, so between runs the
//! state is the step's own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::rules::{Locals, On};
use super::Ctx;
use crate::ir::Builtin;
use crate::parse::{OutputKind, Timing};

impl Ctx<'_> {
    /// `(items beside the impl, items inside it)`: the kernel struct and its impls, and the
    /// `pre_events` / `post_kernel` methods of `SynapseModel` (stubs without a kernel).
    pub fn post_kernel(&self) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        if !self.p.kernel {
            let inside = quote! {
                type PostKernel<'a, const __M: u8, const __SHADOW: bool> = #rt::NoKernel;

                fn pre_events(&self, _: &__Consts, _: #rt::PreEvents<'_>) -> bool {
                    true
                }

                fn post_kernel<'a, const __M: u8, const __SHADOW: bool>(&'a self, _: &'a __Consts, _: #rt::Clock, _: #rt::ColumnsMut<'a>, _: ::core::option::Option<#rt::ColumnsMut<'a>>, _: bool) -> #rt::NoKernel {
                    #rt::NoKernel
                }
            };
            return (TokenStream::new(), inside);
        }
        let kernel = format_ident!("__PostKernel");
        let cols = self.columns();
        let n = cols.len();
        let params = self.params_destructure();
        let q = format_ident!("__q");
        let (loads, stores) = (self.loads(&q), self.stores(&q, &[]));
        let mut post = TokenStream::new();
        if self.reads(Builtin::VPost) {
            post.extend(quote!(let v_post: f64 = __v;));
        }
        if self.reads(Builtin::RefractoryPost) {
            post.extend(quote!(let refractory_post: bool = __refr;));
        }
        let ys = self.ode_idents();
        let ny = ys.len();
        let shadow_stores: Vec<TokenStream> = self
            .clock_states()
            .enumerate()
            .map(|(k, i)| {
                let id = self.state_ident(i);
                quote!(__shadow[#k][__q] = #id;)
            })
            .collect();
        let n_consts = |m| self.n_consts(m) + ny * ny;
        let (ctor, element, nk, nh) = self.kernel_arms(n_consts, |_, method| {
            // Outputs are emitted as written (no reciprocals hoisted).
            let mut emit = super::expr::Emit::plain(self.m);
            let pushes: TokenStream = self
                .m
                .outputs
                .iter()
                .enumerate()
                .map(|(o, out)| {
                    let x = emit.num(&out.value);
                    match (out.kind, &out.reversal) {
                        (OutputKind::Conductance, Some(e)) => {
                            let e = emit.num(e);
                            quote!(__sink.conductance(#o, #x, __v, (#e));)
                        }
                        (OutputKind::Voltage, _) => quote!(__sink.voltage(#o, #x);),
                        (OutputKind::Summed, _) => quote!(__sink.summed(#o, #x);),
                        _ => quote!(__sink.current(#o, #x);),
                    }
                })
                .collect();
            let step = self.step_by_matrix(self.n_consts(method));
            quote! {
                #loads
                if let ::core::option::Option::Some(__sink) = __sink {
                    #post
                    #pushes
                }
                if __SHADOW {
                    if let ::core::option::Option::Some(__shadow) = self.__shadow.as_mut() {
                        #(#shadow_stores)*
                    }
                }
                #step
                #stores
            }
        });
        let params_el = self.params_from(quote!(self.__model));
        let reslice = self.reslice(&format_ident!("__n"));
        let kernel_struct = self.kernel_struct(
            &kernel,
            quote!(const __M: u8, const __SHADOW: bool),
            (nk, nh),
            quote! {
                #( #cols: &'a mut [f64], )*
                __shadow: ::core::option::Option<[&'a mut [f64]; #n]>,
            },
        );
        let outside = quote! {
            #kernel_struct

            impl<'a, const __M: u8, const __SHADOW: bool> #kernel<'a, __M, __SHADOW> {
                /// Pushes the outputs of element `__q` into `__sink` (if any), then advances it
                /// (the step matrix is the identity in a kernel that does not advance) and
                /// stores it.
                #[inline(always)]
                fn __element<__S: #rt::Sink>(&mut self, __q: usize, __v: f64, __refr: bool, __sink: ::core::option::Option<&mut __S>) -> bool {
                    let (t, dt) = (self.__t, self.__dt);
                    #params_el
                    #( let #cols = &mut *self.#cols; )*
                    let mut __finite = true;
                    #element
                    __finite
                }
            }

            #[automatically_derived]
            impl<'a, const __M: u8, const __SHADOW: bool> #rt::PostKernel for #kernel<'a, __M, __SHADOW> {
                #[inline(always)]
                fn element<__S: #rt::Sink>(&mut self, __q: usize, __v: f64, __refr: bool, __sink: &mut __S) -> bool {
                    self.__element(__q, __v, __refr, ::core::option::Option::Some(__sink))
                }

                #[inline(always)]
                fn advance(&mut self, __q: usize) -> bool {
                    self.__element::<#rt::NoSink>(__q, 0.0, false, ::core::option::Option::None)
                }
            }
        };
        let walk = self.walk(&ys);
        let rule_bindings = if self.has_rules() {
            let b = self.rule_bindings();
            quote! {
                let __rules = __rules.unwrap_or_else(#rt::RuleData::none);
                #b
                let (__post_v, __post_refr) = (__v, __refr_post);
            }
        } else {
            // Per-synapse parameters, read-only.
            self.synapse_columns()
                .iter()
                .enumerate()
                .map(|(k, c)| quote!(let #c: &[f64] = __fixed.get(#k).map_or(&[][..], |__c| __c.as_slice());))
                .collect()
        };
        let bases = self.p.methods.iter().map(|&m| {
            let mp = self.method_path(m);
            let base = self.n_consts(m);
            quote!(#mp => #base,)
        });
        let base_arms = self.p.methods.iter().map(|&m| {
            let mp = self.method_path(m);
            let base = self.n_consts(m);
            quote!(if __M == #mp as u8 { #base } else)
        });
        let base_of_m = quote!(#(#base_arms)* { 0 });
        // On a run's last step the kernel does not advance: the step matrix becomes the
        // identity (exact). Nothing to do without integrated states.
        let identity = if ny == 0 {
            TokenStream::new()
        } else {
            quote! {
                if !__advance {
                    let __base: usize = #base_of_m;
                    for __i in 0..#ny {
                        for __j in 0..#ny {
                            if let ::core::option::Option::Some(__x) = __k.get_mut(__base + __i * #ny + __j) {
                                *__x = if __i == __j { 1.0 } else { 0.0 };
                            }
                        }
                    }
                }
            }
        };
        let inside = quote! {
            type PostKernel<'a, const __M: u8, const __SHADOW: bool> = #kernel<'a, __M, __SHADOW>;

            fn pre_events(&self, __consts: &__Consts, __events: #rt::PreEvents<'_>) -> bool {
                let #rt::PreEvents { clock: __clock, first: __first, columns: __columns, conn: __conn, segments: __segments, v: __v, refractory: __refr_post, rules: __rules, fixed: __fixed } = __events;
                let (t, dt) = (__clock.t, __clock.dt);
                let mut __finite = true;
                let [#(#cols),*] = __columns.split::<#n>();
                #rule_bindings
                let __base: usize = match __consts.method {
                    #(#bases)*
                    _ => 0,
                };
                let __m: &[f64] = __consts.k.get(__base..).unwrap_or_default();
                #params
                #walk
                __finite
            }

            #[inline]
            fn post_kernel<'a, const __M: u8, const __SHADOW: bool>(&'a self, __consts: &'a __Consts, __clock: #rt::Clock, __columns: #rt::ColumnsMut<'a>, __shadow: ::core::option::Option<#rt::ColumnsMut<'a>>, __advance: bool) -> #kernel<'a, __M, __SHADOW> {
                let (t, dt) = (__clock.t, __clock.dt);
                let __n = __columns.len();
                let [#(#cols),*] = __columns.split::<#n>();
                #reslice
                #params
                let (mut __k, __h) = #ctor;
                #identity
                #kernel {
                    __model: ::core::clone::Clone::clone(self),
                    __k,
                    __h,
                    __t: t,
                    __dt: dt,
                    #( #cols, )*
                    __shadow: __shadow.map(|__s| __s.split::<#n>()),
                }
            }
        };
        (outside, inside)
    }

    /// The walk: every update of every spike onto the tile, into the advanced state.
    fn walk(&self, ys: &[Ident]) -> TokenStream {
        let ny = ys.len();
        let mut post_walk = TokenStream::new();
        if self.reads(Builtin::VPost) {
            post_walk.extend(quote!(let v_post: f64 = __v[__q];));
        }
        if self.reads(Builtin::RefractoryPost) {
            post_walk.extend(quote!(let refractory_post: bool = __refr_post[__q];));
        }
        let ode_pos = |i: usize| self.p.ode_states.iter().position(|&y| y == i);
        let mut emit = super::expr::Emit::plain(self.m);
        let mut body = TokenStream::new();
        // The per-synapse values the updates read (weights), loaded per synapse.
        let per_synapse: Vec<usize> = (0..self.m.states.len())
            .filter(|&i| self.p.per_synapse(i))
            .filter(|&i| {
                self.m.states.iter().any(|s| {
                    s.events
                        .iter()
                        .any(|e| e.value.symbols().contains(&crate::ir::Sym::State(i)))
                })
            })
            .collect();
        for &i in &per_synapse {
            let id = self.state_ident(i);
            let col = self.col(&id);
            post_walk.extend(quote!(let #id: f64 = #col[__i];));
        }
        for (i, st) in self.m.states.iter().enumerate() {
            for e in &st.events {
                let v = emit.num(&e.value);
                let col = self.col(&self.state_ident(i));
                match (e.timing, ode_pos(i)) {
                    // Before integration: the update goes through the step matrix.
                    (Timing::Before, Some(j)) => {
                        let targets = (0..ny).map(|r| {
                            let c = self.col(&ys[r]);
                            let k = r * ny + j;
                            quote!(#c[__q] += __m[#k] * __b;)
                        });
                        body.extend(quote!({ let __b: f64 = #v; #(#targets)* }));
                    }
                    _ => body.extend(quote!(#col[__q] += #v;)),
                }
            }
        }
        if self.m.rules_pre.is_some() {
            let block = self.rule_block(On::Pre, &Locals::None(quote!(__q)));
            return quote! {
                for __seg in __segments {
                    let __p = __seg.pre;
                    for __i in __seg.start..__seg.end {
                        let __q = __conn.post.get(__i) - __first;
                        #block
                    }
                }
            };
        }
        if body.is_empty() {
            return body;
        }
        if !per_synapse.is_empty() {
            return quote! {
                for __seg in __segments {
                    let __p = __seg.pre;
                    let spike_pre: bool = true;
                    for __i in __seg.start..__seg.end {
                        let __q = __conn.post.get(__i) - __first;
                        #post_walk
                        #body
                    }
                }
            };
        }
        quote! {
            for __seg in __segments {
                let __p = __seg.pre;
                let spike_pre: bool = true;
                for __i in __seg.start..__seg.end {
                    let __q = __conn.post.get(__i) - __first;
                    #post_walk
                    #body
                }
            }
        }
    }
}
