// A slot for the "sink" of a running observer (gradient tracer, attention capture): modules
// read the active sink once per forward; `run` installs one for the length of a call.

/** One observer slot: `active()` is the current sink or undefined; `run(s, fn)` installs `s` while `fn` runs (nesting restores the outer one). */
export interface SinkSlot<S> {
  active: () => S | undefined;
  run: <T>(sink: S, fn: () => T) => T;
}

export function sinkSlot<S>(): SinkSlot<S> {
  let current: S | undefined;
  return {
    active: () => current,
    run: <T>(sink: S, fn: () => T): T => {
      const outer = current;
      current = sink;
      try {
        return fn();
      } finally {
        current = outer;
      }
    },
  };
}
