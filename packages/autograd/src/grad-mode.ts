// Grad mode: whether ops on tensors that require grad are recorded (PyTorch's no_grad/enable_grad).

let enabled = true;

/** True while ops are being recorded for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Run `fn` without recording: results do not require grad, and in-place updates of
 * parameters are allowed (what optimizers do).
 *
 * @example
 * noGrad(() => w.sub_(w.grad!, { alpha: 0.1 }));
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Run `fn` with recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
