//! The allocator behind `simdopt_alloc`/`simdopt_free`, and the registry the ABI checks every
//! pointer against.
//!
//! The heap is a sorted list of live blocks; free space is simply the gaps between them, so
//! freeing needs no coalescing and a block is found by binary search. Allocation is first fit
//! (allocations are rare: parameters and optimizer state, never during a step). The list itself
//! lives in linear memory as one of its own blocks and moves to a bigger block when full.
//! Every block starts 16-byte aligned and is zero-filled when handed out.

/// Linear memory as the heap sees it.
pub trait Memory {
    /// Current size in bytes.
    fn size(&self) -> usize;
    /// Grows by `pages` 64 KiB pages; false when the engine refuses (maximum reached).
    fn grow(&mut self, pages: usize) -> bool;
    /// Host pointer of address `addr`.
    fn ptr(&self, addr: usize) -> *mut u8;
}

pub const PAGE: usize = 65536;
const ALIGN: usize = 16;
/// Growth step when the heap needs more memory: fewer growths means fewer detached
/// ArrayBuffers on the JavaScript side.
const MIN_GROW_PAGES: usize = 16;
const INITIAL_REGISTRY: usize = 64;
/// One past the last byte a wasm32 memory can have (65536 pages); block starts are u32.
const MAX_ADDRESS: u64 = 1 << 32;

#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Block {
    start: u32,
    /// Bytes requested; the block occupies `round_up(len.max(1), 16)`.
    len: u32,
}

impl Block {
    fn end(&self) -> usize {
        self.start as usize + round_up((self.len as usize).max(1), ALIGN)
    }
}

const fn round_up(x: usize, a: usize) -> usize {
    (x + a - 1) & !(a - 1)
}

pub struct Heap<M: Memory> {
    mem: M,
    base: usize,
    /// Address and capacity (in blocks) of the registry block.
    reg: usize,
    reg_cap: usize,
    reg_len: usize,
    live_bytes: usize,
}

impl<M: Memory> Heap<M> {
    /// A heap over `mem` starting at `base`; `None` when memory cannot hold the first registry.
    pub fn new(mut mem: M, base: usize) -> Option<Self> {
        let base = round_up(base.max(ALIGN), ALIGN);
        let reg_bytes = INITIAL_REGISTRY * core::mem::size_of::<Block>();
        if !ensure(&mut mem, base + reg_bytes) {
            return None;
        }
        let mut h = Heap { mem, base, reg: base, reg_cap: INITIAL_REGISTRY, reg_len: 0, live_bytes: 0 };
        h.zero(base, reg_bytes);
        h.insert(0, Block { start: base as u32, len: reg_bytes as u32 });
        Some(h)
    }

    /// Bytes requested by live user blocks (the registry itself not counted).
    pub fn live_bytes(&self) -> usize {
        self.live_bytes
    }

    /// Number of live user blocks.
    pub fn live_blocks(&self) -> usize {
        self.reg_len - 1
    }

    pub fn memory(&self) -> &M {
        &self.mem
    }

    /// A zero-filled block of `bytes` bytes, 16-byte aligned; `None` when memory cannot grow.
    pub fn alloc(&mut self, bytes: usize) -> Option<usize> {
        if bytes > u32::MAX as usize - ALIGN {
            return None;
        }
        if self.reg_len + 2 > self.reg_cap && !self.grow_registry() {
            return None;
        }
        let need = round_up(bytes.max(1), ALIGN);
        let (addr, index) = self.find_gap(need);
        // On wasm32 `addr + need` can pass 4 GiB and wrap to a small end that memory already
        // covers; zeroing from `addr` would then trap. Such a block can never exist: refuse it.
        let end = addr.checked_add(need)?;
        if end as u64 > MAX_ADDRESS || !ensure(&mut self.mem, end) {
            return None;
        }
        self.zero(addr, need);
        self.insert(index, Block { start: addr as u32, len: bytes as u32 });
        self.live_bytes += bytes;
        Some(addr)
    }

    /// Frees the block starting at `addr`; false when no user block starts there.
    pub fn free(&mut self, addr: usize) -> bool {
        match self.find(addr) {
            Some(i) if self.block(i).start as usize == addr && addr != self.reg => {
                self.live_bytes -= self.block(i).len as usize;
                self.remove(i);
                true
            }
            _ => false,
        }
    }

    /// Whether `[addr, addr + bytes)` lies inside one live user block and `addr` is aligned to
    /// `align`. An empty range needs only the alignment.
    pub fn contains(&self, addr: usize, bytes: usize, align: usize) -> bool {
        if addr % align != 0 {
            return false;
        }
        if bytes == 0 {
            return true;
        }
        self.find(addr).is_some_and(|i| self.block_holds(i, addr, bytes))
    }

