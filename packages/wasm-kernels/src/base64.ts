// Base64 → bytes without atob/Buffer, so the embedded .wasm decodes the same way in Node and
// browsers (and in workers, where neither global is guaranteed to be typed or present).

const CODES = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) CODES["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/** Decode standard base64 (with or without `=` padding); throws on any other character. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // strip "="
  const out = new Uint8Array((end * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? CODES[c]! : 255;
    if (v === 255) throw new Error(`decodeBase64: invalid character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
