import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Granularity, UsageSeries } from './usage-series';

// Colours with enough contrast on white, matched by the legend's CSS classes.
const COLOURS: Record<string, string> = { served: '#1d7a46', refused: '#b45309', denied: '#b42318' };

/** uPlot line chart of the usage series; loaded on demand so the keys list does not pay for it. */
export default function UsageChart({ data, granularity }: { data: UsageSeries; granularity: Granularity }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 240,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      axes: [
        { stroke: '#475467', grid: { stroke: '#eaecf0' }, ticks: { stroke: '#d0d5dd' }, space: granularity === 'day' ? 60 : 70 },
        { stroke: '#475467', grid: { stroke: '#eaecf0' }, ticks: { stroke: '#d0d5dd' }, size: 48 },
      ],
      series: [
        {},
        ...data.series.map((s) => ({
          label: s.label,
          stroke: COLOURS[s.className],
          width: 2,
          fill: `${COLOURS[s.className]}1a`,
          points: { show: true, size: 4 },
        })),
      ],
    };
    const chart = new uPlot(options, [data.times, ...data.series.map((s) => s.values)], element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, granularity]);
  return <div ref={box} className="chart" aria-hidden="true" />;
}
