/** The ROC chart of the eval report (issue 9 item 1). */
import { describe, expect, it } from 'vitest';
import { rocPoints, rocSvg } from './roc-svg.ts';

const perfect = [
  { p: 0.9, fraud: true },
  { p: 0.8, fraud: true },
  { p: 0.2, fraud: false },
];
const random = [
  { p: 0.5, fraud: true },
  { p: 0.5, fraud: false },
];

describe('rocPoints', () => {
  it('runs from (0,0) to (1,1), one point per distinct score', () => {
    expect(rocPoints(perfect)).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocPoints(random)).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocPoints([{ p: 1, fraud: true }])).toEqual([{ fpr: 0, tpr: 0 }]);
  });
});

describe('rocSvg', () => {
  it('is a standalone SVG with both curves, axis labels and the AUC of each in the legend', () => {
    const svg = rocSvg(
      [
        { label: 'English', color: '#1f77b4', scored: perfect },
        { label: '日本語 <ja>', color: '#d62728', scored: random },
      ],
      'ROC & test',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('English (AUC 1.000, n=3)');
    expect(svg).toContain('日本語 &lt;ja&gt; (AUC 0.500, n=2)');
    expect(svg).toContain('ROC &amp; test');
    expect(svg).toContain('False-positive rate');
    expect(svg).toContain('True-positive rate');
  });
});
