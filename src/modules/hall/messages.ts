import { formatChinaInstant } from '../../kernel/calendar/index.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import type { ComposedMessage, ComposedSms } from '../messaging/index.ts';

/** Texts of the hall's rules (field errors) in both languages. */
defineMessages({
  'hall.past': { zh: '该时段已开始或已过去', en: 'has already started or passed' },
  'hall.notWorkingDay': { zh: '该日不是工作日', en: 'is not on a working day' },
  'hall.beyondHorizon': {
    zh: '只能预约{days}个工作日内的时段',
    en: 'must be within the next {days} working days',
  },
  'hall.notSlot': {
    zh: '不是该办理点的预约时段，请从可预约时段中选择',
    en: 'is not one of the place’s slots; choose one of the bookable slots',
  },
  'hall.hhmm': { zh: '应为 HH:MM 格式的时间', en: 'must be a time as HH:MM' },
  'hall.rangeLength': {
    zh: '时段结束时间应比开始时间至少晚{minutes}分钟',
    en: 'must be at least {minutes} minutes after the start',
  },
  'hall.rangeOrder': {
    zh: '应晚于上一时段的结束时间',
    en: 'must not be before the end of the previous range',
  },
});

/** What a booking message says about the appointment (from the event's payload). */
export interface BookedFacts {
  number: string;
  itemName: string;
  placeName: string;
  address: string | null;
  startsAt: string;
  endsAt: string;
}

const clock = (instant: string) => formatChinaInstant(new Date(instant)).slice(11, 16);
const dateOf = (instant: string) => formatChinaInstant(new Date(instant)).slice(0, 10);
const cut = (value: string, max: number) => {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
};

/** The in-app message and the SMS that confirm a booking. */
export function composeBooked(facts: BookedFacts): { message: ComposedMessage; sms: ComposedSms } {
  const date = dateOf(facts.startsAt);
  const time = `${clock(facts.startsAt)}-${clock(facts.endsAt)}`;
  const address = facts.address ?? '';
  const where = {
    zh: address ? `${facts.placeName}（${address}）` : facts.placeName,
    en: address ? `${facts.placeName} (${address})` : facts.placeName,
  };
  return {
    message: {
      kind: 'hall.booked',
      title: { zh: `预约成功：${facts.itemName}`, en: `Visit booked: ${facts.itemName}` },
      body: {
        zh: `您已预约${date} ${time}到${where.zh}办理“${facts.itemName}”，预约号${facts.number}。请携带所需材料按时前往；如不能前往，请在预约时间前取消预约。`,
        en: `You booked a visit to ${where.en} on ${date}, ${time} (China time) for "${facts.itemName}", booking number ${facts.number}. Please bring the materials needed and come on time; if you cannot come, cancel before the time.`,
      },
      links: [],
      needed: null,
      params: { ...facts },
    },
    sms: {
      template: 'hall_booking',
      params: {
        time: cut(`${date} ${time}`, 35),
        place: cut(facts.placeName, 35),
        itemName: cut(facts.itemName, 35),
        number: facts.number,
        address: cut(address || '以办理点公布为准', 60),
      },
    },
  };
}
