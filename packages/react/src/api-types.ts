// The JSON the Ballast handlers answer with, as the hooks read it. Declared here (not imported from
// @ballast/server) so a browser bundle and the published types never pull in the server package.

/** Figures of one provider, model or target over a window (`GET /api/monitoring/performance`). */
export interface PerformanceFigures {
  requests: number;
  successes: number;
  failures: number;
  successRate: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TimeToFirstTokenMs: number | null;
  p95TimeToFirstTokenMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  failuresByCode: Record<string, number>;
}

/** One step of the performance `series`. */
export interface PerformancePoint {
  /** ISO 8601 start of the step. */
  start: string;
  requests: number;
  failures: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  costUsd: number;
}

/** `GET /api/monitoring/performance?hours=N&points=P`. */
export interface PerformanceReport {
  hours: number;
  since: string;
  until: string;
  totals: PerformanceFigures;
  providers: Record<string, PerformanceFigures>;
  models: Record<string, PerformanceFigures>;
  targets: Record<string, PerformanceFigures>;
  series?: { stepMs: number; calls: PerformancePoint[]; providers: Record<string, PerformancePoint[]> };
}

/** One target of `GET /api/load-balancing/providers`: circuit, load and settings. */
export interface ProviderStatus {
  target: string;
  provider: string;
  model: string;
  circuit: 'closed' | 'open' | 'half-open';
  inFlight: number;
  externalLoad: number;
  maxConcurrent: number | null;
  weight: number;
  priority: number;
  latencyMs: { p50: number; p95: number } | null;
}

/** The request of `POST /api/load-balancing/select` (the Next.js seed's names). */
export interface SelectionRequest {
  modelType?: string;
  maxTokens?: number;
  temperature?: number;
  preferredProvider?: string;
  maxCost?: number;
  maxLatency?: number;
}

/** The answer of `POST /api/load-balancing/select`. */
export interface ProviderSelection {
  provider: string;
  model: string;
  targetId: string;
  score: number;
  why: string;
  strategy: string;
  expectedCostUsd: number | null;
  breakdown?: unknown;
  scores?: unknown;
  skipped?: unknown;
}

/** A node's load as a fraction of its capacity (0..1). */
export interface NodeLoad {
  node: string;
  cpu: number;
  memory: number;
  load: number;
}

/** One recommendation of `POST /api/ai-recommendations` (ProxBalance's fields plus Ballast's). */
export interface MigrationRecommendation {
  vmid: number;
  name: string;
  type: 'VM' | 'CT';
  source_node: string;
  target_node: string;
  priority: 'low' | 'medium' | 'high';
  evacuation: boolean;
  bundle: { id: string; members: number[]; groups: string[] } | null;
  reasoning: string;
  /** 0 (none) … 1 (severe). */
  risk_score: number | null;
  estimated_impact: string | null;
  best_time: string | null;
  /** 0..100. */
  confidence_score: number | null;
  source: 'rule' | 'llm';
  step: number;
  kind: 'evacuation' | 'balance';
  imbalance_before: number;
  imbalance_after: number;
  imbalance_delta: number;
  with_local_disks: boolean;
  also_suggested_by?: { source: 'rule' | 'llm'; target_node: string; reasoning: string };
}

/** `POST /api/ai-recommendations` (ProxBalance's response, plus `node_loads`). */
export interface MigrationAdvice {
  success: true;
  analysis: string;
  recommendations: MigrationRecommendation[];
  predicted_issues: Array<{
    node: string;
    metric: string;
    prediction: string;
    confidence: number;
    severity: string | null;
    source: 'rule' | 'llm';
  }>;
  analysis_period: '1h' | '6h' | '24h' | '7d';
  source: 'rule' | 'rule+llm';
  imbalance: { before: number; after: number; rule_after: number };
  llm: { status: string; reason: string | null; model: string | null };
  rejected: Array<{
    kind: string;
    source: string;
    index: number;
    item: unknown;
    reasons: Array<{ code: string; message: string }>;
  }>;
  node_loads?: { before: NodeLoad[]; after: NodeLoad[] };
}

/** A move to run with `POST /api/migrations/execute`. */
export interface MigrationMove {
  vmid: number;
  type: 'VM' | 'CT';
  source_node: string;
  target_node: string;
}

/** The answer of `POST /api/migrations/execute`. */
export interface MigrationExecution {
  applied: boolean;
  report: {
    applied: boolean;
    moves: Array<{ move: { vmid: number; source: string; target: string }; status: string; reason?: string }>;
    summary: Record<string, number>;
  };
}

/** One scaling answer (the HPA's, the forecast's, the model's or the chosen one). */
export interface ScalingAdviceOption {
  action: 'scale_up' | 'scale_down' | 'maintain' | 'at_max';
  currentReplicas: number;
  targetReplicas: number;
  /** 0..1. */
  confidence: number;
  reasoning: string;
  factors: string[];
  risk?: 'low' | 'medium' | 'high';
  costImpact?: 'low' | 'medium' | 'high';
  performanceImpact?: 'positive' | 'neutral' | 'negative';
  timing?: 'immediate' | 'gradual' | 'scheduled';
  source: string;
  impact?: { replicaDelta: number; costDeltaUsdPerHour?: number; cpuUtilizationNowPercent?: number };
}

/** `GET /api/autoscaling/recommendations/:cluster`. */
export interface ScalingAdvice {
  success: true;
  cluster: string;
  namespace: string;
  deployment: string;
  chosen: ScalingAdviceOption;
  why: string;
  sources: {
    hpa: ScalingAdviceOption;
    forecast: ScalingAdviceOption | null;
    llm: ScalingAdviceOption | null;
  };
  llm: { status: 'used' | 'not_configured' | 'failed' | 'invalid'; reason?: string };
  bounds: { minReplicas: number; maxReplicas: number };
  notes: string[];
}
