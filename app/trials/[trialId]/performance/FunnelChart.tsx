"use client";
import { useFormatter, useTranslations } from "next-intl";
import { CartesianGrid, ComposedChart, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";

interface Props {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A share (0 to 1, shown as %), or a rate. */
  share: boolean;
  overall: number | null;
  limits: { denominator: number; lower3: number; lower2: number; centre: number; upper2: number; upper3: number }[];
  points: { label: string; x: number; y: number; flag: string | null }[];
}

const COLOUR: Record<string, string> = { red: "#b8322a", amber: "#a86400" };

/** A funnel plot: each site at its size, against the others' centre and the limits at 2 and 3 standard errors. */
export function FunnelChart({ title, xLabel, yLabel, share, overall, limits, points }: Props) {
  const t = useTranslations("performance");
  const format = useFormatter();
  const value = (y: number) => (share ? format.number(y, { style: "percent", maximumFractionDigits: 0 }) : format.number(y, { maximumFractionDigits: 2 }));
  const flagged = points.filter((p) => p.flag);
  const described = t("chartDescription", {
    overall: overall === null ? "—" : value(overall),
    flagged: flagged.length ? flagged.map((p) => `${p.label} (${t(p.flag === "red" ? "red" : "amber")})`).join(", ") : t("noneFlagged"),
  });
  const data = [...limits.map((l) => ({ x: l.denominator, ...l })), ...points.map((p) => ({ x: p.x, site: p.y, label: p.label, flag: p.flag }))].sort(
    (a, b) => a.x - b.x,
  );
  return (
    <figure className="chart" role="img" aria-label={`${title}. ${described}`}>
      <figcaption>
        {title} <span className="muted">({yLabel})</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" label={{ value: xLabel, position: "insideBottom", offset: -12 }} />
          <YAxis tickFormatter={(y: number) => value(y)} width={48} />
          <Tooltip formatter={(y) => (typeof y === "number" ? value(y) : String(y))} labelFormatter={(x) => `${xLabel}: ${x}`} />
          <Line dataKey="upper3" stroke={COLOUR.red} dot={false} strokeDasharray="4 4" connectNulls isAnimationActive={false} name={t("limit3")} />
          <Line dataKey="upper2" stroke={COLOUR.amber} dot={false} strokeDasharray="2 2" connectNulls isAnimationActive={false} name={t("limit2")} />
          <Line dataKey="centre" stroke="#555" dot={false} connectNulls isAnimationActive={false} name={t("centre")} />
          <Line dataKey="lower2" stroke={COLOUR.amber} dot={false} strokeDasharray="2 2" connectNulls isAnimationActive={false} name={t("limit2")} />
          <Line dataKey="lower3" stroke={COLOUR.red} dot={false} strokeDasharray="4 4" connectNulls isAnimationActive={false} name={t("limit3")} />
          <Scatter dataKey="site" fill="#1f5fa8" isAnimationActive={false} name={t("sites")} />
          <Scatter dataKey="siteAmber" fill={COLOUR.amber} shape="diamond" isAnimationActive={false} name={t("amber")} />
          <Scatter dataKey="siteRed" fill={COLOUR.red} shape="square" isAnimationActive={false} name={t("red")} />
        </ComposedChart>
      </ResponsiveContainer>
      <p className="muted">{described}</p>
    </figure>
  );
}
