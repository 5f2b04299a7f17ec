import { randomBytes } from 'node:crypto';
import { audit, type Actor } from '../../kernel/audit.ts';
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { conflict, notFound, textFieldError, validationError, type FieldError } from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import { purgeReceipts, webhookEndpoint } from '../../kernel/webhooks.ts';

/**
 * Registration of department systems (table department_system): who they are, which
 * department they work for, where their case events go, and the two secrets (outbound:
 * the platform signs what it sends; inbound: the system signs its reports). Secrets are
 * encrypted at rest and shown once, at registration and at rotation.
 */

defineMessages({
  'departmentSystems.code': {
    zh: '编码应为 2 至 40 位小写字母、数字和连字符，以字母开头',
    en: 'must be 2 to 40 lower-case letters, digits and hyphens, starting with a letter',
  },
  'departmentSystems.codeReserved': { zh: '该编码为保留字', en: 'is reserved' },
  'departmentSystems.endpoint': {
    zh: '地址应为不含用户名和密码的 http(s) 地址',
    en: 'must be an http(s) URL without credentials',
  },
  'departmentSystems.endpointHttps': {
    zh: '生产环境中地址必须使用 https',
    en: 'must use https in production',
  },
  'departmentSystems.organisation': { zh: '部门不存在', en: 'is not a known organisation' },
  'departmentSystems.codeTaken': { zh: '编码已被使用', en: 'is already used by another system' },
});

/** Encryption purposes (FieldCipher AAD): a secret copied into the other column does not decrypt. */
const OUTBOUND_PURPOSE = 'deptSystemOutbound';
const INBOUND_PURPOSE = 'deptSystemInbound';

const CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Path segments of the module's own routes that a code would shadow. */
const RESERVED_CODES = new Set(['dead-letters']);
export const DEFAULT_GRACE_HOURS = 24;
export const MAX_GRACE_HOURS = 720;

/** A department system as administrators see it: never its secrets. */
export interface DepartmentSystem {
  id: number;
  code: string;
  name: string;
  organisationId: number;
  organisationName: string;
  endpointUrl: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  secretsRotatedAt: Date | null;
  /** Until when the secrets replaced by the last rotation still work; null when none do. */
  previousSecretsUntil: Date | null;
}

/** The secrets, returned once (registration, rotation): `whsec_<base64>` (Standard Webhooks). */
export interface DepartmentSystemSecrets {
  /** Verifies what the platform sends (webhook-signature of each case event). */
  outboundSecret: string;
  /** Signs the system's reports (POST /api/v1/department-systems/{code}/reports). */
  inboundSecret: string;
}

/** A system with its secrets decrypted, for signing and verifying. */
export interface SystemKeys extends DepartmentSystem {
  /** Current first; the previous one during its grace period. */
  outboundSecrets: string[];
  inboundSecrets: string[];
}

export interface CreateSystemInput {
  code: string;
  name: string;
  organisationId: number;
  endpointUrl: string;
  enabled?: boolean | undefined;
}

export interface UpdateSystemInput {
  name?: string | undefined;
  endpointUrl?: string | undefined;
  enabled?: boolean | undefined;
}

type Row = Record<string, unknown>;

const COLUMNS = `s.id, s.code, s.name, s.organisation_id, o.name as organisation_name, s.endpoint_url, s.enabled,
  s.created_at, s.updated_at, s.secrets_rotated_at, s.previous_secrets_until`;
const SECRET_COLUMNS = `s.outbound_secret_enc, s.inbound_secret_enc, s.previous_outbound_secret_enc,
  s.previous_inbound_secret_enc`;

function toSystem(r: Row): DepartmentSystem {
  return {
    id: r.id as number,
    code: r.code as string,
    name: r.name as string,
    organisationId: r.organisation_id as number,
    organisationName: r.organisation_name as string,
    endpointUrl: r.endpoint_url as string,
    enabled: r.enabled as boolean,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    secretsRotatedAt: r.secrets_rotated_at as Date | null,
    previousSecretsUntil: r.previous_secrets_until as Date | null,
  };
}

/** The row with its secrets decrypted; the previous ones only while their grace period lasts. */
function toKeys(cipher: FieldCipher, r: Row, now: Date): SystemKeys {
  const system = toSystem(r);
  const graced = system.previousSecretsUntil !== null && system.previousSecretsUntil > now;
  const outbound = [cipher.decrypt(r.outbound_secret_enc as string, OUTBOUND_PURPOSE)];
  const inbound = [cipher.decrypt(r.inbound_secret_enc as string, INBOUND_PURPOSE)];
  if (graced) {
    outbound.push(cipher.decrypt(r.previous_outbound_secret_enc as string, OUTBOUND_PURPOSE));
    inbound.push(cipher.decrypt(r.previous_inbound_secret_enc as string, INBOUND_PURPOSE));
  }
  return {
    ...system,
    ...(!graced && { previousSecretsUntil: null }),
    outboundSecrets: outbound,
    inboundSecrets: inbound,
  };
}

