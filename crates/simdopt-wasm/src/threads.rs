//! The threaded build's split: one optimizer call divided over the calling thread and the worker
//! pool, every instance of the module running over the one shared memory.
//!
//! A table's elements are laid end to end in a padded index space (each tensor occupies
//! `slot_stride(len)` positions, so every tensor starts at a multiple of 4) and cut into chunks of
//! `CHUNK` positions, a multiple of 4: every piece of a tensor starts on a whole vector of the
//! tensor, and the SIMD body and scalar tail fall where they fall single-threaded. Element-wise
//! kernels compute each element alone, so the result is the same bits for any number of threads
//! and any chunk size; a kernel only sees [`Tensor`]s (pieces keep their parameter's state
//! stride) and needs no code of its own to be threaded.
//!
//! Sums follow a partition of their own that does not depend on the thread count: fixed segments
//! of `SEGMENT` elements per tensor (SEGMENTS jobs), whose results the calling thread folds in
//! table and segment order — the kit's tensor passes ([`segments_split`]), Prodigy's measuring
//! pass ([`sums_split`]) and LAMB's two passes ([`two_pass_split`]: pass 1 per segment, the trust
//! ratios on the caller, pass 2 per segment).
//!
//! Protocol. Only the calling thread publishes jobs (and only it allocates: workers never touch
//! the heap). It writes the job's fields, resets `done`, sets `cursor` to (job, 0) and bumps
//! `epoch`, then wakes the workers (`memory.atomic.notify`) and claims chunks itself. A thread
//! claims a chunk by a compare-and-swap of `cursor` that also checks the job number, so a worker
//! that wakes late cannot take a chunk of a later job with an earlier job's fields. The calling
//! thread spins (a browser main thread may not wait) until `done` counts every chunk. Chunks are
//! claimed dynamically: a worker that is slow, descheduled or gone leaves its share to the others.
//! When every chunk is done the caller marks the job's cursor exhausted, so a worker that read a
//! job's number just before it ended claims nothing, even against the next job's chunk count.
//!
//! Correctness never rests on a thread's number (it only counts the workers' chunks): a product's
//! packing workspace is taken per job from a counter. Node 20's V8 (11.3) was seen passing a
//! worker's number as 0 into `work` from Liftoff code of a wasm-opt'd binary; with workspaces by
//! number, that worker packed into the caller's workspace and products raced (scripts/build-wasm).

use crate::abi::{run_entries, sums_serial, Entry, RunPieces, RunSegment, BATCH};
use crate::kit_exports::{segments_serial, RunPart};
use core::arch::wasm32;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::*};
use simdopt_core::nn::gemm::Panels;
use simdopt_core::stream::Buffer;
use simdopt_core::stream::{Reduce, SEGMENT};
use simdopt_core::sweep::{slot_stride, Tensor};
use simdopt_core::two_pass::TwoPassFns;

/// The job board in shared memory (in .bss: zeroed once, by the first instance).
struct Job {
    /// Job number; workers wait on it.
    epoch: AtomicU32,
    /// Set once by `simdopt_threads_stop`: workers return from their loop.
    stop: AtomicU32,
    /// (job number << 32) | next chunk to claim.
    cursor: AtomicU64,
    /// Chunks finished in the current job.
    done: AtomicU32,
    /// PANELS: packing workspaces taken in the current job (each thread takes one at its first claim).
    packs: AtomicU32,
    /// Workers that take part in the current job: those with a smaller index.
    helpers: AtomicU32,
    /// What the chunks are: [`TABLE`] (elements of a tensor table) or [`PANELS`] (column panels
    /// of a matrix product).
    kind: AtomicU32,
    /// PANELS: address of the caller's `&dyn Fn(j0, j1, pack)`, the column count, the panel
    /// width, the workspace and its f32 per thread.
    ctx: AtomicUsize,
    n: AtomicUsize,
    nr: AtomicUsize,
    pack: AtomicUsize,
    slot: AtomicUsize,
    run: AtomicUsize,
    args: AtomicUsize,
    args_len: AtomicUsize,
    entries: AtomicUsize,
    count: AtomicUsize,
    total: AtomicUsize,
    chunk: AtomicUsize,
    chunks: AtomicU32,
}

