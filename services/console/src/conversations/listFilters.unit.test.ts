import { describe, expect, it } from 'vitest';
import { filtersFromParams, filtersToParams, fromLocalInput, listQuery, NO_FILTERS, toLocalInput } from './listFilters.js';

describe('the conversation list filters', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('round-trip through the URL, a relative range as its name and a custom one as ISO times', () => {
    const relative = { ...NO_FILTERS, status: 'RESOLVED', customerId: ' cust-1 ', range: '24h' as const };
    expect(filtersToParams(relative).toString()).toBe('status=RESOLVED&customer=cust-1&range=24h');
    expect(filtersFromParams(filtersToParams(relative))).toEqual({ ...relative, customerId: 'cust-1' });
    const custom = { ...NO_FILTERS, range: 'custom' as const, from: '2026-02-01T00:00:00.000Z', to: null };
    expect(filtersToParams(custom).toString()).toBe('from=2026-02-01T00%3A00%3A00.000Z');
    expect(filtersFromParams(new URLSearchParams('from=2026-02-01T00:00:00Z'))).toEqual(custom);
    expect(filtersFromParams(new URLSearchParams('range=forever&from=yesterday'))).toEqual(NO_FILTERS);
  });

  it('send the gateway from/to: a relative range ends now, a custom one as chosen', () => {
    expect(listQuery({ ...NO_FILTERS, range: '1h' }, now).toString()).toBe('from=2026-03-01T11%3A00%3A00.000Z');
    expect(Object.fromEntries(listQuery({ ...NO_FILTERS, range: '7d', status: 'FAILED', customerId: 'c' }, now))).toEqual({ status: 'FAILED', customerId: 'c', from: '2026-02-22T12:00:00.000Z' });
    expect(Object.fromEntries(listQuery({ ...NO_FILTERS, range: 'custom', from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' }, now))).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
    expect(listQuery(NO_FILTERS, now).toString()).toBe('');
  });

  it('read and write datetime-local values in the local time zone', () => {
    const iso = fromLocalInput('2026-03-01T13:05');
    expect(iso).toBe(new Date(2026, 2, 1, 13, 5).toISOString());
    expect(toLocalInput(iso ?? null)).toBe('2026-03-01T13:05');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('1 March')).toBeUndefined();
    expect(toLocalInput(null)).toBe('');
  });
});
