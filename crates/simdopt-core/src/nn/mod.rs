//! The kernels behind `simdopt.nn`: a blocked GEMM for fully connected layers and element-wise
//! activations with their own float32 transcendentals, all generic over [`crate::lanes::Lanes`]
//! and summed in one fixed order, so the simd128 build, the scalar build and the TypeScript twins
//! agree bit for bit.
//!
//! * [`gemm`] — `C ← init ⊕ A·B` with register tiles and packed panels;
//! * [`linear`] — the forward and the three gradients of `torch.nn.Linear` on top of it;
//! * [`math`] — `exp`, `tanh`, `sigmoid`, `1 + erf` in float32 arithmetic;
//! * [`activation`] — ReLU, Tanh, Sigmoid, GELU (erf and tanh forms), forward and backward.
//!
//! Spec: docs/SEMANTICS.md#linear-layers

pub mod activation;
pub mod gemm;
pub mod linear;
pub mod math;
