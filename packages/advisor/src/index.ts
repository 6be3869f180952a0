// Public API of @ballast/advisor, one folder per concern (see README.md, "Layout"):
// migration/ (planner, LLM advice, baselines), autoscaling/ (HPA port, policies, back-test) and
// forecast/ (statistics, trends, forecasters), which the other two import.
export * from './autoscaling/index';
export * from './forecast/index';
export * from './migration/index';
