// Unit test of the dependency-free base64 decoder used for the embedded .wasm bytes.
import { describe, expect, it } from "vitest";
import { decodeBase64 } from "./base64.js";

const bytesOf = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe("decodeBase64", () => {
  it("decodes every padding length", () => {
    expect(Array.from(decodeBase64(""))).toEqual([]);
    expect(Array.from(decodeBase64("Zg=="))).toEqual(bytesOf("f"));
    expect(Array.from(decodeBase64("Zm8="))).toEqual(bytesOf("fo"));
    expect(Array.from(decodeBase64("Zm9v"))).toEqual(bytesOf("foo"));
    expect(Array.from(decodeBase64("Zm9vYmFy"))).toEqual(bytesOf("foobar"));
  });

  it("decodes all 256 byte values and the + and / digits", () => {
    expect(Array.from(decodeBase64("AAECA/7/"))).toEqual([0, 1, 2, 3, 254, 255]);
    const all = Array.from({ length: 256 }, (_, i) => i);
    const b64 = btoa(String.fromCharCode(...all));
    expect(Array.from(decodeBase64(b64))).toEqual(all);
  });

  it("rejects characters outside the alphabet", () => {
    expect(() => decodeBase64("Zm9v!")).toThrow("decodeBase64: invalid character at 4");
    expect(() => decodeBase64("Zm\u00e9v")).toThrow("decodeBase64: invalid character at 2");
  });
});
