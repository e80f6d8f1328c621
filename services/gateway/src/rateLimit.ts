import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { principalOf } from './auth/principal.js';
import { HttpError } from './httpErrors.js';
import type { GatewayMetrics } from './httpMetrics.js';

export interface RateLimitOptions {
  readonly redis: Redis;
  readonly defaultPerMinute: number;
  readonly metrics: GatewayMetrics;
  readonly keyPrefix?: string;
}

function setHeaders(res: Response, limit: number, result: RateLimiterRes): void {
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, result.remainingPoints)));
  res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil(result.msBeforeNext / 1000))));
}

/**
 * Requests per minute per credential (API key id, or tenant + JWT subject), counted in Redis so
 * every gateway instance shares the budget. An API key may carry its own limit. If Redis fails,
 * an in-process limiter with the same budget takes over (per instance) rather than letting
 * everything through or refusing everything.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const prefix = options.keyPrefix ?? 'supportstream:gateway:rate';
  const limiters = new Map<number, RateLimiterRedis>();
  const limiterFor = (points: number): RateLimiterRedis => {
    let limiter = limiters.get(points);
    if (limiter === undefined) {
      limiter = new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: `${prefix}:${points}`,
        points,
        duration: 60,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:${points}:memory`, points, duration: 60 }),
      });
      limiters.set(points, limiter);
    }
    return limiter;
  };

  return async (_req, res, next) => {
    const principal = principalOf(res);
    const points = principal.rateLimitPerMinute ?? options.defaultPerMinute;
    try {
      setHeaders(res, points, await limiterFor(points).consume(principal.credentialId));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      setHeaders(res, points, rejection);
      options.metrics.rateLimited.inc({ kind: 'requests' });
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new HttpError(429, 'RATE_LIMITED', `more than ${points} requests per minute for this credential; retry in ${retryAfter} s`, { headers: { 'Retry-After': String(retryAfter) } });
    }
    next();
  };
}
