/** A line chart on a canvas: a few series against their index, with the value range on the axis. */
export interface Series {
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly label: string;
}

const PAD = { left: 56, right: 12, top: 20, bottom: 24 };

function format(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], xLabel: string): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const finite = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const length = Math.max(0, ...series.map((s) => s.values.length));
  if (finite.length === 0 || length === 0) return;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (length === 1 ? plotW / 2 : (i / (length - 1)) * plotW);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;

  ctx.strokeStyle = '#c9d0de';
  ctx.lineWidth = 1;
  ctx.strokeRect(PAD.left, PAD.top, plotW, plotH);
  ctx.fillStyle = '#4a5468';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.fillText(format(hi), PAD.left - 6, PAD.top + 10);
  ctx.fillText(format(lo), PAD.left - 6, PAD.top + plotH);
  ctx.textAlign = 'center';
  ctx.fillText(xLabel, PAD.left + plotW / 2, height - 6);

  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let drawing = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        drawing = false;
        return;
      }
      if (drawing) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      drawing = true;
    });
    ctx.stroke();
    ctx.fillStyle = s.color;
    ctx.textAlign = 'left';
    ctx.fillText(`— ${s.label}`, PAD.left + 8 + k * 140, PAD.top - 6);
  });
}
