/**
 * Finding and compiling the wasm binaries: feature detection, then the bytes from the file
 * system (Node: fetch cannot read file: URLs), from a data: URL (simdopt/inline), or over HTTP
 * (browsers; compileStreaming with an arrayBuffer fallback for servers that do not send
 * application/wasm).
 */
import { SimdoptError } from '../errors.js';
import { wasmUrl } from '../wasm-url.js';

/** Source of a wasm binary: its bytes, a compiled module, or where to fetch it. */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

// The smallest module using a simd128 instruction (i32.const 0; i8x16.splat; i8x16.popcnt):
// WebAssembly.validate accepts it only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function hasWebAssembly(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

export function hasSimd(): boolean {
  try {
    return hasWebAssembly() && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Compiles the binary of `variant` (once per source), from `source` or the packaged file. */
export function compileVariant(variant: 'simd' | 'scalar' | 'threads', source?: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source !== undefined && typeof source !== 'string' && !(source instanceof URL)) {
    return WebAssembly.compile(source);
  }
  const url = source === undefined ? wasmUrl(variant) : new URL(String(source), globalThis.location?.href);
  const key = url.href;
  let module = compiled.get(key);
  if (!module) {
    module = compileUrl(url).catch((e: unknown) => {
      compiled.delete(key);
      const message = (e as Error).message;
      // Browsers name only 'unsafe-eval' here; 'wasm-unsafe-eval' is the narrower permission.
      const hint = /content.security.polic/i.test(message)
        ? " (the page's Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src, or use init({ backend: 'js' }))"
        : '';
      const where = url.protocol === 'data:' ? 'its inlined data: URL' : url.href;
      throw new SimdoptError(`cannot load the ${variant} wasm binary from ${where}: ${message}${hint}`, 'wasm');
    });
    compiled.set(key, module);
  }
  return module;
}

async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') return WebAssembly.compile(await readFile(url));
  // Decoded here rather than fetched: a page's CSP connect-src may not allow data: URLs.
  if (url.protocol === 'data:') return WebAssembly.compile(decodeDataUrl(url.href));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch {
      // Wrong MIME type (not application/wasm): fall back to the bytes.
    }
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Reads a file: URL in Node without a static import of node:fs (bundlers stay quiet). */
async function readFile(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  type Fs = { readFileSync(path: URL): Uint8Array<ArrayBuffer> };
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  let fs = proc?.getBuiltinModule?.('node:fs') as Fs | undefined;
  if (!fs) {
    const id = 'node:fs';
    fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ id)) as Fs;
  }
  return fs.readFileSync(url);
}

/** The bytes of a data: URL, base64 or percent-encoded. */
function decodeDataUrl(href: string): Uint8Array<ArrayBuffer> {
  const comma = href.indexOf(',');
  if (comma < 0) throw new Error('malformed data: URL');
  const body = href.slice(comma + 1);
  if (/;base64$/i.test(href.slice(0, comma))) {
    const text = atob(body);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  // Percent-encoding escapes bytes, not UTF-8 text: decode it byte by byte.
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const hex = body[i] === '%' ? body.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(body.charCodeAt(i) & 0xff);
  }
  return new Uint8Array(bytes);
}
