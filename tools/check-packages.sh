#!/usr/bin/env bash
# tools/check-packages.sh: checks every published (not "private") workspace package in packages/*.
#
#   Per package:
#     a. publint --strict                  (package.json fields, exports, files that exist)
#     b. attw --pack                       (Are the Types Wrong?, default "strict" profile:
#                                           node10, node16 CJS, node16 ESM and bundler resolution)
#     c. dependencies / peerDependencies / optionalDependencies / bundleDependencies
#        name only @seqlab/* siblings      (DESIGN.md §2: a published package has no other deps)
#   Then a pack-and-install smoke test, in a fresh temp dir outside the repo:
#     npm pack every package; npm install all tarballs together into an empty project
#     (--offline: sibling deps must resolve from the tarballs, never from the registry);
#     for every package, import() and require() it and compare the two export lists;
#     run tools/smoke/<dir>.mjs and tools/smoke/<dir>.cjs (<dir> = folder name under packages/);
#     type-check tools/smoke/<dir>.ts with the repo's tsc (module/moduleResolution node16,
#     --noEmit) twice: as an ESM consumer (.mts) and as a CJS consumer (.cts).
#   A new package only needs its three smoke files; a missing one is an error.
#
# Needs built packages (dist/): runs `npm run build` first (a turbo cache hit after
# `npm test`); set SKIP_BUILD=1 to skip that. Needs a prior `npm ci`.
# Usage: bash tools/check-packages.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/node_modules/.bin"
export TURBO_TELEMETRY_DISABLED=1
SMOKE="$ROOT/tools/smoke"
cd "$ROOT"

for tool in publint attw tsc; do
  if [[ ! -x "$BIN/$tool" ]]; then
    echo "check-packages: $BIN/$tool not found; run 'npm ci' first" >&2
    exit 1
  fi
done

