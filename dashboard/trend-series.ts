// The overview's trend chart data: one compliance line per baseline from the daily snapshots plus today's live summary.
import { baselineTrendEntry, type FleetSummary, type TrendPoint } from '../protocol/fleet-api';
import type { Series } from './components/chart';
import { BASELINE_COLORS, OKABE_ITO } from './palette';

/**
 * One compliance line per baseline (current baselines first, in their order, then deleted ones that
 * still have history), keyed by baseline id so a line keeps its colour and dataset as data arrives,
 * and the failing-devices share. Today's point is the live summary, so the lines move with every
 * change; days before per-baseline snapshots were kept leave gaps.
 */
export function baselineTrend(
  items: readonly TrendPoint[],
  summary: FleetSummary | null,
  date: (day: string) => string,
  name: (baselineName: string) => string,
  failingLabel: string,
): { labels: string[]; series: Series[] } {
  const points: TrendPoint[] = [...items];
  if (summary) {
    const day = summary.generatedAt.slice(0, 10);
    const today: TrendPoint = {
      day,
      devices: summary.total,
      failingDevices: summary.failingDevices,
      devicesWithCorruption: summary.devicesWithCorruption,
      compliancePercent: null,
      families: {},
      baselines: summary.compliance.map(baselineTrendEntry),
    };
    if (points[points.length - 1]?.day === day) points[points.length - 1] = today;
    else points.push(today);
  }
  const names = new Map<number, string>();
  for (const item of summary?.compliance ?? []) names.set(item.baseline.id, item.baseline.name);
  for (const point of points) for (const baseline of point.baselines) if (!names.has(baseline.baselineId)) names.set(baseline.baselineId, baseline.name);
  const series: Series[] = [...names].map(([id, baselineName], index) => ({
    key: `baseline:${id}`,
    label: name(baselineName),
    data: points.map((point) => point.baselines.find((item) => item.baselineId === id)?.compliancePercent ?? null),
    color: BASELINE_COLORS[index % BASELINE_COLORS.length]!,
  }));
  series.push({ key: 'failing', label: failingLabel, data: points.map((point) => (point.devices ? (100 * point.failingDevices) / point.devices : 0)), color: OKABE_ITO[3] });
  return { labels: points.map((point) => date(point.day)), series };
}
