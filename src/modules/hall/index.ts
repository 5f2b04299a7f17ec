/**
 * Hall (办事大厅), appointments part (预约办理): people book a visit to a place that handles
 * an item (a catalog implementation entry) in a slot of a working day; staff see the day's
 * bookings of their jurisdiction and check people in; a sweep marks no-shows, and repeated
 * no-shows suspend booking for a while. The booking is confirmed in-app and by SMS through
 * the messaging module. Queue tickets and calling come later.
 */
import { calendarServiceFor } from '../../kernel/calendar/index.ts';
import type { TongbanModule } from '../../kernel/http.ts';
import { contactPhone } from '../identity/index.ts';
import { composeBooked } from './messages.ts';
import { hallRoutes } from './routes.ts';
import { HallService } from './service.ts';
import { hallSettings } from './settings.ts';
import type { AppointmentEvent } from './store.ts';
import { HALL_TOPICS } from './workflow.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The hall's services (tests drive the no-show sweep through it). */
    hall: { service: HallService };
  }
}

/** The outbox subscriber that confirms bookings to the person. */
export const HALL_MESSAGES_SUBSCRIBER = 'hall.messages';

export const hallModule: TongbanModule = {
  name: 'hall',
  routes(app, context) {
    const { db, config, outbox } = context;
    const service = new HallService({
      db,
      settings: hallSettings(config.hall),
      calendar: () => calendarServiceFor(db).calendar(),
      now: () => new Date(),
      phoneOf: (sub) => contactPhone(app.identity, db, sub),
    });
    app.decorate('hall', { service });
    app.jobs.push({ name: 'hall.no-shows', everyMs: 60_000, run: () => service.sweepNoShows() });
    outbox.subscribe<AppointmentEvent>(HALL_MESSAGES_SUBSCRIBER, [HALL_TOPICS.booked], async (event) => {
      const p = event.payload;
      const { message, sms } = composeBooked({
        number: p.number,
        itemName: p.item.name,
        placeName: p.place.organisationName,
        address: p.address,
        startsAt: p.startsAt,
        endsAt: p.endsAt,
      });
      await app.messaging.notify({
        eventId: event.id,
        topic: event.topic,
        recipientSub: p.personSub,
        message,
        sms,
      });
    });
    hallRoutes(app, context, service);
  },
};

export { HallService, type Booker, type HallDeps, type PlaceSlots, type SlotView } from './service.ts';
export { hallSettings, ARRIVE_EARLY_MINUTES, type HallSettings } from './settings.ts';
export { bookableDays, checkSlot, slotsOfDay, type Slot, type SlotSettings } from './slots.ts';
export type { Appointment, AppointmentEvent, StaffAppointment } from './store.ts';
export {
  APPOINTMENT_ACTIONS,
  APPOINTMENT_STATUSES,
  APPOINTMENT_TRANSITIONS,
  HALL_TOPICS,
  type AppointmentAction,
  type AppointmentStatus,
} from './workflow.ts';
