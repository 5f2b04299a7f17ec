import { chinaDateOf } from '../../kernel/calendar/index.ts';
import { defineMessages, text, type Text } from '../../kernel/i18n.ts';
import type { CaseDeadlineEvent, CaseStepEvent, NeededMaterial } from '../cases/index.ts';
import type { LicenceExpiringEvent } from '../licenses/index.ts';
import { SMS_TEMPLATES, type SmsTemplate } from './providers/sms.ts';

/**
 * What the messages say (pure: no database). A step of a case becomes a message to the
 * applicant (what happened, the reason, what is needed from them, links to the case and
 * its documents) and an SMS; a deadline warning becomes a message to the staff who must
 * act. Both languages are rendered when the message is written and stored with it, so the
 * inbox shows what was said at the time, in the reader's language.
 */

export interface MessageLink {
  rel: 'case' | 'document' | 'licence';
  href: string;
  label: Text;
}

export interface ComposedMessage {
  /** case_step.<action> or case_deadline.<level>. */
  kind: string;
  title: Text;
  body: Text;
  links: MessageLink[];
  needed: NeededMaterial[] | null;
  /** The values the texts were rendered from. */
  params: Record<string, unknown>;
}

export interface ComposedSms {
  template: SmsTemplate;
  params: Record<string, string>;
}

/** The applicant's page of a case, and the staff's. */
export const caseLink = (caseId: string) => `/my/cases/${caseId}`;
export const workbenchLink = (caseId: string) => `/workbench/cases/${caseId}`;
export const documentLink = (caseId: string, documentId: string) =>
  `/api/v1/cases/${caseId}/documents/${documentId}`;

/**
 * Texts per action: `step`, the short outcome (titles and the SMS); `happened`, the first
 * sentence; `need`, what the applicant must do now (or that nothing is needed).
 * Placeholders: {item} {number} {org} {date} {action}.
 */
const NOTHING_NEEDED: Text = {
  zh: '目前无需您操作，后续进展将通过站内信和短信告知您。',
  en: 'Nothing is needed from you now; you will be told of the next steps.',
};
const APPEAL: Text = {
  zh: '如不服本决定，可以在收到决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。',
  en: 'If you disagree, you may apply for administrative reconsideration within sixty days of receiving the decision, or bring an administrative lawsuit within six months.',
};
const REAPPLY: Text = {
  zh: '如仍需办理，请按上述理由准备后重新申请。',
  en: 'If you still need this service, prepare as the reason says and apply again.',
};