failures=()
fail() {
  echo "FAIL: $*" >&2
  failures+=("$*")
}
work=""
finish() {
  local rc=$?
  [[ -z "$work" ]] || rm -rf "$work"
  if ((${#failures[@]} > 0)); then
    echo >&2
    echo "check-packages: ${#failures[@]} failure(s):" >&2
    printf '  - %s\n' "${failures[@]}" >&2
    ((rc != 0)) || rc=1
  elif ((rc != 0)); then
    echo "check-packages: failed (exit $rc), see above" >&2
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- collect published packages -------------------------------------------------------
dirs=()  # absolute package dirs
names=() # package names, same order
for pj in "$ROOT"/packages/*/package.json; do
  [[ -f "$pj" ]] || continue
  if [[ "$(node -p 'require(process.argv[1]).private === true' "$pj")" == "true" ]]; then
    echo "skip (private): ${pj#"$ROOT"/}"
    continue
  fi
  dirs+=("$(dirname "$pj")")
  names+=("$(node -p 'require(process.argv[1]).name' "$pj")")
done
if ((${#dirs[@]} == 0)); then
  echo "check-packages: no published packages under packages/*" >&2
  exit 1
fi
echo "published packages: ${names[*]}"

if [[ "${SKIP_BUILD:-}" != "1" ]]; then
  echo
  echo "--- npm run build"
  npm run build
fi

# --- a/b/c: static checks ----------------------------------------------------------------
for i in "${!dirs[@]}"; do
  dir="${dirs[$i]}" name="${names[$i]}"
  echo
  echo "=== $name (${dir#"$ROOT"/})"

  echo "--- publint"
  "$BIN/publint" run --strict --pack npm "$dir" || fail "$name: publint"

  echo "--- attw"
  "$BIN/attw" --pack "$dir" --format table-flipped --no-emoji --no-color || fail "$name: attw"

  echo "--- dependencies"
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  if node -e '
    const pkg = require(process.argv[1]);
    const bad = [];
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (!dep.startsWith("@seqlab/")) bad.push(`${field}: ${dep}`);
      }
    }
    for (const field of ["bundleDependencies", "bundledDependencies"]) {
      const v = pkg[field];
      const list = Array.isArray(v) ? v : v ? Object.keys(pkg.dependencies ?? {}) : [];
      for (const dep of list) if (!dep.startsWith("@seqlab/")) bad.push(`${field}: ${dep}`);
    }
    if (bad.length > 0) {
      console.error(`${pkg.name} may only depend on @seqlab/* packages (DESIGN.md §2); found:`);
      for (const b of bad) console.error(`  ${b}`);
      process.exit(1);
    }
    console.log("only @seqlab/* dependencies");
  ' "$dir/package.json"; then :; else fail "$name: non-@seqlab dependencies"; fi
done

# --- smoke test: pack, install into an empty project, import / require / tsc -------------
echo
echo "=== pack-and-install smoke test"
work="$(mktemp -d "${TMPDIR:-/tmp}/seqlab-check-packages.XXXXXX")"
case "$work/" in
  "$ROOT"/*)
    echo "check-packages: temp dir $work is inside the repo; set TMPDIR elsewhere" >&2
    exit 1
    ;;
esac
consumer="$work/consumer"
mkdir -p "$consumer"

tarballs=()
for i in "${!dirs[@]}"; do
  dest="$work/tarballs/$i"
  mkdir -p "$dest"
  (cd "${dirs[$i]}" && npm pack --silent --pack-destination "$dest" >/dev/null)
  tgz=("$dest"/*.tgz)
  if [[ ${#tgz[@]} -ne 1 || ! -f "${tgz[0]}" ]]; then
    echo "check-packages: npm pack of ${names[$i]} did not produce one .tgz in $dest" >&2
    exit 1
  fi
  echo "packed ${names[$i]}: $(basename "${tgz[0]}") ($(du -k "${tgz[0]}" | cut -f1) KiB)"
  tarballs+=("${tgz[0]}")
done

cat >"$consumer/package.json" <<'EOF'
{
  "name": "seqlab-consumer-smoke",
  "version": "0.0.0",
  "private": true,
  "description": "throwaway consumer project made by tools/check-packages.sh",
  "license": "UNLICENSED"
}
EOF

echo "--- npm install (offline, all tarballs together)"
(cd "$consumer" && npm install --offline --no-audit --no-fund --loglevel=error "${tarballs[@]}")
(cd "$consumer" && npm ls --all)

# Installed copies must be the tarballs (real dirs in the consumer, same versions as the repo).
node - "$consumer" "${dirs[@]}" <<'EOF'
const fs = require("node:fs");
const path = require("node:path");
const [consumer, ...dirs] = process.argv.slice(2);
for (const dir of dirs) {
  const src = require(path.join(dir, "package.json"));
  const installed = path.join(consumer, "node_modules", ...src.name.split("/"));
  const real = fs.realpathSync(installed);
  if (!real.startsWith(fs.realpathSync(consumer) + path.sep)) {
    throw new Error(`${src.name}: installed copy ${real} is outside the consumer project`);
  }
  const got = require(path.join(real, "package.json")).version;
  if (got !== src.version) throw new Error(`${src.name}: installed ${got}, repo has ${src.version}`);
}
EOF

# Generic: every package loads as ESM and as CJS, with the same non-empty export names.
cat >"$consumer/exports.mjs" <<'EOF'
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
for (const name of process.argv.slice(2)) {
  const esm = Object.keys(await import(name)).filter((k) => k !== "default").sort();
  const cjs = Object.keys(require(name)).filter((k) => k !== "default" && k !== "__esModule").sort();
  if (esm.length === 0) throw new Error(`${name}: ESM import has no named exports`);
  if (esm.join() !== cjs.join()) {
    const onlyEsm = esm.filter((k) => !cjs.includes(k));
    const onlyCjs = cjs.filter((k) => !esm.includes(k));
    throw new Error(`${name}: ESM and CJS exports differ; only ESM: [${onlyEsm}], only CJS: [${onlyCjs}]`);
  }
  console.log(`${name}: import and require give the same ${esm.length} exports`);
}
EOF
echo "--- import() and require() every package"
(cd "$consumer" && node exports.mjs "${names[@]}")

# Per-package smoke files. Types: every package as an ESM (.mts) and a CJS (.cts) consumer.
cat >"$consumer/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "module": "node16",
    "moduleResolution": "node16",
    "target": "es2022",
    "lib": ["es2022", "dom"],
    "types": [],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false
  },
  "include": ["*.mts", "*.cts"]
}
EOF
: >"$consumer/all.mts"
: >"$consumer/all.cts"
for i in "${!dirs[@]}"; do
  d="$(basename "${dirs[$i]}")" name="${names[$i]}"
  printf 'import * as m%d from "%s";\nexport type M%d = typeof m%d;\n' "$i" "$name" "$i" "$i" |
    tee -a "$consumer/all.mts" >>"$consumer/all.cts"
  missing=0
  for ext in mjs cjs ts; do
    if [[ ! -f "$SMOKE/$d.$ext" ]]; then
      fail "$name: missing smoke file tools/smoke/$d.$ext"
      missing=1
    fi
  done
  ((missing == 0)) || continue
  cp "$SMOKE/$d.mjs" "$consumer/$d.mjs"
  cp "$SMOKE/$d.cjs" "$consumer/$d.cjs"
  cp "$SMOKE/$d.ts" "$consumer/$d.esm.mts"
  cp "$SMOKE/$d.ts" "$consumer/$d.cjs.cts"
  echo "--- $name: node tools/smoke/$d.mjs"
  (cd "$consumer" && node "$d.mjs")
  echo "--- $name: node tools/smoke/$d.cjs"
  (cd "$consumer" && node "$d.cjs")
done

echo "--- tsc --noEmit (node16; tools/smoke/*.ts as .mts and .cts)"
(cd "$consumer" && "$BIN/tsc" -p tsconfig.json --listFiles >"$work/tsc.out") || {
  grep -v '^/' "$work/tsc.out" >&2 || true
  fail "tsc type check of the consumer project"
}
echo "declaration files used from the tarballs:"
grep '/node_modules/@seqlab/' "$work/tsc.out" | sed "s|^$consumer/|  |" || true

echo
((${#failures[@]} > 0)) || echo "check-packages: all ${#names[@]} package(s) OK"
