//! Every case of test/vectors/clip.json (float64 references of clip_grad_norm_ / clip_grad_value_)
//! with 4 emulated lanes and with 1 lane. Tolerance: the total norm and every clipped element
//! within 2^−21 ≈ 4.8e−7 relative (measured worst 1.6e−7: the float32 roundings of the inputs, the
//! sum and the coefficient); a coefficient not clamped at 1, not applied, or the wrong norm misses
//! by orders of magnitude.

mod kit_support;
mod support;

use kit_support::{clip_grad_norm, clip_grad_value, same};
use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use support::json::Json;
use support::vector_file;

const REL: f64 = 1.0 / (1u64 << 21) as f64;

fn close(got: f32, want: f64) -> bool {
    (got as f64 - want).abs() <= REL * want.abs()
}

fn norm_type(c: &Json) -> f32 {
    match c.get("norm_type") {
        Json::Str(s) if s == "inf" => f32::INFINITY,
        other => other.num() as f32,
    }
}

fn run_case<L: Lanes>(c: &Json) -> Vec<Vec<f32>> {
    let id = c.get("id").str();
    let mut grads: Vec<Vec<f32>> = c.get("grads").arr().iter().map(|g| g.nums().iter().map(|&x| x as f32).collect()).collect();
    match c.get("fn").str() {
        "clip_grad_norm_" => {
            let total = clip_grad_norm::<L>(&mut grads, c.get("max_norm").num() as f32, norm_type(c));
            let want = c.get("total_norm").num();
            assert!(close(total, want), "{id}: total norm {total} vs {want}");
        }
        "clip_grad_value_" => clip_grad_value::<L>(&mut grads, c.get("clip_value").num() as f32),
        other => panic!("{id}: unknown function {other}"),
    }
    for (t, (got, want)) in grads.iter().zip(c.get("expected").arr()).enumerate() {
        for (i, (g, w)) in got.iter().zip(want.nums()).enumerate() {
            assert!(close(*g, w), "{id}: tensor {t} element {i}: {g} vs {w}");
        }
    }
    grads
}

#[test]
fn every_clip_case_matches_the_reference() {
    let cases = vector_file("clip.json");
    let mut count = 0;
    for c in cases.get("cases").arr() {
        let four = run_case::<Emu4>(c);
        let one = run_case::<Scalar>(c);
        assert!(four.iter().zip(&one).all(|(a, b)| same(a, b)), "{}", c.get("id").str());
        count += 1;
    }
    assert_eq!(count, 10);
}
