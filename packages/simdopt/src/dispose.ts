/**
 * `using x = …` support: where the engine has explicit resource management, a class's
 * `[Symbol.dispose]()` calls its `dispose()`. The package does not polyfill Symbol.dispose.
 */
export function disposeOnUsing(prototype: { dispose(): void }): void {
  if (typeof Symbol.dispose !== 'symbol') return;
  Object.defineProperty(prototype, Symbol.dispose, {
    value(this: { dispose(): void }) {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}