static JOB: Job = Job {
    epoch: AtomicU32::new(0),
    stop: AtomicU32::new(0),
    cursor: AtomicU64::new(0),
    done: AtomicU32::new(0),
    packs: AtomicU32::new(0),
    helpers: AtomicU32::new(0),
    kind: AtomicU32::new(TABLE),
    ctx: AtomicUsize::new(0),
    n: AtomicUsize::new(0),
    nr: AtomicUsize::new(0),
    pack: AtomicUsize::new(0),
    slot: AtomicUsize::new(0),
    run: AtomicUsize::new(0),
    args: AtomicUsize::new(0),
    args_len: AtomicUsize::new(0),
    entries: AtomicUsize::new(0),
    count: AtomicUsize::new(0),
    total: AtomicUsize::new(0),
    chunk: AtomicUsize::new(0),
    chunks: AtomicU32::new(0),
};

/// Workers that share a job (JavaScript sets it once they run, at most the pool's size; fewer
/// measure scaling on one pool); 0 runs everything on the caller.
static WORKERS: AtomicU32 = AtomicU32::new(0);
/// Tables with fewer padded elements than this run on the calling thread alone (waking the pool
/// costs more than it saves).
static THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_THRESHOLD);
/// Padded elements per chunk, a multiple of 4; 0 (the default) sizes each job's chunks by [`chunk_for`].
static CHUNK: AtomicUsize = AtomicUsize::new(0);

const TABLE: u32 = 0;
const PANELS: u32 = 1;
const SEGMENTS: u32 = 2;
const PARTS: u32 = 3;

/// A PARTS job, on the caller's stack: an array kernel's pass of `n` elements in chunks.
struct PartsJob {
    run: RunPart,
    args: *const f32,
    args_len: usize,
    bufs: *const Buffer,
    bufs_len: usize,
    n: usize,
    chunk: usize,
}

/// Segments of a tensor kernel handed out per job; their results wait in order on the caller's
/// stack and are folded there, so the sum's order is the single-threaded one.
const WINDOW: usize = 128;

/// What each unit of a SEGMENTS job runs.
#[derive(Clone, Copy)]
enum SegmentPass {
    /// A pass that returns (up to) two sums of its segment.
    Measure(RunSegment),
    /// A two-pass kernel's pass 2 over the segment with its tensor's scalar.
    Apply(unsafe fn(&[f32], &Tensor, f32)),
}

/// One unit of a SEGMENTS job: segment `seg` of table entry `entry`, and that entry's scalar
/// (pass 2 of a two-pass kernel; 0 otherwise).
#[derive(Clone, Copy)]
struct Unit {
    entry: u32,
    seg: u32,
    scale: f32,
}

/// A SEGMENTS job, on the caller's stack: which segment each chunk is and where its result goes.
struct SegmentJob {
    pass: SegmentPass,
    args: *const f32,
    args_len: usize,
    entries: *const Entry,
    /// One per chunk.
    units: *mut Unit,
    results: *mut [f64; 2],
}

/// Set when a worker trapped (its JavaScript calls `simdopt_threads_fail`): the calling thread
/// stops waiting for chunks that will never be done, and JavaScript turns the call into an error.
static FAILED: AtomicU32 = AtomicU32::new(0);

/// A worker's JavaScript reports that its loop ended with a trap.
#[no_mangle]
pub extern "C" fn simdopt_threads_fail() {
    FAILED.store(1, Release);
}

/// 1 once a worker trapped: every later call is refused by JavaScript.
#[no_mangle]
pub extern "C" fn simdopt_threads_failed() -> u32 {
    FAILED.load(Acquire)
}

/// Address of the failure flag (an i32): JavaScript reads it with `Atomics.load` after every
/// call, which costs less than calling an export.
#[no_mangle]
pub extern "C" fn simdopt_threads_failed_addr() -> usize {
    FAILED.as_ptr() as usize
}

