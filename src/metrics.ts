import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Verdict } from './core/index.ts';

/**
 * Prometheus metrics: request latency, verdicts by channel and action,
 * detector errors and timings. One registry per process (tests make their own).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly verdicts: Counter<'channel' | 'action'>;
  readonly detectorErrors: Counter<'channel' | 'detector' | 'code'>;
  readonly detectorDuration: Histogram<'channel' | 'detector'>;
  readonly decisionLogFailures: Counter;

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: 'mamoru_' });
    this.httpDuration = new Histogram({
      name: 'mamoru_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.verdicts = new Counter({
      name: 'mamoru_verdicts_total',
      help: 'Verdicts by channel and action',
      labelNames: ['channel', 'action'],
      registers: [this.registry],
    });
    this.detectorErrors = new Counter({
      name: 'mamoru_detector_errors_total',
      help: 'Detector error outcomes (threw, timeout, undeclared_signal, bad_hit)',
      labelNames: ['channel', 'detector', 'code'],
      registers: [this.registry],
    });
    this.detectorDuration = new Histogram({
      name: 'mamoru_detector_duration_seconds',
      help: 'Time each detector took',
      labelNames: ['channel', 'detector'],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers: [this.registry],
    });
    this.decisionLogFailures = new Counter({
      name: 'mamoru_decision_log_failures_total',
      help: 'Verdicts that could not be written to the decision log',
      registers: [this.registry],
    });
  }

  /** Record one verdict: its action, and each detector's outcome and time. */
  observeVerdict(verdict: Verdict): void {
    this.verdicts.inc({ channel: verdict.channel, action: verdict.action });
    for (const o of verdict.outcomes) {
      if (o.outcome === 'skipped') continue;
      this.detectorDuration.observe({ channel: verdict.channel, detector: o.detector }, o.ms / 1000);
      if (o.outcome === 'error') {
        this.detectorErrors.inc({
          channel: verdict.channel,
          detector: o.detector,
          code: o.code ?? 'unknown',
        });
      }
    }
  }
}
