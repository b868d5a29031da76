/** Assembles the reference module with wabt (Node only; the browser page receives the bytes). */
import wabtInit from 'wabt';
import { REF_KERNELS } from './kernels.js';
import { moduleWat } from './wat.js';

export async function referenceModuleBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  const wat = moduleWat(REF_KERNELS);
  const parsed = wabt.parseWat('reference.wat', wat, { simd: true, bulk_memory: true });
  try {
    parsed.validate();
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

export function referenceModuleText(): string {
  return moduleWat(REF_KERNELS);
}