/// Chunks the workers (not the caller) have run since the module started: whether they take part.
static WORKER_CHUNKS: AtomicU32 = AtomicU32::new(0);

/// Chunks the workers have run (a diagnostic for tests and the benchmark).
#[no_mangle]
pub extern "C" fn simdopt_threads_worker_chunks() -> u32 {
    WORKER_CHUNKS.load(Relaxed)
}

/// Largest pool configured: how many packing workspaces a product may use (`slots`).
static POOL: AtomicU32 = AtomicU32::new(0);
/// Products of less work (m·n·k) than this run on the calling thread.
const GEMM_THRESHOLD: usize = 1 << 20;

const DEFAULT_THRESHOLD: usize = 1 << 16;
/// Smallest and largest chunk [`chunk_for`] picks.
const MIN_CHUNK: usize = 1 << 14;
const MAX_CHUNK: usize = 1 << 16;
/// Polls of the job number before a worker sleeps: back-to-back calls (a training step's
/// kernels) find it awake.
const SPINS: u32 = 20_000;
/// Longest sleep of an idle worker before it looks again (see `simdopt_worker_loop`).
const WAIT_NS: i64 = 50_000_000;

/// Sets the pool size the split uses, the threshold and the chunk (0 keeps the current value).
/// Returns the chunk in force (0: sized per job).
#[no_mangle]
pub extern "C" fn simdopt_threads_config(workers: u32, threshold: usize, chunk: usize) -> usize {
    POOL.fetch_max(workers, Relaxed);
    WORKERS.store(workers, Release);
    if threshold != 0 {
        THRESHOLD.store(threshold, Relaxed);
    }
    if chunk != 0 {
        CHUNK.store((chunk + 3) & !3, Relaxed);
    }
    CHUNK.load(Relaxed)
}

/// Ends every worker's loop (they return to JavaScript).
#[no_mangle]
pub extern "C" fn simdopt_threads_stop() {
    WORKERS.store(0, Release);
    JOB.stop.store(1, Release);
    // SAFETY: a valid, aligned address in this memory.
    unsafe { wasm32::memory_atomic_notify(JOB.epoch.as_ptr() as *mut i32, u32::MAX) };
}

/// A worker's life: wait for a job, take chunks until none is left, again until stopped.
/// Runs on a worker whose `__stack_pointer` JavaScript pointed at a stack of its own; `index`
/// numbers the workers from 0 (jobs with fewer helpers leave the others idle).
#[no_mangle]
pub extern "C" fn simdopt_worker_loop(index: u32) {
    let mut seen = JOB.epoch.load(Acquire);
    loop {
        let mut spins = 0;
        loop {
            if JOB.stop.load(Acquire) != 0 {
                return;
            }
            let epoch = JOB.epoch.load(Acquire);
            if epoch != seen {
                seen = epoch;
                break;
            }
            if spins < SPINS {
                spins += 1;
                core::hint::spin_loop();
            } else {
                // SAFETY: a valid, aligned address; returns when notified, the value changed or
                // the time is up. Bounded: an idle worker comes back to the loop 20 times a second,
                // so ending it never depends on the engine interrupting a wait.
                unsafe { wasm32::memory_atomic_wait32(JOB.epoch.as_ptr() as *mut i32, seen as i32, WAIT_NS) };
            }
        }
        if index < JOB.helpers.load(Relaxed) {
            // SAFETY: the fields were written before the epoch (release/acquire); a stale job's
            // claims fail on the job number.
            unsafe { work(seen, index as usize + 1) };
        }
    }
}

