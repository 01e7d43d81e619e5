//! One step of a synapse group whose state lives per synapse or per presynaptic neuron
//! (`SynapseModel::step`): spike updates, integration and derived expressions per stored
//! element, then every synapse's outputs into the runtime's accumulators.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::expr::Emit;
use super::rules::{Locals, On};
use super::Ctx;
use crate::analysis::Storage;
use crate::ir::Builtin;
use crate::parse::{Method, Timing};

impl Ctx<'_> {
    /// `true` when the equations read built-in `b`.
    pub fn reads(&self, b: Builtin) -> bool {
        self.p.reads.contains(&b)
    }

    /// Presynaptic locals for neuron `__p`; `spike` is how its spike flag is known.
    fn pre_loads(&self, spike: TokenStream) -> TokenStream {
        let mut out = quote!(let spike_pre: bool = #spike;);
        if self.reads(Builtin::VPre) {
            out.extend(quote!(let v_pre: f64 = __pre.v[__p];));
        }
        if self.reads(Builtin::RefractoryPre) {
            out.extend(quote!(let refractory_pre: bool = __pre.refractory[__p];));
        }
        out
    }

    /// Postsynaptic locals for neuron `__q`.
    fn post_loads(&self) -> TokenStream {
        let mut out = TokenStream::new();
        if self.reads(Builtin::VPost) {
            out.extend(quote!(let v_post: f64 = __post.v[__q];));
        }
        if self.reads(Builtin::RefractoryPost) {
            out.extend(quote!(let refractory_post: bool = __post.refractory[__q];));
        }
        out
    }

    /// Spike updates, integration and derived expressions of one stored element; with
    /// `per_pre`, the derived expressions that read the postsynaptic side are left to the push.
    fn element(&self, emit: &mut Emit<'_>, method: Method, per_pre: bool) -> TokenStream {
        let before = self.events(emit, Timing::Before);
        let after = self.events(emit, Timing::After);
        let own = |d: &usize| !per_pre || !self.p.post_derived.contains(d);
        let held: Vec<usize> = self.p.held.iter().copied().filter(own).collect();
        let held = self.derived_lets(emit, &held);
        let integrate = self.integrate(emit, method);
        let all: Vec<usize> = self.p.derived_order.iter().copied().filter(own).collect();
        let all = self.derived_lets(emit, &all);
        let guard = |updates: TokenStream| {
            if updates.is_empty() {
                updates
            } else {
                quote!(if spike_pre { #updates })
            }
        };
        let (before, after) = (guard(before), guard(after));
        quote!(#before #held #integrate #after #all)
    }

    /// Loads and stores of every per-synapse state at `__i`.
    fn synapse_loads_stores(&self) -> (TokenStream, TokenStream) {
        let mut loads = TokenStream::new();
        let mut stores = TokenStream::new();
        for i in (0..self.m.states.len()).filter(|&i| self.p.per_synapse(i)) {
            let id = self.state_ident(i);
            let col = self.col(&id);
            loads.extend(quote!(let mut #id: f64 = #col[__i];));
            stores.extend(quote!(#col[__i] = #id; __finite &= #id.is_finite();));
        }
        (loads, stores)
    }

    /// `let w: f64 = __c_w[__i];` for the per-synapse values the outputs read, for a group
    /// whose state is kept per presynaptic neuron (the outputs are pushed per synapse, after
    /// the rules, which may change a weight).
    fn output_synapse_reads(&self) -> TokenStream {
        let read: std::collections::BTreeSet<usize> = self
            .m
            .outputs
            .iter()
            .flat_map(|o| o.value.symbols())
            .filter_map(|s| match s {
                crate::ir::Sym::State(i) if self.p.per_synapse(i) => Some(i),
                _ => None,
            })
            .collect();
        read.into_iter()
            .map(|i| {
                let id = self.state_ident(i);
                let col = self.col(&id);
                quote!(let #id: f64 = #col[__i];)
            })
            .collect()
    }

    /// `__oK[target] += value;` for every output.
    fn pushes(&self, emit: &mut Emit<'_>) -> TokenStream {
        self.m
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let out = format_ident!("__o{}", k);
                let v = emit.num(&o.value);
                let at = if o.to_pre { quote!(__p) } else { quote!(__q) };
                quote!(#out[#at] += #v;)
            })
            .collect()
    }

    /// The loop of one storage class under one method.
    fn storage_loop(&self, emit: &mut Emit<'_>, storage: Storage, method: Method) -> TokenStream {
        let post = self.post_loads();
        match storage {
            Storage::PerSynapse => {
                let pre = self.pre_loads(quote!(__pre.spike[__p]));
                let i = format_ident!("__i");
                let (loads, stores) = (self.loads(&i), self.stores(&i, &[]));
                let (synapse_loads, synapse_stores) = self.synapse_loads_stores();
                let element = self.element(emit, method, false);
                let rules = self.rule_block(On::Pre, &Locals::All);
                let rules = (!rules.is_empty()).then(|| quote!(if spike_pre #rules));
                let pushes = self.pushes(emit);
                quote! {
                    for __p in 0..__n_pre {
                        #pre
                        for __i in __conn.row_ptr[__p]..__conn.row_ptr[__p + 1] {
                            let __q = __conn.post.get(__i);
                            #post
                            #loads
                            #synapse_loads
                            #element
                            #rules
                            #stores
                            #synapse_stores
                            #pushes
                        }
                    }
                }
            }
            Storage::PerPre => {
                let pre = self.pre_loads(quote!(__pre.spike[__p]));
                let p = format_ident!("__p");
                let loads = self.loads(&p);
                let element = self.element(emit, method, true);
                let stores = self.stores(&p, &self.p.post_derived);
                let per_synapse = self.derived_lets(emit, &self.p.post_derived);
                let rules = self.rule_block(On::Pre, &Locals::Clock);
                let rules = (!rules.is_empty()).then(|| quote!(if spike_pre #rules));
                let reads = self.output_synapse_reads();
                let pushes = self.pushes(emit);
                let reslice = self.reslice(&format_ident!("__n_pre"));
                quote! {
                    #reslice
                    for __p in 0..__n_pre {
                        #pre
                        #loads
                        #element
                        #stores
                        for __i in __conn.row_ptr[__p]..__conn.row_ptr[__p + 1] {
                            let __q = __conn.post.get(__i);
                            #post
                            #rules
                            #reads
                            #per_synapse
                            #pushes
                        }
                    }
                }
            }
            // Kept per postsynaptic neuron, the state runs through the kernel (`post`).
            Storage::PerPost => TokenStream::new(),
        }
    }

    /// `SynapseModel::step`: one arm per storage class (per synapse, per presynaptic neuron)
    /// and method.
    pub fn synapse_step(&self) -> TokenStream {
        let rt = &self.rt;
        let cols = self.columns();
        let n = cols.len();
        let outs: Vec<Ident> = (0..self.m.outputs.len())
            .map(|k| format_ident!("__o{}", k))
            .collect();
        let n_out = outs.len();
        let params = self.params_destructure();
        let mut arms = TokenStream::new();
        for &storage in self.p.storages.iter().filter(|&&s| s != Storage::PerPost) {
            for &method in &self.p.methods {
                let (sp, mp) = (self.storage_path(storage), self.method_path(method));
                let consts = self.load_consts(method, &quote!(__consts.k));
                let mut emit = Emit::hoisting(self.m);
                let body = self.storage_loop(&mut emit, storage, method);
                let lets = emit.finish().into_iter().map(|h| {
                    let (r, v) = (h.local, h.value);
                    quote!(let #r: f64 = #v;)
                });
                arms.extend(quote!((#sp, #mp) => { #consts #(#lets)* #body }));
            }
        }
        let bindings = if self.has_rules() || !self.synapse_columns().is_empty() {
            let b = self.rule_bindings();
            quote!(#b let (__post_v, __post_refr) = (__post.v, __post.refractory);)
        } else {
            TokenStream::new()
        };
        quote! {
            fn step(&self, __consts: &__Consts, __step: #rt::SynapseStep<'_>) -> bool {
                let #rt::SynapseStep { clock: __clock, storage: __storage, columns: __columns, conn: __conn, pre: __pre, post: __post, outputs: __outputs, rules: __rules } = __step;
                let (t, dt) = (__clock.t, __clock.dt);
                let mut __finite = true;
                let [#(#cols),*] = __columns.split::<#n>();
                #bindings
                let [#(#outs),*] = #rt::outputs_mut::<#n_out>(__outputs);
                #params
                let __n_pre = __conn.row_ptr.len().saturating_sub(1);
                match (__storage, __consts.method) {
                    #arms
                    _ => {}
                }
                __finite
            }
        }
    }
}
