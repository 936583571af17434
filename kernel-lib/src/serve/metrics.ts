/** Prometheus metrics of one server (prom-client, in a registry of its own): requests by route and code, latency, batch sizes, in-flight requests. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'labbook_serve_requests_total', help: 'HTTP requests answered, by route and status code', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'labbook_serve_request_duration_seconds',
    help: 'Time to answer a request, by route',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({ name: 'labbook_serve_batch_size', help: 'Examples per model call', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [this.registry] });
  readonly monitorWritten = new Counter({ name: 'labbook_monitor_samples_written_total', help: 'Sampled requests written to the monitoring store', registers: [this.registry] });
  readonly monitorFailures = new Counter({ name: 'labbook_monitor_write_failures_total', help: 'Writes to the monitoring store that failed (the requests were answered)', registers: [this.registry] });
  readonly monitorLost = new Counter({ name: 'labbook_monitor_samples_lost_total', help: 'Sampled requests lost to failed writes', registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'labbook_serve_in_flight_requests', help: 'Requests being answered now', registers: [this.registry] });
}