const STEP_TEXTS: Record<string, { step: Text; happened: Text; need: Text }> = {
  submit: {
    step: { zh: '已提交', en: 'filed' },
    happened: {
      zh: '您申请的“{item}”已于{date}提交，办件编号{number}，由{org}办理。',
      en: 'Your application for "{item}" was filed on {date} as case {number}, to be handled by {org}.',
    },
    need: NOTHING_NEEDED,
  },
  receive: {
    step: { zh: '已接件，正在预审', en: 'received for pre-review' },
    happened: {
      zh: '{org}已于{date}接收您的办件{number}（{item}），正在预审。',
      en: '{org} received your case {number} ({item}) on {date} and is pre-reviewing it.',
    },
    need: NOTHING_NEEDED,
  },
  prereview: {
    step: { zh: '预审中', en: 'in pre-review' },
    happened: {
      zh: '{org}已于{date}对您的办件{number}（{item}）提出预审意见。',
      en: '{org} gave a pre-review opinion on your case {number} ({item}) on {date}.',
    },
    need: NOTHING_NEEDED,
  },
  accept: {
    step: { zh: '已受理', en: 'accepted' },
    happened: {
      zh: '{org}已于{date}受理您的办件{number}（{item}），办理时限自受理之日起计算。',
      en: '{org} accepted your case {number} ({item}) on {date}; the time limit runs from acceptance.',
    },
    need: NOTHING_NEEDED,
  },
  reject: {
    step: { zh: '不予受理', en: 'not accepted' },
    happened: {
      zh: '{org}于{date}决定对您的办件{number}（{item}）不予受理。',
      en: '{org} decided on {date} not to accept your case {number} ({item}).',
    },
    need: APPEAL,
  },
  request_supplement: {
    step: { zh: '需补齐补正材料', en: 'needs more materials' },
    happened: {
      zh: '{org}于{date}对您的办件{number}（{item}）作出补齐补正告知（一次性告知），补正期间办理时限暂停计算。',
      en: '{org} asked on {date} for materials to be supplied for your case {number} ({item}) (one-time notice); the time limit stops until you supply them.',
    },
    need: {
      zh: '请一次性补交以下{count}项材料：',
      en: 'Please supply these {count} materials, all at once:',
    },
  },
  supplement: {
    step: { zh: '已补交材料', en: 'materials supplied' },
    happened: {
      zh: '您已于{date}补交办件{number}（{item}）的材料，办件继续办理。',
      en: 'You supplied the materials of case {number} ({item}) on {date}; the case goes on.',
    },
    need: NOTHING_NEEDED,
  },
  review_approve: {
    step: { zh: '通过审查环节', en: 'passed a review stage' },
    happened: {
      zh: '您的办件{number}（{item}）已于{date}通过{org}的审查环节。',
      en: 'Your case {number} ({item}) passed a review stage at {org} on {date}.',
    },
    need: NOTHING_NEEDED,
  },
  review_deny: {
    step: { zh: '审查环节提出不同意见', en: 'received a negative review opinion' },
    happened: {
      zh: '{org}的审查环节于{date}对您的办件{number}（{item}）提出不同意见，将由决定环节作出决定。',
      en: 'A review stage at {org} gave a negative opinion on your case {number} ({item}) on {date}; the decision follows.',
    },
    need: NOTHING_NEEDED,
  },
  suspend: {
    step: { zh: '进入特别程序', en: 'in a special procedure' },
    happened: {
      zh: '您的办件{number}（{item}）于{date}进入特别程序（挂起），特别程序所需时间不计入办理时限。',
      en: 'Your case {number} ({item}) entered a special procedure on {date}; its time does not count toward the time limit.',
    },
    need: NOTHING_NEEDED,
  },
  resume: {
    step: { zh: '恢复办理', en: 'resumed' },
    happened: {
      zh: '您的办件{number}（{item}）已于{date}恢复办理，办理时限继续计算。',
      en: 'Your case {number} ({item}) resumed on {date}; the time limit runs again.',
    },
    need: NOTHING_NEEDED,
  },
  extend: {
    step: { zh: '办理时限已延长', en: 'time limit extended' },
    happened: {
      zh: '经{org}负责人批准，您的办件{number}（{item}）的办理时限已于{date}依法延长。',
      en: 'With the approval of the head of {org}, the time limit of your case {number} ({item}) was extended on {date}.',
    },
    need: NOTHING_NEEDED,
  },
  decide_approve: {
    step: { zh: '准予许可', en: 'approved' },
    happened: {
      zh: '{org}已于{date}对您的办件{number}（{item}）作出准予许可决定。',
      en: '{org} approved your case {number} ({item}) on {date}.',
    },
    need: NOTHING_NEEDED,
  },
  decide_deny: {
    step: { zh: '不予许可', en: 'denied' },
    happened: {
      zh: '{org}于{date}对您的办件{number}（{item}）作出不予许可决定。',
      en: '{org} denied your case {number} ({item}) on {date}.',
    },
    need: APPEAL,
  },
  make_certificate: {
    step: { zh: '已制证', en: 'certificate made' },
    happened: {
      zh: '您的办件{number}（{item}）的证照已于{date}制作完成。',
      en: 'The certificate of your case {number} ({item}) was made on {date}.',
    },
    need: { zh: '请留意送达或领取通知。', en: 'You will be told how it reaches you.' },
  },
  deliver: {
    step: { zh: '结果已送达', en: 'result delivered' },
    happened: {
      zh: '您的办件{number}（{item}）的办理结果已于{date}送达。',
      en: 'The result of your case {number} ({item}) was delivered on {date}.',
    },
    need: { zh: '请注意查收。', en: 'Please check that you received it.' },
  },
  complete: {
    step: { zh: '已办结', en: 'completed' },
    happened: {
      zh: '您的办件{number}（{item}）已于{date}办结。',
      en: 'Your case {number} ({item}) was completed on {date}.',
    },
    need: {
      zh: '欢迎对本次服务作出评价（好差评）。',
      en: 'You are welcome to evaluate the service.',
    },
  },
  withdraw: {
    step: { zh: '已撤回', en: 'withdrawn' },
    happened: {
      zh: '您的办件{number}（{item}）已于{date}撤回，办理终止。',
      en: 'Your case {number} ({item}) was withdrawn on {date}; handling has ended.',
    },
    need: {
      zh: '如仍需办理，请重新申请。',
      en: 'If you still need this service, apply again.',
    },
  },
  return: {
    step: { zh: '已退件', en: 'returned' },
    happened: {
      zh: '{org}于{date}退回了您的办件{number}（{item}）。',
      en: '{org} returned your case {number} ({item}) on {date}.',
    },
    need: REAPPLY,
  },
};

