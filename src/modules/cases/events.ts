import type { DeadlineWarning } from './clock.ts';
import type { CaseStatus } from './workflow.ts';

/**
 * The domain events the cases module publishes (kernel outbox), for the modules that react:
 * applications (bundle progress), messaging (the applicant's messages and SMS), department
 * systems (webhooks), supervision. Key: the case id, so one case's events keep their order.
 */
export const CASE_TOPICS = {
  /** A case was filed (one per item and department of a submitted application). */
  submitted: 'case.submitted',
  /** A step was taken on a case. */
  transitioned: 'case.transitioned',
  /** A clock reached the yellow share of its limit. */
  deadlineYellow: 'case.deadline.yellow',
  /** A clock passed its deadline. */
  deadlineRed: 'case.deadline.red',
} as const;

/** Who the case is for, as the events carry it. */
export interface CaseApplicant {
  /** Subject of the person who applied (for an enterprise: the person acting for it). */
  sub: string;
  kind: 'person' | 'enterprise';
  /** The person's or the enterprise's name. */
  name: string;
  enterpriseUscc: string | null;
}

/** What every case event says about the case. */
export interface CaseRef {
  caseId: string;
  caseNumber: string;
  applicationId: string;
  applicationNumber: string;
  part: number;
  itemCode: string;
  itemName: string;
  organisationId: number;
  organisationName: string;
  regionCode: string;
  applicant: CaseApplicant;
}

/** A material the applicant must supply or correct (补正 notice, 一次性告知). */
export interface NeededMaterial {
  name: string;
  problem: string;
}

/** Payload of `case.submitted` and `case.transitioned`. */
export interface CaseStepEvent extends CaseRef {
  /** The action taken; 'submit' for case.submitted. */
  action: string;
  from: CaseStatus | null;
  to: CaseStatus;
  /** The case reached a status it never leaves. */
  terminal: boolean;
  /** The applicant should hear of it (a message and an SMS). */
  concernsApplicant: boolean;
  /** How the actor appears to the applicant: applicant, window_clerk, approver, department_system ... */
  actorRole: string;
  reason: string | null;
  /** For a supplement notice: every material to supply. */
  needed: NeededMaterial[] | null;
  /** Documents produced by the step (受理通知书 ...), for links in messages. */
  documents: { id: string; kind: string }[];
  /** Case version after the step. */
  version: number;
  at: string;
}

/** Payload of `case.deadline.yellow` and `case.deadline.red`. */
export interface CaseDeadlineEvent extends CaseRef {
  warning: Omit<DeadlineWarning, 'deadline' | 'at'> & { deadline: string | null; at: string };
  /** Organisation and role expected to act when the clock is a stage's, else the lead body. */
  responsibleOrganisationId: number;
  responsibleRole: string | null;
}
