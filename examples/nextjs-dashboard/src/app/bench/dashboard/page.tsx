import { RenderBench } from './render-bench';

export const metadata = { title: 'Dashboard render bench · Ballast' };

/** `/bench/dashboard?providers=20&points=48&runs=7`: the dashboard's render time on synthetic data. */
export default async function DashboardBenchPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await searchParams;
  const number = (name: string, fallback: number, max: number) => {
    const value = Number(query[name]);
    return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
  };
  return (
    <>
      <h1 style={{ margin: 0 }}>Dashboard render bench</h1>
      <RenderBench
        providers={number('providers', 20, 200)}
        points={number('points', 48, 1_440)}
        runs={number('runs', 7, 50)}
      />
    </>
  );
}