/// Runs an optimizer kernel over a validated table: on the calling thread alone below the
/// threshold or without workers, else divided over the pool.
///
/// # Safety
/// As [`crate::abi::run_entries`].
pub unsafe fn split(run: RunPieces, args: &[f32], entries: &[Entry]) {
    let workers = WORKERS.load(Acquire);
    let total: usize = if workers == 0 { 0 } else { entries.iter().map(|e| slot_stride(e.len)).sum() };
    if workers == 0 || total < THRESHOLD.load(Relaxed) {
        return run_entries(run, args, entries);
    }
    let chunk = chunk_for(total, workers);
    JOB.kind.store(TABLE, Relaxed);
    JOB.run.store(run as usize, Relaxed);
    JOB.args.store(args.as_ptr() as usize, Relaxed);
    JOB.args_len.store(args.len(), Relaxed);
    JOB.entries.store(entries.as_ptr() as usize, Relaxed);
    JOB.count.store(entries.len(), Relaxed);
    JOB.total.store(total, Relaxed);
    JOB.chunk.store(chunk, Relaxed);
    publish_and_join(workers, total.div_ceil(chunk) as u32);
}

/// Elements per chunk of a job of `total` over `workers` and the caller: the configured chunk, or
/// else as long as lets every thread claim about four (so a slow one leaves little behind), from
/// 16384 to 65536. Long runs let the hardware prefetchers stream: Adam at 4e6 on 2 threads went
/// from ×1.75 to ×1.86 with 65536 instead of 16384. Results do not depend on it.
fn chunk_for(total: usize, workers: u32) -> usize {
    match CHUNK.load(Relaxed) {
        0 => (total / (4 * (workers as usize + 1))).clamp(MIN_CHUNK, MAX_CHUNK) & !3,
        chunk => chunk,
    }
}

/// Packing workspaces a matrix product needs (one per thread that may work on it).
pub fn slots() -> usize {
    POOL.load(Relaxed) as usize + 1
}

/// Divides a product's column panels over the pool, one panel per claim.
pub struct Pool;

impl Panels for Pool {
    unsafe fn split(&self, n: usize, nr: usize, work: usize, pack: *mut f32, slot: usize, run: &dyn Fn(usize, usize, *mut f32)) {
        let workers = WORKERS.load(Acquire);
        let panels = n.div_ceil(nr);
        if workers == 0 || work < GEMM_THRESHOLD || panels < 2 {
            return run(0, n, pack);
        }
        JOB.kind.store(PANELS, Relaxed);
        // The caller's stack outlives the job: it returns only after every panel is done.
        JOB.ctx.store(&run as *const &dyn Fn(usize, usize, *mut f32) as usize, Relaxed);
        JOB.n.store(n, Relaxed);
        JOB.nr.store(nr, Relaxed);
        JOB.pack.store(pack as usize, Relaxed);
        JOB.slot.store(slot, Relaxed);
        publish_and_join(workers, panels as u32);
    }
}

/// Publishes the job whose fields are written (release: workers read them after the epoch),
/// wakes the workers, works on it as thread 0 and returns when every chunk is done.
unsafe fn publish_and_join(workers: u32, chunks: u32) {
    let job = JOB.epoch.load(Relaxed).wrapping_add(1);
    JOB.chunks.store(chunks, Relaxed);
    JOB.done.store(0, Relaxed);
    JOB.packs.store(0, Relaxed);
    JOB.helpers.store(workers, Relaxed);
    JOB.cursor.store((job as u64) << 32, Release);
    JOB.epoch.store(job, Release);
    wasm32::memory_atomic_notify(JOB.epoch.as_ptr() as *mut i32, workers);
    work(job, 0);
    // A trapped worker never finishes its chunk: stop waiting (the call's result is then refused).
    while JOB.done.load(Acquire) != chunks && FAILED.load(Relaxed) == 0 {
        core::hint::spin_loop();
    }
    // Exhausted: a late claim on this job fails whatever chunk count the next job writes.
    JOB.cursor.store(((job as u64) << 32) | u32::MAX as u64, Release);
}

