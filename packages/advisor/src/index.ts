// Migration planning and forecasting.
export * from './autoscaling/index';
export * from './forecast/index';
export * from './migration/index';
