//! Phase 4: [`Model`] + [`Plan`] → tokens. Infallible: every check happened in analysis.
//!
//! Generated code is hygienic: paths go through `::neurode::__private`, locals the user cannot
//! name start with `__`, and the user's names (states, parameters, derived expressions, built-ins)
//! become locals so that equations are emitted as written.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use crate::analysis::{Plan, Storage};
use crate::args::Op;
use crate::ir::{BinOp, Builtin, Expr, ExprKind, Func, Sym};
use crate::model::Model;
use crate::parse::{Kind, Method, OutputKind, Timing};
use crate::symbolic::{first_outside, is_constant_sym};

const RT: &str = "::neurode::__private";

fn rt() -> TokenStream {
    RT.parse().expect("valid path")
}

fn f64_lit(x: f64) -> TokenStream {
    let lit = Literal::f64_suffixed(x.abs());
    if x.is_sign_negative() {
        quote!((-#lit))
    } else {
        quote!(#lit)
    }
}

struct Gen<'a> {
    m: &'a Model,
    p: &'a Plan,
    /// While a loop body is emitted: reciprocals of run-constant divisors, computed once before
    /// the loop (`x / tau` becomes `x * __r0` with `let __r0 = 1.0 / tau;`). A vector division
    /// costs several multiplications; the results differ at the last bit at most.
    hoisted: std::cell::RefCell<Option<Vec<(String, Ident, TokenStream)>>>,
}

impl Gen<'_> {
    fn name(&self, sym: Sym, span: Span) -> Ident {
        match sym {
            Sym::Param(i) => Ident::new(&self.m.params[i].ident.to_string(), span),
            Sym::State(i) => Ident::new(&self.m.states[i].ident.to_string(), span),
            Sym::Derived(i) => Ident::new(&self.m.derived[i].ident.to_string(), span),
            Sym::Builtin(Builtin::Input) => Ident::new(&self.m.sym_name(sym), span),
            Sym::Builtin(b) => {
                let name = Builtin::SYNAPSE
                    .iter()
                    .find(|(_, x)| *x == b)
                    .map_or("t", |(n, _)| n);
                Ident::new(name, span)
            }
        }
    }

    /// `e` in a numeric context (booleans count 1 or 0).
    fn num(&self, e: &Expr) -> TokenStream {
        if e.is_bool() {
            let b = self.boolean(e);
            return quote!((if #b { 1.0f64 } else { 0.0f64 }));
        }
        let span = e.span;
        match &e.kind {
            ExprKind::Num(x) => f64_lit(*x),
            ExprKind::Var(s) => {
                let id = self.name(*s, span.start);
                quote!(#id)
            }
            ExprKind::Neg(a) => {
                let a = self.num(a);
                quote!((-#a))
            }
            ExprKind::Bin(BinOp::Div, a, b)
                if b.as_num().is_none() && first_outside(b, &is_constant_sym).is_none() =>
            {
                let (a, b) = (self.num(a), self.num(b));
                let mut hoisted = self.hoisted.borrow_mut();
                let Some(list) = hoisted.as_mut() else {
                    return quote!((#a / #b));
                };
                let key = b.to_string();
                let r = match list.iter().find(|(k, _, _)| *k == key) {
                    Some((_, r, _)) => r.clone(),
                    None => {
                        let r = format_ident!("__r{}", list.len());
                        list.push((key, r.clone(), quote!(1.0f64 / #b)));
                        r
                    }
                };
                quote!((#a * #r))
            }
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                match op {
                    BinOp::Add => quote!((#a + #b)),
                    BinOp::Sub => quote!((#a - #b)),
                    BinOp::Mul => quote!((#a * #b)),
                    _ => quote!((#a / #b)),
                }
            }
            ExprKind::Call(f, args) => {
                let a: Vec<TokenStream> = args.iter().map(|x| self.num(x)).collect();
                let a0 = &a[0];
                match f {
                    Func::Exp => quote!(f64::exp(#a0)),
                    Func::Ln => quote!(f64::ln(#a0)),
                    Func::Sqrt => quote!(f64::sqrt(#a0)),
                    Func::Abs => quote!(f64::abs(#a0)),
                    Func::Tanh => quote!(f64::tanh(#a0)),
                    Func::Sin => quote!(f64::sin(#a0)),
                    Func::Cos => quote!(f64::cos(#a0)),
                    Func::Powi(n) => quote!(f64::powi(#a0, #n)),
                    Func::Powf => {
                        let a1 = &a[1];
                        quote!(f64::powf(#a0, #a1))
                    }
                    Func::Min => {
                        let a1 = &a[1];
                        quote!(f64::min(#a0, #a1))
                    }
                    Func::Max => {
                        let a1 = &a[1];
                        quote!(f64::max(#a0, #a1))
                    }
                }
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.boolean(c), self.num(a), self.num(b));
                quote!((if #c { #a } else { #b }))
            }
            ExprKind::Bool(_) | ExprKind::Not(_) => unreachable!("handled as boolean"),
        }
    }

    /// `e` in a boolean context (a number is true when non-zero).
    fn boolean(&self, e: &Expr) -> TokenStream {
        if !e.is_bool() {
            let x = self.num(e);
            return quote!((#x != 0.0f64));
        }
        match &e.kind {
            ExprKind::Bool(b) => quote!(#b),
            ExprKind::Var(s) => {
                let id = self.name(*s, e.span.start);
                quote!(#id)
            }
            ExprKind::Not(a) => {
                let a = self.boolean(a);
                quote!((!#a))
            }
            ExprKind::Bin(op, a, b) if op.is_logic() => {
                let (a, b) = (self.boolean(a), self.boolean(b));
                if *op == BinOp::And {
                    quote!((#a && #b))
                } else {
                    quote!((#a || #b))
                }
            }
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                match op {
                    BinOp::Lt => quote!((#a < #b)),
                    BinOp::Le => quote!((#a <= #b)),
                    BinOp::Gt => quote!((#a > #b)),
                    BinOp::Ge => quote!((#a >= #b)),
                    BinOp::Eq => quote!((#a == #b)),
                    _ => quote!((#a != #b)),
                }
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.boolean(c), self.boolean(a), self.boolean(b));
                quote!((if #c { #a } else { #b }))
            }
            _ => unreachable!("not boolean"),
        }
    }

    fn state_ident(&self, i: usize) -> Ident {
        Ident::new(&self.m.states[i].ident.to_string(), Span::call_site())
    }

    fn derived_ident(&self, i: usize) -> Ident {
        Ident::new(&self.m.derived[i].ident.to_string(), Span::call_site())
    }

    fn col(&self, name: &Ident) -> Ident {
        format_ident!("__c_{}", name)
    }

    /// Every stored column's local name, states then derived expressions.
    fn columns(&self) -> Vec<Ident> {
        let states = (0..self.m.states.len()).map(|i| self.state_ident(i));
        let derived = (0..self.m.derived.len()).map(|i| self.derived_ident(i));
        states.chain(derived).map(|n| self.col(&n)).collect()
    }

    fn params_destructure(&self) -> TokenStream {
        let names = self.m.params.iter().map(|p| &p.ident);
        quote!(let Self { #(#names),* } = *self;)
    }

    fn derived_lets(&self, which: &[usize]) -> TokenStream {
        which
            .iter()
            .map(|&d| {
                let id = self.derived_ident(d);
                let v = self.num(&self.m.derived[d].value);
                quote!(let #id: f64 = #v;)
            })
            .collect()
    }

    fn events(&self, timing: Timing) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, s) in self.m.states.iter().enumerate() {
            for e in s.events.iter().filter(|e| e.timing == timing) {
                let id = self.state_ident(i);
                let v = self.num(&e.value);
                out.extend(match e.op {
                    Op::Assign => quote!(#id = #v;),
                    Op::AddAssign => quote!(#id += #v;),
                });
            }
        }
        out
    }

    /// The integrated states' names, in the order of the ODE system.
    fn ode_idents(&self) -> Vec<Ident> {
        self.p
            .ode_states
            .iter()
            .map(|&i| self.state_ident(i))
            .collect()
    }

    /// The closure `__rhs(t, y...) -> [f64; n]` over the integrated states.
    fn rhs_closure(&self) -> TokenStream {
        let ys = self.ode_idents();
        let n = ys.len();
        let fs = self.p.rhs.iter().map(|f| self.num(f));
        quote! {
            let __rhs = |t: f64, #(#ys: f64),*| -> [f64; #n] { [#(#fs),*] };
        }
    }

    /// Advances the integrated states (locals) by one step of `method`.
    fn integrate(&self, method: Method) -> TokenStream {
        let ys = self.ode_idents();
        if ys.is_empty() {
            return TokenStream::new();
        }
        let idx: Vec<usize> = (0..ys.len()).collect();
        let closure = self.rhs_closure();
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
                let k1 = format_ident!("__k1");
                let s1 = stage(&k1, quote!(dt));
                quote! {
                    let __k1 = __rhs(t, #(#ys),*);
                    let __k2 = __rhs(t + dt, #(#s1),*);
                    #( #ys += 0.5f64 * dt * (__k1[#idx] + __k2[#idx]); )*
                }
            }
            Method::Rk4 => {
                let (k1, k2, k3) = (
                    format_ident!("__k1"),
                    format_ident!("__k2"),
                    format_ident!("__k3"),
                );
                let s1 = stage(&k1, quote!((0.5f64 * dt)));
                let s2 = stage(&k2, quote!((0.5f64 * dt)));
                let s3 = stage(&k3, quote!(dt));
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
                let rt = rt();
                let mut konst = 0usize;
                let factors: Vec<TokenStream> = self
                    .p
                    .diag
                    .iter()
                    .map(|(d, constant)| {
                        if *constant {
                            let k = format_ident!("__k{}", konst);
                            konst += 1;
                            quote!(#k)
                        } else {
                            let a = self.num(d);
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
                let rows: Vec<TokenStream> = (0..n)
                    .map(|i| {
                        let phi = (0..n).map(|j| format_ident!("__k{}", i * n + j));
                        let gamma = (0..n).map(|j| format_ident!("__k{}", n * n + i * n + j));
                        let ys2 = ys.iter().map(|y| format_ident!("__y_{}", y));
                        let js = 0..n;
                        quote!(#(#phi * #ys2)+* + #(#gamma * __r[#js])+*)
                    })
                    .collect();
                let olds = ys.iter().map(|y| format_ident!("__y_{}", y));
                quote! {
                    let __r = __rhs(t, #(#zeros),*);
                    #( let #olds = #ys; )*
                    #( #ys = #rows; )*
                }
            }
        };
        quote!({ #closure #body })
    }
}

fn method_path(m: Method) -> TokenStream {
    let rt = rt();
    match m {
        Method::Euler => quote!(#rt::Method::Euler),
        Method::Rk2 => quote!(#rt::Method::Rk2),
        Method::Rk4 => quote!(#rt::Method::Rk4),
        Method::ExpEuler => quote!(#rt::Method::ExpEuler),
        Method::Exact => quote!(#rt::Method::Exact),
    }
}

fn storage_path(s: Storage) -> TokenStream {
    let rt = rt();
    match s {
        Storage::PerSynapse => quote!(#rt::Storage::PerSynapse),
        Storage::PerPre => quote!(#rt::Storage::PerPre),
        Storage::PerPost => quote!(#rt::Storage::PerPost),
    }
}

impl Gen<'_> {
    /// Emits a loop with `body`, preceded by the reciprocals its equations hoisted.
    fn hoisting(&self, body: impl FnOnce() -> TokenStream) -> TokenStream {
        *self.hoisted.borrow_mut() = Some(Vec::new());
        let body = body();
        let lets: Vec<TokenStream> = self
            .hoisted
            .borrow_mut()
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(_, r, v)| quote!(let #r: f64 = #v;))
            .collect();
        quote!(#(#lets)* #body)
    }

    /// How many step constants `prepare` computes for `method`.
    fn n_consts(&self, method: Method) -> usize {
        let n = self.p.ode_states.len();
        match method {
            Method::ExpEuler => self.p.diag.iter().filter(|(_, c)| *c).count(),
            Method::Exact => 2 * n * n,
            _ => 0,
        }
    }

    /// `let __kj = consts[j];` for `method`, before the loop (a short slice gives NaN, which the
    /// runtime's finiteness check reports).
    fn load_consts(&self, method: Method) -> TokenStream {
        (0..self.n_consts(method))
            .map(|j| {
                let k = format_ident!("__k{}", j);
                quote!(let #k: f64 = __consts.get(#j).copied().unwrap_or(f64::NAN);)
            })
            .collect()
    }

    fn prepare(&self) -> TokenStream {
        let rt = rt();
        let params = self.params_destructure();
        let exp_euler: Vec<TokenStream> = self
            .p
            .diag
            .iter()
            .filter(|(_, c)| *c)
            .map(|(d, _)| {
                let a = self.num(d);
                quote!(dt * #rt::phi(#a * dt))
            })
            .collect();
        let exact = match &self.p.exact {
            Some(a) if !a.is_empty() => {
                let n = self.p.ode_states.len();
                let entries = a.iter().map(|x| self.num(x));
                quote! {
                    #rt::Method::Exact => {
                        let __a: [f64; #n * #n] = [#(#entries),*];
                        let (mut __phi, __gamma) = #rt::propagator(#n, &__a, dt);
                        __phi.extend(__gamma);
                        __phi
                    }
                }
            }
            _ => TokenStream::new(),
        };
        // A per-postsynaptic kernel steps its linear homogeneous system as `y ← M·y`, with the
        // method's step matrix after the method's own constants.
        let step_matrix = match (&self.p.exact, self.m.kind == Kind::Synapse && self.tile()) {
            (Some(a), true) if !a.is_empty() => {
                let n = self.p.ode_states.len();
                let entries = a.iter().map(|x| self.num(x));
                quote! {
                    let __a: [f64; #n * #n] = [#(#entries),*];
                    __c.extend(#rt::step_matrix(__method, #n, &__a, dt));
                }
            }
            _ => TokenStream::new(),
        };
        quote! {
            #[allow(unused_variables, unused_mut, clippy::all)]
            fn prepare(&self, __method: #rt::Method, dt: f64) -> ::std::vec::Vec<f64> {
                #params
                let mut __c = match __method {
                    #rt::Method::ExpEuler => ::std::vec![#(#exp_euler),*],
                    #exact
                    _ => ::std::vec::Vec::new(),
                };
                #step_matrix
                __c
            }
        }
    }

    fn used(&self, b: Builtin) -> bool {
        let m = self.m;
        let mut exprs: Vec<&Expr> = Vec::new();
        for s in &m.states {
            exprs.extend(s.ode.iter());
            exprs.extend(s.events.iter().map(|e| &e.value));
        }
        exprs.extend(m.derived.iter().map(|d| &d.value));
        exprs.extend(m.outputs.iter().map(|o| &o.value));
        exprs.iter().any(|e| e.symbols().contains(&Sym::Builtin(b)))
    }

    fn loads(&self, index: &Ident) -> TokenStream {
        (0..self.m.states.len())
            .map(|i| {
                let id = self.state_ident(i);
                let col = self.col(&id);
                quote!(let mut #id: f64 = #col[#index];)
            })
            .collect()
    }

    /// Stores every column and folds its finiteness into `__finite` (vectorises with the loop).
    fn stores(&self, index: &Ident) -> TokenStream {
        self.stores_except(index, &[])
    }

    /// Stores every column but the derived expressions in `skip`.
    fn stores_except(&self, index: &Ident, skip: &[usize]) -> TokenStream {
        let states = (0..self.m.states.len()).map(|i| self.state_ident(i));
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

    fn all_derived(&self) -> TokenStream {
        self.derived_lets(&self.p.derived_order)
    }

    /// `let col = &mut col[..n];` for every stored column: the loop bound then proves every
    /// index in range, so the compiler drops the bounds checks and can vectorise.
    fn reslice(&self, n: &Ident) -> TokenStream {
        self.columns()
            .iter()
            .map(|c| quote!(let #c = &mut #c[..#n];))
            .collect()
    }

    fn neuron_threshold(&self) -> TokenStream {
        self.m
            .threshold
            .as_ref()
            .map_or_else(|| quote!(false), |(e, _)| self.boolean(e))
    }

    /// Reset statements as selects: the loop stays branch-free.
    fn neuron_resets(&self) -> TokenStream {
        self.m
            .reset
            .iter()
            .map(|a| {
                let id = self.state_ident(a.state);
                let v = self.num(&a.value);
                match a.op {
                    Op::Assign => quote!(#id = if __spiked { #v } else { #id };),
                    Op::AddAssign => quote!(#id = if __spiked { #id + #v } else { #id };),
                }
            })
            .collect()
    }

    /// The kernel struct's name: `__NeurodeKernel{Model}`.
    fn kernel_ident(&self) -> Ident {
        format_ident!("__NeurodeKernel{}", self.m.item.ident)
    }

    /// Per method: the body of one element (emitted by `body`) and the reciprocals it hoisted,
    /// as `(constructor, element, kernel constants, hoisted)`: the constructor computes the
    /// constants and hoisted values into `__k` and `__h`; the element reads them back.
    fn kernel_arms(
        &self,
        n_consts: impl Fn(Method) -> usize,
        body: impl Fn(Method) -> TokenStream,
    ) -> (TokenStream, TokenStream, usize, usize) {
        let nk = self
            .p
            .methods
            .iter()
            .map(|&m| n_consts(m))
            .max()
            .unwrap_or(0);
        let mut arms = Vec::new();
        for &method in &self.p.methods {
            *self.hoisted.borrow_mut() = Some(Vec::new());
            let b = body(method);
            let hoisted: Vec<(Ident, TokenStream)> = self
                .hoisted
                .borrow_mut()
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|(_, r, v)| (r, v))
                .collect();
            arms.push((method, hoisted, b));
        }
        let nh = arms.iter().map(|(_, h, _)| h.len()).max().unwrap_or(0);
        let mut ctor = TokenStream::new();
        let mut element = TokenStream::new();
        for (method, hoisted, b) in &arms {
            let mp = method_path(*method);
            let nc = n_consts(*method);
            let ks: Vec<Ident> = (0..nc).map(|j| format_ident!("__k{}", j)).collect();
            let consts: TokenStream = ks
                .iter()
                .enumerate()
                .map(|(j, k)| quote!(let #k: f64 = __consts.get(#j).copied().unwrap_or(f64::NAN);))
                .collect();
            let kpad = (nc..nk).map(|_| quote!(0.0f64));
            let hs: Vec<&Ident> = hoisted.iter().map(|(r, _)| r).collect();
            let hv = hoisted.iter().map(|(_, v)| v);
            let hpad = (hs.len()..nh).map(|_| quote!(0.0f64));
            let (ki, hi) = (0..nc, 0..hs.len());
            ctor.extend(quote! {
                if __M == #mp as u8 {
                    #consts
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

    /// The kernel struct: the model's parameters, `nk` constants and `nh` hoisted values of the
    /// method, the clock, then `fields` (the tile's columns).
    fn kernel_struct(&self, (nk, nh): (usize, usize), fields: TokenStream) -> TokenStream {
        let (model, kernel) = (&self.m.item.ident, self.kernel_ident());
        quote! {
            #[doc(hidden)]
            #[allow(missing_docs, non_snake_case, non_camel_case_types)]
            pub struct #kernel<'a, const __M: u8> {
                __model: #model,
                __k: [f64; #nk],
                __h: [f64; #nh],
                __t: f64,
                __dt: f64,
                #fields
            }
        }
    }

    /// `Model { params.. } = <place>;` for the element functions.
    fn params_from(&self, place: TokenStream) -> TokenStream {
        let ident = &self.m.item.ident;
        let names = self.m.params.iter().map(|p| &p.ident);
        quote!(let #ident { #(#names,)* .. } = #place;)
    }

    /// `update` of a neuron through its kernel, one arm per method.
    fn kernel_update(&self, step_ty: TokenStream, drive: TokenStream) -> TokenStream {
        let rt = rt();
        let arms = self.p.methods.iter().map(|&method| {
            let mp = method_path(method);
            quote! {
                #mp => {
                    let (__kernel, __input) = self.kernel::<{ #mp as u8 }>(__consts, __step);
                    #drive(__kernel, __input)
                }
            }
        });
        quote! {
            #[allow(clippy::all)]
            fn update(&self, __consts: &[f64], __method: #rt::Method, __step: #step_ty) -> bool {
                match __method {
                    #(#arms)*
                    _ => true,
                }
            }
        }
    }

    /// The neuron's kernel: `(items beside the impl, items inside it)`.
    fn neuron_kernel(&self) -> (TokenStream, TokenStream) {
        let rt = rt();
        let m = self.m;
        let kernel = self.kernel_ident();
        let cols = self.columns();
        let n = cols.len();
        let params = self.params_destructure();
        let input = m.input.as_ref().map_or_else(
            || format_ident!("__no_input"),
            |(i, _)| Ident::new(&i.to_string(), Span::call_site()),
        );
        let (t_ref, refr) = match &m.refractory {
            Some((r, _)) => {
                let r = self.num(r);
                (
                    quote!(#r),
                    quote!(let __refr: bool = (t - __t_last_spike[__i]) <= __t_ref;),
                )
            }
            None => (quote!(0.0f64), quote!(let __refr: bool = false;)),
        };
        let ys = self.ode_idents();
        let olds: Vec<Ident> = ys.iter().map(|y| format_ident!("__old_{}", y)).collect();
        let i = format_ident!("__i");
        let (loads, stores) = (self.loads(&i), self.stores(&i));
        let reslice = self.reslice(&format_ident!("__n"));
        let (ctor, element, nk, nh) = self.kernel_arms(
            |m| self.n_consts(m),
            |method| {
                let integrate = self.integrate(method);
                let (held, all) = (self.derived_lets(&self.p.held), self.all_derived());
                let (threshold, resets) = (self.neuron_threshold(), self.neuron_resets());
                quote! {
                    let #input: f64 = __input;
                    #loads
                    #refr
                    #( let #olds = #ys; )*
                    #held
                    #integrate
                    // Refractory: the state is held (the integrated value is discarded).
                    #( #ys = if __refr { #olds } else { #ys }; )*
                    #all
                    let __spiked: bool = !__refr && #threshold;
                    #resets
                    __t_last_spike[__i] = if __spiked { t } else { __t_last_spike[__i] };
                    #all
                    #stores
                    __spike[__i] = __spiked;
                    __refractory[__i] = __refr || __spiked;
                }
            },
        );
        let params_el = self.params_from(quote!(self.__model));
        let v = match m.membrane {
            Some(k) => {
                let c = &cols[k];
                quote!(self.#c[__q])
            }
            None => quote!(0.0f64),
        };
        let kernel_struct = self.kernel_struct(
            (nk, nh),
            quote! {
                __t_ref: f64,
                #( #cols: &'a mut [f64], )*
                __spike: &'a mut [bool],
                __refractory: &'a mut [bool],
                __t_last_spike: &'a mut [f64],
            },
        );
        let outside = quote! {
            #kernel_struct

            #[automatically_derived]
            impl<'a, const __M: u8> #rt::NeuronKernel for #kernel<'a, __M> {
                #[inline(always)]
                #[allow(unused_variables, unused_mut, unused_assignments, non_snake_case, clippy::all)]
                fn element(&mut self, __i: usize, __input: f64) -> bool {
                    let (t, dt, __t_ref) = (self.__t, self.__dt, self.__t_ref);
                    #params_el
                    #( let #cols = &mut *self.#cols; )*
                    let (__spike, __refractory, __t_last_spike) = (&mut *self.__spike, &mut *self.__refractory, &mut *self.__t_last_spike);
                    let mut __finite = true;
                    #element
                    __finite
                }

                #[inline(always)]
                fn v(&self, __q: usize) -> f64 {
                    #v
                }

                #[inline(always)]
                fn refractory(&self, __q: usize) -> bool {
                    self.__refractory[__q]
                }
            }
        };
        let update =
            self.kernel_update(quote!(#rt::NeuronStep<'_, '_>), quote!(#rt::drive_neurons));
        let inside = quote! {
            type Kernel<'a, const __M: u8> = #kernel<'a, __M>;

            #[inline]
            #[allow(unused_variables, non_snake_case, clippy::all)]
            fn kernel<'a, const __M: u8>(&self, __consts: &[f64], __step: #rt::NeuronStep<'a, '_>) -> (#kernel<'a, __M>, &'a mut [f64]) {
                let #rt::NeuronStep { t, dt, first: __first, columns: __columns, input: __input, spike: __spike, refractory: __refractory, t_last_spike: __t_last_spike } = __step;
                let [#(#cols),*] = #rt::tile_columns_mut::<#n>(__columns);
                let __n = __input.len();
                #reslice
                #params
                let (__k, __h) = #ctor;
                let __t_ref: f64 = #t_ref;
                (
                    #kernel {
                        __model: ::std::clone::Clone::clone(self),
                        __k,
                        __h,
                        __t: t,
                        __dt: dt,
                        __t_ref,
                        #( #cols, )*
                        __spike: &mut __spike[..__n],
                        __refractory: &mut __refractory[..__n],
                        __t_last_spike: &mut __t_last_spike[..__n],
                    },
                    __input,
                )
            }

            #update
        };
        (outside, inside)
    }

    /// Presynaptic locals for neuron `__p`; `spike` is how its spike flag is known.
    fn pre_loads_with(&self, spike: TokenStream) -> TokenStream {
        let mut out = quote!(let spike_pre: bool = #spike;);
        if self.used(Builtin::VPre) {
            out.extend(quote!(let v_pre: f64 = __pre.v[__p];));
        }
        if self.used(Builtin::RefractoryPre) {
            out.extend(quote!(let refractory_pre: bool = __pre.refractory[__p];));
        }
        out
    }

    fn pre_loads(&self) -> TokenStream {
        self.pre_loads_with(quote!(__pre.spike[__p]))
    }

    /// Presynaptic locals inside a loop over the neurons that spiked.
    fn pre_loads_spiking(&self) -> TokenStream {
        self.pre_loads_with(quote!(true))
    }

    fn post_loads(&self) -> TokenStream {
        let mut out = TokenStream::new();
        if self.used(Builtin::VPost) {
            out.extend(quote!(let v_post: f64 = __post.v[__q];));
        }
        if self.used(Builtin::RefractoryPost) {
            out.extend(quote!(let refractory_post: bool = __post.refractory[__q];));
        }
        out
    }

    /// Spike updates, integration and derived expressions of one stored element; with
    /// `per_pre`, the derived expressions that read the postsynaptic side are left to the push.
    fn element(&self, method: Method, per_pre: bool) -> TokenStream {
        let before = self.events(Timing::Before);
        let after = self.events(Timing::After);
        let held: Vec<usize> = self
            .p
            .held
            .iter()
            .copied()
            .filter(|d| !per_pre || !self.p.post_derived.contains(d))
            .collect();
        let held = self.derived_lets(&held);
        let integrate = self.integrate(method);
        let all = if per_pre {
            let own: Vec<usize> = self
                .p
                .derived_order
                .iter()
                .copied()
                .filter(|d| !self.p.post_derived.contains(d))
                .collect();
            self.derived_lets(&own)
        } else {
            self.all_derived()
        };
        let before = if before.is_empty() {
            before
        } else {
            quote!(if spike_pre { #before })
        };
        let after = if after.is_empty() {
            after
        } else {
            quote!(if spike_pre { #after })
        };
        quote!(#before #held #integrate #after #all)
    }

    fn pushes(&self) -> TokenStream {
        self.m
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let out = format_ident!("__o{}", k);
                let v = self.num(&o.value);
                let at = if o.to_pre { quote!(__p) } else { quote!(__q) };
                quote!(#out[#at] += #v;)
            })
            .collect()
    }

    /// The push loops of per-postsynaptic storage, one per output. Where the runtime allows
    /// (`__direct[k]`, see `SynapseStep::direct`) the value goes straight into the postsynaptic
    /// input with the arithmetic of the runtime's delivery; otherwise into the output buffer.
    fn pushes_per_post(&self, loads: &TokenStream, post: &TokenStream) -> TokenStream {
        self.m
            .outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let out = format_ident!("__o{}", k);
                let v = self.num(&o.value);
                let buffered = quote! {
                    for __q in 0..__n_post {
                        #post
                        #loads
                        #out[__q] += #v;
                    }
                };
                let direct = match (o.kind, o.to_pre, &o.reversal) {
                    (OutputKind::Current, false, _) => quote!(__input[__q] += #v;),
                    (OutputKind::Conductance, false, Some(e)) => {
                        let e = self.num(e);
                        quote!(__input[__q] -= #v * (__v[__q] - (#e));)
                    }
                    _ => return buffered,
                };
                quote! {
                    if __direct.get(#k).copied().unwrap_or(false) {
                        let __input = &mut __post_input[..__n_post];
                        let __v = &__post.v[..__n_post];
                        for __q in 0..__n_post {
                            #post
                            #loads
                            #direct
                        }
                    } else {
                        #buffered
                    }
                }
            })
            .collect()
    }

    fn synapse_loop(&self, storage: Storage, method: Method) -> TokenStream {
        let pre = self.pre_loads();
        let post = self.post_loads();
        let pushes = self.pushes();
        match storage {
            Storage::PerSynapse => {
                let i = format_ident!("__i");
                let (loads, stores, element) =
                    (self.loads(&i), self.stores(&i), self.element(method, false));
                quote! {
                    for __p in 0..__n_pre {
                        #pre
                        for __i in __conn.row_ptr[__p]..__conn.row_ptr[__p + 1] {
                            let __q = __conn.post[__i] as usize;
                            #post
                            #loads
                            #element
                            #stores
                            #pushes
                        }
                    }
                }
            }
            Storage::PerPre => {
                let p = format_ident!("__p");
                let (loads, element) = (self.loads(&p), self.element(method, true));
                let stores = self.stores_except(&p, &self.p.post_derived);
                let per_synapse = self.derived_lets(&self.p.post_derived);
                let reslice = self.reslice(&format_ident!("__n_pre"));
                quote! {
                    #reslice
                    for __p in 0..__n_pre {
                        #pre
                        #loads
                        #element
                        #stores
                        for __i in __conn.row_ptr[__p]..__conn.row_ptr[__p + 1] {
                            let __q = __conn.post[__i] as usize;
                            #post
                            #per_synapse
                            #pushes
                        }
                    }
                }
            }
            Storage::PerPost => {
                let q = format_ident!("__q");
                let (loads, stores) = (self.loads(&q), self.stores(&q));
                let integrate = self.integrate(method);
                let scatter = |timing: Timing| -> TokenStream {
                    let incs: TokenStream = self
                        .m
                        .states
                        .iter()
                        .enumerate()
                        .flat_map(|(i, s)| {
                            s.events
                                .iter()
                                .filter(move |e| e.timing == timing)
                                .map(move |e| (i, e))
                        })
                        .map(|(i, e)| {
                            let col = self.col(&self.state_ident(i));
                            let v = self.num(&e.value);
                            quote!(#col[__q] += #v;)
                        })
                        .collect();
                    if incs.is_empty() {
                        return incs;
                    }
                    // Event-driven: only the rows of the neurons that spiked.
                    let pre = self.pre_loads_spiking();
                    quote! {
                        for &__p32 in __pre.spiking {
                            let __p = __p32 as usize;
                            #pre
                            for __i in __conn.row_ptr[__p]..__conn.row_ptr[__p + 1] {
                                let __q = __conn.post[__i] as usize;
                                #post
                                #incs
                            }
                        }
                    }
                };
                let (before, after) = (scatter(Timing::Before), scatter(Timing::After));
                let pushes_per_post = self.pushes_per_post(&loads, &post);
                let n = format_ident!("__n_post");
                let reslice = self.reslice(&n);
                let outs = (0..self.m.outputs.len()).map(|k| format_ident!("__o{}", k));
                quote! {
                    #before
                    let __n_post = __post.v.len();
                    #reslice
                    #( let #outs = &mut #outs[..__n_post]; )*
                    for __q in 0..__n_post {
                        #loads
                        #integrate
                        #stores
                    }
                    #after
                    #pushes_per_post
                }
            }
        }
    }

    fn synapse_update(&self) -> TokenStream {
        let rt = rt();
        let cols = self.columns();
        let n = cols.len();
        let outs: Vec<Ident> = (0..self.m.outputs.len())
            .map(|k| format_ident!("__o{}", k))
            .collect();
        let n_out = outs.len();
        let params = self.params_destructure();
        let mut arms = TokenStream::new();
        for &storage in &self.p.storages {
            for &method in &self.p.methods {
                let (sp, mp) = (storage_path(storage), method_path(method));
                let consts = self.load_consts(method);
                let body = self.hoisting(|| self.synapse_loop(storage, method));
                arms.extend(quote!((#sp, #mp) => { #consts #body }));
            }
        }
        quote! {
            #[allow(unused_variables, unused_mut, unused_assignments, unreachable_patterns, non_snake_case, clippy::all)]
            fn update(&self, __consts: &[f64], __method: #rt::Method, __step: #rt::SynapseStep<'_>) -> bool {
                let #rt::SynapseStep { t, dt, storage: __storage, columns: __columns, conn: __conn, pre: __pre, post: __post, outputs: __outputs, direct: __direct, post_input: __post_input } = __step;
                let mut __finite = true;
                let [#(#cols),*] = #rt::columns_mut::<#n>(__columns);
                let [#(#outs),*] = #rt::columns_mut::<#n_out>(__outputs);
                #params
                let __n_pre = __conn.row_ptr.len().saturating_sub(1);
                match (__storage, __method) {
                    #arms
                    _ => {}
                }
                __finite
            }
        }
    }

    /// Whether element kernels are generated (see `ModelInfo::tile`): every neuron; a synapse
    /// with per-postsynaptic storage, no presynaptic state read, every output a current or
    /// conductance onto the postsynaptic side.
    fn tile(&self) -> bool {
        self.m.kind == Kind::Neuron
            || self.p.storages.contains(&Storage::PerPost)
                && self.p.exact.as_ref().is_some_and(|a| !a.is_empty())
                && !self.used(Builtin::VPre)
                && !self.used(Builtin::RefractoryPre)
                && self.m.outputs.iter().all(|o| {
                    !o.to_pre
                        && match o.kind {
                            OutputKind::Current => true,
                            OutputKind::Conductance => o.reversal.is_some(),
                            OutputKind::Voltage => false,
                        }
                })
    }

    /// The synapse's kernel and spike walk for tiles of postsynaptic neurons (see
    /// `ModelInfo::tile`): `(items beside the impl, items inside it)`.
    ///
    /// The per-postsynaptic state is linear and homogeneous, `y' = A·y`, stepped as `y ← M·y`
    /// with the method's step matrix. During a run the stored state is kept *advanced*: `M·y`,
    /// the state of the next step before its spikes. The walk over the spikes then only adds
    /// each update (`on_pre` updates through `M`, `on_pre_after` ones as they are), which makes
    /// the stored value the step's state; the kernel pushes its outputs and advances it again.
    /// The runtime advances the state once when a run starts (`PostKernel::advance`) and the
    /// kernel does not on the run's last step, so between runs the state is the step's own.
    fn synapse_kernel(&self) -> (TokenStream, TokenStream) {
        let rt = rt();
        if !self.tile() {
            let inside = quote! {
                type Kernel<'a, const __M: u8> = #rt::NoKernel;

                fn post_kernel<'a, const __M: u8>(&self, _: &[f64], _: (f64, f64), _: &'a mut [&mut [f64]], _: usize, _: bool) -> #rt::NoKernel {
                    #rt::NoKernel
                }
            };
            return (TokenStream::new(), inside);
        }
        let kernel = self.kernel_ident();
        let cols = self.columns();
        let n = cols.len();
        let params = self.params_destructure();
        let q = format_ident!("__q");
        let (loads, stores) = (self.loads(&q), self.stores(&q));
        let mut post = TokenStream::new();
        if self.used(Builtin::VPost) {
            post.extend(quote!(let v_post: f64 = __v;));
        }
        if self.used(Builtin::RefractoryPost) {
            post.extend(quote!(let refractory_post: bool = __refr;));
        }
        let pushes: TokenStream = self
            .m
            .outputs
            .iter()
            .map(|o| {
                let x = self.num(&o.value);
                match &o.reversal {
                    Some(e) if o.kind == OutputKind::Conductance => {
                        let e = self.num(e);
                        quote!(*__acc -= #x * (__v - (#e));)
                    }
                    _ => quote!(*__acc += #x;),
                }
            })
            .collect();
        // `y ← M·y` with the step matrix `prepare` put after the method's constants.
        let ys = self.ode_idents();
        let ny = ys.len();
        let olds: Vec<Ident> = ys.iter().map(|y| format_ident!("__y_{}", y)).collect();
        let step = |base: usize| {
            let rows = (0..ny).map(|i| {
                let ms = (0..ny).map(|j| format_ident!("__k{}", base + i * ny + j));
                quote!(#(#ms * #olds)+*)
            });
            quote! {
                #( let #olds = #ys; )*
                #( #ys = #rows; )*
            }
        };
        let n_consts = |m: Method| self.n_consts(m) + ny * ny;
        let (ctor, element, nk, nh) = self.kernel_arms(n_consts, |method| {
            let step = step(self.n_consts(method));
            quote! {
                #loads
                if __acc.is_some() {
                    let __acc = __acc.unwrap_or(&mut __spare);
                    #post
                    #pushes
                }
                #step
                #stores
            }
        });
        let params_el = self.params_from(quote!(self.__model));
        let reslice = self.reslice(&format_ident!("__n"));
        let kernel_struct = self.kernel_struct((nk, nh), quote!(#( #cols: &'a mut [f64], )*));
        let outside = quote! {
            #kernel_struct

            impl<'a, const __M: u8> #kernel<'a, __M> {
                /// Pushes the outputs of element `__q` into `__acc` (if any), then advances it
                /// (the step matrix is the identity in a kernel that does not advance) and
                /// stores it.
                #[inline(always)]
                #[allow(unused_variables, unused_mut, unused_assignments, non_snake_case, clippy::all)]
                fn __element(&mut self, __q: usize, __v: f64, __refr: bool, __acc: ::std::option::Option<&mut f64>) -> bool {
                    let (t, dt) = (self.__t, self.__dt);
                    #params_el
                    #( let #cols = &mut *self.#cols; )*
                    let mut __finite = true;
                    let mut __spare = 0.0f64;
                    #element
                    __finite
                }
            }

            #[automatically_derived]
            impl<'a, const __M: u8> #rt::PostKernel for #kernel<'a, __M> {
                #[inline(always)]
                fn element(&mut self, __q: usize, __v: f64, __refr: bool, __acc: &mut f64) -> bool {
                    self.__element(__q, __v, __refr, ::std::option::Option::Some(__acc))
                }

                #[inline(always)]
                fn advance(&mut self, __q: usize) -> bool {
                    self.__element(__q, 0.0, false, ::std::option::Option::None)
                }
            }
        };
        // The walk: every update of every spike onto the tile, into the advanced state.
        let mut post_walk = TokenStream::new();
        if self.used(Builtin::VPost) {
            post_walk.extend(quote!(let v_post: f64 = __v[__q];));
        }
        if self.used(Builtin::RefractoryPost) {
            post_walk.extend(quote!(let refractory_post: bool = __refr_post[__q];));
        }
        let ode_pos = |i: usize| self.p.ode_states.iter().position(|&y| y == i);
        let mut body = TokenStream::new();
        for (i, st) in self.m.states.iter().enumerate() {
            for e in &st.events {
                let v = self.num(&e.value);
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
        let walk = if body.is_empty() {
            body
        } else {
            quote! {
                for (&__p32, __at) in __spiking.iter().zip(__cursor.iter_mut()) {
                    let __p = __p32 as usize;
                    let spike_pre: bool = true;
                    let __row = __conn.post.get(*__at..__conn.row_ptr[__p + 1]).unwrap_or_default();
                    let mut __taken = 0usize;
                    for &__q32 in __row {
                        let __q = __q32 as usize;
                        if __q >= __end {
                            break;
                        }
                        __taken += 1;
                        let __q = __q - __first;
                        #post_walk
                        #body
                    }
                    *__at += __taken;
                }
            }
        };
        let bases = self.p.methods.iter().map(|&m| {
            let mp = method_path(m);
            let base = self.n_consts(m);
            quote!(#mp => #base,)
        });
        let first_col = &cols[0];
        let base_arms = self.p.methods.iter().map(|&m| {
            let mp = method_path(m);
            let base = self.n_consts(m);
            quote!(if __M == #mp as u8 { #base } else)
        });
        let base_of_m = quote!(#(#base_arms)* { 0 });
        let inside = quote! {
            type Kernel<'a, const __M: u8> = #kernel<'a, __M>;

            #[allow(unused_variables, unused_mut, non_snake_case, clippy::all)]
            fn tile_events(&self, __consts: &[f64], __method: #rt::Method, __tile: #rt::PostTile<'_, '_>) {
                let #rt::PostTile { t, dt, first: __first, columns: __columns, conn: __conn, spiking: __spiking, cursor: __cursor, v: __v, refractory: __refr_post } = __tile;
                let [#(#cols),*] = #rt::tile_columns_mut::<#n>(__columns);
                let __n = #first_col.len();
                let __end = __first + __n;
                let __base: usize = match __method {
                    #(#bases)*
                    _ => 0,
                };
                let __m: &[f64] = __consts.get(__base..).unwrap_or_default();
                #params
                #walk
            }

            #[inline]
            #[allow(unused_variables, non_snake_case, clippy::all)]
            fn post_kernel<'a, const __M: u8>(&self, __consts: &[f64], (t, dt): (f64, f64), __columns: &'a mut [&mut [f64]], __n: usize, __advance: bool) -> #kernel<'a, __M> {
                let [#(#cols),*] = #rt::tile_columns_mut::<#n>(__columns);
                #reslice
                #params
                let (mut __k, __h) = #ctor;
                if !__advance {
                    // The identity: `y ← y` (exact).
                    let __base: usize = #base_of_m;
                    for __i in 0..#ny {
                        for __j in 0..#ny {
                            if let ::std::option::Option::Some(__x) = __k.get_mut(__base + __i * #ny + __j) {
                                *__x = if __i == __j { 1.0 } else { 0.0 };
                            }
                        }
                    }
                }
                #kernel {
                    __model: ::std::clone::Clone::clone(self),
                    __k,
                    __h,
                    __t: t,
                    __dt: dt,
                    #( #cols, )*
                }
            }
        };
        (outside, inside)
    }

    fn init(&self) -> TokenStream {
        let params = self.params_destructure();
        let inits = self.m.states.iter().map(|s| {
            s.init
                .as_ref()
                .map_or_else(|| quote!(0.0f64), |e| self.num(e))
        });
        let zeros = self.m.derived.iter().map(|_| quote!(0.0f64));
        quote! {
            #[allow(unused_variables, non_snake_case, clippy::all)]
            fn init(&self, __columns: &mut [::std::vec::Vec<f64>]) {
                #params
                let __init: &[f64] = &[#(#inits,)* #(#zeros,)*];
                for (__c, __v) in __columns.iter_mut().zip(__init) {
                    __c.fill(*__v);
                }
            }
        }
    }

    fn param_access(&self) -> TokenStream {
        let rt = rt();
        let names: Vec<&Ident> = self.m.params.iter().map(|p| &p.ident).collect();
        let strs: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let model = self.m.item.ident.to_string();
        quote! {
            fn get_param(&self, __name: &str) -> ::std::option::Option<f64> {
                match __name {
                    #(#strs => ::std::option::Option::Some(self.#names),)*
                    _ => ::std::option::Option::None,
                }
            }

            fn set_param(&mut self, __name: &str, __value: f64) -> ::std::result::Result<(), #rt::Error> {
                if !__value.is_finite() {
                    if <Self as #rt::Model>::INFO.params.iter().any(|p| p.name == __name) {
                        return ::std::result::Result::Err(#rt::Error::InvalidParameter { model: #model.into(), name: __name.into(), value: __value });
                    }
                }
                match __name {
                    #(#strs => { self.#names = __value; ::std::result::Result::Ok(()) })*
                    _ => ::std::result::Result::Err(#rt::Error::UnknownParameter {
                        model: #model.into(),
                        name: __name.into(),
                        known: <Self as #rt::Model>::INFO.param_names(),
                    }),
                }
            }
        }
    }

    fn info(&self) -> TokenStream {
        let rt = rt();
        let m = self.m;
        let name = m.item.ident.to_string();
        let kind = match m.kind {
            Kind::Neuron => quote!(#rt::ModelKind::Neuron),
            Kind::Synapse => quote!(#rt::ModelKind::Synapse),
        };
        let doc = &m.doc;
        let method = method_path(self.p.method);
        let auto = self.p.method_auto;
        let methods = self.p.methods.iter().map(|&x| method_path(x));
        let params = m.params.iter().map(|p| {
            let (n, d, u, doc) = (
                p.ident.to_string(),
                f64_lit(p.default),
                &p.unit_text,
                &p.doc,
            );
            quote!(#rt::ParamInfo { name: #n, default: #d, unit: #u, doc: #doc })
        });
        let states = m.states.iter().map(|s| {
            let (n, u, doc, init) = (s.ident.to_string(), &s.unit_text, &s.doc, &s.init_text);
            let ode = match &s.ode_text {
                Some(t) => quote!(::std::option::Option::Some(#t)),
                None => quote!(::std::option::Option::None),
            };
            let events = s.events.iter().map(|e| {
                let (key, op) = (if e.timing == Timing::Before { "on_pre" } else { "on_pre_after" }, if e.op == Op::AddAssign { "+=" } else { "=" });
                format!("{key}: {} {op} {}", s.ident, e.text)
            });
            quote!(#rt::StateInfo { name: #n, unit: #u, doc: #doc, init: #init, ode: #ode, events: &[#(#events),*], derived: false })
        });
        let derived = m.derived.iter().map(|d| {
            let (n, doc, text) = (d.ident.to_string(), &d.doc, &d.text);
            let u = d.unit_text.clone().unwrap_or_default();
            quote!(#rt::StateInfo { name: #n, unit: #u, doc: #doc, init: #text, ode: ::std::option::Option::None, events: &[], derived: true })
        });
        let outputs = m.outputs.iter().map(|o| {
            let kind = match o.kind {
                OutputKind::Current => quote!(#rt::OutputKind::Current),
                OutputKind::Conductance => quote!(#rt::OutputKind::Conductance),
                OutputKind::Voltage => quote!(#rt::OutputKind::Voltage),
            };
            let target = if o.to_pre { quote!(#rt::Target::Pre) } else { quote!(#rt::Target::Post) };
            let value = &o.value_text;
            let opt = |t: &Option<String>| match t {
                Some(t) => quote!(::std::option::Option::Some(#t)),
                None => quote!(::std::option::Option::None),
            };
            let (rev, delay) = (opt(&o.reversal_text), opt(&o.delay_text));
            quote!(#rt::OutputInfo { kind: #kind, target: #target, value: #value, reversal: #rev, delay: #delay })
        });
        let storages = self.p.storages.iter().map(|&s| storage_path(s));
        let tile = self.tile();
        let opt = |t: Option<&String>| match t {
            Some(t) => quote!(::std::option::Option::Some(#t)),
            None => quote!(::std::option::Option::None),
        };
        let threshold = opt(m.threshold.as_ref().map(|(_, t)| t));
        let refractory = opt(m.refractory.as_ref().map(|(_, t)| t));
        let reset = m.reset.iter().map(|a| &a.text);
        let membrane = match m.membrane {
            Some(i) => quote!(::std::option::Option::Some(#i)),
            None => quote!(::std::option::Option::None),
        };
        let input = opt(m.input.as_ref().map(|(i, _)| i.to_string()).as_ref());
        quote! {
            const INFO: &'static #rt::ModelInfo = &#rt::ModelInfo {
                name: #name,
                kind: #kind,
                doc: #doc,
                method: #method,
                method_auto: #auto,
                methods: &[#(#methods),*],
                params: &[#(#params),*],
                states: &[#(#states,)* #(#derived,)*],
                outputs: &[#(#outputs),*],
                storages: &[#(#storages),*],
                tile: #tile,
                threshold: #threshold,
                reset: &[#(#reset),*],
                refractory: #refractory,
                membrane: #membrane,
                input: #input,
            };
        }
    }

    fn synapse_extras(&self) -> TokenStream {
        let params = self.params_destructure();
        let reversals = self.m.outputs.iter().map(|o| {
            o.reversal
                .as_ref()
                .map_or_else(|| quote!(f64::NAN), |r| self.num(r))
        });
        let delays = self.m.outputs.iter().map(|o| {
            o.delay
                .as_ref()
                .map_or_else(|| quote!(0.0f64), |d| self.num(d))
        });
        let params2 = params.clone();
        quote! {
            #[allow(unused_variables, non_snake_case, clippy::all)]
            fn reversals(&self) -> ::std::vec::Vec<f64> {
                #params
                ::std::vec![#(#reversals),*]
            }
            #[allow(unused_variables, non_snake_case, clippy::all)]
            fn delays(&self) -> ::std::vec::Vec<f64> {
                #params2
                ::std::vec![#(#delays),*]
            }
        }
    }
}

/// Doc lines appended to the struct: equations, parameters, states, method.
fn generated_docs(m: &Model, p: &Plan) -> Vec<String> {
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
                let op = if e.op == Op::AddAssign { "+=" } else { "=" };
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

/// The whole expansion of a model that passed analysis.
pub fn expand(m: &Model, p: &Plan) -> TokenStream {
    let rt = rt();
    let g = Gen {
        m,
        p,
        hoisted: Default::default(),
    };
    let mut item = m.item.clone();
    let param_names: Vec<String> = m.params.iter().map(|x| x.ident.to_string()).collect();
    crate::parse::strip(&mut item, &param_names);
    for line in generated_docs(m, p) {
        item.attrs.push(syn::parse_quote!(#[doc = #line]));
    }
    let ident = &item.ident;
    let accessors = accessors(m);
    let defaults = m.params.iter().map(|x| {
        let (n, v) = (&x.ident, f64_lit(x.default));
        quote!(#n: #v)
    });
    let info = g.info();
    let params = g.param_access();
    let prepare = g.prepare();
    let init = g.init();
    let kind_impl = match m.kind {
        Kind::Neuron => {
            let (outside, inside) = g.neuron_kernel();
            quote! {
                #[automatically_derived]
                impl #rt::NeuronModel for #ident {
                    #inside
                }

                #outside
            }
        }
        Kind::Synapse => {
            let update = g.synapse_update();
            let (outside, inside) = g.synapse_kernel();
            let extras = g.synapse_extras();
            quote! {
                #[automatically_derived]
                impl #rt::SynapseModel for #ident {
                    #extras
                    #update
                    #inside
                }

                #outside
            }
        }
    };
    quote! {
        #[derive(Clone, Debug, PartialEq)]
        #[allow(non_snake_case)]
        #item

        #accessors

        #[automatically_derived]
        impl ::std::default::Default for #ident {
            fn default() -> Self {
                Self { #(#defaults),* }
            }
        }

        #[automatically_derived]
        impl #rt::Model for #ident {
            #info
            #params
            #prepare
            #init
        }

        #kind_impl
    }
}

/// Typed accessors `Model::name` for every stored column.
pub fn accessors(m: &Model) -> TokenStream {
    let rt = rt();
    let ident = &m.item.ident;
    // The user's doc comment of the field carries over, with its unit.
    let states = m
        .states
        .iter()
        .map(|s| (&s.ident, &s.doc, s.unit_text.clone()));
    let derived = m
        .derived
        .iter()
        .map(|d| (&d.ident, &d.doc, d.unit_text.clone().unwrap_or_default()));
    // A name declared twice is an error already reported; one accessor avoids a second error.
    let mut seen = Vec::new();
    let consts = states.chain(derived).enumerate().filter(|(_, (n, _, _))| {
        let fresh = !seen.contains(n);
        seen.push(*n);
        fresh
    });
    let consts = consts.map(|(i, (n, doc, unit))| {
        let s = n.to_string();
        let unit = if unit.is_empty() { String::new() } else { format!(" ({unit})") };
        let doc = format!("{doc}\n\nTyped accessor of the variable `{s}`{unit}, for monitors and group access.");
        quote_spanned!(n.span()=> #[doc = #doc] pub const #n: #rt::Var<#ident> = #rt::Var::new(#i, #s);)
    });
    // A model never recorded leaves its accessors unused: that is no mistake of the user's.
    quote! {
        #[allow(non_upper_case_globals, dead_code)]
        impl #ident {
            #(#consts)*
        }
    }
}
