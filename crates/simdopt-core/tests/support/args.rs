//! The argument blocks the TypeScript classes hand their kernels, as scripts/vectors/args.ts
//! records them in test/vectors/args (TypeScript owns the per-step scalars; the tests replay
//! them). Nothing here knows an optimizer: a new one needs its vectors and `npm run vector-args`.

use super::json::Json;
use std::path::PathBuf;

/// One recorded run: the kernel, the state layout and the block of every step.
#[derive(Clone, Debug)]
pub struct Run {
    /// The kernel's name (tests/support/kernels.rs).
    pub kernel: String,
    /// State slots in kernel order (PyTorch's names).
    pub slots: Vec<String>,
    /// The value each state slot starts from.
    pub initial: Vec<f32>,
    /// Scratch slots after the state slots (not state).
    pub scratch: usize,
    /// Step k's (0-based) argument block.
    pub steps: Vec<Vec<f32>>,
    /// Schedule-Free's eval and train switches, where the run has them.
    pub eval: Option<Vec<f32>>,
    pub train: Option<Vec<f32>>,
    /// Vector cases: the parameter TypeScript's js kernels (the float32 twins) end at, which the
    /// Rust kernels must reach bit for bit from the same blocks.
    pub final_params: Option<Vec<f32>>,
}

fn block(j: &Json) -> Vec<f32> {
    // Written as the shortest decimal of the float's exact double: the cast is exact.
    j.nums().into_iter().map(|x| x as f32).collect()
}

impl Run {
    pub fn from_json(j: &Json) -> Run {
        Run {
            kernel: j.get("kernel").str().to_string(),
            slots: j.get("slots").arr().iter().map(|s| s.str().to_string()).collect(),
            initial: block(j.get("initial")),
            scratch: j.get("scratch").arr().len(),
            steps: j.get("steps").arr().iter().map(block).collect(),
            eval: j.opt("eval").map(block),
            train: j.opt("train").map(block),
            final_params: j.opt("final").map(block),
        }
    }

    /// A state block for `len` elements: every slot at its initial value, scratch slots zero.
    pub fn initial_state(&self, len: usize) -> Vec<f32> {
        let stride = simdopt_core::sweep::slot_stride(len);
        let mut state = vec![0f32; (self.slots.len() + self.scratch) * stride];
        for (k, v) in self.initial.iter().enumerate() {
            state[k * stride..k * stride + len].fill(*v);
        }
        state
    }

    /// Panics unless `p` is bit for bit the parameter the js kernels reached (vector cases).
    pub fn assert_final(&self, id: &str, p: &[f32]) {
        let want = self.final_params.as_ref().unwrap_or_else(|| panic!("{id}: no final parameter"));
        assert_eq!(want.len(), p.len(), "{id}: final parameter length");
        for (i, (a, b)) in p.iter().zip(want).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{id} element {i}: Rust {a:e} vs TypeScript's js kernels {b:e}");
        }
    }

    /// Index of state slot `name`.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.slots.iter().position(|s| s == name)
    }
}

fn args_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors/args")
}

/// `test/vectors/args/<name>`, or None when there is none.
pub fn args_file(name: &str) -> Option<Json> {
    let path = args_dir().join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some(Json::parse(&text))
}

/// The recorded runs of vector file `name` (relative to test/vectors), by case id, checked to
/// name the same cases in the same order.
pub fn case_runs(name: &str, vectors: &Json) -> Vec<Run> {
    let file = args_file(name).unwrap_or_else(|| panic!("no test/vectors/args/{name}: run `npm run vector-args`"));
    assert_eq!(file.get("vectors").str(), name);
    let (runs, cases) = (file.get("cases").arr(), vectors.get("cases").arr());
    assert_eq!(runs.len(), cases.len(), "{name}: cases in args file (stale: `npm run vector-args`)");
    runs.iter()
        .zip(cases)
        .map(|(r, c)| {
            assert_eq!(r.get("id").str(), c.get("id").str(), "{name}: args file out of step (`npm run vector-args`)");
            let run = Run::from_json(r);
            assert!(run.steps.len() >= c.get("grads").arr().len(), "{}: fewer blocks than steps", c.get("id").str());
            run
        })
        .collect()
}

/// The names of the top-level vector files that have an args file (the optimizer vectors the
/// Rust suites replay), sorted.
pub fn replayed_vector_files() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(args_dir())
        .expect("test/vectors/args")
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
        .filter(|n| n.ends_with(".json") && n != "lanes.json")
        .collect();
    out.sort();
    out
}

/// One option set of the lane tests (test/vectors/args/lanes.json).
pub struct LaneConfiguration {
    /// The TypeScript class.
    pub class: String,
    /// `torch` (torch.optim's kernels: lanes_equivalence.rs) or `beyond` (beyond_pytorch_lanes.rs).
    pub group: String,
    /// The options, for messages.
    pub hyper: Json,
    pub run: Run,
}

/// The lane tests' option sets of `group`.
pub fn lane_configurations(group: &str) -> Vec<LaneConfiguration> {
    let file = args_file("lanes.json").expect("test/vectors/args/lanes.json: run `npm run vector-args`");
    file.get("configurations")
        .arr()
        .iter()
        .map(|c| LaneConfiguration {
            class: c.get("class").str().to_string(),
            group: c.get("group").str().to_string(),
            hyper: c.get("hyper").clone(),
            run: Run::from_json(c),
        })
        .filter(|c| c.group == group)
        .collect()
}
