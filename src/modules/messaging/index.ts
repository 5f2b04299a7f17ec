/**
 * Messaging (issue 4 item 7): people hear of their cases. Every step that concerns the
 * applicant becomes an in-app message (站内信) and an SMS; a deadline warning becomes a
 * message to the staff who must act. Fed by the cases module's events through the outbox;
 * the SMS gateway is a provider (demo by default).
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { LICENCE_TOPICS, type LicenceExpiringEvent } from '../licenses/index.ts';
import { composeLicenceExpiring } from './compose.ts';
import { insertMessages } from './queries.ts';
import { DemoMessagingSmsProvider, type MessagingSmsProvider } from './providers/sms.ts';
import { deliverNotice, type Notice } from './notices.ts';
import { messagingRoutes } from './routes.ts';
import { DEADLINE_TOPICS, deliverSms, deliverToInbox, STEP_TOPICS, type MessagingDeps } from './service.ts';

/** The messaging module's services on the app (tests read the demo SMS gateway through it). */
export interface MessagingContext {
  sms: MessagingSmsProvider;
  /** Tells a person what another module composed (in-app + SMS), once per (event, recipient). */
  notify(notice: Notice): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    messaging: MessagingContext;
  }
}

export const messagingModule: TongbanModule = {
  name: 'messaging',
  routes(app, context) {
    const sms = new DemoMessagingSmsProvider({
      onSend: (record) => {
        if (context.config.nodeEnv === 'development') app.log.info({ sms: record.text }, 'demo SMS gateway');
      },
    });
    const deps: MessagingDeps = { db: context.db, identity: app.identity, sms };
    app.decorate('messaging', {
      sms,
      notify: (notice) => deliverNotice(deps, notice),
    } satisfies MessagingContext);
    context.outbox.subscribe('messaging.inbox', [...STEP_TOPICS, ...DEADLINE_TOPICS], async (event) => {
      await deliverToInbox(deps, event);
    });
    context.outbox.subscribe('messaging.sms', STEP_TOPICS, async (event) => {
      await deliverSms(deps, event);
    });
    context.outbox.subscribe<LicenceExpiringEvent>(
      'messaging.licences',
      [LICENCE_TOPICS.expiring],
      async (event) => {
        await insertMessages(context.db, [
          {
            recipientSub: event.payload.holderSub,
            audience: 'applicant',
            eventId: event.id,
            topic: event.topic,
            caseId: null,
            caseNumber: null,
            message: composeLicenceExpiring(event.payload),
          },
        ]);
      },
    );
    messagingRoutes(app, context);
  },
};

export {
  composeDeadlineMessage,
  composeStepMessage,
  composeStepSms,
  type ComposedMessage,
  type ComposedSms,
  type MessageLink,
} from './compose.ts';
export { type Notice } from './notices.ts';
export {
  DemoMessagingSmsProvider,
  renderSms,
  SMS_TEMPLATES,
  SmsSendError,
  type DemoMessagingSmsOptions,
  type DemoSmsRecord,
  type MessagingSms,
  type MessagingSmsProvider,
  type SmsReceipt,
  type SmsTemplate,
} from './providers/sms.ts';
export {
  countUnread,
  listMessages,
  listSms,
  type MessageFilter,
  type MessagePage,
  type MessageView,
  type SmsNotification,
  type SmsStatus,
} from './queries.ts';
export { SMS_MAX_ATTEMPTS } from './service.ts';