/// Claims and runs chunks of job `job` as thread `thread` (0: the caller) until none is left.
unsafe fn work(job: u32, thread: usize) {
    match JOB.kind.load(Relaxed) {
        PANELS => return work_panels(job, thread),
        SEGMENTS => return work_segments(job, thread),
        PARTS => return work_parts(job, thread),
        _ => {}
    }
    let run: RunPieces = core::mem::transmute::<usize, RunPieces>(JOB.run.load(Relaxed));
    let args = core::slice::from_raw_parts(JOB.args.load(Relaxed) as *const f32, JOB.args_len.load(Relaxed));
    let entries = core::slice::from_raw_parts(JOB.entries.load(Relaxed) as *const Entry, JOB.count.load(Relaxed));
    let (total, chunk, chunks) = (JOB.total.load(Relaxed), JOB.chunk.load(Relaxed), JOB.chunks.load(Relaxed));
    // Chunks a thread claims only increase: it walks the table once, from `first` at `base`.
    let (mut first, mut base) = (0usize, 0usize);
    let mut batch = [Tensor::new(core::ptr::null_mut(), core::ptr::null_mut(), core::ptr::null_mut(), 0); BATCH];
    while let Some(c) = claim(job, chunks) {
        let lo = c as usize * chunk;
        let hi = (lo + chunk).min(total);
        while first < entries.len() && base + slot_stride(entries[first].len) <= lo {
            base += slot_stride(entries[first].len);
            first += 1;
        }
        let (mut k, mut at, mut n) = (first, base, 0);
        while k < entries.len() && at < hi {
            let e = &entries[k];
            let (a, b) = (lo.saturating_sub(at).min(e.len), (hi - at).min(e.len));
            if a < b {
                batch[n] = e.tensor().piece(a, b);
                n += 1;
                if n == BATCH {
                    run(args, &batch);
                    n = 0;
                }
            }
            at += slot_stride(e.len);
            k += 1;
        }
        if n > 0 {
            run(args, &batch[..n]);
        }
        if thread != 0 {
            WORKER_CHUNKS.fetch_add(1, Relaxed);
        }
        JOB.done.fetch_add(1, Release);
    }
}

/// The next chunk of job `job`, if any is left.
#[inline]
fn claim(job: u32, chunks: u32) -> Option<u32> {
    let mut cur = JOB.cursor.load(Acquire);
    loop {
        let next = cur as u32;
        if (cur >> 32) as u32 != job || next >= chunks {
            return None;
        }
        match JOB.cursor.compare_exchange_weak(cur, cur + 1, AcqRel, Acquire) {
            Ok(_) => return Some(next),
            Err(now) => cur = now,
        }
    }
}

/// A PANELS job: column panels `c·nr .. (c+1)·nr`, packed into a workspace this thread takes at
/// its first claim (at most one per thread of the job, so at most [`slots`]).
unsafe fn work_panels(job: u32, thread: usize) {
    let run = *(JOB.ctx.load(Relaxed) as *const &dyn Fn(usize, usize, *mut f32));
    let (n, nr, chunks) = (JOB.n.load(Relaxed), JOB.nr.load(Relaxed), JOB.chunks.load(Relaxed));
    let mut pack: *mut f32 = core::ptr::null_mut();
    while let Some(c) = claim(job, chunks) {
        if pack.is_null() {
            let taken = JOB.packs.fetch_add(1, Relaxed) as usize;
            pack = (JOB.pack.load(Relaxed) as *mut f32).add(taken * JOB.slot.load(Relaxed));
        }
        let j0 = c as usize * nr;
        run(j0, (j0 + nr).min(n), pack);
        if thread != 0 {
            WORKER_CHUNKS.fetch_add(1, Relaxed);
        }
        JOB.done.fetch_add(1, Release);
    }
}

/// A SEGMENTS job: each chunk is one segment of one tensor; its result goes to its own slot.
unsafe fn work_segments(job: u32, thread: usize) {
    let sj = &*(JOB.ctx.load(Relaxed) as *const SegmentJob);
    let args = core::slice::from_raw_parts(sj.args, sj.args_len);
    let chunks = JOB.chunks.load(Relaxed);
    while let Some(c) = claim(job, chunks) {
        let u = *sj.units.add(c as usize);
        let t = (*sj.entries.add(u.entry as usize)).tensor();
        let a = u.seg as usize * SEGMENT;
        let piece = t.piece(a, (a + SEGMENT).min(t.len));
        *sj.results.add(c as usize) = match sj.pass {
            SegmentPass::Measure(run) => run(args, &piece),
            SegmentPass::Apply(apply) => {
                apply(args, &piece, u.scale);
                [0.0; 2]
            }
        };
        if thread != 0 {
            WORKER_CHUNKS.fetch_add(1, Relaxed);
        }
        JOB.done.fetch_add(1, Release);
    }
}

