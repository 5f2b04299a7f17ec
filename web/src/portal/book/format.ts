import { useCallback, useMemo } from 'react';
import { useLocale } from '../../i18n/index.tsx';

/** Hall times are China time wherever the browser is. */
const ZONE = 'Asia/Shanghai';

/**
 * How the hall's dates and times read in the page's language: a day `12月8日 周一`, a
 * time `09:00`, a slot `12月8日 周一 09:00–09:30`.
 */
export function useHallTime() {
  const { locale } = useLocale();
  const formats = useMemo(
    () => ({
      day: new Intl.DateTimeFormat(locale, {
        timeZone: ZONE,
        month: 'short',
        day: 'numeric',
        weekday: 'short',
      }),
      time: new Intl.DateTimeFormat(locale, {
        timeZone: ZONE,
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }),
    }),
    [locale],
  );
  /** A `YYYY-MM-DD` date (noon China time, so no zone moves it to another day). */
  const day = useCallback(
    (date: string) => formats.day.format(new Date(`${date}T12:00:00+08:00`)),
    [formats],
  );
  const time = useCallback((iso: string) => formats.time.format(new Date(iso)), [formats]);
  const span = useCallback((startsAt: string, endsAt: string) => `${time(startsAt)}–${time(endsAt)}`, [time]);
  const slot = useCallback(
    (startsAt: string, endsAt: string) =>
      `${formats.day.format(new Date(startsAt))} ${span(startsAt, endsAt)}`,
    [formats, span],
  );
  return { day, time, span, slot };
}

/** Today's date in China time, `YYYY-MM-DD`. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
