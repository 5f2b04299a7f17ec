import { Type } from 'typebox';
import { noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
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
}
