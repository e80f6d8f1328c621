/** One entry of a readiness report: a probed dependency or a component that reports its own state. */
export interface ComponentStatus {
  readonly status: 'up' | 'down';
  /** When it entered this status (ISO 8601). */
  readonly since: string;
  /** Why it is down: the probe's error, or what a component reported. */
  readonly reason?: string;
}

/** What GET /ready answers: every probed dependency and every reported component, ready when all are up. */
export interface ReadinessReport {
  readonly status: 'ready' | 'unavailable';
  readonly components: Readonly<Record<string, ComponentStatus>>;
}
