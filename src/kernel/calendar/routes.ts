import { Type } from 'typebox';
import { SESSION_SECURITY, actorOf } from '../auth.ts';
import { textFieldError, validationError, type FieldError } from '../errors.ts';
import type { TongbanModule } from '../http.ts';
import { CALENDAR_LAST_DATE, CalendarRangeError, type Pause } from './calendar.ts';
import { formatChinaInstant } from './china-time.ts';
import { REASON_MAX_LENGTH, calendarServiceFor, type CalendarOverride } from './service.ts';
import { checkDate, checkInstant } from './validation.ts';

/** The longest list of days one request may ask for (a leap year). */
const MAX_SPAN_DAYS = 366;
/** The longest limit, in working days, the deadline endpoint computes (about 14 years). */
const MAX_LIMIT_DAYS = 3650;
const MAX_PAUSES = 50;

const DateString = (description: string) => Type.String({ format: 'date', description });

const DayOverrideSchema = Type.Object({ working: Type.Boolean(), reason: Type.String() });

const DaySchema = Type.Object({
  date: DateString('The day, in China Standard Time'),
  working: Type.Boolean({ description: 'Whether time limits count this day' }),
  kind: Type.Union(
    [
      Type.Literal('workday'),
      Type.Literal('weekend'),
      Type.Literal('holiday'),
      Type.Literal('makeup'),
      Type.Literal('override'),
    ],
    { description: 'Why: plain weekday, weekend, public holiday, make-up working day (调休), override' },
  ),
  name: Type.Optional(Type.String({ description: 'Public holiday the day belongs to, e.g. 春节' })),
  nameEn: Type.Optional(Type.String({ description: 'The same in English, e.g. Spring Festival' })),
  override: Type.Optional(DayOverrideSchema),
});