/// Every segment of entries `from..to`, in table and segment order, with the entry's scalar.
fn units<'a>(entries: &'a [Entry], from: usize, to: usize, scale: impl Fn(usize) -> f32 + 'a) -> impl Iterator<Item = Unit> + 'a {
    (from..to).flat_map(move |k| {
        let scale = scale(k);
        (0..entries[k].len.div_ceil(SEGMENT)).map(move |seg| Unit { entry: k as u32, seg: seg as u32, scale })
    })
}

/// Runs `pass` over `units` on the pool, a window of them per job, and hands each unit's result
/// to `each` on the calling thread in the order of `units` (so folds keep the serial order).
unsafe fn segment_windows(
    workers: u32,
    pass: SegmentPass,
    args: &[f32],
    entries: &[Entry],
    units: impl Iterator<Item = Unit>,
    mut each: impl FnMut(Unit, [f64; 2]),
) {
    let mut window = [Unit { entry: 0, seg: 0, scale: 0.0 }; WINDOW];
    let mut results = [[0f64; 2]; WINDOW];
    // Both arrays are used only through these pointers from here on.
    let sj = SegmentJob {
        pass,
        args: args.as_ptr(),
        args_len: args.len(),
        entries: entries.as_ptr(),
        units: window.as_mut_ptr(),
        results: results.as_mut_ptr(),
    };
    let mut run = |n: usize| {
        JOB.kind.store(SEGMENTS, Relaxed);
        JOB.ctx.store(&sj as *const SegmentJob as usize, Relaxed);
        publish_and_join(workers, n as u32);
        for c in 0..n {
            each(*sj.units.add(c), *sj.results.add(c));
        }
    };
    let mut n = 0;
    for u in units {
        *sj.units.add(n) = u;
        n += 1;
        if n == WINDOW {
            run(n);
            n = 0;
        }
    }
    if n > 0 {
        run(n);
    }
}

/// A tensor kernel over a validated table: its segments' results computed by the pool, a window
/// at a time, and folded in table and segment order on the calling thread (the same bits as
/// [`segments_serial`] for any number of threads).
///
/// # Safety
/// As [`segments_serial`].
pub unsafe fn segments_split(run: RunSegment, reduce: Reduce, args: &[f32], entries: &[Entry]) -> f64 {
    let workers = WORKERS.load(Acquire);
    let total: usize = if workers == 0 { 0 } else { entries.iter().map(|e| e.len).sum() };
    if workers == 0 || total < THRESHOLD.load(Relaxed) {
        return segments_serial(run, reduce, args, entries);
    }
    let mut acc = 0.0;
    let all = units(entries, 0, entries.len(), |_| 0.0);
    segment_windows(workers, SegmentPass::Measure(run), args, entries, all, |_, [r, _]| acc = reduce.f64(acc, r));
    acc
}

/// A sums kernel over a validated table (Prodigy's measuring pass): each segment's pass on the
/// pool, its two sums added in table and segment order on the calling thread (the same bits as
/// [`sums_serial`] for any number of threads).
///
/// # Safety
/// As [`sums_serial`].
pub unsafe fn sums_split(run: RunSegment, args: &[f32], entries: &[Entry]) -> [f64; 2] {
    let workers = WORKERS.load(Acquire);
    let total: usize = if workers == 0 { 0 } else { entries.iter().map(|e| e.len).sum() };
    if workers == 0 || total < THRESHOLD.load(Relaxed) {
        return sums_serial(run, args, entries);
    }
    let mut acc = [0.0; 2];
    let all = units(entries, 0, entries.len(), |_| 0.0);
    segment_windows(workers, SegmentPass::Measure(run), args, entries, all, |_, [a, b]| acc = [acc[0] + a, acc[1] + b]);
    acc
}

