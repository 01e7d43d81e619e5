//! The spike rules (`#[on_pre(...)]`, `#[on_post(...)]`): one block of statements per synapse an
//! event reaches, run in the order written.
//!
//! A block works on locals: it loads what it needs, advances the event-driven states exactly
//! from the synapse's last event (`x ← x·e^{aΔ} + b·(e^{aΔ} − 1)/a` for `x' = a·x + b`), runs
//! the statements, stores what changed, and stamps the synapse's last event. Derived
//! expressions are inlined into the statements, so a statement reads the values the statements
//! before it left. A postsynaptic variable (`ge_post += w`) is added to in place, converted by
//! the factor the runtime bound it with.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::Ident;

use super::expr::Emit;
use super::Ctx;
use crate::analysis::Role;
use crate::args::Op;
use crate::ir::{Builtin, Expr, Sym};
use crate::model::RuleTarget;
use crate::symbolic::inline;

/// Where the states that follow the group's storage are when a block runs.
#[derive(Clone)]
pub enum Locals {
    /// Every state is a local already (per-synapse storage, inside the step's loop): the loop
    /// stores them.
    All,
    /// The states that follow the storage are locals (per-presynaptic storage, inside the
    /// step's loop); the block loads and stores the per-synapse ones.
    Clock,
    /// None is: the block loads the states that follow the storage from their columns at this
    /// index, and the per-synapse ones at `__i`.
    None(TokenStream),
}

/// Which event a block answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum On {
    Pre,
    Post,
}

