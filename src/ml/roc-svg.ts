/**
 * ROC curves as a standalone SVG string (issue 9 item 1: "a ROC curve drawn as
 * SVG in the report — people look at curves, not tables"). Several curves on
 * one chart (English and Japanese), axes with ticks, axis labels, a diagonal
 * for chance, and the AUC of each curve in the legend. No dependency: the
 * curve is a polyline over the (FPR, TPR) points of every distinct threshold.
 */
import { rocAuc, type Scored } from './metrics.ts';

/** One curve: its label, colour and scored rows. */
export interface RocSeries {
  readonly label: string;
  readonly color: string;
  readonly scored: readonly Scored[];
}

/** (FPR, TPR) points from (0,0) to (1,1), one per distinct score, highest threshold first. */
export function rocPoints(scored: readonly Scored[]): { fpr: number; tpr: number }[] {
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  let positives = 0;
  for (const s of sorted) if (s.fraud) positives++;
  const negatives = sorted.length - positives;
  const points = [{ fpr: 0, tpr: 0 }];
  if (positives === 0 || negatives === 0) return points;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; ) {
    const p = sorted[i]?.p;
    while (i < sorted.length && sorted[i]?.p === p) {
      if (sorted[i]?.fraud) tp++;
      else fp++;
      i++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives });
  }
  return points;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart: `title` on top, one curve per series, AUC in the legend. */
export function rocSvg(series: readonly RocSeries[], title: string): string {
  const W = 520;
  const H = 480;
  const left = 60;
  const top = 40;
  const size = 380;
  const x = (fpr: number) => (left + fpr * size).toFixed(1);
  const y = (tpr: number) => (top + (1 - tpr) * size).toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let k = 0; k <= 10; k++) {
    const v = k / 10;
    const label = v.toFixed(1);
    out.push(
      `<line x1="${x(v)}" y1="${top}" x2="${x(v)}" y2="${top + size}" stroke="#eee"/>`,
      `<line x1="${left}" y1="${y(v)}" x2="${left + size}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${top + size + 16}" text-anchor="middle">${label}</text>`,
      `<text x="${left - 6}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${label}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="black"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<text x="${left + size / 2}" y="${top + size + 36}" text-anchor="middle">偽陽性率 / False-positive rate</text>`,
    `<text transform="translate(16 ${top + size / 2}) rotate(-90)" text-anchor="middle">検知率 / True-positive rate (recall)</text>`,
  );
  series.forEach((s, k) => {
    const pts = rocPoints(s.scored)
      .map((p) => `${x(p.fpr)},${y(p.tpr)}`)
      .join(' ');
    const auc = rocAuc(s.scored);
    out.push(
      `<polyline points="${pts}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2"/>`,
      `<rect x="${left + size - 170}" y="${top + size - 24 - 20 * (series.length - 1 - k)}" width="12" height="3" fill="${escapeXml(s.color)}"/>`,
      `<text x="${left + size - 152}" y="${top + size - 19 - 20 * (series.length - 1 - k)}">${escapeXml(s.label)} (AUC ${auc === null ? '—' : auc.toFixed(3)}, n=${s.scored.length})</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
