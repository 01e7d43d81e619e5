//! Layer 9, the pipeline: parse → model → analysis → codegen. On any error the struct is still
//! emitted (helper attributes stripped) with its accessors and stub impls, so one mistake gives
//! one diagnostic rather than a cascade at every use of the model.

use proc_macro2::TokenStream;
use quote::quote;

use crate::analysis::Col;
use crate::errors::Errors;
use crate::parse::Kind;

/// Expands `#[neuron]` / `#[synapse]`.
pub fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Some(raw) = crate::parse::parse(kind, args, item.clone(), &mut errors) else {
        return errors.to_compile_errors();
    };
    let mut model = crate::model::resolve(raw, &mut errors);
    crate::analysis::convert_scales(&mut model);
    let plan = crate::analysis::analyse(&model, &mut errors);
    if errors.is_empty() {
        return crate::codegen::expand(&model, &plan);
    }
    let compile_errors = errors.to_compile_errors();
    let fallback = fallback(&model);
    quote!(#compile_errors #fallback)
}

/// The struct, its accessors and impls whose bodies are never reached (the crate does not
/// compile): enough for the rest of the user's code to type-check without follow-on errors.
fn fallback(m: &crate::model::Model) -> TokenStream {
    let rt = crate::codegen::runtime_path(m);
    let mut item = m.item.clone();
    let params: Vec<String> = m.params.iter().map(|p| p.ident.to_string()).collect();
    crate::parse::strip(&mut item, &params);
    // A generic model is an error already reported: emit it without its parameters.
    item.generics = syn::Generics::default();
    let ident = &item.ident;
    let order: Vec<Col> = (0..m.states.len())
        .map(Col::State)
        .chain((0..m.derived.len()).map(Col::Derived))
        .collect();
    let accessors = crate::codegen::accessors(m, &order);
    let name = ident.to_string();
    let (kind, kind_impl) = match m.kind {
        Kind::Neuron => (
            quote!(#rt::ModelKind::Neuron),
            quote! {
                impl #rt::NeuronModel for #ident {
                    type Kernel<'a, const M: u8> = #rt::NoKernel;
                    fn kernel<'a, const M: u8>(&'a self, _: &'a (), _: #rt::NeuronTile<'a>) -> #rt::NoKernel {
                        ::core::unreachable!()
                    }
                }
            },
        ),
        Kind::Synapse => (
            quote!(#rt::ModelKind::Synapse),
            quote! {
                impl #rt::SynapseModel for #ident {
                    fn reversals(&self) -> ::std::vec::Vec<f64> { ::core::unreachable!() }
                    fn delays(&self) -> ::std::vec::Vec<f64> { ::core::unreachable!() }
                    fn step(&self, _: &(), _: #rt::SynapseStep<'_>) -> bool { ::core::unreachable!() }
                    type PostKernel<'a, const M: u8, const S: bool> = #rt::NoKernel;
                    fn pre_events(&self, _: &(), _: #rt::PreEvents<'_>) -> bool { ::core::unreachable!() }
                    fn post_events(&self, _: &(), _: #rt::PostEvents<'_>) -> bool { ::core::unreachable!() }
                    fn post_kernel<'a, const M: u8, const S: bool>(&'a self, _: &'a (), _: #rt::Clock, _: #rt::ColumnsMut<'a>, _: ::core::option::Option<#rt::ColumnsMut<'a>>, _: bool) -> #rt::NoKernel {
                        ::core::unreachable!()
                    }
                }
            },
        ),
    };
    let allowed = crate::codegen::allowed();
    quote! {
        #[derive(Clone, Debug, PartialEq, Default)]
        #[allow(non_snake_case, reason = "parameters are named as in the literature (V_th, E_L)")]
        #item

        #allowed
        const _: () = {
            #accessors
            impl #rt::Model for #ident {
                const INFO: &'static #rt::ModelInfo = &#rt::ModelInfo::placeholder(#name, #kind);
                type Consts = ();
                fn get_param(&self, _: &str) -> ::core::option::Option<f64> { ::core::unreachable!() }
                fn set_param(&mut self, _: &str, _: f64) -> ::core::result::Result<(), #rt::Error> { ::core::unreachable!() }
                fn prepare(&self, _: #rt::Method, _: f64) {}
                fn init(&self, _: &mut [::std::vec::Vec<f64>]) { ::core::unreachable!() }
            }
            #kind_impl
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies of the generated methods named `names`, as token text (impls at the top level
    /// or inside `const _: () = { ... };`).
    fn methods(expansion: TokenStream, names: &[&str]) -> Vec<String> {
        fn visit(items: Vec<syn::Item>, names: &[&str], out: &mut Vec<String>) {
            for item in items {
                match item {
                    syn::Item::Impl(imp) => {
                        for it in imp.items {
                            if let syn::ImplItem::Fn(f) = it {
                                if names.contains(&f.sig.ident.to_string().as_str()) {
                                    out.push(quote!(#f).to_string());
                                }
                            }
                        }
                    }
                    syn::Item::Const(c) => {
                        if let syn::Expr::Block(b) = *c.expr {
                            let items = b.block.stmts.into_iter().filter_map(|s| match s {
                                syn::Stmt::Item(i) => Some(i),
                                _ => None,
                            });
                            visit(items.collect(), names, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        let file: syn::File = syn::parse2(expansion).expect("the expansion parses");
        let mut out = Vec::new();
        visit(file.items, names, &mut out);
        out
    }

    fn lif(units: bool) -> TokenStream {
        let u = |s: &str| if units { quote!(, unit = #s) } else { quote!() };
        let (mv, ms, mohm) = (u("mV"), u("ms"), u("MOhm"));
        let na = if units { quote!(unit = "nA") } else { quote!() };
        quote! {
            #[threshold(V >= V_th)]
            #[reset(V = V_reset)]
            #[refractory(t_ref)]
            pub struct Lif {
                #[param(default = 0.0 #mv)] pub V_rest: f64,
                #[param(default = -5.0 #mv)] pub V_reset: f64,
                #[param(default = 20.0 #mv)] pub V_th: f64,
                #[param(default = 1.0 #mohm)] pub R: f64,
                #[param(default = 10.0 #ms)] pub tau: f64,
                #[param(default = 1.0 #ms)] pub t_ref: f64,
                #[state(init = V_rest, ode = (-(V - V_rest) + R * I) / tau #mv)] pub V: f64,
                #[input(#na)] pub I: f64,
            }
        }
    }

    #[test]
    fn units_vanish_from_generated_code() {
        let names = ["kernel", "element", "prepare", "init"];
        let with = methods(expand(Kind::Neuron, TokenStream::new(), lif(true)), &names);
        let without = methods(expand(Kind::Neuron, TokenStream::new(), lif(false)), &names);
        assert_eq!(
            with.len(),
            4,
            "kernel, element, prepare and init are generated"
        );
        assert_eq!(
            with, without,
            "a unit-annotated model generates the same arithmetic as without units"
        );
        assert!(!with.concat().contains("mV"));
    }

    #[test]
    fn a_mistake_gives_one_error_and_the_struct_still() {
        let bad = quote! {
            #[threshold(V >= V_th)]
            pub struct Lif {
                #[param(default = 20.0, unit = "mV")] pub V_th: f64,
                #[state(init = 0.0, unit = "mV", ode = -V / tua, membrane)] pub V: f64,
                #[input(unit = "nA")] pub I: f64,
            }
        };
        let out = expand(Kind::Neuron, TokenStream::new(), bad).to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(out.contains("cannot find `tua` in this model"));
        assert!(
            out.contains("pub struct Lif"),
            "the struct is still emitted"
        );
        assert!(out.contains("pub const V"), "with its accessors");
        assert!(out.contains("placeholder"), "and a description naming it");
    }

    #[test]
    fn equations_are_shown_as_written() {
        let e: syn::Expr = syn::parse_quote!(-s / tau_decay + a * x * (1.0 - s));
        assert_eq!(
            crate::model::text_of(&e),
            "-s / tau_decay + a * x * (1.0 - s)"
        );
        let e: syn::Expr = syn::parse_quote!(1.0 / (1.0 + (-alpha * v_post).exp() * c_Mg / beta));
        assert_eq!(
            crate::model::text_of(&e),
            "1.0 / (1.0 + (-alpha * v_post).exp() * c_Mg / beta)"
        );
        let e: syn::Expr = syn::parse_quote!(if t - t_last < T_duration { T } else { 0.0 });
        assert_eq!(
            crate::model::text_of(&e),
            "if t - t_last < T_duration { T } else { 0.0 }"
        );
        let e: syn::Expr = syn::parse_quote!(-1e7);
        assert_eq!(crate::model::text_of(&e), "-1e7");
    }
}
