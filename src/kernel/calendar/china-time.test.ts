import { describe, expect, it } from 'vitest';
import {
  chinaDateOf,
  endOfChinaDay,
  formatChinaInstant,
  formatDate,
  parseDate,
  parseInstant,
  startOfChinaDay,
  weekdayOf,
} from './china-time.ts';

// Nothing here sets a time zone: run with TZ=UTC, TZ=America/New_York or TZ=Asia/Shanghai,
// the answers are the same because days are always taken in +08:00.
describe('China Standard Time days', () => {
  it('puts an instant on the day it is in China, not on the machine', () => {
    expect(chinaDateOf(new Date('2026-02-13T17:00:00Z'))).toBe('2026-02-14');
    expect(chinaDateOf(new Date('2026-02-13T15:59:59.999Z'))).toBe('2026-02-13');
    expect(chinaDateOf(new Date('2026-02-13T16:00:00Z'))).toBe('2026-02-14');
    expect(chinaDateOf(new Date('2026-02-14T00:30:00+08:00'))).toBe('2026-02-14');
    expect(chinaDateOf(new Date('2026-02-13T11:00:00-05:00'))).toBe('2026-02-14');
  });

  it('starts and ends a day at +08:00 midnight', () => {
    const day = parseDate('2026-02-14')!;
    expect(startOfChinaDay(day).toISOString()).toBe('2026-02-13T16:00:00.000Z');
    expect(endOfChinaDay(day).toISOString()).toBe('2026-02-14T15:59:59.999Z');
    expect(formatChinaInstant(endOfChinaDay(day))).toBe('2026-02-14T23:59:59.999+08:00');
  });

  it('parses only real dates', () => {
    expect(formatDate(parseDate('2026-02-28')!)).toBe('2026-02-28');
    expect(parseDate('2024-02-29')).toBeDefined();
    expect(parseDate('2026-02-29')).toBeUndefined();
    expect(parseDate('2026-02-30')).toBeUndefined();
    expect(parseDate('2026-13-01')).toBeUndefined();
    expect(parseDate('2026-2-1')).toBeUndefined();
    expect(parseDate('2026-02-14T00:00:00Z')).toBeUndefined();
  });

  it('numbers weekdays like Date#getDay, before and after 1970', () => {
    expect(weekdayOf(parseDate('2026-02-14')!)).toBe(6);
    expect(weekdayOf(parseDate('2026-02-15')!)).toBe(0);
    expect(weekdayOf(parseDate('2026-02-16')!)).toBe(1);
    expect(weekdayOf(parseDate('1969-12-31')!)).toBe(3);
  });

  it('parses instants that name their offset, and nothing ambiguous or impossible', () => {
    expect(parseInstant('2026-02-14T01:00:00+08:00')?.toISOString()).toBe('2026-02-13T17:00:00.000Z');
    expect(parseInstant('2026-02-13T17:00:00.5Z')?.toISOString()).toBe('2026-02-13T17:00:00.500Z');
    expect(parseInstant('2026-02-13T17:00:00')).toBeUndefined();
    expect(parseInstant('2026-02-13')).toBeUndefined();
    expect(parseInstant('2026-02-30T00:00:00Z')).toBeUndefined();
    expect(parseInstant('2026-02-13T23:59:60Z')).toBeUndefined();
    expect(parseInstant('yesterday')).toBeUndefined();
  });
});