/** A step this catalog does not know yet: said in general words. */
const OTHER_STEP = {
  step: { zh: '有新进展', en: 'has progressed' },
  happened: {
    zh: '您的办件{number}（{item}）于{date}有新进展（{action}）。',
    en: 'Your case {number} ({item}) progressed on {date} ({action}).',
  },
  need: NOTHING_NEEDED,
};

const DOCUMENT_NAMES: Record<string, Text> = {
  acceptance_notice: { zh: '受理通知书', en: 'acceptance notice' },
  rejection_decision: { zh: '不予受理决定书', en: 'decision not to accept' },
  supplement_notice: { zh: '补正材料通知书（一次性告知书）', en: 'notice to supply materials' },
  approval_decision: { zh: '准予许可决定书', en: 'approval decision' },
  denial_decision: { zh: '不予许可决定书', en: 'denial decision' },
};

defineMessages({
  ...Object.fromEntries(
    Object.entries({ ...STEP_TEXTS, other: OTHER_STEP }).flatMap(([action, t]) => [
      [`messaging.step.${action}.step`, t.step],
      [`messaging.step.${action}.happened`, t.happened],
      [`messaging.step.${action}.need`, t.need],
    ]),
  ),
  ...Object.fromEntries(Object.entries(DOCUMENT_NAMES).map(([kind, t]) => [`messaging.document.${kind}`, t])),
  'messaging.document.other': { zh: '文书', en: 'document' },
  'messaging.step.title': { zh: '【{step}】{item}', en: '[{step}] {item}' },
  'messaging.reason': { zh: '理由：{reason}', en: 'Reason: {reason}' },
  'messaging.needed.item': { zh: '{index}. {name}：{problem}', en: '{index}. {name}: {problem}' },
  'messaging.link.document': { zh: '{label}：{href}', en: '{label}: {href}' },
  'messaging.link.case': { zh: '查看办件：{href}', en: 'View the case: {href}' },
  'messaging.sms.hint.supplement': { zh: '请补交材料{count}项。', en: 'Supply {count} materials.' },
  'messaging.sms.hint.reason': { zh: '理由见站内信。', en: 'See the message for the reason.' },
  'messaging.clock.legal': { zh: '法定办结时限', en: 'legal time limit' },
  'messaging.clock.promised': { zh: '承诺办结时限', en: 'promised time limit' },
  'messaging.clock.stage': { zh: '“{stage}”环节时限', en: 'time limit of the stage {stage}' },
  'messaging.clock.branch': {
    zh: '“{stage}”环节（{branch}）时限',
    en: 'time limit of the stage {stage} ({branch})',
  },
  'messaging.deadline.yellow.title': {
    zh: '【时限预警】{number} {item}',
    en: '[Deadline warning] {number} {item}',
  },
  'messaging.deadline.yellow.body': {
    zh: '办件{number}（{item}，申请人{applicant}）的{clock}已用{used}个工作日（共{limit}个，{percent}%），剩余{remaining}个工作日，{due}。请抓紧办理。',
    en: 'Case {number} ({item}, applicant {applicant}) has used {used} of the {limit} working days of its {clock} ({percent}%); {remaining} remain, {due}. Please act soon.',
  },
  'messaging.deadline.red.title': { zh: '【已超期】{number} {item}', en: '[Overdue] {number} {item}' },
  'messaging.deadline.red.body': {
    zh: '办件{number}（{item}，申请人{applicant}）的{clock}（{limit}个工作日）已于{deadline}到期，已用{used}个工作日。请立即办理。',
    en: 'The {clock} ({limit} working days) of case {number} ({item}, applicant {applicant}) ran out on {deadline}; {used} working days are used. Please act now.',
  },
  'messaging.deadline.due': { zh: '{date}到期', en: 'due {date}' },
  'messaging.deadline.due.unknown': { zh: '到期日待定', en: 'due date not yet known' },
  'messaging.deadline.unknown': { zh: '（日期待定）', en: '(date not yet known)' },
});

