// Time-series forecasting: seasonal mixtures of sinusoids plus a linear trend and Gaussian
// noise; read a context window, predict the next H values.
import type { Rng } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, checkNumber, floats } from "./common.js";

/** Config of {@link ForecastTask}. */
export interface ForecastConfig {
  /** Context length T. */
  context: number;
  /** Forecast horizon H. */
  horizon: number;
  /** Sinusoids per series. */
  components: number;
  /** Standard deviation of the additive Gaussian noise. */
  noise: number;
  /** Smallest and largest period, in steps. */
  minPeriod: number;
  maxPeriod: number;
}

/**
 * Forecasting. Each series is `x_t = Σ_k a_k sin(2π t / P_k + φ_k) + σ ε_t` with a_k ~ U(0.5, 1),
 * P_k ~ U(minPeriod, maxPeriod), φ_k ~ U(0, 2π), ε_t ~ N(0, 1), divided by √components.
 * inputs float32 `[B, T, 1]` (x₁..x_T), targets float32 `[B, H]` (x_{T+1}..x_{T+H}), mask
 * float32 `[B]` (all ones). Metric: MSE.
 *
 * Chance: predicting 0 (the mean over phases) gives MSE = E[x²] = E[a²]/2 + σ² = 7/24 + σ²
 * (E[a²] = 7/12 for a ~ U(0.5, 1); the √components scaling cancels the sum over components).
 */
export class ForecastTask implements Task<ForecastConfig> {
  readonly name = "forecast";
  readonly metric = "mse";
  readonly config: Readonly<ForecastConfig>;
  readonly chanceBaseline: number;

  constructor(config: Partial<ForecastConfig> = {}) {
    const op = "ForecastTask";
    const c: ForecastConfig = { context: 64, horizon: 8, components: 2, noise: 0.05, minPeriod: 4, maxPeriod: 32, ...config };
    checkInt(op, "context", c.context, 1);
    checkInt(op, "horizon", c.horizon, 1);
    checkInt(op, "components", c.components, 1);
    checkNumber(op, "noise", c.noise, 0, 1e6);
    checkNumber(op, "minPeriod", c.minPeriod, 2, 1e9);
    checkNumber(op, "maxPeriod", c.maxPeriod, c.minPeriod, 1e9);
    this.config = Object.freeze(c);
    this.chanceBaseline = 7 / 24 + c.noise * c.noise;
  }

  /** inputs float32 `[B, T, 1]`, targets float32 `[B, H]`, mask float32 `[B]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("ForecastTask.batch", batchSize);
    const { context: T, horizon: H, components: K, noise, minPeriod, maxPeriod } = this.config;
    const x = new Float32Array(batchSize * T);
    const y = new Float32Array(batchSize * H);
    const scale = 1 / Math.sqrt(K);
    for (let b = 0; b < batchSize; b++) {
      const waves = Array.from({ length: K }, () => ({
        a: 0.5 + 0.5 * rng.uniform53(),
        w: (2 * Math.PI) / (minPeriod + (maxPeriod - minPeriod) * rng.uniform53()),
        phi: 2 * Math.PI * rng.uniform53(),
      }));
      for (let t = 0; t < T + H; t++) {
        let v = 0;
        for (const { a, w, phi } of waves) v += a * Math.sin(w * t + phi);
        v = v * scale + noise * rng.normal();
        if (t < T) x[b * T + t] = v;
        else y[b * H + t - T] = v;
      }
    }
    return { inputs: floats(x, [batchSize, T, 1]), targets: floats(y, [batchSize, H]), mask: floats(new Float32Array(batchSize).fill(1), [batchSize]) };
  }
}
