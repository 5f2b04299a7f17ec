import { Type } from 'typebox';
import {
  actorOf,
  assertInJurisdiction,
  noStore,
  SESSION_SECURITY,
  type Principal,
} from '../../kernel/auth.ts';
import { chinaDateOf } from '../../kernel/calendar/index.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { saveSettings } from './settings.ts';
import type { HallService } from './service.ts';
import { APPOINTMENT_STATUSES } from './workflow.ts';
import { Nullable } from '../../kernel/schemas.ts';

const Instant = (description: string) => Type.String({ format: 'date-time', description });
const PlaceCode = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Implementation code of the place (an entry of GET /catalog/items/{code}/places)',
});
const Body = Type.Object({ id: Type.Integer(), name: Type.String() });
const Status = Type.Enum([...APPOINTMENT_STATUSES], {
  description: 'booked, cancelled (by the person), arrived (checked in at the hall), no_show',
});

const Appointment = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    number: Type.String({ description: 'Booking number, e.g. YY20261207-0003' }),
    status: Status,
    item: Type.Object({ code: Type.String({ description: 'Basic code of the item' }), name: Type.String() }),
    place: Type.Object({
      code: Type.String(),
      implementingBody: Body,
      address: Nullable(Type.String()),
      phone: Nullable(Type.String()),
    }),
    startsAt: Instant('Start of the slot (+08:00)'),
    endsAt: Instant('End of the slot (+08:00)'),
    createdAt: Instant('When it was booked'),
    cancelledAt: Nullable(Instant('When it was cancelled')),
    arrivedAt: Nullable(Instant('When the person was checked in')),
  },
  { description: 'A booked visit to a place (预约)' },
);

const StaffAppointment = Type.Intersect([
  Appointment,
  Type.Object({
    applicant: Type.Object({
      name: Type.String(),
      phone: Nullable(Type.String({ description: 'Masked: 138****1234' })),
    }),
  }),
]);

const Slots = Type.Object({
  place: Type.Object({
    code: Type.String(),
    implementingBody: Body,
    address: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    officeHours: Nullable(Type.String()),
  }),
  item: Type.Object({ code: Type.String(), name: Type.String() }),
  days: Type.Array(
    Type.Object({
      date: Type.String({ format: 'date', description: 'China date' }),
      slots: Type.Array(
        Type.Object({
          startsAt: Instant('Start (+08:00)'),
          endsAt: Instant('End (+08:00)'),
          capacity: Type.Integer(),
          remaining: Type.Integer({ description: 'Seats left' }),
        }),
      ),
    }),
  ),
});