/** '2026-03-02' -> { zh: '2026年3月2日', en: '2026-03-02' }, in China time. */
export function chinaDate(instant: Date): Text {
  const iso = chinaDateOf(instant);
  const [year, month, day] = iso.split('-').map(Number);
  return { zh: `${year}年${month}月${day}日`, en: iso };
}

/** Renders a catalog text in both languages, each with the parameter values of its language. */
function bilingual(key: string, params: Record<string, string | number | Text>): Text {
  const pick = (language: 'zh' | 'en') =>
    Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        typeof value === 'object' ? value[language] : value,
      ]),
    );
  return { zh: text(key, pick('zh')).zh, en: text(key, pick('en')).en };
}

const joinLines = (lines: Text[]): Text => ({
  zh: lines.map((l) => l.zh).join('\n'),
  en: lines.map((l) => l.en).join('\n'),
});

const stepKey = (action: string) => (action in STEP_TEXTS ? action : 'other');

/** The applicant's message about a step of their case. */
export function composeStepMessage(event: CaseStepEvent): ComposedMessage {
  const key = stepKey(event.action);
  const needed = event.needed && event.needed.length > 0 ? event.needed : null;
  const params = {
    item: event.itemName,
    number: event.caseNumber,
    org: event.organisationName,
    date: chinaDate(new Date(event.at)),
    action: event.action,
    count: needed?.length ?? 0,
  };
  const step = text(`messaging.step.${key}.step`);
  const links: MessageLink[] = [
    ...event.documents.map((document) => ({
      rel: 'document' as const,
      href: documentLink(event.caseId, document.id),
      label: text(`messaging.document.${document.kind in DOCUMENT_NAMES ? document.kind : 'other'}`),
    })),
    { rel: 'case', href: caseLink(event.caseId), label: { zh: '查看办件', en: 'View the case' } },
  ];
  const lines: Text[] = [bilingual(`messaging.step.${key}.happened`, params)];
  if (event.reason) lines.push(text('messaging.reason', { reason: event.reason }));
  // A supplement notice lists what is needed; other steps say whether anything is.
  if (needed || key !== 'request_supplement') lines.push(bilingual(`messaging.step.${key}.need`, params));
  needed?.forEach((material, i) =>
    lines.push(
      text('messaging.needed.item', { index: i + 1, name: material.name, problem: material.problem }),
    ),
  );
  for (const link of links) {
    lines.push(
      link.rel === 'case'
        ? text('messaging.link.case', { href: link.href })
        : bilingual('messaging.link.document', { label: link.label, href: link.href }),
    );
  }
  return {
    kind: `case_step.${event.action}`,
    title: bilingual('messaging.step.title', { step, item: event.itemName }),
    body: joinLines(lines),
    links,
    needed,
    params: {
      caseId: event.caseId,
      caseNumber: event.caseNumber,
      itemCode: event.itemCode,
      itemName: event.itemName,
      organisationName: event.organisationName,
      action: event.action,
      from: event.from,
      to: event.to,
      actorRole: event.actorRole,
      reason: event.reason,
      documents: event.documents,
      at: event.at,
    },
  };
}

/** Cuts a value to the characters a template variable may hold, marking the cut. */
function fit(value: string, maxLength: number): string {
  const chars = Array.from(value);
  return chars.length <= maxLength ? value : `${chars.slice(0, maxLength - 1).join('')}…`;
}

