//! Integrators and their constants: one step of each method over the integrated states (held
//! in locals named as the states), and `prepare`, which computes a method's step-invariant
//! numbers once per run into the model's `Consts`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::expr::Emit;
use super::Ctx;
use crate::parse::Method;

impl Ctx<'_> {
    /// How many constants `prepare` computes for `method` itself: exponential Euler's factors
    /// that are constant for a run, or the exact method's `Φ` and `Γ`.
    pub fn n_consts(&self, method: Method) -> usize {
        let n = self.p.ode_states.len();
        match method {
            Method::ExpEuler => self.p.diag.iter().filter(|(_, c)| *c).count(),
            Method::Exact => 2 * n * n,
            _ => 0,
        }
    }

    /// Size of the step matrix that per-postsynaptic kernels keep after the method's own
    /// constants (`n × n`, or nothing).
    pub fn n_matrix(&self) -> usize {
        if self.p.kernel {
            self.p.ode_states.len().pow(2)
        } else {
            0
        }
    }

    /// Length of the constants array: the longest layout of any method.
    pub fn consts_len(&self) -> usize {
        let matrix = self.n_matrix();
        self.p
            .methods
            .iter()
            .map(|&m| self.n_consts(m) + matrix)
            .max()
            .unwrap_or(0)
    }

    /// The integrated states' names, in the order of the ODE system.
    pub fn ode_idents(&self) -> Vec<Ident> {
        self.p
            .ode_states
            .iter()
            .map(|&i| self.state_ident(i))
            .collect()
    }

    /// `let __kj: f64 = <consts>[j];` for the constants of `method`.
    pub fn load_consts(&self, method: Method, consts: &TokenStream) -> TokenStream {
        (0..self.n_consts(method))
            .map(|j| {
                let k = format_ident!("__k{}", j);
                quote!(let #k: f64 = #consts[#j];)
            })
            .collect()
    }

    /// The closure `__rhs(t, y...) -> [f64; n]` over the integrated states.
    pub(super) fn rhs_closure(&self, emit: &mut Emit<'_>) -> TokenStream {
        let ys = self.ode_idents();
        let n = ys.len();
        let fs: Vec<TokenStream> = self.p.rhs.iter().map(|f| emit.num(f)).collect();
        quote! {
            let __rhs = |t: f64, #(#ys: f64),*| -> [f64; #n] { [#(#fs),*] };
        }
    }

    /// Advances the integrated states (locals) by one step of `method`; the method's constants
    /// are the locals `__k0`, `__k1`, ...
    pub fn integrate(&self, emit: &mut Emit<'_>, method: Method) -> TokenStream {
        self.integrate_with(emit, method, false)
    }

    /// One step of `method` over the local `dt`, whatever its length: exponential Euler's
    /// factors computed in place rather than taken from the constants (a part of a step).
    /// `None` for `exact`, whose step is a constant matrix.
    pub fn integrate_part(&self, emit: &mut Emit<'_>, method: Method) -> Option<TokenStream> {
        (method != Method::Exact).then(|| self.integrate_with(emit, method, true))
    }

    fn integrate_with(&self, emit: &mut Emit<'_>, method: Method, inline: bool) -> TokenStream {
        let ys = self.ode_idents();
        if ys.is_empty() {
            return TokenStream::new();
        }
        let idx: Vec<usize> = (0..ys.len()).collect();
        let closure = self.rhs_closure(emit);
        let stage = |k: &Ident, c: TokenStream| -> Vec<TokenStream> {
            idx.iter()
                .map(|&i| {
                    let y = &ys[i];
                    quote!(#y + #c * #k[#i])
                })
                .collect()
        };
        let body = match method {
            Method::Euler => quote! {
                let __k1 = __rhs(t, #(#ys),*);
                #( #ys += dt * __k1[#idx]; )*
            },
            Method::Rk2 => {
                let s1 = stage(&format_ident!("__k1"), quote!(dt));
                quote! {
                    let __k1 = __rhs(t, #(#ys),*);
                    let __k2 = __rhs(t + dt, #(#s1),*);
                    #( #ys += 0.5f64 * dt * (__k1[#idx] + __k2[#idx]); )*
                }
            }
            Method::Rk4 => {
                let s1 = stage(&format_ident!("__k1"), quote!((0.5f64 * dt)));
                let s2 = stage(&format_ident!("__k2"), quote!((0.5f64 * dt)));
                let s3 = stage(&format_ident!("__k3"), quote!(dt));
                quote! {
                    let __k1 = __rhs(t, #(#ys),*);
                    let __k2 = __rhs(t + 0.5f64 * dt, #(#s1),*);
                    let __k3 = __rhs(t + 0.5f64 * dt, #(#s2),*);
                    let __k4 = __rhs(t + dt, #(#s3),*);
                    #( #ys += dt / 6.0f64 * (__k1[#idx] + 2.0f64 * __k2[#idx] + 2.0f64 * __k3[#idx] + __k4[#idx]); )*
                }
            }
            Method::ExpEuler => {
                // Constant ∂f_i/∂y_i: `dt·φ(a·dt)` was computed once by `prepare`; otherwise now.
                let rt = &self.rt;
                let mut konst = 0usize;
                let factors: Vec<TokenStream> = self
                    .p
                    .diag
                    .iter()
                    .map(|(d, constant)| {
                        if *constant && !inline {
                            let k = format_ident!("__k{}", konst);
                            konst += 1;
                            quote!(#k)
                        } else {
                            let a = emit.num(d);
                            quote!((dt * #rt::phi(#a * dt)))
                        }
                    })
                    .collect();
                let fs: Vec<Ident> = idx.iter().map(|i| format_ident!("__e{}", i)).collect();
                quote! {
                    let __f = __rhs(t, #(#ys),*);
                    #( let #fs = __f[#idx] * #factors; )*
                    #( #ys += #fs; )*
                }
            }
            Method::Exact => {
                let n = ys.len();
                let zeros = ys.iter().map(|_| quote!(0.0f64));
                let olds: Vec<Ident> = ys.iter().map(|y| format_ident!("__y_{}", y)).collect();
                let rows: Vec<TokenStream> = (0..n)
                    .map(|i| {
                        let phi = (0..n).map(|j| format_ident!("__k{}", i * n + j));
                        let gamma = (0..n).map(|j| format_ident!("__k{}", n * n + i * n + j));
                        let js = 0..n;
                        quote!(#(#phi * #olds)+* + #(#gamma * __r[#js])+*)
                    })
                    .collect();
                quote! {
                    let __r = __rhs(t, #(#zeros),*);
                    #( let #olds = #ys; )*
                    #( #ys = #rows; )*
                }
            }
        };
        quote!({ #closure #body })
    }

    /// `y ← M·y` with the step matrix stored at `base` among the kernel's constants.
    pub fn step_by_matrix(&self, base: usize) -> TokenStream {
        let ys = self.ode_idents();
        let ny = ys.len();
        let olds: Vec<Ident> = ys.iter().map(|y| format_ident!("__y_{}", y)).collect();
        let rows = (0..ny).map(|i| {
            let ms = (0..ny).map(|j| format_ident!("__k{}", base + i * ny + j));
            quote!(#(#ms * #olds)+*)
        });
        quote! {
            #( let #olds = #ys; )*
            #( #ys = #rows; )*
        }
    }

    /// The model's constants type and `Model::prepare`: the numbers of each method, then (for
    /// per-postsynaptic kernels) the method's step matrix of the linear system.
    pub fn consts(&self) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        let nk = self.consts_len();
        let params = self.params_destructure();
        let mut emit = Emit::plain(self.m);
        let exp_euler: Vec<TokenStream> = self
            .p
            .diag
            .iter()
            .filter(|(_, c)| *c)
            .map(|(d, _)| {
                let a = emit.num(d);
                quote!(dt * #rt::phi(#a * dt))
            })
            .collect();
        let matrix_a = || -> Option<TokenStream> {
            let a = self.p.exact.as_ref().filter(|a| !a.is_empty())?;
            let n = self.p.ode_states.len();
            let entries: Vec<TokenStream> = a.iter().map(|x| Emit::plain(self.m).num(x)).collect();
            Some(quote!(let __a: [f64; #n * #n] = [#(#entries),*];))
        };
        let exact = match matrix_a() {
            Some(a) => {
                let n = self.p.ode_states.len();
                quote! {
                    #rt::Method::Exact => {
                        #a
                        let (mut __phi, __gamma) = #rt::propagator(#n, &__a, dt);
                        __phi.extend(__gamma);
                        __phi
                    }
                }
            }
            None => TokenStream::new(),
        };
        let step_matrix = match (matrix_a(), self.p.kernel) {
            (Some(a), true) => {
                let n = self.p.ode_states.len();
                quote! {
                    #a
                    __c.extend(#rt::step_matrix(__method, #n, &__a, dt));
                }
            }
            _ => TokenStream::new(),
        };
        let ty = quote! {
            /// The constants of one method at one step (see `Model::prepare`).
            #[doc(hidden)]
            #[derive(Clone, Debug)]
            pub struct __Consts {
                /// The method they were prepared for.
                pub method: #rt::Method,
                /// Its numbers, in the order the kernels read them.
                pub k: [f64; #nk],
            }

            impl ::core::default::Default for __Consts {
                fn default() -> Self {
                    __Consts {
                        method: #rt::Method::Euler,
                        k: [f64::NAN; #nk],
                    }
                }
            }
        };
        let prepare = quote! {
            type Consts = __Consts;

            fn prepare(&self, __method: #rt::Method, dt: f64) -> __Consts {
                #params
                let mut __c: ::std::vec::Vec<f64> = match __method {
                    #rt::Method::ExpEuler => ::std::vec![#(#exp_euler),*],
                    #exact
                    _ => ::std::vec::Vec::new(),
                };
                #step_matrix
                let mut __k = [f64::NAN; #nk];
                for (__to, __from) in __k.iter_mut().zip(__c) {
                    *__to = __from;
                }
                __Consts { method: __method, k: __k }
            }
        };
        (ty, prepare)
    }
}