const OverrideSchema = Type.Object({
  date: DateString('The overridden day'),
  working: Type.Boolean(),
  reason: Type.String(),
  updatedBy: Type.String({ description: 'Subject of the administrator who set it' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const DateParams = Type.Object({ date: DateString('The day to override (YYYY-MM-DD)') });

const adminOnly = { security: SESSION_SECURITY };

const toResponse = (override: CalendarOverride) => ({
  ...override,
  updatedAt: formatChinaInstant(override.updatedAt),
});

/** Parses `pause` values "start/end" (end empty = still paused), collecting field errors. */
function parsePauses(values: string[], errors: FieldError[]): Pause[] {
  const pauses: Pause[] = [];
  values.forEach((value, index) => {
    const field = `pause[${index}]`;
    const malformed = textFieldError(field, 'format', 'calendar.pause');
    // A range error names the calendar's range; anything else is a malformed pair.
    const explain = (error: FieldError) => (error.rule === 'range' ? error : malformed);
    const parts = value.split('/');
    const from = checkInstant(field, parts[0]!);
    const to = parts[1] ? checkInstant(field, parts[1]) : null;
    if (parts.length !== 2) errors.push(malformed);
    else if (!(from instanceof Date)) errors.push(explain(from));
    else if (to !== null && !(to instanceof Date)) errors.push(explain(to));
    else if (to && to < from) errors.push(textFieldError(field, 'order', 'calendar.pauseOrder'));
    else pauses.push({ from, to });
  });
  return pauses;
}

/** The working-day calendar: days, deadlines, and the administrators' overrides. */
export const calendarModule: TongbanModule = {
  name: 'calendar',
  routes(app, { db, auth }) {
    const service = calendarServiceFor(db);

    app.get(
      '/api/v1/calendar/days',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Working days and days off from one date to another (both included)',
          querystring: Type.Object({
            from: DateString('First day (YYYY-MM-DD)'),
            to: DateString(`Last day (YYYY-MM-DD), at most ${MAX_SPAN_DAYS} days from the first`),
          }),
          response: { 200: Type.Object({ days: Type.Array(DaySchema) }) },
        },
      },
      async (request) => {
        const from = checkDate('from', request.query.from);
        const to = checkDate('to', request.query.to);
        const errors = [from, to].filter((day): day is FieldError => typeof day !== 'number');
        if (typeof from === 'number' && typeof to === 'number') {
          if (to < from) {
            errors.push(textFieldError('to', 'order', 'calendar.order', { other: 'from' }));
          } else if (to - from + 1 > MAX_SPAN_DAYS) {
            errors.push(textFieldError('to', 'maxSpan', 'calendar.span', { limit: MAX_SPAN_DAYS }));
          }
        }
        if (errors.length > 0) throw validationError(errors);
        const calendar = await service.calendar();
        return { days: calendar.days(request.query.from, request.query.to) };
      },
    );

    app.get(
      '/api/v1/calendar/deadline',
      {
        schema: {
          tags: ['calendar'],
          summary: 'The deadline of a time limit in working days (自受理之日起 N 个工作日)',
          description:
            'The end (23:59:59.999 +08:00) of the N-th working day after the start day. Working days ' +
            'inside pauses (补正, 特别程序) do not count; the deadline is null while an open pause holds ' +
            'the clock.',
          querystring: Type.Object({
            start: Type.String({ format: 'date-time', description: 'When the clock started (受理)' }),
            days: Type.Integer({ minimum: 0, maximum: MAX_LIMIT_DAYS, description: 'Limit in working days' }),
            pause: Type.Optional(
              Type.Array(Type.String(), {
                maxItems: MAX_PAUSES,
                description: 'Repeatable "start/end" ISO 8601 instants; an empty end = still paused',
              }),
            ),
          }),
          response: {
            200: Type.Object({
              deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
          },
        },
      },
      async (request) => {
        const errors: FieldError[] = [];
        const start = checkInstant('start', request.query.start);
        if (!(start instanceof Date)) errors.push(start);
        const pauses = parsePauses(request.query.pause ?? [], errors);
        if (errors.length > 0 || !(start instanceof Date)) throw validationError(errors);
        const calendar = await service.calendar();
        try {
          const deadline = calendar.deadline(start, request.query.days, pauses);
          return { deadline: deadline && formatChinaInstant(deadline) };
        } catch (error) {
          if (error instanceof CalendarRangeError) {
            throw validationError([
              textFieldError('days', 'range', 'calendar.beyond', { last: CALENDAR_LAST_DATE }),
            ]);
          }
          throw error;
        }
      },
    );

    app.get(
      '/api/v1/calendar/overrides',
      {
        preHandler: auth.require('calendar.manage'),
        schema: {
          tags: ['calendar'],
          summary: 'The days administrators declared working or not',
          ...adminOnly,
          response: { 200: Type.Object({ overrides: Type.Array(OverrideSchema) }) },
        },
      },
      async () => ({ overrides: (await service.listOverrides()).map(toResponse) }),
    );

    app.put(
      '/api/v1/calendar/overrides/:date',
      {
        preHandler: auth.require('calendar.manage'),
        schema: {
          tags: ['calendar'],
          summary: 'Declare a day working or not (a local holiday, a late notice)',
          ...adminOnly,
          params: DateParams,
          body: Type.Object(
            {
              working: Type.Boolean({ description: 'True: time limits count the day' }),
              reason: Type.String({ minLength: 1, maxLength: REASON_MAX_LENGTH }),
            },
            { additionalProperties: false },
          ),
          response: { 200: OverrideSchema },
        },
      },
      async (request) =>
        toResponse(await service.setOverride(request.params.date, request.body, actorOf(request))),
    );

    app.delete(
      '/api/v1/calendar/overrides/:date',
      {
        preHandler: auth.require('calendar.manage'),
        schema: {
          tags: ['calendar'],
          summary: 'Remove the override of a day (the official data applies again)',
          ...adminOnly,
          params: DateParams,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await service.removeOverride(request.params.date, actorOf(request));
        return reply.code(204).send(null);
      },
    );
  },
};
