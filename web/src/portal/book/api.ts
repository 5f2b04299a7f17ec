import { ApiProblem, api, data, type ResponseOf } from '../../api/client.ts';

/**
 * What the portal and the workbench read from the hall's appointment API
 * (src/modules/hall): a place's bookable slots, booking, my appointments, cancelling, and
 * the staff's list with check-in.
 */

/** A place's bookable days with the seats left in each slot. */
export type PlaceSlots = ResponseOf<'/api/v1/hall/places/{code}/slots', 'get'>;
export type Slot = PlaceSlots['days'][number]['slots'][number];
/** A booked visit (预约), as the person sees it. */
export type Appointment = ResponseOf<'/api/v1/hall/appointments', 'post'>;
export type AppointmentStatus = Appointment['status'];
/** A booked visit as the hall's staff see it, with who booked it (phone masked). */
export type StaffAppointment = ResponseOf<'/api/v1/hall/appointments', 'get'>['items'][number];

export const loadSlots = (place: string) =>
  data(api.GET('/api/v1/hall/places/{code}/slots', { params: { path: { code: place } } }));

export const book = (place: string, startsAt: string, idempotencyKey: string) =>
  data(
    api.POST('/api/v1/hall/appointments', {
      body: { place, startsAt },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );

export const loadMine = () => data(api.GET('/api/v1/hall/appointments/mine'));

export const cancel = (id: string) =>
  data(api.POST('/api/v1/hall/appointments/{id}/cancel', { params: { path: { id } } }));

export const loadDay = (date: string, status?: AppointmentStatus) =>
  data(api.GET('/api/v1/hall/appointments', { params: { query: { date, ...(status && { status }) } } }));

export const arrive = (id: string) =>
  data(api.POST('/api/v1/hall/appointments/{id}/arrive', { params: { path: { id } } }));

/** The booking problems the pages explain in their own words. */
export type BookingProblem = 'slot-full' | 'already-booked' | 'booking-banned';

export function bookingProblem(error: unknown): BookingProblem | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  const names = [error.problem.type, error.problem.code].filter((s): s is string => typeof s === 'string');
  for (const kind of ['slot-full', 'already-booked', 'booking-banned'] as const)
    if (names.some((name) => name === kind || name.endsWith(`/${kind}`) || name === kind.replace('-', '_')))
      return kind;
  return undefined;
}

/** A problem with the page's own title for it, keeping the request id and the rest of the server's document. */
export const retitled = (error: ApiProblem, title: string) =>
  new ApiProblem({ ...error.problem, title, titleEn: title }, error.requestId);
