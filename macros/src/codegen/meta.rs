//! What describes a model rather than steps it: `INFO` (for `neurode describe`, monitors and
//! error messages), parameters by name, defaults, initial values, reversal potentials and
//! delays, the typed accessors of stored variables, and the docs appended to the struct.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::expr::{f64_lit, Emit};
use super::{runtime_path, Ctx};
use crate::analysis::{Col, Plan, Role};
use crate::ir::{Builtin, Expr, Sym};
use crate::model::Model;
use crate::parse::{Kind, OutputKind, Timing};

impl Ctx<'_> {
    /// `impl Default`, `impl Model` and the constants type.
    pub fn model_impl(&self) -> TokenStream {
        let rt = &self.rt;
        let ident = &self.m.item.ident;
        let defaults = self.m.params.iter().map(|x| {
            let (n, v) = (&x.ident, f64_lit(x.default));
            quote!(#n: #v)
        });
        let info = self.info();
        let params = self.param_access();
        let (consts_ty, prepare) = self.consts();
        let init = self.init();
        quote! {
            #[automatically_derived]
            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    Self { #(#defaults),* }
                }
            }

            #consts_ty

            #[automatically_derived]
            impl #rt::Model for #ident {
                #info
                #params
                #prepare
                #init
            }
        }
    }

    fn init(&self) -> TokenStream {
        let rt = &self.rt;
        let params = self.params_destructure_all();
        let mut emit = Emit::plain(self.m);
        let drawn = |e: &Expr| {
            e.symbols()
                .into_iter()
                .any(|s| matches!(s, Sym::Builtin(Builtin::Rand(_) | Builtin::Randn(_))))
        };
        let inits: Vec<TokenStream> = self
            .p
            .columns
            .iter()
            .map(|&c| match c {
                Col::State(i) => match self.m.states[i].init.as_ref() {
                    Some(e) if !drawn(e) => emit.num(e),
                    _ => quote!(0.0f64),
                },
                Col::Derived(_) => quote!(0.0f64),
            })
            .collect();
        // `rand()` / `randn()`: element k of column j draws from the key, (k, j·2^16 + call).
        let random: Vec<TokenStream> = self
            .p
            .columns
            .iter()
            .enumerate()
            .filter_map(|(j, &c)| match c {
                Col::State(i) => self.m.states[i].init.as_ref().filter(|e| drawn(e)).map(|e| (j, e)),
                Col::Derived(_) => None,
            })
            .map(|(j, e)| {
                let draws = e.symbols().into_iter().filter_map(|s| match s {
                    Sym::Builtin(b @ (Builtin::Rand(k) | Builtin::Randn(k))) => {
                        let id = proc_macro2::Ident::new(&self.m.sym_name(s), proc_macro2::Span::call_site());
                        let b_key = ((j as u64) << 16) | u64::from(k);
                        Some(match b {
                            Builtin::Rand(_) => quote!(let #id: f64 = #rt::keyed_uniform_from(__key, __k as u64, #b_key);),
                            _ => quote!(let #id: f64 = #rt::keyed_normal_from(__key, __k as u64, #b_key);),
                        })
                    }
                    _ => None,
                });
                let draws: Vec<TokenStream> = draws.collect();
                let value = emit.num(e);
                quote! {
                    if let ::core::option::Option::Some(__c) = __columns.get_mut(#j) {
                        for (__k, __x) in __c.iter_mut().enumerate() {
                            #(#draws)*
                            *__x = #value;
                        }
                    }
                }
            })
            .collect();
        let init_random = if random.is_empty() {
            TokenStream::new()
        } else {
            quote! {
                fn init_random(&self, __columns: &mut [::std::vec::Vec<f64>], __key: u64) {
                    #params
                    #(#random)*
                }
            }
        };
        quote! {
            fn init(&self, __columns: &mut [::std::vec::Vec<f64>]) {
                #params
                let __init: &[f64] = &[#(#inits,)*];
                for (__c, __v) in __columns.iter_mut().zip(__init) {
                    __c.fill(*__v);
                }
            }

            #init_random
        }
    }

    fn param_access(&self) -> TokenStream {
        let rt = &self.rt;
        let names: Vec<&syn::Ident> = self.m.params.iter().map(|p| &p.ident).collect();
        let strs: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        quote! {
            fn get_param(&self, __name: &str) -> ::core::option::Option<f64> {
                match __name {
                    #(#strs => ::core::option::Option::Some(self.#names),)*
                    _ => ::core::option::Option::None,
                }
            }

            fn set_param(&mut self, __name: &str, __value: f64) -> ::core::result::Result<(), #rt::Error> {
                let __info = <Self as #rt::Model>::INFO;
                let __slot: ::core::option::Option<&mut f64> = match __name {
                    #(#strs => ::core::option::Option::Some(&mut self.#names),)*
                    _ => ::core::option::Option::None,
                };
                match __slot {
                    ::core::option::Option::None => {
                        ::core::result::Result::Err(__info.unknown_parameter(__name))
                    }
                    ::core::option::Option::Some(__slot) => {
                        __info.check_param(__name, __value)?;
                        *__slot = __value;
                        ::core::result::Result::Ok(())
                    }
                }
            }

            fn check(&self, _: f64) -> ::core::result::Result<(), #rt::Error> {
                <Self as #rt::Model>::INFO.check_params(|__name| #rt::Model::get_param(self, __name))
            }
        }
    }

    fn info(&self) -> TokenStream {
        let (rt, m) = (&self.rt, self.m);
        let name = m.item.ident.to_string();
        let kind = match m.kind {
            Kind::Neuron => quote!(#rt::ModelKind::Neuron),
            Kind::Synapse => quote!(#rt::ModelKind::Synapse),
        };
        let doc = &m.doc;
        let method = self.method_path(self.p.method);
        let auto = self.p.method_auto;
        let methods = self.p.methods.iter().map(|&x| self.method_path(x));
        let params = m.params.iter().map(|p| {
            let (n, d, u, doc) = (
                p.ident.to_string(),
                f64_lit(p.default),
                &p.unit_text,
                &p.doc,
            );
            let per_element = p.per_element;
            let domain = match p.domain {
                crate::model::Domain::Any => quote!(#rt::Domain::Any),
                crate::model::Domain::Positive => quote!(#rt::Domain::Positive),
                crate::model::Domain::NonNegative => quote!(#rt::Domain::NonNegative),
                crate::model::Domain::Flag => quote!(#rt::Domain::Flag),
                crate::model::Domain::Range(lo, hi) => quote!(#rt::Domain::Range(#lo, #hi)),
            };
            quote!(#rt::ParamInfo { name: #n, default: #d, unit: #u, doc: #doc, per_element: #per_element, domain: #domain })
        });
        let opt = |t: Option<&String>| match t {
            Some(t) => quote!(::core::option::Option::Some(#t)),
            None => quote!(::core::option::Option::None),
        };
        let dims = |u: Option<crate::unit::Unit>| match u {
            Some(u) if !m.unitless => {
                let (exp, scale) = (u.exp, u.scale);
                quote!(::core::option::Option::Some(#rt::Dims { exp: [#(#exp),*], scale: #scale }))
            }
            _ => quote!(::core::option::Option::None),
        };
        let columns = self.p.columns.iter().map(|&c| match c {
            Col::State(i) => {
                let s = &m.states[i];
                let (n, u, doc, init) = (s.ident.to_string(), &s.unit_text, &s.doc, &s.init_text);
                let ode = opt(s.ode_text.as_ref());
                let events = s.events.iter().map(|e| {
                    let key = if e.timing == Timing::Before { "on_pre" } else { "on_pre_after" };
                    let op = e.op.text();
                    format!("{key}: {} {op} {}", s.ident, e.text)
                });
                let per_synapse = self.p.per_synapse(i);
                let event_driven = self.p.roles[i] == Role::EventDriven;
                let summed = s.summed;
                let held = s.ode.is_some() && m.held(i);
                let d = dims(s.unit);
                quote!(#rt::StateInfo { name: #n, unit: #u, doc: #doc, init: #init, ode: #ode, events: &[#(#events),*], derived: false, per_synapse: #per_synapse, event_driven: #event_driven, summed: #summed, held: #held, dims: #d })
            }
            Col::Derived(j) => {
                let d = &m.derived[j];
                let (n, doc, text) = (d.ident.to_string(), &d.doc, &d.text);
                let u = d.unit_text.clone().unwrap_or_default();
                let dd = dims(d.unit);
                quote!(#rt::StateInfo { name: #n, unit: #u, doc: #doc, init: #text, ode: ::core::option::Option::None, events: &[], derived: true, per_synapse: false, event_driven: false, summed: false, held: false, dims: #dd })
            }
        });
        let rule_texts = |rules: &Option<Vec<crate::model::Rule>>| -> Vec<String> {
            rules.iter().flatten().map(|r| r.text.clone()).collect()
        };
        let (rules_pre, rules_post) = (rule_texts(&m.rules_pre), rule_texts(&m.rules_post));
        let post_writes = self.p.post_writes.iter().map(|(name, unit)| {
            let d = dims(*unit);
            quote!(#rt::PostWrite { name: #name, dims: #d })
        });
        let outputs = m.outputs.iter().zip(&self.p.summed_units).map(|(o, unit)| {
            let kind = match o.kind {
                OutputKind::Current => quote!(#rt::OutputKind::Current),
                OutputKind::Conductance => quote!(#rt::OutputKind::Conductance),
                OutputKind::Voltage => quote!(#rt::OutputKind::Voltage),
                OutputKind::Summed => quote!(#rt::OutputKind::Summed),
            };
            let variable = opt(o.variable.as_ref());
            let d = dims(*unit);
            let target = if o.to_pre {
                quote!(#rt::Target::Pre)
            } else {
                quote!(#rt::Target::Post)
            };
            let value = &o.value_text;
            let (rev, delay) = (opt(o.reversal_text.as_ref()), opt(o.delay_text.as_ref()));
            quote!(#rt::OutputInfo { kind: #kind, target: #target, value: #value, reversal: #rev, delay: #delay, variable: #variable, dims: #d })
        });
        let storages = self.p.storages.iter().map(|&s| self.storage_path(s));
        let tile = self.p.tile;
        let threshold_text = m.threshold.as_ref().map(|(_, t)| {
            let mut options = Vec::new();
            if m.rising {
                options.push("rising".to_string());
            }
            if let Some((_, d)) = &m.dead_time {
                options.push(format!("dead time {d}"));
            }
            match m.within_step {
                Some(false) => options.push("reset within the step".into()),
                Some(true) => {
                    options.push("reset within the step, on the integrated trajectory".into())
                }
                None => {}
            }
            if options.is_empty() {
                t.clone()
            } else {
                format!("{t} ({})", options.join("; "))
            }
        });
        let threshold = opt(threshold_text.as_ref());
        let refractory = opt(m.refractory.as_ref().map(|(_, t)| t));
        let reset = m.reset.iter().map(|a| &a.text);
        let membrane = match m.membrane {
            Some(i) => quote!(::core::option::Option::Some(#i)),
            None => quote!(::core::option::Option::None),
        };
        let input = opt(m.input.as_ref().map(|(i, _)| i.to_string()).as_ref());
        let operand = |o: &crate::model::require::Operand| match o {
            crate::model::require::Operand::Name(n, _) => quote!(#rt::Operand::Name(#n)),
            crate::model::require::Operand::Number(x) => {
                let x = f64_lit(*x);
                quote!(#rt::Operand::Number(#x))
            }
        };
        let requires = m.requires.iter().map(|r| {
            let (lhs, rhs) = (operand(&r.lhs), operand(&r.rhs));
            let op = syn::Ident::new(r.op.variant(), proc_macro2::Span::call_site());
            quote!(#rt::Requirement { lhs: #lhs, op: #rt::Compare::#op, rhs: #rhs })
        });
        quote! {
            const INFO: &'static #rt::ModelInfo = &#rt::ModelInfo {
                name: #name,
                kind: #kind,
                doc: #doc,
                method: #method,
                method_auto: #auto,
                methods: &[#(#methods),*],
                params: &[#(#params),*],
                states: &[#(#columns,)*],
                outputs: &[#(#outputs),*],
                storages: &[#(#storages),*],
                tile: #tile,
                threshold: #threshold,
                reset: &[#(#reset),*],
                refractory: #refractory,
                membrane: #membrane,
                input: #input,
                rules_pre: &[#(#rules_pre),*],
                rules_post: &[#(#rules_post),*],
                post_writes: &[#(#post_writes),*],
                requires: &[#(#requires),*],
            };
        }
    }

    /// `reversals` and `delays` of a synapse's outputs.
    pub fn synapse_extras(&self) -> TokenStream {
        let params = self.params_destructure();
        let mut emit = Emit::plain(self.m);
        let reversals: Vec<TokenStream> = self
            .m
            .outputs
            .iter()
            .map(|o| {
                o.reversal
                    .as_ref()
                    .map_or_else(|| quote!(f64::NAN), |r| emit.num(r))
            })
            .collect();
        let delays: Vec<TokenStream> = self
            .m
            .outputs
            .iter()
            .map(|o| {
                o.delay
                    .as_ref()
                    .map_or_else(|| quote!(0.0f64), |d| emit.num(d))
            })
            .collect();
        quote! {
            fn reversals(&self) -> ::std::vec::Vec<f64> {
                #params
                ::std::vec![#(#reversals),*]
            }

            fn delays(&self) -> ::std::vec::Vec<f64> {
                #params
                ::std::vec![#(#delays),*]
            }
        }
    }
}

/// Doc lines appended to the struct: equations, parameters, states, method.
pub fn generated_docs(m: &Model, p: &Plan) -> Vec<String> {
    let mut d = vec![
        String::new(),
        "# Model (generated by neurode)".into(),
        String::new(),
    ];
    if !m.params.is_empty() {
        d.push("| parameter | default | unit | |".into());
        d.push("|---|---|---|---|".into());
        for x in &m.params {
            d.push(format!(
                "| `{}` | {} | {} | {} |",
                x.ident,
                x.default,
                x.unit_text,
                x.doc.replace('\n', " ")
            ));
        }
        d.push(String::new());
    }
    if !m.requires.is_empty() {
        let all: Vec<String> = m
            .requires
            .iter()
            .map(|r| format!("`{}`", r.text()))
            .collect();
        d.push(format!(
            "Requires {} (checked when values are set and when a run starts).",
            all.join(", ")
        ));
        d.push(String::new());
    }
    if !m.states.is_empty() || !m.derived.is_empty() {
        d.push("| variable | equation | unit | initial |".into());
        d.push("|---|---|---|---|".into());
        for s in &m.states {
            let mut eq = s
                .ode_text
                .as_ref()
                .map(|o| format!("d{}/dt = {o}", s.ident))
                .unwrap_or_default();
            for e in &s.events {
                let op = e.op.text();
                let when = if e.timing == Timing::Before {
                    "before"
                } else {
                    "after"
                };
                eq.push_str(&format!(
                    "; on a presynaptic spike ({when} integrating): {} {op} {}",
                    s.ident, e.text
                ));
            }
            d.push(format!(
                "| `{}` | `{}` | {} | {} |",
                s.ident,
                eq.replace('|', "\\|"),
                s.unit_text,
                s.init_text
            ));
        }
        for x in &m.derived {
            d.push(format!(
                "| `{}` | `{} = {}` | {} | |",
                x.ident,
                x.ident,
                x.text.replace('|', "\\|"),
                x.unit_text.clone().unwrap_or_default()
            ));
        }
        d.push(String::new());
    }
    if p.ode_states.is_empty() {
        d.push("Integration: nothing to integrate (no ODE).".into());
        return d;
    }
    let how = if p.method_auto {
        "chosen by neurode from the equations"
    } else {
        "named by the model"
    };
    let methods: Vec<&str> = p.methods.iter().map(|x| x.name()).collect();
    d.push(format!(
        "Integration: `{}` ({how}); also available: {}.",
        p.method.name(),
        methods.join(", ")
    ));
    d
}

/// Typed accessors `Model::name` for every stored column (in the storage order `order`), with
/// the field's doc and unit.
pub fn accessors(m: &Model, order: &[Col]) -> TokenStream {
    let rt = runtime_path(m);
    let ident = &m.item.ident;
    let columns = order.iter().map(|&c| match c {
        Col::State(i) => {
            let s = &m.states[i];
            (&s.ident, &s.doc, s.unit_text.clone())
        }
        Col::Derived(d) => {
            let d = &m.derived[d];
            (&d.ident, &d.doc, d.unit_text.clone().unwrap_or_default())
        }
    });
    // A name declared twice is an error already reported; one accessor avoids a second error.
    let mut seen = Vec::new();
    let consts = columns.enumerate().filter(|(_, (n, _, _))| {
        let fresh = !seen.contains(n);
        seen.push(*n);
        fresh
    });
    let consts: Vec<_> = consts.map(|(i, (n, doc, unit))| {
        let s = n.to_string();
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        let doc = format!(
            "{doc}\n\nTyped accessor of the variable `{s}`{unit}, for monitors and group access."
        );
        quote_spanned!(n.span()=> #[doc = #doc] pub const #n: #rt::Var<#ident> = #rt::Var::new(#i, #s);)
    }).collect();
    let params = m
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.per_element && !seen.contains(&&p.ident))
        .map(|(i, p)| {
            let n = &p.ident;
            let s = n.to_string();
            let unit = if p.unit_text.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.unit_text)
            };
            let doc = format!(
                "{}\n\nTyped accessor of the parameter `{s}`{unit}, default {}, for \
                 `Network::set_param` and `Network::param`.",
                p.doc, p.default
            );
            quote_spanned!(n.span()=> #[doc = #doc] pub const #n: #rt::Param<#ident> = #rt::Param::new(#i, #s);)
        })
        .collect::<Vec<_>>();
    quote! {
        impl #ident {
            #(#consts)*
            #(#params)*
        }
    }
}
