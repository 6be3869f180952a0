// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LineChart } from './line-chart';

afterEach(cleanup);

describe('LineChart', () => {
  it('names the chart and each series’ latest value for screen readers', () => {
    render(
      <LineChart
        title="p95 latency"
        labels={['10:00', '10:30', '11:00']}
        series={[
          { name: 'openai', values: [100, null, 300] },
          { name: 'ollama', values: [null, null, null] },
        ]}
        formatValue={(value) => `${value} ms`}
      />,
    );
    const chart = screen.getByRole('img', { name: 'p95 latency' });
    expect(chart.querySelector('desc')?.textContent).toBe('Latest values. openai: 300 ms; ollama: no data');
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(['openai', 'ollama']);
  });

  it('breaks the line at gaps and draws a lone value as a dot', () => {
    const { container } = render(
      <LineChart
        title="t"
        labels={['a', 'b', 'c', 'd']}
        series={[{ name: 's', values: [1, null, 2, 3] }]}
        formatValue={String}
      />,
    );
    const d = container.querySelector('path')?.getAttribute('d') ?? '';
    expect(d.match(/M/g)).toHaveLength(2); // two runs
    const [first] = d.split('M').filter(Boolean);
    expect(first, d).toMatch(/^([\d.]+ [\d.]+)L\1$/); // the lone first value: a zero-length segment
  });
});
