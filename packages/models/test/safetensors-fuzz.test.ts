// A seeded slice of the safetensors mutation fuzz (the full 1,000,000-input run is
// tools/fuzz-safetensors.mjs): every mutant of a valid file either loads consistently or is
// refused with a SafetensorsError whose message names its field — never another exception.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Rng, tensor, zeros } from "@seqlab/tensor";
import { SafetensorsError } from "../src/errors.js";
import { loadSafetensors, saveSafetensors } from "../src/safetensors.js";
import { handmadeSeeds, randomMutation, systematicMutations } from "./safetensors-mutate.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/safetensors/${name}`, import.meta.url)));

const SEEDS: Uint8Array[] = [
  fixture("torch-dtypes.safetensors"),
  fixture("seqlab-written.safetensors"),
  fixture("torch-int64-overflow.safetensors"),
  ...handmadeSeeds(),
  saveSafetensors({ w: tensor([[1, 2], [3, 4]]), b: tensor([true, false]), i: tensor([7], { dtype: "int32" }), e: zeros([0, 2]) }, { format: "pt" }),
];

/** Load `bytes`; "loaded", or the refused field with tensor names replaced by "*". Any other outcome fails the test. */
function outcome(bytes: Uint8Array): string {
  let loaded;
  try {
    loaded = loadSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof SafetensorsError)) {
      throw new Error(`not a SafetensorsError for input ${Buffer.from(bytes).toString("hex")}: ${String(e)}`, { cause: e });
    }
    expect(e.op).toBe("loadSafetensors");
    expect(e.message.startsWith(`loadSafetensors: ${e.field}: `)).toBe(true);
    return e.field.replace(/"(?:[^"\\]|\\.)*"/g, '"*"');
  }
  // A file that loads is consistent, and its tensors take at most 4 bytes per input byte (U8 -> int32).
  let storageBytes = 0;
  for (const t of loaded.tensors.values()) {
    expect(t.storage.data.length).toBe(t.size);
    storageBytes += t.storage.data.byteLength;
  }
  expect(storageBytes).toBeLessThanOrEqual(4 * bytes.length);
  return "loaded";
}

describe("safetensors mutation fuzz (seeded slice)", () => {
  it("every truncation and every single-bit flip of the header of small files loads or is refused with a SafetensorsError", () => {
    const counts = new Map<string, number>();
    let n = 0;
    for (const seed of [SEEDS[1]!, ...handmadeSeeds()]) {
      for (const mutant of systematicMutations(seed)) {
        const kind = outcome(mutant);
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        n++;
      }
    }
    expect(n).toBeGreaterThan(5000);
    // Flips inside names and metadata values still load; everything else is refused by some rule.
    expect(counts.get("loaded")).toBeGreaterThan(0);
    for (const kind of ["header length", "header", '"*".dtype', '"*".shape', '"*".data_offsets', '"*"']) expect(counts.has(kind), kind).toBe(true);
  });

  it("3000 random stacked mutations (seed 1) load or are refused, reaching every class of rule", () => {
    const rng = new Rng(1);
    const next = () => rng.nextUint32();
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const kind = outcome(randomMutation(SEEDS, next));
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    expect(counts.get("loaded")).toBeGreaterThan(0);
    const expected = ["header length", "header", "data", '"*"', '"*".dtype', '"*".shape', '"*".data_offsets', '__metadata__."*"'];
    for (const kind of expected) expect(counts.has(kind), kind).toBe(true);
  });
});