const Hours = Type.Array(
  Type.Object(
    {
      from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, China time' }),
      to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, China time' }),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 6 },
);
const SettingsBody = Type.Object(
  {
    slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    capacity: Type.Integer({ minimum: 1, maximum: 1000 }),
    hours: Hours,
    horizonDays: Type.Integer({ minimum: 1, maximum: 60 }),
  },
  { additionalProperties: false },
);
const Settings = Type.Object({
  slotMinutes: Type.Integer(),
  capacity: Type.Integer(),
  hours: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
  horizonDays: Type.Integer(),
  own: Type.Boolean({ description: 'false: the platform defaults apply' }),
  updatedAt: Nullable(Instant('When the place’s own settings last changed')),
  noShow: Type.Object(
    {
      graceMinutes: Type.Integer(),
      banNoShows: Type.Integer(),
      banWindowDays: Type.Integer(),
      banDays: Type.Integer(),
    },
    { description: 'The no-show rules (platform-wide)' },
  ),
});

const AppointmentId = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Routes of hall appointments under /api/v1/hall. */
export function hallRoutes(app: App, { db, auth }: ModuleContext, service: HallService): void {
  const tags = ['hall'];
  const security = SESSION_SECURITY;
  const staff = auth.require('case.receive', 'hall.manage');
  const manager = auth.require('hall.manage');

  app.get(
    '/api/v1/hall/places/:code/slots',
    {
      schema: {
        tags,
        summary:
          'Bookable days and slots of a place with the seats left (no sign-in): working days only, started slots left out',
        params: Type.Object({ code: PlaceCode }),
        querystring: Type.Object({
          from: Type.Optional(
            Type.String({ format: 'date', description: 'First day (default today, China time)' }),
          ),
          days: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 60,
              description: 'Working days to list (default and at most the booking horizon)',
            }),
          ),
        }),
        response: { 200: Slots },
      },
    },
    async (request) => service.slots(request.params.code, request.query),
  );

  app.post(
    '/api/v1/hall/appointments',
    {
      preHandler: auth.person(1),
      schema: {
        tags,
        security,
        summary:
          'Book a slot at a place (Idempotency-Key honoured): 409 slot-full or already-booked, 403 booking-banned',
        body: Type.Object(
          {
            place: PlaceCode,
            startsAt: Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'Start of one of the place’s slots, ISO 8601 with offset',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Appointment },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const acting = principal.acting ? { uscc: principal.acting.uscc, name: principal.acting.name } : null;
      const appointment = await service.book(
        { sub: principal.sub, name: principal.name, acting },
        request.body,
        actorOf(request),
      );
      reply.code(201);
      return appointment;
    },
  );

  app.get(
    '/api/v1/hall/appointments/mine',
    {
      preHandler: auth.person(1),
      schema: {
        tags,
        security,
        summary: 'My appointments: upcoming bookings first (soonest first), then the rest (newest first)',
        response: { 200: Type.Object({ items: Type.Array(Appointment) }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return { items: await service.mine(request.principal!.sub) };
    },
  );

  app.post(
    '/api/v1/hall/appointments/:id/cancel',
    {
      preHandler: auth.person(1),
      schema: {
        tags,
        security,
        summary: 'Cancel my booking before it starts, freeing the seat (409 when no longer possible)',
        params: AppointmentId,
        response: { 200: Appointment },
      },
    },
    async (request) => service.cancel(request.principal!.sub, request.params.id, actorOf(request)),
  );

  app.get(
    '/api/v1/hall/appointments',
    {
      preHandler: staff,
      schema: {
        tags,
        security,
        summary: 'Staff: the appointments of a day at the places in my jurisdiction, by time',
        querystring: Type.Object({
          date: Type.Optional(Type.String({ format: 'date', description: 'China date (default today)' })),
          status: Type.Optional(Status),
        }),
        response: { 200: Type.Object({ items: Type.Array(StaffAppointment) }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const date = request.query.date ?? chinaDateOf(service.deps.now());
      return { items: await service.staffList(request.principal!, { date, status: request.query.status }) };
    },
  );

  app.post(
    '/api/v1/hall/appointments/:id/arrive',
    {
      preHandler: staff,
      schema: {
        tags,
        security,
        summary:
          'Staff: check the person in at the hall, from 30 minutes before the start until the end of the slot',
        params: AppointmentId,
        response: { 200: Appointment },
      },
    },
    async (request) => service.arrive(request.principal!, request.params.id, actorOf(request)),
  );

  /** The place, when it lies in the manager's jurisdiction (403 otherwise). */
  async function managedPlace(request: { principal?: Principal | undefined }, code: string) {
    const place = await service.place(code);
    await assertInJurisdiction(
      db,
      request.principal!,
      { regionCode: place.region.code, organisationId: place.implementingBody.id },
      `The place ${code}`,
    );
    return place;
  }

  async function settingsView(code: string) {
    const s = await service.settingsAt(code);
    return {
      slotMinutes: s.slotMinutes,
      capacity: s.capacity,
      hours: s.hours,
      horizonDays: s.horizonDays,
      own: s.own,
      updatedAt: s.updatedAt,
      noShow: {
        graceMinutes: s.noShowGraceMinutes,
        banNoShows: s.banNoShows,
        banWindowDays: s.banWindowDays,
        banDays: s.banDays,
      },
    };
  }

  app.get(
    '/api/v1/hall/places/:code/settings',
    {
      preHandler: manager,
      schema: {
        tags,
        security,
        summary: 'Hall managers: the appointment settings in force at a place (its own or the defaults)',
        params: Type.Object({ code: PlaceCode }),
        response: { 200: Settings },
      },
    },
    async (request, reply) => {
      noStore(reply);
      await managedPlace(request, request.params.code);
      return settingsView(request.params.code);
    },
  );

  app.put(
    '/api/v1/hall/places/:code/settings',
    {
      preHandler: manager,
      schema: {
        tags,
        security,
        summary:
          'Hall managers: set a place’s own slot length, capacity, opening hours and horizon (bookings made stay)',
        params: Type.Object({ code: PlaceCode }),
        body: SettingsBody,
        response: { 200: Settings },
      },
    },
    async (request) => {
      const place = await managedPlace(request, request.params.code);
      await saveSettings(db, place.code, request.body, actorOf(request));
      return settingsView(place.code);
    },
  );
}
