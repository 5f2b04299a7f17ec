import { Type } from 'typebox';
import { noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { CREDIT_KINDS, readCreditRecords } from './credit.ts';
import { QUALITY_RESOURCES, qualityReport } from './quality.ts';
import { readEnterprise, readPerson } from './service.ts';

const Person = Type.Object({
  idNumber: Type.String({
    description:
      'Resident ID number (GB 11643); masked (1101**********002X) unless the caller holds pii.read_full',
  }),
  name: Type.String(),
  sex: Type.Enum(['male', 'female']),
  birthDate: Type.String({ format: 'date' }),
  regionCode: Type.String({ description: '12-digit code of the region of household registration' }),
  phone: Type.Union([Type.String(), Type.Null()], {
    description: 'Masked unless the caller holds pii.read_full',
  }),
});
const Enterprise = Type.Object({
  uscc: Type.String({ description: 'Unified social credit code (GB 32100)' }),
  name: Type.String(),
  type: Type.String({ description: '有限责任公司, 个体工商户 ...' }),
  legalRepresentative: Type.Object({
    idNumber: Type.Union([Type.String(), Type.Null()], {
      description: 'Masked unless the caller holds pii.read_full',
    }),
    name: Type.String(),
  }),
  regionCode: Type.String(),
  registeredCapitalCny: Type.Union([Type.Number(), Type.Null()]),
  establishedOn: Type.String({ format: 'date' }),
  status: Type.String({ description: '存续, 在业, 停业, 迁出, 吊销 or 注销' }),
});

const SubjectKind = Type.Enum(['person', 'enterprise'], {
  description: 'person (keyed by resident ID number) or enterprise (keyed by credit code)',
});
const CreditRecord = Type.Object({
  id: Type.Integer(),
  subjectKind: SubjectKind,
  subjectKey: Type.String({
    description: "ID number or credit code; a resident's masked unless the caller holds pii.read_full",
  }),
  kind: Type.Enum([...CREDIT_KINDS], {
    description:
      'honour (守信激励), dishonest_debtor (失信被执行人), administrative_penalty (行政处罚), abnormal_operation (经营异常名录), serious_violation (严重违法失信)',
  }),
  title: Type.String({ description: 'What the record is about, as the issuing body words it' }),
  authority: Type.String({ description: 'Name of the issuing body' }),
  decidedOn: Type.String({ format: 'date' }),
  validUntil: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: 'Last day in force; null while open-ended',
  }),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Kind-specific: caseNumber, decisionNumber, amountCny, performance ...',
  }),
});
const CreditRecordList = Type.Object({
  subject: Type.Object({
    kind: SubjectKind,
    key: Type.String({ description: "A resident's ID number masked unless the caller holds pii.read_full" }),
    name: Type.Union([Type.String(), Type.Null()], {
      description:
        'As registered; null for a subject neither the population nor the market-entity registry holds',
    }),
  }),
  records: Type.Array(CreditRecord, { description: 'Newest decision first' }),
});

const Count = Type.Integer({ minimum: 0 });
const QualityReport = Type.Object({
  resource: Type.Enum([...QUALITY_RESOURCES]),
  generatedAt: Type.String({ format: 'date-time' }),
  totalRows: Count,
  invalidIdentifiers: Type.Object(
    {
      count: Count,
      byRule: Type.Record(Type.String(), Count, { description: 'Count per rule broken (checkDigit ...)' }),
      samples: Type.Array(
        Type.Object({
          key: Type.String({ description: 'Masked' }),
          rule: Type.String(),
          messageEn: Type.String(),
        }),
      ),
    },
    {
      description:
        'ID numbers or credit codes of the right shape whose check digits (or dates, regions) are wrong',
    },
  ),
  duplicates: Type.Object(
    {
      on: Type.Array(Type.String(), { description: 'Fields whose equal values make records duplicates' }),
      groups: Count,
      rows: Type.Integer({ minimum: 0, description: 'Records in those groups, the first of each included' }),
      samples: Type.Array(
        Type.Object({
          values: Type.Record(Type.String(), Type.String(), {
            description: "Shared values; residents' names and ID numbers masked",
          }),
          count: Count,
          keys: Type.Array(Type.String(), {
            description: 'The first records of the group: masked identifiers, or credit record ids',
          }),
        }),
        { description: 'Largest groups first' },
      ),
    },
    {
      description:
        'population: same name, birth date and region; legal_entity: same name; credit: same subject, kind, title and decision date',
    },
  ),
  stale: Type.Object({
    staleAfterDays: Count,
    updatedBefore: Type.String({ format: 'date-time' }),
    count: Count,
    samples: Type.Array(
      Type.Object({ key: Type.String(), updatedAt: Type.String({ format: 'date-time' }) }),
      { description: 'Oldest first' },
    ),
  }),
  completeness: Type.Array(
    Type.Object({
      field: Type.String(),
      filled: Count,
      share: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
        description: 'Share of rows with a non-null, non-blank value; null for an empty registry',
      }),
    }),
  ),
});

export async function registriesRoutes(app: App, { db, auth }: ModuleContext): Promise<void> {
  const readers = { preHandler: auth.require('registry.read') };
  const tags = ['registries'];
  const security = SESSION_SECURITY;

  app.get(
    '/api/v1/registries/persons/:idNumber',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary:
          'A resident of the population registry in your jurisdiction, by ID number (validated first; 404 outside it)',
        params: Type.Object({ idNumber: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: Person },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return readPerson(db, request.principal!, request.params.idNumber);
    },
  );

  app.get(
    '/api/v1/registries/enterprises/:uscc',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary:
          'An enterprise of the market-entity registry in your jurisdiction, by credit code (validated first; 404 outside it)',
        params: Type.Object({ uscc: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: Enterprise },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return readEnterprise(db, request.principal!, request.params.uscc);
    },
  );

  app.get(
    '/api/v1/registries/credit/:key',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary:
          'The credit records (信用库) on a resident or enterprise in your jurisdiction, by ID number or credit code (validated first; 404 outside it)',
        params: Type.Object({ key: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: CreditRecordList },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return readCreditRecords(db, request.principal!, request.params.key);
    },
  );

  app.get(
    '/api/v1/registries/quality/:resource',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary:
          'Data-quality report on a base registry: invalid identifiers, duplicates, stale records, field completeness',
        params: Type.Object({ resource: Type.Enum([...QUALITY_RESOURCES]) }),
        querystring: Type.Object({
          staleAfterDays: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 36_500,
              default: 365,
              description: 'Not updated for longer is stale',
            }),
          ),
          sampleSize: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 100, default: 10, description: 'Examples per finding' }),
          ),
        }),
        response: { 200: QualityReport },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { staleAfterDays, sampleSize } = request.query;
      return qualityReport(db, request.params.resource, {
        ...(staleAfterDays !== undefined && { staleAfterDays }),
        ...(sampleSize !== undefined && { sampleSize }),
      });
    },
  );
}
