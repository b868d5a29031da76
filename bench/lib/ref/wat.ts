/**
 * The reference kernels' compiler: each update is written by hand as a few lines of lane-wise
 * arithmetic (bench/lib/ref/kernels.ts) and turned here into one WebAssembly function that makes a
 * single pass over memory: a simd128 loop over whole vectors and the same statements on f32 for
 * the tail. No tables, no checks, no flags: the configuration is fixed, the pointers are trusted,
 * the per-step scalars arrive in a small argument block. It is the in-run roofline for what the
 * library's API costs on top of the arithmetic.
 *
 * Statement syntax, one per line: `name = expression`, with + - * / (left-associative, usual
 * precedence), unary minus, parentheses, numbers, and sqrt(x), abs(x), max(a, b), min(a, b),
 * sign(x). `p` and `g` are the parameter and its gradient, slot names are the state arrays, the
 * constant names are the argument block's scalars; any other assigned name is a temporary.
 * `p` and every slot assigned to are stored back at the end of each element.
 */

export interface RefKernelSource {
  /** Export name. */
  name: string;
  /** State arrays, in argument order (at most two). */
  slots: readonly string[];
  /** Per-call scalars, in argument-block order. */
  consts: readonly string[];
  /** The statements. */
  body: string;
}

type Node =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string }
  | { k: 'neg'; a: Node }
  | { k: 'bin'; op: '+' | '-' | '*' | '/'; a: Node; b: Node }
  | { k: 'call'; fn: 'sqrt' | 'abs' | 'max' | 'min' | 'sign'; args: Node[] };

interface Stmt {
  target: string;
  expr: Node;
}

function tokenize(src: string): string[] {
  const tokens = src.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:e[+-]?\d+)?|[-+*/(),=])/g);
  if (tokens === null || tokens.join('').replace(/\s/g, '') !== src.replace(/\s/g, '')) {
    throw new Error(`reference kernel: cannot tokenize '${src}'`);
  }
  return tokens.map((t) => t.trim());
}

function parseStatement(line: string): Stmt {
  const t = tokenize(line);
  let i = 0;
  const peek = () => t[i];
  const take = (want?: string) => {
    const x = t[i++];
    if (want !== undefined && x !== want) throw new Error(`reference kernel: expected '${want}' in '${line}', got '${x}'`);
    return x;
  };
  const primary = (): Node => {
    const x = take();
    if (x === '(') {
      const e = sum();
      take(')');
      return e;
    }
    if (x === '-') return { k: 'neg', a: primary() };
    if (/^\d/.test(x)) return { k: 'num', v: Number(x) };
    if (peek() === '(') {
      if (!['sqrt', 'abs', 'max', 'min', 'sign'].includes(x)) throw new Error(`reference kernel: unknown function ${x}`);
      take('(');
      const args = [sum()];
      while (peek() === ',') {
        take(',');
        args.push(sum());
      }
      take(')');
      const arity = x === 'max' || x === 'min' ? 2 : 1;
      if (args.length !== arity) throw new Error(`reference kernel: ${x} takes ${arity} arguments`);
      return { k: 'call', fn: x as 'sqrt', args };
    }
    return { k: 'var', name: x };
  };
  const product = (): Node => {
    let a = primary();
    while (peek() === '*' || peek() === '/') a = { k: 'bin', op: take() as '*', a, b: primary() };
    return a;
  };
  const sum = (): Node => {
    let a = product();
    while (peek() === '+' || peek() === '-') a = { k: 'bin', op: take() as '+', a, b: product() };
    return a;
  };
  const target = take();
  take('=');
  const expr = sum();
  if (i !== t.length) throw new Error(`reference kernel: trailing tokens in '${line}'`);
  return { target, expr };
}

/** Emits one expression for lanes `v` (f32x4) or `s` (f32). */
class Emitter {
  private temps = 0;
  readonly tempLocals: string[] = [];
  readonly literals = new Map<number, string>();

  constructor(
    private readonly lanes: 'v' | 's',
    private readonly local: (name: string) => string,
  ) {}

  private get T(): string {
    return this.lanes === 'v' ? 'f32x4' : 'f32';
  }

  literal(v: number): string {
    let name = this.literals.get(v);
    if (name === undefined) {
      name = `$lit${this.literals.size}_${this.lanes}`;
      this.literals.set(v, name);
    }
    return `(local.get ${name})`;
  }

  expr(n: Node): string {
    const T = this.T;
    switch (n.k) {
      case 'num':
        return this.literal(n.v);
      case 'var':
        return `(local.get ${this.local(n.name)})`;
      case 'neg':
        return `(${T}.neg ${this.expr(n.a)})`;
      case 'bin': {
        const op = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' }[n.op];
        return `(${T}.${op} ${this.expr(n.a)} ${this.expr(n.b)})`;
      }
      case 'call': {
        const [a, b] = n.args;
        if (n.fn === 'max' || n.fn === 'min') return `(${T}.${n.fn} ${this.expr(a)} ${this.expr(b)})`;
        if (n.fn !== 'sign') return `(${T}.${n.fn} ${this.expr(a)})`;
        // sign(x) = x > 0 ? 1 : (x < 0 ? −1 : x), keeping ±0 and NaN (as Lanes::sign).
        const t = `$sign${this.temps++}_${this.lanes}`;
        this.tempLocals.push(t);
        const one = this.literal(1);
        const minusOne = this.literal(-1);
        const zero = this.literal(0);
        const x = this.expr(a);
        if (this.lanes === 'v') {
          return `(v128.bitselect ${one} (v128.bitselect ${minusOne} (local.tee ${t} ${x}) (f32x4.lt (local.get ${t}) ${zero})) (f32x4.gt (local.get ${t}) ${zero}))`;
        }
        return `(select ${one} (select ${minusOne} (local.tee ${t} ${x}) (f32.lt (local.get ${t}) ${zero})) (f32.gt (local.get ${t}) ${zero}))`;
      }
    }
  }
}

