// Report helpers: Markdown tables, rewriting one marked section of docs/benchmarks.md
// (so each benchmark script owns its own section), and a small dependency-free SVG bar chart.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (bench/src/lib -> ../../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** A Markdown table from a header row and data rows (cells already formatted). */
export function mdTable(header, rows, align = header.map((_, i) => (i === 0 ? "l" : "r"))) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const rule = align.map((a) => (a === "r" ? "---:" : "---"));
  return [line(header), line(rule), ...rows.map(line)].join("\n");
}

/**
 * Replace the text between `<!-- name:begin -->` and `<!-- name:end -->` in `file`
 * (appending the marked section when it is missing), leaving the rest untouched.
 */
export function writeSection(file, name, body) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next);
}

const escapeXml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A "nice" axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `x`. */
function niceMax(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/**
 * Grouped bar chart as an SVG string: one group per category, one bar per series.
 * `series` is `[{ name, color, values }]` with one value per category (NaN = missing).
 */
export function barChartSvg({ title, yLabel, categories, series, width = 760, height = 360 }) {
  const m = { left: 60, right: 16, top: 40, bottom: 56 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const yMax = niceMax(Math.max(...all, 1e-9));
  const y = (v) => m.top + h - (v / yMax) * h;
  const groupW = w / categories.length;
  const barW = (groupW * 0.8) / series.length;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (let k = 0; k <= 5; k++) {
    const v = (yMax * k) / 5;
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${+v.toPrecision(3)}</text>`);
  }
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  categories.forEach((c, i) => {
    const x0 = m.left + i * groupW + groupW * 0.1;
    series.forEach((s, j) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      const x = x0 + j * barW;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(m.top + h - y(v)).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${s.name} ${c}: ${v.toPrecision(3)}`)}</title></rect>`);
      out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${v.toPrecision(2)}</text>`);
    });
    out.push(`<text x="${(m.left + (i + 0.5) * groupW).toFixed(1)}" y="${m.top + h + 16}" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`);
  let lx = m.left;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${height - 22}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${height - 12}">${escapeXml(s.name)}</text>`);
    lx += 28 + 7 * s.name.length;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/**
 * Line chart as an SVG string: one point per x category (evenly spaced, so doubling sizes read
 * as a log x axis), one line per series. `series` is `[{ name, color, values, dash? }]` with one
 * value per category (NaN = missing point). With `logY` the y axis is logarithmic (powers of 10).
 */
export function lineChartSvg({ title, xLabel, yLabel, categories, series, logY = false, width = 760, height = 380 }) {
  const m = { left: 64, right: 16, top: 40, bottom: 76 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!logY || v > 0));
  let y;
  const ticks = [];
  if (logY) {
    const lo = Math.floor(Math.log10(Math.min(...all)));
    const hi = Math.ceil(Math.log10(Math.max(...all)));
    const span = Math.max(1, hi - lo);
    y = (v) => m.top + h - ((Math.log10(v) - lo) / span) * h;
    for (let e = lo; e <= lo + span; e++) ticks.push(10 ** e);
  } else {
    const yMax = niceMax(Math.max(...all, 1e-9));
    y = (v) => m.top + h - (v / yMax) * h;
    for (let k = 0; k <= 5; k++) ticks.push((yMax * k) / 5);
  }
  const x = (i) => m.left + (categories.length === 1 ? w / 2 : (i / (categories.length - 1)) * w);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (const v of ticks) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${+v.toPrecision(3)}</text>`);
  }
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  categories.forEach((c, i) => {
    out.push(`<text x="${x(i).toFixed(1)}" y="${m.top + h + 16}" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  out.push(`<text x="${m.left + w / 2}" y="${m.top + h + 34}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`);
  for (const s of series) {
    const pts = s.values.map((v, i) => (Number.isFinite(v) && (!logY || v > 0) ? [x(i), y(v), v, categories[i]] : undefined));
    const segments = [];
    let cur = [];
    for (const p of pts) {
      if (p === undefined) {
        if (cur.length > 0) segments.push(cur);
        cur = [];
      } else cur.push(p);
    }
    if (cur.length > 0) segments.push(cur);
    for (const seg of segments) {
      const d = seg.map(([px, py], i) => `${i === 0 ? "M" : "L"}${px.toFixed(1)} ${py.toFixed(1)}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    }
    for (const p of pts) {
      if (p === undefined) continue;
      out.push(`<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name} ${p[3]}: ${p[2].toPrecision(3)}`)}</title></circle>`);
    }
  }
  let lx = m.left;
  let ly = m.top + h + 42;
  for (const s of series) {
    const wItem = 36 + 7 * s.name.length;
    if (lx + wItem > width - m.right) {
      lx = m.left;
      ly += 16;
    }
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly + 6}" y2="${ly + 6}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    out.push(`<text x="${lx + 22}" y="${ly + 10}">${escapeXml(s.name)}</text>`);
    lx += wItem;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