/** The SMS about a step (in Chinese: the registered template is). */
export function composeStepSms(event: CaseStepEvent): ComposedSms {
  const limits = SMS_TEMPLATES.case_step.params;
  const key = stepKey(event.action);
  const count = event.needed?.length ?? 0;
  const hint =
    count > 0
      ? text('messaging.sms.hint.supplement', { count }).zh
      : event.reason
        ? text('messaging.sms.hint.reason').zh
        : '';
  return {
    template: 'case_step',
    params: {
      caseNumber: fit(event.caseNumber, limits.caseNumber),
      itemName: fit(event.itemName, limits.itemName),
      step: fit(text(`messaging.step.${key}.step`).zh, limits.step),
      hint: fit(hint, limits.hint),
      link: fit(caseLink(event.caseId), limits.link),
    },
  };
}

/** What a clock is called: 'legal', 'promised', 'stage:<code>' or 'stage:<code>/<branch>'. */
export function clockName(clock: string): Text {
  if (clock === 'legal' || clock === 'promised') return text(`messaging.clock.${clock}`);
  const stage = /^stage:([^/]+)(?:\/(.+))?$/.exec(clock);
  if (stage?.[2]) return text('messaging.clock.branch', { stage: stage[1]!, branch: stage[2] });
  if (stage) return text('messaging.clock.stage', { stage: stage[1]! });
  return { zh: clock, en: clock };
}

/** The staff's message about a deadline warning of a case they are responsible for. */
export function composeDeadlineMessage(event: CaseDeadlineEvent): ComposedMessage {
  const { warning } = event;
  const level = warning.level === 'red' ? 'red' : 'yellow';
  const deadline = warning.deadline ? chinaDate(new Date(warning.deadline)) : null;
  const params = {
    number: event.caseNumber,
    item: event.itemName,
    applicant: event.applicant.name,
    clock: clockName(warning.clock),
    used: warning.usedWorkingDays,
    limit: warning.limitDays,
    remaining: Math.max(warning.remainingWorkingDays, 0),
    percent: Math.round(warning.shareUsed * 100),
    deadline: deadline ?? text('messaging.deadline.unknown'),
    due: deadline
      ? bilingual('messaging.deadline.due', { date: deadline })
      : text('messaging.deadline.due.unknown'),
  };
  const link: MessageLink = {
    rel: 'case',
    href: workbenchLink(event.caseId),
    label: { zh: '办理办件', en: 'Handle the case' },
  };
  return {
    kind: `case_deadline.${level}`,
    title: bilingual(`messaging.deadline.${level}.title`, params),
    body: joinLines([
      bilingual(`messaging.deadline.${level}.body`, params),
      text('messaging.link.case', { href: link.href }),
    ]),
    links: [link],
    needed: null,
    params: {
      caseId: event.caseId,
      caseNumber: event.caseNumber,
      itemCode: event.itemCode,
      itemName: event.itemName,
      clock: warning.clock,
      level,
      deadline: warning.deadline,
      limitDays: warning.limitDays,
      usedWorkingDays: warning.usedWorkingDays,
      remainingWorkingDays: warning.remainingWorkingDays,
      shareUsed: warning.shareUsed,
      responsibleOrganisationId: event.responsibleOrganisationId,
      responsibleRole: event.responsibleRole,
      at: warning.at,
    },
  };
}

/** The holder's link to a licence in the wallet. */
export const licenceLink = (licenceId: string) => `/my/licenses/${encodeURIComponent(licenceId)}`;

/** A licence about to expire: a reminder to its holder to renew in time. */
export function composeLicenceExpiring(event: LicenceExpiringEvent): ComposedMessage {
  return {
    kind: 'licence.expiring',
    title: {
      zh: `您的${event.typeName}将于${event.daysLeft}天后到期`,
      en: `Your ${event.typeName} expires in ${event.daysLeft} days`,
    },
    body: {
      zh: `尊敬的${event.holderName}：您的${event.typeName}（${event.licenceId}）有效期至${event.validUntil}，请在到期前及时办理延续或换证。`,
      en: `Dear ${event.holderName}, your ${event.typeName} (${event.licenceId}) is valid until ${event.validUntil}. Please renew it before it expires.`,
    },
    links: [
      {
        rel: 'licence',
        href: licenceLink(event.licenceId),
        label: { zh: '查看证照', en: 'View the licence' },
      },
    ],
    needed: null,
    params: { ...event },
  };
}
