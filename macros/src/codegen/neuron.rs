//! The neuron kernel: one neuron of a tile per call, branch-free (the refractory hold, the
//! threshold and the reset are selects), under the method `M` of its const parameter.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use super::expr::Emit;
use super::Ctx;
use crate::args::Op;
use crate::parse::Count;

impl Ctx<'_> {
    /// Reset statements as selects: the loop stays branch-free.
    fn neuron_resets(&self, emit: &mut Emit<'_>) -> TokenStream {
        self.m
            .reset
            .iter()
            .map(|a| {
                let id = self.state_ident(a.state);
                let v = emit.num(&a.value);
                let new = match a.op {
                    Op::Assign => v,
                    Op::AddAssign => quote!(#id + #v),
                    Op::SubAssign => quote!(#id - #v),
                    Op::MulAssign => quote!(#id * #v),
                };
                quote!(#id = if __spiked { #new } else { #id };)
            })
            .collect()
    }

    /// The kernel struct, its `NeuronKernel` impl and `impl NeuronModel`.
    pub fn neuron_kernel(&self) -> TokenStream {
        let (rt, m) = (&self.rt, self.m);
        let model = &m.item.ident;
        let kernel = format_ident!("__Kernel");
        let cols = self.columns();
        let n = cols.len();
        let params = self.params_destructure();
        let input = m.input.as_ref().map_or_else(
            || format_ident!("__no_input"),
            |(i, _)| Ident::new(&i.to_string(), Span::call_site()),
        );
        // Synapses and inputs add nA; an input declared in another scale (pA) reads the sum
        // converted.
        let input_factor = match m.input.as_ref().and_then(|(_, u)| *u) {
            Some(u) if u.scale != 0 && !m.unitless => {
                let f = crate::codegen::expr::f64_lit(10f64.powi(-u.scale));
                quote!(* #f)
            }
            _ => TokenStream::new(),
        };
        // White noise: one standard normal number per neuron and step, keyed, over √dt.
        let (noise_fields, noise_init, xi) = if self.p.noise {
            (
                quote!(__noise: u64, __first: usize, __step: u64,),
                quote!(__noise, __first, __step: __clock.step,),
                quote! {
                    let xi: f64 = #rt::keyed_normal_from(
                        self.__noise,
                        (self.__first + __i) as u64,
                        self.__step,
                    ) / dt.sqrt();
                },
            )
        } else {
            (TokenStream::new(), TokenStream::new(), TokenStream::new())
        };
        // The refractory period. On the step grid, in whole steps: a spike at step k makes the
        // steps k .. k + n − 1 refractory, n = round(t_ref/dt) (`whole_steps`), the held states
        // integrating again from step k + n, where the next spike may come (Brian2's
        // `timestep(t − lastspike, dt) < timestep(refractory, dt)`); with `count = after_spike`
        // the steps k .. k + n (NEST's n steps after the spike's). The steps since the spike
        // are rounded too, so no float comparison of times decides a step. With `within_step`
        // the spike time is off the grid and the period ends at t_last_spike + t_ref, inside a
        // step (the step cut there).
        let (t_ref, refr) = match &m.refractory {
            Some((r, _)) => {
                let r = Emit::plain(m).num(r);
                let refr = match (m.within_step, m.count) {
                    (Some(_), _) => {
                        quote!(let __refr: bool = (t - __t_last_spike[__i]) <= __t_ref;)
                    }
                    (None, Count::WithSpike) => quote! {
                        let __refr: bool = ((t - __t_last_spike[__i]) / dt).round() < __n_ref;
                    },
                    (None, Count::AfterSpike) => quote! {
                        let __refr: bool = ((t - __t_last_spike[__i]) / dt).round() <= __n_ref;
                    },
                };
                (quote!(#r), refr)
            }
            None => (quote!(0.0f64), quote!(let __refr: bool = false;)),
        };
        let ys = self.ode_idents();
        let olds: Vec<Ident> = ys.iter().map(|y| format_ident!("__old_{}", y)).collect();
        // The states held while refractory (`Model::held`): the others (conductances,
        // adaptation reset with `+=`) keep integrating.
        let held = |i: usize| self.m.held(i);
        let (held_ys, held_olds): (Vec<&Ident>, Vec<&Ident>) = self
            .p
            .ode_states
            .iter()
            .zip(ys.iter().zip(&olds))
            .filter(|(&i, _)| held(i))
            .map(|(_, pair)| pair)
            .unzip();
        let i = format_ident!("__i");
        let (loads, stores) = (self.loads(&i), self.stores(&i, &[]));
        let reslice = self.reslice(&format_ident!("__n"));
        let (ctor, element, nk, nh) = self.kernel_arms(
            |method| self.n_consts(method),
            |emit, method| {
                let held = self.derived_lets(emit, &self.p.held);
                let integrate = self.integrate(emit, method);
                let all = self.derived_lets(emit, &self.p.derived_order);
                let threshold = m
                    .threshold
                    .as_ref()
                    .map_or_else(|| quote!(false), |(e, _)| emit.boolean(e));
                let resets = self.neuron_resets(emit);
                // `rising`: the condition on the state before the step, which must be false.
                let was = if m.rising {
                    let before = self.derived_lets(emit, &self.p.derived_order);
                    quote!({ #before #threshold })
                } else {
                    quote!(false)
                };
                // `dead_time = d`: on the grid, no spike in the round(d/dt) steps from the last
                // spike's (counted as the refractory period); with `within_step`, none in a step
                // that starts within d of the last spike.
                let dead = match &m.dead_time {
                    Some((d, _)) if m.within_step.is_some() => {
                        let d = emit.num(d);
                        quote!((t - __t_last_spike[__i]) <= #d)
                    }
                    Some((d, _)) => {
                        let d = emit.num(d);
                        quote! {
                            ((t - __t_last_spike[__i]) / dt).round() < #rt::whole_steps(#d, dt)
                        }
                    }
                    None => quote!(false),
                };
                let part = if m.within_step.is_some() || m.substeps.is_some() {
                    self.integrate_part(emit, method)
                } else {
                    None
                };
                // `substeps = n`: any span of the step integrated in n equal parts.
                let part = part.map(|p| match m.substeps {
                    Some(n) if n > 1 => {
                        let n = n as usize;
                        let nf = crate::codegen::expr::f64_lit(n as f64);
                        quote! {
                            {
                                let __t0: f64 = t;
                                let dt: f64 = dt / #nf;
                                for __k in 0..#n {
                                    let t: f64 = __t0 + __k as f64 * dt;
                                    #held
                                    #p
                                }
                            }
                        }
                    }
                    _ => p,
                });
                let integrate = match (&part, m.within_step) {
                    (Some(p), None) => quote!(#p),
                    _ => integrate,
                };
                if let (Some(part), Some(integrated)) = (part, m.within_step) {
                    // `within_step`: the step cut where refractoriness ends and where the
                    // threshold is crossed, the reset applied there and the rest integrated
                    // from it.
                    let starts: Vec<Ident> =
                        ys.iter().map(|y| format_ident!("__s_{}", y)).collect();
                    // The crossing: bisection on the fraction of the free part, the state at
                    // a fraction integrated from the part's start, or on the straight segment
                    // between the part's two ends.
                    // The crossing: on the straight segment between the part's two ends
                    // (bisection on the fraction), or, for `within_step = integrated`, on the
                    // trajectory itself (see `search`).
                    let k: Vec<usize> = (0..ys.len()).collect();
                    let nys = ys.len();
                    let detect = if integrated {
                        let step = |from: TokenStream, t0: TokenStream, h: TokenStream| {
                            quote! {{
                                #( let mut #ys: f64 = #from[#k]; )*
                                {
                                    let t: f64 = #t0;
                                    let dt: f64 = #h;
                                    #held
                                    #part
                                }
                                [#(#ys),*]
                            }}
                        };
                        // A step that does not resolve the trajectory (the steep end of an
                        // upswing, which a coarse step may leave below the threshold though
                        // the trajectory crossed): the slope at its end differs from its mean
                        // slope by more than 5 % of the increment (beyond 1e-3 of the value;
                        // relative tolerances only, so that the units of a state do not matter).
                        let closure = self.rhs_closure(emit);
                        // The search: the part integrated again from its start in substeps
                        // whose error (one substep against two halves) is below 1e-10
                        // relative, a substep halved until it is, so that the steep end of an
                        // exponential or quadratic upswing is followed closely; in the first
                        // accepted substep whose end satisfies the threshold, the fraction is
                        // found by bisection on the state integrated from the substep's start.
                        // Without one, there is no spike and the state is the search's end.
                        let full = step(quote!(__cur), quote!(__free + __a), quote!(__h));
                        let half1 =
                            step(quote!(__cur), quote!(__free + __a), quote!(0.5f64 * __h));
                        let half2 = step(
                            quote!(__mid_state),
                            quote!(__free + __a + 0.5f64 * __h),
                            quote!(0.5f64 * __h),
                        );
                        let trial =
                            step(quote!(__cur), quote!(__free + __a), quote!(__frac * __h));
                        quote! {
                            // Below dt = 0.1 ms the tolerances tighten with the step, the
                            // slope check as (dt/0.1 ms)^0.6 and the search as (dt/0.1 ms)^3,
                            // so that what the last coarse steps and the search err by falls
                            // as dt^4, the method's order.
                            let __q: f64 = (dt * 10.0f64).min(1.0f64);
                            let __suspect: bool = __free < __t_end && {
                                let __f: [f64; #nys] = {
                                    let t: f64 = __t_end;
                                    #held
                                    #closure
                                    __rhs(t, #(#ys),*)
                                };
                                let (__y0, __y1): ([f64; #nys], [f64; #nys]) = ([#(#starts),*], [#(#ys),*]);
                                let mut __sharp = false;
                                for __j in 0..#nys {
                                    let __d: f64 = __y1[__j] - __y0[__j];
                                    let __off: f64 = (__f[__j] * (__t_end - __free) - __d).abs();
                                    __sharp = __sharp || !(__off <= 0.05f64 * __q.powf(0.6f64) * __d.abs() + 1e-3f64 * (__q * __q * __q) * __y1[__j].abs());
                                }
                                __sharp
                            };
                            #all
                            let __look: bool = __free < __t_end && !__was && !(#dead) && (__suspect || #threshold);
                            let mut __spiked: bool = false;
                            let mut __hi: f64 = 1.0f64;
                            if __look {
                                let __span: f64 = __t_end - __free;
                                let mut __cur: [f64; #nys] = [#(#starts),*];
                                let (mut __a, mut __h) = (0.0f64, 0.125f64 * __span);
                                let mut __end: [f64; #nys] = __cur;
                                for _ in 0..100_000 {
                                    __h = __h.min(__span - __a);
                                    if !(__h > 0.0f64) {
                                        break;
                                    }
                                    let __full: [f64; #nys] = #full;
                                    let __mid_state: [f64; #nys] = #half1;
                                    let __half: [f64; #nys] = #half2;
                                    // The error against what the substep may err by: 1e-4 of
                                    // its increment (the time it takes, relatively) and 1e-10
                                    // of the value (relative only: units do not matter).
                                    let mut __err: f64 = 0.0f64;
                                    for __j in 0..#nys {
                                        let __allowed: f64 = 1e-4f64 * (__q * __q * __q) * (__half[__j] - __cur[__j]).abs() + 1e-10f64 * __half[__j].abs();
                                        let __miss: f64 = (__full[__j] - __half[__j]).abs();
                                        let __e: f64 = if __miss == 0.0f64 { 0.0f64 } else { __miss / __allowed };
                                        __err = if __e > __err || __e.is_nan() { __e } else { __err };
                                    }
                                    if !(__err <= 1.0f64) && __h > 1e-12f64 * __span {
                                        __h *= 0.5f64;
                                        continue;
                                    }
                                    let __hit: bool = {
                                        #( let #ys: f64 = __half[#k]; )*
                                        #all
                                        #threshold
                                    };
                                    if __hit {
                                        let (mut __lo, mut __up) = (0.0f64, 1.0f64);
                                        for _ in 0..48 {
                                            let __frac: f64 = 0.5f64 * (__lo + __up);
                                            let __y: [f64; #nys] = #trial;
                                            let __in: bool = {
                                                #( let #ys: f64 = __y[#k]; )*
                                                #all
                                                #threshold
                                            };
                                            if __in { __up = __frac; } else { __lo = __frac; }
                                        }
                                        let __frac: f64 = __up;
                                        __end = #trial;
                                        __hi = (__a + __up * __h) / __span;
                                        __spiked = true;
                                        break;
                                    }
                                    __cur = __half;
                                    __a += __h;
                                    __end = __cur;
                                    // RK4's error grows as h^5: a doubled substep still fits.
                                    if __err < 1.0f64 / 32.0f64 {
                                        __h *= 2.0f64;
                                    }
                                }
                                #( #ys = __end[#k]; )*
                            }
                        }
                    } else {
                        quote! {
                            #all
                            let __spiked: bool = __free < __t_end && !__was && !(#dead) && #threshold;
                            let mut __hi: f64 = 1.0f64;
                            if __spiked {
                                let (mut __lo, mut __up) = (0.0f64, 1.0f64);
                                for _ in 0..48 {
                                    let __mid: f64 = 0.5f64 * (__lo + __up);
                                    let __hit: bool = {
                                        #( let #ys: f64 = #starts + __mid * (#ys - #starts); )*
                                        #all
                                        #threshold
                                    };
                                    if __hit { __up = __mid; } else { __lo = __mid; }
                                }
                                #( #ys = #starts + __up * (#ys - #starts); )*
                                __hi = __up;
                            }
                        }
                    };
                    let kept: Vec<Ident> =
                        held_ys.iter().map(|y| format_ident!("__r_{}", y)).collect();
                    return quote! {
                        #xi
                        let #input: f64 = __input #input_factor;
                        #loads
                        #refr
                        let __was: bool = #was;
                        #( let #olds = #ys; )*
                        let __t_end: f64 = t + dt;
                        let __free: f64 = if __refr {
                            (__t_last_spike[__i] + __t_ref).min(__t_end)
                        } else {
                            t
                        };
                        if __refr {
                            {
                                let dt: f64 = __free - t;
                                #held
                                #part
                            }
                            #( #held_ys = #held_olds; )*
                        }
                        #( let #starts = #ys; )*
                        if __free < __t_end {
                            let t: f64 = __free;
                            let dt: f64 = __t_end - __free;
                            #held
                            #part
                        }
                        #detect
                        let mut __at: f64 = t;
                        if __spiked {
                            __at = __free + __hi * (__t_end - __free);
                            #all
                            #resets
                            #( let #kept: f64 = #held_ys; )*
                            {
                                let t: f64 = __at;
                                let dt: f64 = __t_end - __at;
                                #held
                                #part
                            }
                            if __t_ref > 0.0f64 {
                                #( #held_ys = #kept; )*
                            }
                        }
                        #all
                        __t_last_spike[__i] = if __spiked { __at } else { __t_last_spike[__i] };
                        #stores
                        __spike[__i] = __spiked;
                        __refractory[__i] = __refr || __spiked;
                    };
                }
                quote! {
                    #xi
                    let #input: f64 = __input #input_factor;
                    #loads
                    #refr
                    let __was: bool = #was;
                    #( let #olds = #ys; )*
                    #held
                    #integrate
                    // Refractory: the held states keep their values (the integrated ones are
                    // discarded); the others keep what they integrated.
                    #( #held_ys = if __refr { #held_olds } else { #held_ys }; )*
                    #all
                    let __spiked: bool = !__refr && !__was && !(#dead) && #threshold;
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
            &kernel,
            quote!(const __M: u8),
            (nk, nh),
            quote! {
                __t_ref: f64,
                __n_ref: f64,
                #noise_fields
                #( #cols: &'a mut [f64], )*
                __spike: &'a mut [bool],
                __refractory: &'a mut [bool],
                __t_last_spike: &'a mut [f64],
            },
        );
        quote! {
            #kernel_struct

            #[automatically_derived]
            impl<'a, const __M: u8> #rt::NeuronKernel for #kernel<'a, __M> {
                #[inline(always)]
                fn element(&mut self, __i: usize, __input: f64) -> bool {
                    let (t, dt, __t_ref, __n_ref) = (self.__t, self.__dt, self.__t_ref, self.__n_ref);
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

            #[automatically_derived]
            impl #rt::NeuronModel for #model {
                type Kernel<'a, const __M: u8> = #kernel<'a, __M>;

                #[inline]
                fn kernel<'a, const __M: u8>(&'a self, __consts: &'a __Consts, __tile: #rt::NeuronTile<'a>) -> #kernel<'a, __M> {
                    let #rt::NeuronTile { clock: __clock, first: __first, columns: __columns, t_last_spike: __t_last_spike, spike: __spike, refractory: __refractory, noise: __noise } = __tile;
                    let (t, dt) = (__clock.t, __clock.dt);
                    let [#(#cols),*] = __columns.split::<#n>();
                    let __n = __spike.len();
                    #reslice
                    #params
                    let (__k, __h) = #ctor;
                    let __t_ref: f64 = #t_ref;
                    let __n_ref: f64 = #rt::whole_steps(__t_ref, dt);
                    #kernel {
                        __model: ::core::clone::Clone::clone(self),
                        __k,
                        __h,
                        __t: t,
                        __dt: dt,
                        __t_ref,
                        __n_ref,
                        #noise_init
                        #( #cols, )*
                        __spike: &mut __spike[..__n],
                        __refractory: &mut __refractory[..__n],
                        __t_last_spike: &mut __t_last_spike[..__n],
                    }
                }
            }
        }
    }
}