    /// `contains`, looking first at block `*near` and the one after it, then searching; leaves
    /// the block found in `*near`. Walking a list of ranges in allocation order, each lookup is
    /// then O(1). Same answers as `contains` for every `near`.
    pub fn contains_near(&self, addr: usize, bytes: usize, align: usize, near: &mut usize) -> bool {
        if addr % align != 0 {
            return false;
        }
        if bytes == 0 {
            return true;
        }
        let starts_at_or_before = |i: usize| self.block(i).start as usize <= addr;
        let is_last_before = |i: usize| starts_at_or_before(i) && (i + 1 == self.reg_len || !starts_at_or_before(i + 1));
        let found = (*near..(*near + 2).min(self.reg_len)).find(|&i| is_last_before(i)).or_else(|| self.find(addr));
        match found {
            Some(i) => {
                *near = i;
                self.block_holds(i, addr, bytes)
            }
            None => false,
        }
    }

    /// Whether user block `i` holds `[addr, addr + bytes)`.
    fn block_holds(&self, i: usize, addr: usize, bytes: usize) -> bool {
        let b = self.block(i);
        let end = b.start as usize + b.len as usize;
        b.start as usize != self.reg && addr.checked_add(bytes).is_some_and(|e| e <= end)
    }

    /// Index of the last block starting at or before `addr`.
    fn find(&self, addr: usize) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.reg_len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.block(mid).start as usize <= addr {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo.checked_sub(1)
    }

    /// First gap of at least `need` bytes: its address and the registry index to insert at.
    fn find_gap(&self, need: usize) -> (usize, usize) {
        let mut prev_end = self.base;
        for i in 0..self.reg_len {
            let b = self.block(i);
            if b.start as usize - prev_end >= need {
                return (prev_end, i);
            }
            prev_end = b.end();
        }
        (prev_end, self.reg_len)
    }

    /// Moves the registry to a block twice as large. Needs one spare slot in the current one.
    fn grow_registry(&mut self) -> bool {
        let cap = self.reg_cap * 2;
        let bytes = cap * core::mem::size_of::<Block>();
        let (addr, index) = self.find_gap(bytes);
        let Some(end) = addr.checked_add(bytes) else { return false };
        if end as u64 > MAX_ADDRESS || !ensure(&mut self.mem, end) {
            return false;
        }
        self.insert(index, Block { start: addr as u32, len: bytes as u32 });
        let old = self.reg;
        // SAFETY: both ranges are inside memory and disjoint (the new block was a gap).
        unsafe {
            core::ptr::copy_nonoverlapping(self.mem.ptr(old), self.mem.ptr(addr), self.reg_len * core::mem::size_of::<Block>());
        }
        self.reg = addr;
        self.reg_cap = cap;
        let i = self.find(old).expect("old registry is registered");
        self.remove(i);
        true
    }

    fn block(&self, i: usize) -> Block {
        debug_assert!(i < self.reg_len);
        // SAFETY: the registry block holds reg_cap blocks.
        unsafe { (self.mem.ptr(self.reg) as *const Block).add(i).read_unaligned() }
    }

    fn insert(&mut self, i: usize, b: Block) {
        debug_assert!(self.reg_len < self.reg_cap);
        // SAFETY: i <= reg_len < reg_cap.
        unsafe {
            let p = self.mem.ptr(self.reg) as *mut Block;
            core::ptr::copy(p.add(i), p.add(i + 1), self.reg_len - i);
            p.add(i).write_unaligned(b);
        }
        self.reg_len += 1;
    }

    fn remove(&mut self, i: usize) {
        // SAFETY: i < reg_len <= reg_cap.
        unsafe {
            let p = self.mem.ptr(self.reg) as *mut Block;
            core::ptr::copy(p.add(i + 1), p.add(i), self.reg_len - i - 1);
        }
        self.reg_len -= 1;
    }

    fn zero(&mut self, addr: usize, bytes: usize) {
        // SAFETY: callers ensured memory covers the range.
        unsafe { core::ptr::write_bytes(self.mem.ptr(addr), 0, bytes) }
    }
}