/** A new Standard Webhooks secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function checkEndpoint(url: string, production: boolean): FieldError | null {
  let parsed: URL;
  try {
    parsed = webhookEndpoint(url);
  } catch {
    return textFieldError('endpointUrl', 'format', 'departmentSystems.endpoint');
  }
  if (production && parsed.protocol !== 'https:') {
    return textFieldError('endpointUrl', 'https', 'departmentSystems.endpointHttps');
  }
  return null;
}

function checkCode(code: string): FieldError | null {
  if (!CODE.test(code) || code.length < 2 || code.length > 40) {
    return textFieldError('code', 'pattern', 'departmentSystems.code');
  }
  if (RESERVED_CODES.has(code)) return textFieldError('code', 'reserved', 'departmentSystems.codeReserved');
  return null;
}

async function selectSystem(db: Queryable, code: string, lock = false): Promise<Row | undefined> {
  const [row] = await db.query<Row>(
    `select ${COLUMNS}, ${SECRET_COLUMNS}
       from department_system s join organisation o on o.id = s.organisation_id
      where s.code = $1${lock ? ' for update of s' : ''}`,
    [code],
  );
  return row;
}

/** Registers a system; its two secrets are in the result and nowhere else in clear. */
export async function createSystem(
  db: Database,
  cipher: FieldCipher,
  input: CreateSystemInput,
  actor: Actor,
  options: { production: boolean },
): Promise<DepartmentSystem & DepartmentSystemSecrets> {
  const errors = [checkCode(input.code), checkEndpoint(input.endpointUrl, options.production)].filter(
    (e): e is FieldError => e !== null,
  );
  if (errors.length > 0) throw validationError(errors);
  const secrets: DepartmentSystemSecrets = {
    outboundSecret: newWebhookSecret(),
    inboundSecret: newWebhookSecret(),
  };
  return db.transaction(async (tx) => {
    const organisation = await tx.query('select 1 from organisation where id = $1', [input.organisationId]);
    if (organisation.length === 0) {
      throw validationError([textFieldError('organisationId', 'exists', 'departmentSystems.organisation')]);
    }
    const inserted = await tx.query<{ id: number }>(
      `insert into department_system (code, name, organisation_id, endpoint_url, outbound_secret_enc,
          inbound_secret_enc, enabled, created_by, updated_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       on conflict (code) do nothing returning id`,
      [
        input.code,
        input.name,
        input.organisationId,
        input.endpointUrl,
        cipher.encrypt(secrets.outboundSecret, OUTBOUND_PURPOSE),
        cipher.encrypt(secrets.inboundSecret, INBOUND_PURPOSE),
        input.enabled ?? true,
        actor.actor,
      ],
    );
    if (inserted.length === 0) {
      const t = textFieldError('code', 'unique', 'departmentSystems.codeTaken');
      throw conflict(`Department system ${input.code} already exists`, { errors: [t] });
    }
    const system = toSystem((await selectSystem(tx, input.code))!);
    await audit(tx, {
      ...actor,
      action: 'department_system.create',
      entity: 'department_system',
      entityId: system.code,
      after: system,
    });
    return { ...system, ...secrets };
  });
}

export async function listSystems(db: Queryable): Promise<DepartmentSystem[]> {
  const rows = await db.query<Row>(
    `select ${COLUMNS} from department_system s join organisation o on o.id = s.organisation_id
      order by s.code`,
  );
  return rows.map(toSystem);
}

export async function getSystem(db: Queryable, code: string): Promise<DepartmentSystem> {
  const row = await selectSystem(db, code);
  if (!row) throw notFound(`No department system ${code}`);
  return toSystem(row);
}

/** The system with its secrets, for verifying its reports; null when unknown. */
export async function systemKeys(
  db: Queryable,
  cipher: FieldCipher,
  code: string,
  now: Date = new Date(),
): Promise<SystemKeys | null> {
  const row = await selectSystem(db, code);
  return row ? toKeys(cipher, row, now) : null;
}