/// A two-pass kernel (LAMB) over a validated table, a group of tensors at a time (at most
/// [`WINDOW`] tensors and, unless one tensor has more, [`WINDOW`] segments): pass 1 of every
/// segment on the pool, each tensor's sums folded in segment order and turned into its scalar on
/// the calling thread, then pass 2 of every segment on the pool. Groups too small to be worth
/// waking the pool run on the calling thread (`run`, the same bits: the same segments, folded
/// alike).
///
/// # Safety
/// As `run` for every entry.
pub unsafe fn two_pass_split(passes: TwoPassFns, run: RunPieces, args: &[f32], entries: &[Entry]) {
    let workers = WORKERS.load(Acquire);
    let threshold = THRESHOLD.load(Relaxed);
    let mut sums = [[0f64; 2]; WINDOW];
    let mut scales = [0f32; WINDOW];
    let mut k0 = 0;
    while k0 < entries.len() {
        let (mut k1, mut segs, mut len) = (k0, 0, 0);
        while k1 < entries.len() && k1 - k0 < WINDOW {
            let n = entries[k1].len.div_ceil(SEGMENT);
            if k1 > k0 && segs + n > WINDOW {
                break;
            }
            (segs, len, k1) = (segs + n, len + entries[k1].len, k1 + 1);
        }
        let group = &entries[k0..k1];
        if workers == 0 || len < threshold {
            run_entries(run, args, group);
            k0 = k1;
            continue;
        }
        sums[..group.len()].fill([0.0; 2]);
        let fold = |u: Unit, [a, b]: [f64; 2]| {
            let s = &mut sums[u.entry as usize - k0];
            *s = [s[0] + a, s[1] + b];
        };
        segment_windows(workers, SegmentPass::Measure(passes.measure), args, entries, units(entries, k0, k1, |_| 0.0), fold);
        for (scale, s) in scales.iter_mut().zip(&sums[..group.len()]) {
            *scale = (passes.scale)(args, *s);
        }
        let with_scale = units(entries, k0, k1, |k| scales[k - k0]);
        segment_windows(workers, SegmentPass::Apply(passes.apply), args, entries, with_scale, |_, _| {});
        k0 = k1;
    }
}

/// A PARTS job: elements `c·chunk .. (c+1)·chunk` of the pass per chunk.
unsafe fn work_parts(job: u32, thread: usize) {
    let pj = &*(JOB.ctx.load(Relaxed) as *const PartsJob);
    let args = core::slice::from_raw_parts(pj.args, pj.args_len);
    let bufs = core::slice::from_raw_parts(pj.bufs, pj.bufs_len);
    let chunks = JOB.chunks.load(Relaxed);
    while let Some(c) = claim(job, chunks) {
        let start = c as usize * pj.chunk;
        (pj.run)(args, bufs, start, (start + pj.chunk).min(pj.n));
        if thread != 0 {
            WORKER_CHUNKS.fetch_add(1, Relaxed);
        }
        JOB.done.fetch_add(1, Release);
    }
}

/// Divides an array kernel's pass of `n` elements over the pool; false (nothing done) below the
/// threshold or without workers, when the caller runs the pass whole.
///
/// # Safety
/// As the kernel's `run_part` for every part.
pub unsafe fn parts_split(run: RunPart, args: &[f32], bufs: &[Buffer], n: usize) -> bool {
    let workers = WORKERS.load(Acquire);
    if workers == 0 || n < THRESHOLD.load(Relaxed) {
        return false;
    }
    let chunk = chunk_for(n, workers);
    let pj = PartsJob { run, args: args.as_ptr(), args_len: args.len(), bufs: bufs.as_ptr(), bufs_len: bufs.len(), n, chunk };
    JOB.kind.store(PARTS, Relaxed);
    JOB.ctx.store(&pj as *const PartsJob as usize, Relaxed);
    publish_and_join(workers, n.div_ceil(chunk) as u32);
    true
}
