"""Fits the two polynomials of crates/simdopt-core/src/nn/math.rs (`one_plus_erf`).

    |x| < 0.9:        erf(x) = x + x * A(x^2)               A of degree 6 (A(0) = 2/sqrt(pi) - 1)
    0.9 <= |x| <= 10.5: erfc(|x|) = exp(-x^2) * B(t), t = 1/(1 + |x|/2)   B of degree 8

Relative least squares on Chebyshev nodes, refined by Lawson's iteration towards minimax, then
rounded to f32. Prints the coefficients and the relative error of the f32 Horner evaluation
(numpy float32: one rounding per operation, as the kernels). Needs numpy and mpmath; run it only
to change the fit (the Rust and TypeScript tests check the accuracy the kernels promise).
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 30
f32 = np.float32
SPLIT, CLAMP, P = 0.9, 10.5, 0.5


def lawson(V, f, iterations=60):
    """Minimax-leaning fit of V @ c ≈ f in relative error."""
    w = np.ones(len(f))
    for _ in range(iterations):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(V * (sw / f)[:, None], sw, rcond=None)
        err = np.abs(V @ c - f) / f
        w = w * err
        w /= w.sum()
    return c


def horner32(c, t):
    p = np.full_like(t, f32(c[-1]))
    for ci in c[-2::-1]:
        p = (p * t).astype(f32) + f32(ci)
    return p


def nodes(a, b, n):
    return (np.cos(np.linspace(0, np.pi, n)) + 1) / 2 * (b - a) + a


# A: erf(x)/x in z = x^2.
z = nodes(0, SPLIT * SPLIT, 400)
fa = np.array([float(mp.erf(mp.sqrt(v)) / mp.sqrt(v)) if v > 0 else float(2 / mp.sqrt(mp.pi)) for v in z])
ca = lawson(np.vander(z, 7, increasing=True), fa)
ca[0] -= 1
ca = [f32(c) for c in ca]
x = np.linspace(2**-20, SPLIT, 40001).astype(f32)
ref = np.array([float(mp.erf(float(v))) for v in x])
got = (x + (x * horner32(ca, (x * x).astype(f32))).astype(f32)).astype(f32)
print("A max error in ulps of erf(x):", np.max(np.abs(got - ref) / np.spacing(np.abs(ref).astype(f32))))

# B: erfc(x) * exp(x^2) in t = 1/(1 + P x).
xs = nodes(SPLIT, CLAMP, 600)
fb = np.array([float(mp.erfc(v) * mp.exp(v * v)) for v in xs])
cb = [f32(c) for c in lawson(np.vander(1 / (1 + P * xs), 9, increasing=True), fb)]
x = np.linspace(SPLIT, CLAMP, 40001).astype(f32)
ref = np.array([float(mp.erfc(float(v)) * mp.exp(float(v) ** 2)) for v in x])
t = (f32(1) / (f32(1) + (f32(P) * x).astype(f32))).astype(f32)
print("B max relative error:", np.max(np.abs(horner32(cb, t) - ref) / ref))

for name, cs in (("ERF_A", ca), ("ERFC_B", cb)):
    print(f"const {name}: [f32; {len(cs)}] = [" + ", ".join(repr(float(c)) for c in cs) + "];")
