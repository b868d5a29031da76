/**
 * The 2-D test functions of the race: value and analytic gradient, the region to draw, a start
 * point, the minima, and learning rates that make a fair race (plain SGD needs steps small enough
 * for the steepest wall; adaptive methods move about lr per step whatever the scale).
 */
export interface TestFunction {
  id: string;
  label: string;
  /** Writes ∂f/∂x, ∂f/∂y into grad and returns f. */
  f(x: number, y: number, grad?: Float32Array | number[]): number;
  xRange: [number, number];
  yRange: [number, number];
  start: [number, number];
  minima: [number, number][];
  /** The minimum value (the loss chart plots f − fMin). */
  fMin: number;
  /** Suggested learning rates: for plain SGD, and for methods that normalise the step. */
  lr: { sgd: number; adaptive: number };
  note: string;
}

function put(grad: Float32Array | number[] | undefined, gx: number, gy: number): void {
  if (grad) {
    grad[0] = gx;
    grad[1] = gy;
  }
}

const ROT = Math.PI / 6;
const [C, S] = [Math.cos(ROT), Math.sin(ROT)];

export const FUNCTIONS: TestFunction[] = [
  {
    id: 'rosenbrock',
    label: 'Rosenbrock',
    f(x, y, grad) {
      put(grad, -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x));
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    },
    xRange: [-2, 2],
    yRange: [-1, 3],
    start: [-1.5, 2],
    minima: [[1, 1]],
    fMin: 0,
    lr: { sgd: 1e-3, adaptive: 0.05 },
    note: 'a curved, flat-bottomed valley: easy to find, slow to follow',
  },
  {
    id: 'beale',
    label: 'Beale',
    f(x, y, grad) {
      const a = 1.5 - x + x * y;
      const b = 2.25 - x + x * y * y;
      const c = 2.625 - x + x * y * y * y;
      put(grad, 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1), 2 * a * x + 4 * b * x * y + 6 * c * x * y * y);
      return a * a + b * b + c * c;
    },
    xRange: [-4.5, 4.5],
    yRange: [-4.5, 4.5],
    start: [1, 1.5],
    minima: [[3, 0.5]],
    fMin: 0,
    lr: { sgd: 3e-3, adaptive: 0.05 },
    note: 'steep ridges near the corners, a narrow flat valley to the minimum',
  },
  {
    id: 'himmelblau',
    label: 'Himmelblau',
    f(x, y, grad) {
      const a = x * x + y - 11;
      const b = x + y * y - 7;
      put(grad, 4 * a * x + 2 * b, 2 * a + 4 * b * y);
      return a * a + b * b;
    },
    xRange: [-5, 5],
    yRange: [-5, 5],
    start: [-0.3, -0.9],
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    fMin: 0,
    lr: { sgd: 5e-3, adaptive: 0.05 },
    note: 'four equal minima: which one an optimizer reaches depends on its path',
  },
  {
    id: 'saddle',
    label: 'Saddle',
    f(x, y, grad) {
      put(grad, 2 * x, y * y * y - y);
      return x * x + (y * y * y * y) / 4 - (y * y) / 2;
    },
    xRange: [-2, 2],
    yRange: [-2, 2],
    start: [-1.8, 1e-3],
    minima: [
      [0, 1],
      [0, -1],
    ],
    fMin: -0.25,
    lr: { sgd: 0.05, adaptive: 0.02 },
    note: 'x² + y⁴/4 − y²/2: a saddle at the origin between two minima; started almost on the ridge',
  },
  {
    id: 'quadratic',
    label: 'Ill-conditioned quadratic',
    f(x, y, grad) {
      // ½(u² + 50 v²) in axes rotated by 30°: condition number 50, not aligned with x and y.
      const u = C * x + S * y;
      const v = -S * x + C * y;
      put(grad, C * u - 50 * S * v, S * u + 50 * C * v);
      return 0.5 * (u * u + 50 * v * v);
    },
    xRange: [-2, 2],
    yRange: [-2, 2],
    start: [-1.8, 1.2],
    minima: [[0, 0]],
    fMin: 0,
    lr: { sgd: 0.035, adaptive: 0.05 },
    note: 'condition number 50: gradient descent zig-zags across the valley',
  },
];

export function functionById(id: string): TestFunction {
  const fn = FUNCTIONS.find((f) => f.id === id);
  if (!fn) throw new Error(`no test function ${id}`);
  return fn;
}

/** Distance from (x, y) to the nearest minimum. */
export function distanceToMinimum(fn: TestFunction, x: number, y: number): number {
  return Math.min(...fn.minima.map(([mx, my]) => Math.hypot(x - mx, y - my)));
}
