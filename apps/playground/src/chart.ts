/** Line charts of a few series against their index, drawn by uPlot (a small charting library). */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly label: string;
}

const plots = new WeakMap<HTMLElement, { plot: uPlot; labels: string }>();

/**
 * Draws `series` in `container`, reusing its chart while the series stay the same (a
 * live loss curve only gets new data). Missing values (`null`) leave gaps.
 */
export function drawChart(container: HTMLElement, series: readonly Series[], xLabel: string): void {
  const length = Math.max(0, ...series.map((s) => s.values.length));
  const data: uPlot.AlignedData = [
    Array.from({ length }, (_, i) => i),
    ...series.map((s) => Array.from({ length }, (_, i) => s.values[i] ?? null)),
  ];
  const labels = series.map((s) => `${s.label}:${s.color}`).join('|');
  const existing = plots.get(container);
  if (existing !== undefined && existing.labels === labels) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  const plot = new uPlot(
    {
      width: container.clientWidth || 640,
      height: Number(container.dataset.height ?? 220),
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, {}],
      series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
    },
    data,
    container,
  );
  plots.set(container, { plot, labels });
}