/** One kernel as a WAT function: `(p, g, s0, s1, n, args)` with byte addresses and n elements. */
export function kernelWat(src: RefKernelSource): string {
  const stmts = src.body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map(parseStatement);
  if (src.slots.length > 2) throw new Error('reference kernel: at most two slots');
  const inputs = ['p', 'g', ...src.slots];
  const assigned = [...new Set(stmts.map((s) => s.target))];
  for (const a of assigned) {
    if (a === 'g' || src.consts.includes(a)) throw new Error(`reference kernel ${src.name}: cannot assign ${a}`);
  }
  const temps = assigned.filter((a) => !inputs.includes(a));
  const stored = ['p', ...src.slots].filter((x) => assigned.includes(x));
  const known = new Set([...inputs, ...src.consts, ...temps]);
  const check = (n: Node): void => {
    if (n.k === 'var' && !known.has(n.name)) throw new Error(`reference kernel ${src.name}: unknown name ${n.name}`);
    if (n.k === 'neg') check(n.a);
    if (n.k === 'bin') {
      check(n.a);
      check(n.b);
    }
    if (n.k === 'call') n.args.forEach(check);
  };
  stmts.forEach((s) => check(s.expr));

  const ptr: Record<string, string> = { p: '$p', g: '$g' };
  src.slots.forEach((s, i) => (ptr[s] = `$s${i}`));
  const body = (lanes: 'v' | 's') => {
    const local = (name: string) => (src.consts.includes(name) ? `$c_${name}_${lanes}` : `$x_${name}_${lanes}`);
    const em = new Emitter(lanes, local);
    const T = lanes === 'v' ? 'v128' : 'f32';
    const width = lanes === 'v' ? 16 : 4;
    const lines: string[] = [];
    for (const x of inputs) lines.push(`(local.set ${local(x)} (${T}.load (i32.add (local.get ${ptr[x]}) (local.get $i))))`);
    for (const s of stmts) lines.push(`(local.set ${local(s.target)} ${em.expr(s.expr)})`);
    for (const x of stored) lines.push(`(${T}.store (i32.add (local.get ${ptr[x]}) (local.get $i)) (local.get ${local(x)}))`);
    const locals = [...inputs, ...temps].map((x) => `(local ${local(x)} ${T})`);
    locals.push(...em.tempLocals.map((t) => `(local ${t} ${T})`));
    locals.push(...[...em.literals.values()].map((l) => `(local ${l} ${T})`));
    locals.push(...src.consts.map((c) => `(local ${local(c)} ${T})`));
    const setup: string[] = [];
    src.consts.forEach((c, k) => {
      const load = `(f32.load offset=${k * 4} (local.get $args))`;
      setup.push(`(local.set ${local(c)} ${lanes === 'v' ? `(f32x4.splat ${load})` : load})`);
    });
    for (const [v, l] of em.literals) {
      setup.push(`(local.set ${l} ${lanes === 'v' ? `(f32x4.splat (f32.const ${v}))` : `(f32.const ${v})`})`);
    }
    return { lines, locals, setup, width };
  };
  const v = body('v');
  const s = body('s');
  return `
  (func (export "${src.name}") (param $p i32) (param $g i32) (param $s0 i32) (param $s1 i32) (param $n i32) (param $args i32)
    (local $i i32) (local $vend i32) (local $end i32)
    ${v.locals.join(' ')}
    ${s.locals.join(' ')}
    ${v.setup.join('\n    ')}
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (if (i32.lt_u (local.get $i) (local.get $vend)) (then (loop $vector
      ${v.lines.join('\n      ')}
      (br_if $vector (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vend))))))
    (if (i32.lt_u (local.get $i) (local.get $end)) (then
      ${s.setup.join('\n      ')}
      (loop $scalar
      ${s.lines.join('\n      ')}
      (br_if $scalar (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $end))))))
  )`;
}

/**
 * The bandwidth probes: `copy(dst, src, bytes)` is one `memory.copy`; `axpy(x, y, n, a)` is
 * y ← y + a·x in place, four lanes at a time (reads 8, writes 4 bytes per element).
 */
export const BANDWIDTH_WAT = `
  (func (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))
  (func (export "axpy") (param $x i32) (param $y i32) (param $n i32) (param $a f32)
    (local $i i32) (local $end i32) (local $av v128)
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const -16)))
    (if (i32.lt_u (local.get $i) (local.get $end)) (then (loop $next
      (v128.store (i32.add (local.get $y) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $y) (local.get $i)))
                   (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $x) (local.get $i))))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end)))))))`;

/** The whole reference module: every kernel plus the bandwidth probes, over an imported memory. */
export function moduleWat(kernels: readonly RefKernelSource[]): string {
  return `(module
  (memory (import "env" "memory") 1 65536)
  ${kernels.map(kernelWat).join('\n')}
  ${BANDWIDTH_WAT}
)`;
}
