//! Compile-time diagnostics: one `tests/ui/**/*.rs` case per diagnostic the macros emit, each with
//! the `.stderr` rustc prints, and passing cases for every accepted form.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
