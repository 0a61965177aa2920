function copyFreeze(s) { const n = s.length; const c = new Array(n); for (let i = 0; i < n; i++) c[i] = s[i]; return Object.freeze(c); }
function copyOnly(s) { const n = s.length; const c = new Array(n); for (let i = 0; i < n; i++) c[i] = s[i]; return c; }
const mk = () => ({
  freezeSlice: (s) => Object.freeze(s.slice()),
  copyFreeze: (s) => copyFreeze(s),
  copyOnly: (s) => copyOnly(s),
  reuseOrCopyFreeze: (s) => (Object.isFrozen(s) ? s : copyFreeze(s)),
});
const frozen = Object.freeze([32, 128]);
let sink = 0;
for (const name of Object.keys(mk())) {
  const f = mk()[name];
  const srcs = [[32, 128], frozen, [1], Object.freeze([4, 5, 6])];
  for (let i = 0; i < 1e6; i++) sink += f(srcs[i & 3]).length;
  const t0 = performance.now();
  for (let i = 0; i < 4e6; i++) sink += f(srcs[i & 3]).length;
  console.log(name.padEnd(20), ((performance.now() - t0) / 4e6 * 1e6).toFixed(1), "ns (mixed fresh/frozen)");
}
