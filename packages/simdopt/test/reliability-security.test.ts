/**
 * Nothing in the package evaluates strings as code, so it runs under a Content-Security-Policy of
 * `script-src 'self' 'wasm-unsafe-eval'` (the browser test under CSP lives with the packaging
 * tests: see RELIABILITY.md). Checked on the syntax tree of every source file, not by text, so
 * that methods named `eval()` (Module.eval, Dropout.eval) are not mistaken for the global.
 * The wasm binaries import nothing but their memory: they cannot call back into JavaScript.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
const WASM = new URL('../wasm/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Places in `source` that turn a string into code. */
function codeFromStrings(fileName: string, source: string): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (n: ts.Node) => `${fileName}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const name = (e: ts.Expression): string | null => {
    if (ts.isIdentifier(e)) return e.text;
    // globalThis.eval, window.Function, self['eval'] …
    if (ts.isPropertyAccessExpression(e) && /^(globalThis|window|self|global)$/.test(e.expression.getText())) return e.name.text;
    if (ts.isElementAccessExpression(e) && ts.isStringLiteral(e.argumentExpression)) return e.argumentExpression.text;
    return null;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = name(n.expression);
      if (callee === 'eval' || callee === 'Function') found.push(`${callee} at ${where(n)}`);
      const first = n.arguments?.[0];
      if ((callee === 'setTimeout' || callee === 'setInterval') && first && (ts.isStringLiteral(first) || ts.isTemplateExpression(first))) {
        found.push(`${callee} with a string at ${where(n)}`);
      }
    }
    // (0, x.constructor)('code'): reaching Function through a constructor property.
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'constructor') {
      found.push(`constructor call at ${where(n)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('no code from strings', () => {
  it('the checker finds eval, new Function, string timers and globalThis.eval (it can fail)', () => {
    const bad = "eval('1'); new Function('return 1'); Function('x'); setTimeout('x()', 1); globalThis.eval('2'); self['Function']('y');";
    expect(codeFromStrings('bad.ts', bad)).toHaveLength(6);
    expect(codeFromStrings('ok.ts', 'class M { eval() { return this; } } new M().eval(); setTimeout(() => 1, 1);')).toEqual([]);
  });

  it('no source file of the package evaluates a string', () => {
    const sources = files(SRC);
    expect(sources.length).toBeGreaterThan(30);
    const found = sources.flatMap((f) => codeFromStrings(f.slice(SRC.length), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('the wasm binaries import only their memory', async () => {
    for (const file of ['simdopt-simd.wasm', 'simdopt-scalar.wasm']) {
      const module = await WebAssembly.compile(readFileSync(join(WASM, file)));
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    }
  });
});
