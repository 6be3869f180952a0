// Public API of @ballast/advisor, one folder per concern (see README.md, "Layout"):
// migration/ (planner, LLM advice, baselines), autoscaling/ (HPA port, policies, back-test),
// forecast/ (statistics, trends, forecasters) and history/ (the recommendation history the advisors
// read for hysteresis), which the other two import.
export * from './autoscaling/index';
export * from './forecast/index';
export * from './history/index';
export * from './migration/index';
