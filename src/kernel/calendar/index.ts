/** The working-day calendar (DOMAIN.md §5): the only surface other code imports. */
export {
  CALENDAR_FIRST_DATE,
  CALENDAR_LAST_DATE,
  CalendarRangeError,
  WorkingCalendar,
  type DayInfo,
  type DayKind,
  type DayOverride,
  type Pause,
  type WorkingCalendarOptions,
} from './calendar.ts';
export {
  chinaDateOf,
  chinaDayOf,
  endOfChinaDay,
  formatChinaInstant,
  parseDate,
  parseInstant,
} from './china-time.ts';
export {
  CalendarService,
  calendarServiceFor,
  type CalendarOverride,
  type CalendarServiceOptions,
} from './service.ts';
export { calendarModule } from './routes.ts';
