/**
 * `npm start` (until the training example replaces it): every optimizer minimises the 2-D
 * Rosenbrock function f(x, y) = (1 − x)² + 100·(y − x²)² from the same start (−1.5, 2), and a
 * table shows how far each got. The minimum is f(1, 1) = 0.
 */
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, backendInfo, init, Lion, NAdam, Parameter, RAdam, RMSprop, SGD, type Optimizer,
} from 'simdopt';

const START = [-1.5, 2];
const STEPS = 5000;

function rosenbrock(p: Float32Array, grad: Float32Array): number {
  const [x, y] = [p[0], p[1]];
  grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  grad[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

const contenders: [string, (p: Parameter[]) => Optimizer<never>][] = [
  ['SGD lr=1e-3', (p) => new SGD(p, { lr: 1e-3 }) as never],
  ['SGD momentum 0.9', (p) => new SGD(p, { lr: 2e-4, momentum: 0.9 }) as never],
  ['SGD Nesterov', (p) => new SGD(p, { lr: 2e-4, momentum: 0.9, nesterov: true }) as never],
  ['Adam lr=0.02', (p) => new Adam(p, { lr: 0.02 }) as never],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.02, amsgrad: true }) as never],
  ['AdamW lr=0.02', (p) => new AdamW(p, { lr: 0.02, weightDecay: 1e-4 }) as never],
  ['RMSprop lr=1e-3', (p) => new RMSprop(p, { lr: 1e-3 }) as never],
  ['Adagrad lr=0.5', (p) => new Adagrad(p, { lr: 0.5 }) as never],
  ['Adadelta lr=0.3', (p) => new Adadelta(p, { lr: 0.3, eps: 1e-8 }) as never],
  ['Adamax lr=0.02', (p) => new Adamax(p, { lr: 0.02 }) as never],
  ['NAdam lr=0.005', (p) => new NAdam(p, { lr: 0.005 }) as never],
  ['RAdam lr=5e-3', (p) => new RAdam(p, { lr: 5e-3 }) as never],
  ['Lion lr=1e-3', (p) => new Lion(p, { lr: 1e-3 }) as never],
];

const info = await init();
console.log(`simdopt ${info.version} on ${backendInfo().backend}: Rosenbrock from (${START}), ${STEPS} steps\n`);
const rows = contenders.map(([name, make]) => {
  const p = Parameter.from(START);
  const opt = make([p]);
  const t0 = performance.now();
  let loss = NaN;
  let reached = -1;
  for (let s = 0; s < STEPS; s++) {
    loss = rosenbrock(p.data, p.grad);
    if (reached < 0 && loss < 1e-4) reached = s;
    opt.step();
  }
  loss = rosenbrock(p.data, p.grad);
  const ms = performance.now() - t0;
  const row = {
    optimizer: name,
    'final loss': loss.toExponential(2),
    'x, y': `${p.data[0].toFixed(4)}, ${p.data[1].toFixed(4)}`,
    'steps to 1e-4': reached < 0 ? '—' : String(reached),
    'time (ms)': ms.toFixed(1),
  };
  opt.dispose();
  p.dispose();
  return row;
});
console.table(rows);
