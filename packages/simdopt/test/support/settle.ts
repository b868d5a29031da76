/**
 * Lets the engine reclaim what a long async test has dropped: yields one task (a chain of awaits
 * never does, and until it does V8 keeps WeakRef targets alive and runs no finalizers), then
 * forces a collection where `gc` is exposed (node project: --expose-gc; browser: --js-flags).
 * Tests that call init() in a loop call it between rounds.
 */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  (globalThis as { gc?: () => void }).gc?.();
}
