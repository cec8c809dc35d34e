"use client";

export interface ChartPoint {
  at: string;
  running: number | boolean | string | null;
  candidate: number | boolean | string | null;
}

const W = 520;
const H = 110;
const PAD = { left: 40, right: 8, top: 8, bottom: 18 };

const num = (v: ChartPoint["running"]): number | null =>
  typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : null;

function path(
  points: readonly ChartPoint[],
  pick: (p: ChartPoint) => number | null,
  x: (t: number) => number,
  y: (v: number) => number,
) {
  let d = "";
  let pen = false;
  for (const p of points) {
    const v = pick(p);
    if (v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(Date.parse(p.at)).toFixed(1)},${y(v).toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}

/**
 * One commanded point over the replay: the running version (grey) against the changed one (blue). Plain
 * SVG: two series of at most a few hundred points need no chart library.
 */
export function ReplayChart({ points, label }: { points: readonly ChartPoint[]; label: string }) {
  const values = points
    .flatMap((p) => [num(p.running), num(p.candidate)])
    .filter((v): v is number => v !== null);
  if (values.length === 0 || points.length === 0) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const t0 = Date.parse(points[0]!.at);
  const t1 = Date.parse(points.at(-1)!.at);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / span) * (H - PAD.top - PAD.bottom);
  const time = (t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="h-[110px] w-[520px]" role="img" aria-label={label}>
      <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#cbd5e1" />
      <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" fontSize="9" fill="#64748b">
        {Number(hi.toFixed(2))}
      </text>
      <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" fontSize="9" fill="#64748b">
        {Number(lo.toFixed(2))}
      </text>
      <text x={PAD.left} y={H - 4} fontSize="9" fill="#64748b">
        {time(t0)}
      </text>
      <text x={W - PAD.right} y={H - 4} textAnchor="end" fontSize="9" fill="#64748b">
        {time(t1)}
      </text>
      <path
        d={path(points, (p) => num(p.running), x, y)}
        fill="none"
        stroke="#94a3b8"
        strokeWidth="2"
        data-series="running"
      />
      <path
        d={path(points, (p) => num(p.candidate), x, y)}
        fill="none"
        stroke="#0284c7"
        strokeWidth="1.5"
        data-series="candidate"
      />
    </svg>
  );
}