impl Ctx<'_> {
    /// `true` when the model has rule blocks.
    pub fn has_rules(&self) -> bool {
        self.m.rules_pre.is_some() || self.m.rules_post.is_some()
    }

    /// The locals of the target columns: `__t0`, `__t1`, ...
    fn target_idents(&self) -> Vec<Ident> {
        (0..self.p.post_writes.len())
            .map(|k| format_ident!("__t{}", k))
            .collect()
    }

    /// Binds what the rules reach from `__rules` (a `RuleData`): the per-synapse columns, the
    /// last-event times, the target columns and their factors, the presynaptic group and the
    /// postsynaptic spike flags.
    pub fn rule_bindings(&self) -> TokenStream {
        let rt = &self.rt;
        let scols = self.synapse_columns();
        let ns = scols.len();
        let tcols = self.target_idents();
        let nt = tcols.len();
        quote! {
            let #rt::RuleData { synapse: __synapse, last: __last, targets: __targets, factors: __factors, pre: __pre_rules, post_spike: __post_spike } = __rules;
            let [#(#scols),*] = __synapse.split::<#ns>();
            let [#(#tcols),*] = __targets.split::<#nt>();
        }
    }

    /// The block of `on`'s rules for synapse `__i` (presynaptic neuron `__p`, postsynaptic
    /// `__q`) at time `t`; the caller binds `__post_v` and `__post_refr` (the postsynaptic
    /// group's potential and refractory flags, indexed by `__q`) and [`Ctx::rule_bindings`].
    pub fn rule_block(&self, on: On, locals: &Locals) -> TokenStream {
        let rules = match on {
            On::Pre => self.m.rules_pre.as_deref(),
            On::Post => self.m.rules_post.as_deref(),
        };
        let Some(rules) = rules else {
            return TokenStream::new();
        };
        let derived: Vec<Expr> = self.m.derived.iter().map(|d| d.value.clone()).collect();
        let values: Vec<Expr> = rules
            .iter()
            .map(|r| inline(&r.value, &derived, &|_| true))
            .collect();
        let mut emit = Emit::plain(self.m);
        let mut out = TokenStream::new();

        // What the statements read of the neurons.
        let reads: Vec<Sym> = values.iter().flat_map(Expr::symbols).collect();
        let read = |b: Builtin| reads.contains(&Sym::Builtin(b));
        if read(Builtin::VPost) {
            out.extend(quote!(let v_post: f64 = __post_v[__q];));
        }
        if read(Builtin::RefractoryPost) {
            out.extend(quote!(let refractory_post: bool = __post_refr[__q];));
        }
        if read(Builtin::VPre) {
            out.extend(quote!(let v_pre: f64 = __pre_rules.v[__p];));
        }
        if read(Builtin::RefractoryPre) {
            out.extend(quote!(let refractory_pre: bool = __pre_rules.refractory[__p];));
        }
        match on {
            On::Pre => out.extend(quote! {
                let spike_pre: bool = true;
                let spike_post: bool = __post_spike.get(__q).copied().unwrap_or(false);
            }),
            On::Post => out.extend(quote! {
                let spike_pre: bool = __pre_rules.spike.get(__p).copied().unwrap_or(false);
                let spike_post: bool = true;
            }),
        }

        // Loads.
        let mut referenced: Vec<usize> = Vec::new();
        for (r, v) in rules.iter().zip(&values) {
            if let RuleTarget::State(i) = r.target {
                referenced.push(i);
            }
            for s in v.symbols() {
                if let Sym::State(i) = s {
                    referenced.push(i);
                }
            }
        }
        let synapse_states: Vec<usize> = (0..self.m.states.len())
            .filter(|&i| self.p.per_synapse(i))
            .collect();
        let clock_loaded: Vec<usize> = match locals {
            Locals::None(_) => (0..self.m.states.len())
                .filter(|i| !self.p.per_synapse(*i) && referenced.contains(i))
                .collect(),
            _ => Vec::new(),
        };
        let load = |i: usize, at: &TokenStream| {
            let id = self.state_ident(i);
            let col = self.col(&id);
            quote!(let mut #id: f64 = #col[#at];)
        };
        let at_i = quote!(__i);
        if !matches!(locals, Locals::All) {
            for &i in &synapse_states {
                out.extend(load(i, &at_i));
            }
        }
        if let Locals::None(at) = locals {
            for &i in &clock_loaded {
                out.extend(load(i, at));
            }
        }

        // Event-driven states, from the synapse's last event to now.
        if !self.p.event_driven.is_empty() {
            out.extend(quote!(let __delta: f64 = t - __last[__i];));
            for (i, a, b) in &self.p.event_driven {
                let x = self.state_ident(*i);
                out.extend(self.advance(&mut emit, &x, a, b));
            }
        }

        // The statements, in order.
        let targets = self.target_idents();
        for (r, v) in rules.iter().zip(&values) {
            let v = emit.num(v);
            match &r.target {
                RuleTarget::State(i) => {
                    let x = self.state_ident(*i);
                    out.extend(match r.op {
                        Op::Assign => quote!(#x = #v;),
                        Op::AddAssign => quote!(#x += #v;),
                        Op::SubAssign => quote!(#x -= #v;),
                        Op::MulAssign => quote!(#x *= #v;),
                    });
                }
                RuleTarget::Post(name) => {
                    let k = self
                        .p
                        .post_writes
                        .iter()
                        .position(|(n, _)| n == name)
                        .unwrap_or_default();
                    let t = &targets[k];
                    let op = if r.op == Op::SubAssign {
                        quote!(-=)
                    } else {
                        quote!(+=)
                    };
                    out.extend(quote! {
                        if let ::core::option::Option::Some(__x) = #t.get_mut(__q) {
                            let __added: f64 = (#v) * __factors[#k];
                            *__x #op __added;
                            __finite &= __x.is_finite();
                        }
                    });
                }
            }
        }

        // Stores.
        let store = |i: usize, at: &TokenStream| {
            let id = self.state_ident(i);
            let col = self.col(&id);
            quote!(#col[#at] = #id; __finite &= #id.is_finite();)
        };
        if !matches!(locals, Locals::All) {
            for &i in &synapse_states {
                let written = rules.iter().any(|r| r.target == RuleTarget::State(i))
                    || self.p.roles[i] == Role::EventDriven;
                if written {
                    out.extend(store(i, &at_i));
                }
            }
        }
        if let Locals::None(at) = locals {
            for &i in &clock_loaded {
                if rules.iter().any(|r| r.target == RuleTarget::State(i)) {
                    out.extend(store(i, at));
                }
            }
        }
        if !self.p.event_driven.is_empty() {
            out.extend(quote!(__last[__i] = t;));
        }
        quote!({ #out })
    }

    /// `{ x = x advanced by __delta ms }` for the event-driven state whose equation is
    /// x' = a·x + b (a and b of parameters only).
    fn advance(&self, emit: &mut Emit<'_>, x: &impl ToTokens, a: &Expr, b: &Expr) -> TokenStream {
        let a_t = emit.num(a);
        let advance = if b.as_num() == Some(0.0) {
            quote!(#x *= (__a * __delta).exp();)
        } else {
            let b_t = emit.num(b);
            quote! {
                let __b: f64 = #b_t;
                #x = if __a == 0.0 {
                    #x + __b * __delta
                } else {
                    #x * (__a * __delta).exp() + __b * ((__a * __delta).exp_m1() / __a)
                };
            }
        };
        quote!({ let __a: f64 = #a_t; #advance })
    }

    /// `SynapseModel::event_driven_at` (matched on the column index) for a model with
    /// event-driven states (the default otherwise): what monitors record between events.
    pub fn event_driven_at(&self) -> TokenStream {
        if self.p.event_driven.is_empty() {
            return TokenStream::new();
        }
        let mut emit = Emit::plain(self.m);
        let params = self.params_destructure();
        let x = quote!(__x);
        let arms = self.p.event_driven.iter().map(|(i, a, b)| {
            let column = self
                .p
                .columns
                .iter()
                .position(|c| matches!(c, crate::analysis::Col::State(k) if k == i))
                .unwrap_or_default();
            let advance = self.advance(&mut emit, &x, a, b);
            quote!(#column => { let mut __x = __x; #advance __x })
        });
        quote! {
            fn event_driven_at(&self, _: &__Consts, __state: usize, __x: f64, __delta: f64) -> f64 {
                #params
                match __state {
                    #(#arms)*
                    _ => __x,
                }
            }
        }
    }

    /// `SynapseModel::post_events`: the `#[on_post(...)]` block for every synapse onto every
    /// postsynaptic neuron that spiked, one arm per storage class.
    pub fn post_events(&self) -> TokenStream {
        let rt = &self.rt;
        if self.m.rules_post.is_none() {
            return quote! {
                fn post_events(&self, _: &__Consts, _: #rt::PostEvents<'_>) -> bool {
                    true
                }
            };
        }
        let cols = self.columns();
        let n = cols.len();
        let params = self.params_destructure();
        let bindings = self.rule_bindings();
        let arms = self.p.storages.iter().map(|&storage| {
            let sp = self.storage_path(storage);
            let at = match storage {
                crate::analysis::Storage::PerSynapse => quote!(__i),
                crate::analysis::Storage::PerPre => quote!(__p),
                crate::analysis::Storage::PerPost => quote!(__q),
            };
            let block = self.rule_block(On::Post, &Locals::None(at));
            quote! {
                if __storage == #sp {
                    for &__q32 in __spiking {
                        let __q = __q32 as usize;
                        for __k in __csc.range(__q) {
                            let __i = __csc.syn[__k] as usize;
                            let __p = __csc.pre[__k] as usize;
                            #block
                        }
                    }
                }
            }
        });
        let arms = quote!(#(#arms)else*);
        quote! {
            fn post_events(&self, __consts: &__Consts, __events: #rt::PostEvents<'_>) -> bool {
                let #rt::PostEvents { clock: __clock, storage: __storage, columns: __columns, conn: __conn, csc: __csc, spiking: __spiking, v: __post_v, refractory: __post_refr, rules: __rules } = __events;
                let (t, dt) = (__clock.t, __clock.dt);
                let mut __finite = true;
                let [#(#cols),*] = __columns.split::<#n>();
                #bindings
                #params
                #arms
                __finite
            }
        }
    }
}
