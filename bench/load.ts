import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** One measured case, in the same shape for HTTP and for raw SQL. */
export interface CaseResult {
  reqPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  /** Connection errors and timeouts (HTTP), or failed queries (SQL). */
  errors: number;
  /** HTTP responses outside 2xx; always 0 for SQL. */
  non2xx: number;
}

/** The raw outcome of one timed run; a case merges the runs of its rounds. */
export interface Sample {
  latenciesMs: number[];
  elapsedS: number;
  errors: number;
  non2xx: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Exact nearest-rank percentiles: a case holds at most a few hundred thousand samples. */
export function summarize(samples: Sample[]): CaseResult {
  const sorted = Float64Array.from(samples.flatMap((s) => s.latenciesMs)).sort();
  const elapsedS = samples.reduce((sum, s) => sum + s.elapsedS, 0);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0;
  return {
    reqPerSec: round(sorted.length / elapsedS, 1),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    requests: sorted.length,
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
  };
}

/** One request of an HTTP workload. */
export interface HttpRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** JSON text; sent with Content-Type application/json. */
  body?: string;
}

export interface HttpLoad {
  /** Origin, e.g. http://127.0.0.1:8080 */
  origin: string;
  /** Requests sent in turn, shared by all connections. */
  requests: HttpRequest[];
  connections: number;
  durationS: number;
}

/** autocannon sends `body` too, which its declared Request type leaves out. */
type AutocannonRequest = autocannon.Request & { body?: string };

let stopCurrent: (() => void) | undefined;

/** Stops the load that is running now (on SIGINT). */
export const stopLoad = () => stopCurrent?.();

/**
 * Drives an HTTP server with autocannon. Latency comes from every response (autocannon's
 * own summary has no p95), so the percentiles include any non-2xx responses too.
 */
export function httpLoad({ origin, requests, connections, durationS }: HttpLoad): Promise<Sample> {
  let next = 0;
  const latencies: number[] = [];
  let non2xx = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections,
        duration: durationS,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const { method = 'GET', path, headers, body } = requests[next++ % requests.length]!;
              const built: AutocannonRequest = {
                ...request,
                method,
                path,
                headers: {
                  ...request.headers,
                  ...headers,
                  ...(body !== undefined && { 'content-type': 'application/json' }),
                },
                ...(body !== undefined && { body }),
              };
              return built;
            },
          },
        ],
      },
      (error, result) => {
        stopCurrent = undefined;
        if (error) return reject(error);
        resolve({
          latenciesMs: latencies,
          elapsedS: result.duration,
          errors: result.errors + result.timeouts,
          non2xx,
        });
      },
    );
    stopCurrent = () => instance.stop();
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      latencies.push(responseTimeMs);
      if (statusCode < 200 || statusCode > 299) non2xx += 1;
    });
  });
}

/**
 * Runs `task` from `concurrency` loops at once for `durationS` seconds, timing each call:
 * the same closed-loop load autocannon puts on a server, minus HTTP.
 */
export async function closedLoop(
  concurrency: number,
  durationS: number,
  task: (i: number) => Promise<void>,
): Promise<Sample> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  let stopped = false;
  stopCurrent = () => (stopped = true);
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const loop = async () => {
    while (!stopped && performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await task(next++);
        latencies.push(performance.now() - t0);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  stopCurrent = undefined;
  return { latenciesMs: latencies, elapsedS: (performance.now() - started) / 1000, errors, non2xx: 0 };
}
