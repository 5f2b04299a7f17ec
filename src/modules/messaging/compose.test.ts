import { describe, expect, it } from 'vitest';
import { CASE_ACTIONS, type CaseDeadlineEvent, type CaseStepEvent } from '../cases/index.ts';
import {
  chinaDate,
  clockName,
  composeDeadlineMessage,
  composeStepMessage,
  composeStepSms,
} from './compose.ts';
import { renderSms, SMS_TEMPLATES } from './providers/sms.ts';

const CASE_ID = '6f1c1a52-5d0e-4d7c-9a43-0e0c4c2f7d11';

const step = (changes: Partial<CaseStepEvent> = {}): CaseStepEvent => ({
  caseId: CASE_ID,
  caseNumber: '3299012026030200001X',
  applicationId: '0b7e0d0e-8d1f-4b8e-9a55-7a3c2b1d0e9f',
  applicationNumber: '3299012026030200001X',
  part: 1,
  itemCode: '11329900MB0000000X-XK-0001-01',
  itemName: '食品经营许可（新办）',
  organisationId: 7,
  organisationName: '示例市市场监督管理局',
  regionCode: '329901000000',
  applicant: {
    sub: '2c5e8f0a-3b7d-4e1f-8a9b-0c1d2e3f4a5b',
    kind: 'person',
    name: '张三',
    enterpriseUscc: null,
  },
  action: 'accept',
  from: 'prereviewing',
  to: 'accepted',
  terminal: false,
  concernsApplicant: true,
  actorRole: 'window_clerk',
  reason: null,
  needed: null,
  documents: [],
  version: 3,
  at: '2026-03-02T06:30:00.000Z',
  ...changes,
});

describe('composing messages', () => {
  it('has its own words for every action of the lifecycle and for the submission', () => {
    for (const action of ['submit', ...CASE_ACTIONS]) {
      const message = composeStepMessage(step({ action }));
      expect(message.kind).toBe(`case_step.${action}`);
      expect(message.title.zh, action).not.toContain('有新进展');
      expect(message.body.en, action).not.toContain('progressed');
      expect(message.body.zh).toContain('3299012026030200001X');
      expect(message.body.en).toContain('3299012026030200001X');
      expect(composeStepSms(step({ action })).params.step).not.toBe('有新进展');
    }
  });

  it('says an action it does not know in general words', () => {
    const message = composeStepMessage(step({ action: 'inspect_on_site' }));
    expect(message.title.zh).toBe('【有新进展】食品经营许可（新办）');
    expect(message.body.zh).toContain('有新进展（inspect_on_site）');
  });

  it('dates steps in China time', () => {
    expect(chinaDate(new Date('2026-03-01T17:00:00Z'))).toEqual({ zh: '2026年3月2日', en: '2026-03-02' });
    const message = composeStepMessage(step({ at: '2026-03-01T16:30:00.000Z' }));
    expect(message.body.zh).toContain('已于2026年3月2日受理');
  });

  it('takes what staff wrote literally, placeholders and all', () => {
    const message = composeStepMessage(
      step({
        action: 'reject',
        reason: '材料中{item}与$&不符',
        needed: [{ name: '{number}', problem: '$1' }],
      }),
    );
    expect(message.body.zh).toContain('理由：材料中{item}与$&不符');
    expect(message.needed).toEqual([{ name: '{number}', problem: '$1' }]);
  });

  it('fits the SMS parameters into what the template allows, cutting long names visibly', () => {
    const long = '某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某许可';
    const sms = composeStepSms(
      step({
        itemName: long,
        action: 'request_supplement',
        needed: [
          { name: '营业执照', problem: '不清晰' },
          { name: '场所证明', problem: '缺少' },
        ],
      }),
    );
    const limits: Record<string, number> = SMS_TEMPLATES.case_step.params;
    for (const [name, value] of Object.entries(sms.params)) {
      expect(Array.from(value).length, name).toBeLessThanOrEqual(limits[name]!);
    }
    expect(sms.params.itemName).toHaveLength(35);
    expect(sms.params.itemName!.endsWith('…')).toBe(true);
    expect(renderSms(sms.template, sms.params)).toContain('需补齐补正材料。请补交材料2项。');
  });

  it('names the clocks of the case and of its stages', () => {
    expect(clockName('legal').zh).toBe('法定办结时限');
    expect(clockName('promised').en).toBe('promised time limit');
    expect(clockName('stage:review').zh).toBe('“review”环节时限');
    expect(clockName('stage:review/health').en).toBe('time limit of the stage review (health)');
  });

  it('tells staff how much of a clock is used, and when a case is overdue', () => {
    const base = step();
    const warning = (level: 'yellow' | 'red'): CaseDeadlineEvent => ({
      ...base,
      warning: {
        type: `case.deadline.${level}`,
        key: `${CASE_ID}:promised:${level}`,
        caseId: CASE_ID,
        clock: 'promised',
        level,
        deadline: level === 'red' ? '2026-03-13T15:59:59.999Z' : null,
        limitDays: 10,
        usedWorkingDays: level === 'red' ? 12 : 8,
        remainingWorkingDays: level === 'red' ? -2 : 2,
        shareUsed: level === 'red' ? 1.2 : 0.8,
        at: '2026-03-16T01:00:00.000Z',
      },
      responsibleOrganisationId: 7,
      responsibleRole: null,
    });
    const yellow = composeDeadlineMessage(warning('yellow'));
    expect(yellow.body.zh).toContain('承诺办结时限已用8个工作日（共10个，80%），剩余2个工作日，到期日待定。');
    const red = composeDeadlineMessage(warning('red'));
    expect(red.kind).toBe('case_deadline.red');
    expect(red.body.zh).toContain('承诺办结时限（10个工作日）已于2026年3月13日到期，已用12个工作日');
    expect(red.body.en).toContain('ran out on 2026-03-13');
    expect(red.links).toEqual([
      { rel: 'case', href: `/workbench/cases/${CASE_ID}`, label: { zh: '办理办件', en: 'Handle the case' } },
    ]);
  });
});