/** The enabled systems of any of the organisations, with their secrets (for delivering). */
export async function enabledSystemsOf(
  db: Queryable,
  cipher: FieldCipher,
  organisationIds: readonly number[],
  now: Date = new Date(),
): Promise<SystemKeys[]> {
  const rows = await db.query<Row>(
    `select ${COLUMNS}, ${SECRET_COLUMNS}
       from department_system s join organisation o on o.id = s.organisation_id
      where s.enabled and s.organisation_id = any($1::bigint[])
      order by s.id`,
    [[...new Set(organisationIds)]],
  );
  return rows.map((r) => toKeys(cipher, r, now));
}

/** Changes the name, the endpoint or whether the system is enabled. */
export async function updateSystem(
  db: Database,
  code: string,
  input: UpdateSystemInput,
  actor: Actor,
  options: { production: boolean },
): Promise<DepartmentSystem> {
  if (input.endpointUrl !== undefined) {
    const error = checkEndpoint(input.endpointUrl, options.production);
    if (error) throw validationError([error]);
  }
  return db.transaction(async (tx) => {
    const row = await selectSystem(tx, code, true);
    if (!row) throw notFound(`No department system ${code}`);
    const before = toSystem(row);
    await tx.query(
      `update department_system
          set name = coalesce($2, name), endpoint_url = coalesce($3, endpoint_url),
              enabled = coalesce($4, enabled), updated_by = $5, updated_at = now()
        where id = $1`,
      [before.id, input.name ?? null, input.endpointUrl ?? null, input.enabled ?? null, actor.actor],
    );
    const after = toSystem((await selectSystem(tx, code))!);
    await audit(tx, {
      ...actor,
      action: 'department_system.update',
      entity: 'department_system',
      entityId: code,
      before,
      after,
    });
    return after;
  });
}

/**
 * New outbound and inbound secrets. The replaced ones keep working for `graceHours`
 * (0: stop at once): outbound messages are signed with both, and reports signed with
 * either are accepted, so the department can switch without losing a message. A
 * rotation during the grace period of the previous one drops the oldest secrets.
 */
export async function rotateSecrets(
  db: Database,
  cipher: FieldCipher,
  code: string,
  graceHours: number,
  actor: Actor,
  now: Date = new Date(),
): Promise<DepartmentSystem & DepartmentSystemSecrets> {
  if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > MAX_GRACE_HOURS) {
    throw validationError([
      textFieldError('graceHours', 'range', 'rule.maximum', { limit: MAX_GRACE_HOURS }),
    ]);
  }
  const secrets: DepartmentSystemSecrets = {
    outboundSecret: newWebhookSecret(),
    inboundSecret: newWebhookSecret(),
  };
  return db.transaction(async (tx) => {
    const row = await selectSystem(tx, code, true);
    if (!row) throw notFound(`No department system ${code}`);
    const before = toSystem(row);
    const until = graceHours > 0 ? new Date(now.getTime() + graceHours * 3_600_000) : null;
    await tx.query(
      `update department_system
          set previous_outbound_secret_enc = case when $2::timestamptz is null then null else outbound_secret_enc end,
              previous_inbound_secret_enc = case when $2::timestamptz is null then null else inbound_secret_enc end,
              previous_secrets_until = $2, outbound_secret_enc = $3, inbound_secret_enc = $4,
              secrets_rotated_at = $5, updated_by = $6, updated_at = $5
        where id = $1`,
      [
        before.id,
        until,
        cipher.encrypt(secrets.outboundSecret, OUTBOUND_PURPOSE),
        cipher.encrypt(secrets.inboundSecret, INBOUND_PURPOSE),
        now,
        actor.actor,
      ],
    );
    const after = toSystem((await selectSystem(tx, code))!);
    await audit(tx, {
      ...actor,
      action: 'department_system.rotate_secrets',
      entity: 'department_system',
      entityId: code,
      before: { secretsRotatedAt: before.secretsRotatedAt },
      after: { secretsRotatedAt: after.secretsRotatedAt, previousSecretsUntil: after.previousSecretsUntil },
    });
    return { ...after, ...secrets };
  });
}

/**
 * How long report receipts and delivery records are kept: longer than a department system
 * retries a report, and than an administrator is expected to replay a dead letter (a
 * message arriving after its record was purged would be processed, or sent, again).
 */
export const RETENTION_DAYS = 30;

/** Deletes report receipts (kernel webhook_receipt) and delivery records older than the retention. */
export async function purgeDepartmentSystemRecords(
  db: Queryable,
  now: Date = new Date(),
): Promise<{ receipts: number; deliveries: number }> {
  const before = new Date(now.getTime() - RETENTION_DAYS * 86_400_000);
  const receipts = await purgeReceipts(db, before);
  const deliveries = await db.query(
    'delete from department_system_delivery where delivered_at < $1 returning 1',
    [before],
  );
  return { receipts, deliveries: deliveries.length };
}