/// Grows `mem` to hold `end` bytes, by at least MIN_GROW_PAGES when it can.
fn ensure<M: Memory>(mem: &mut M, end: usize) -> bool {
    let size = mem.size();
    if end <= size {
        return true;
    }
    let need = (end - size).div_ceil(PAGE);
    mem.grow(need.max(MIN_GROW_PAGES)) || mem.grow(need)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Host memory with a fixed reservation so growing never moves it.
    struct VecMemory {
        bytes: Vec<u8>,
        max_pages: usize,
    }
    impl Memory for VecMemory {
        fn size(&self) -> usize {
            self.bytes.len()
        }
        fn grow(&mut self, pages: usize) -> bool {
            if self.bytes.len() / PAGE + pages > self.max_pages {
                return false;
            }
            self.bytes.resize(self.bytes.len() + pages * PAGE, 0);
            true
        }
        fn ptr(&self, addr: usize) -> *mut u8 {
            self.bytes.as_ptr().wrapping_add(addr) as *mut u8
        }
    }
    fn heap(max_pages: usize) -> Heap<VecMemory> {
        let mut bytes = Vec::with_capacity(max_pages * PAGE);
        bytes.resize(PAGE, 0);
        Heap::new(VecMemory { bytes, max_pages }, 1024).unwrap()
    }

    #[test]
    fn alloc_free_reuses_gaps_and_counts_live_bytes() {
        let mut h = heap(64);
        let a = h.alloc(100).unwrap();
        let b = h.alloc(40).unwrap();
        assert_eq!(a % 16, 0);
        assert_eq!(b, a + 112);
        assert_eq!(h.live_bytes(), 140);
        assert!(h.free(a));
        assert!(!h.free(a), "double free is refused");
        assert_eq!(h.alloc(100).unwrap(), a, "first fit reuses the gap");
        assert!(h.free(b) && h.free(a));
        assert_eq!(h.live_bytes(), 0);
        assert_eq!(h.live_blocks(), 0);
    }

    #[test]
    fn reused_blocks_are_zeroed() {
        let mut h = heap(64);
        let a = h.alloc(64).unwrap();
        unsafe { core::ptr::write_bytes(h.mem.ptr(a), 0xAB, 64) };
        h.free(a);
        let b = h.alloc(64).unwrap();
        assert_eq!(a, b);
        let all_zero = (0..64).all(|k| unsafe { *h.mem.ptr(b + k) } == 0);
        assert!(all_zero);
    }

    #[test]
    fn contains_checks_ranges_alignment_and_liveness() {
        let mut h = heap(64);
        let a = h.alloc(40).unwrap();
        assert!(h.contains(a, 40, 4));
        assert!(h.contains(a + 4, 36, 4));
        assert!(!h.contains(a + 4, 40, 4), "runs past the end");
        assert!(!h.contains(a + 2, 4, 4), "misaligned");
        assert!(!h.contains(h.reg, 8, 4), "the registry is not a user block");
        assert!(!h.contains(0, 4, 4));
        assert!(!h.contains(usize::MAX - 3, 4, 4));
        h.free(a);
        assert!(!h.contains(a, 4, 4), "freed");
    }

    #[test]
    fn contains_near_answers_as_contains_from_any_starting_block() {
        let mut h = heap(64);
        let blocks: Vec<usize> = (0..40).map(|i| h.alloc(4 * (i % 5 + 1)).unwrap()).collect();
        for &b in blocks.iter().step_by(3) {
            h.free(b);
        }
        let probes = (0..blocks[39] + 64).step_by(4);
        for addr in probes {
            for bytes in [0, 4, 8, 20] {
                let want = h.contains(addr, bytes, 4);
                for start in 0..h.reg_len + 2 {
                    let mut near = start;
                    assert_eq!(h.contains_near(addr, bytes, 4, &mut near), want, "addr {addr} bytes {bytes} near {start}");
                }
            }
        }
    }

    #[test]
    fn registry_grows_and_thousands_of_blocks_round_trip() {
        let mut h = heap(256);
        let blocks: Vec<usize> = (0..5000).map(|i| h.alloc(4 * (i % 7 + 1)).unwrap()).collect();
        for (i, &b) in blocks.iter().enumerate() {
            assert!(h.contains(b, 4 * (i % 7 + 1), 4));
        }
        for &b in blocks.iter().step_by(2) {
            assert!(h.free(b));
        }
        for &b in blocks.iter().skip(1).step_by(2) {
            assert!(h.free(b));
        }
        assert_eq!(h.live_blocks(), 0);
        assert_eq!(h.live_bytes(), 0);
    }

    #[test]
    fn memory_stays_bounded_over_many_cycles() {
        let mut h = heap(256);
        for _ in 0..1000 {
            let a = h.alloc(4000).unwrap();
            let b = h.alloc(12000).unwrap();
            h.free(a);
            h.free(b);
        }
        let size = h.memory().size();
        for _ in 0..100_000 {
            let a = h.alloc(4000).unwrap();
            let b = h.alloc(12000).unwrap();
            h.free(a);
            h.free(b);
        }
        assert_eq!(h.memory().size(), size);
    }

    #[test]
    fn out_of_memory_is_none_and_changes_nothing() {
        let mut h = heap(4);
        let a = h.alloc(1000).unwrap();
        assert!(h.alloc(10 * PAGE).is_none());
        assert_eq!(h.live_bytes(), 1000);
        assert!(h.contains(a, 1000, 4));
        assert!(h.alloc(1000).is_some());
    }
}
