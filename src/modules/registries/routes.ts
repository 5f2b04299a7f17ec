import { Type } from 'typebox';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { getEnterprise, getPerson } from './service.ts';

const Person = Type.Object({
  idNumber: Type.String({ description: 'Resident ID number (GB 11643)' }),
  name: Type.String(),
  sex: Type.Enum(['male', 'female']),
  birthDate: Type.String({ format: 'date' }),
  regionCode: Type.String({ description: '12-digit code of the region of household registration' }),
  phone: Type.Union([Type.String(), Type.Null()]),
});
const Enterprise = Type.Object({
  uscc: Type.String({ description: 'Unified social credit code (GB 32100)' }),
  name: Type.String(),
  type: Type.String({ description: '有限责任公司, 个体工商户 ...' }),
  legalRepresentative: Type.Object({
    idNumber: Type.Union([Type.String(), Type.Null()]),
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
  const security = [{ bearer: [] }];

  app.get(
    '/api/v1/registries/persons/:idNumber',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'A resident of the population registry, by ID number (validated first)',
        params: Type.Object({ idNumber: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: Person },
      },
    },
    async (request) => getPerson(db, request.params.idNumber),
  );

  app.get(
    '/api/v1/registries/enterprises/:uscc',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'An enterprise of the market-entity registry, by credit code (validated first)',
        params: Type.Object({ uscc: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: Enterprise },
      },
    },
    async (request) => getEnterprise(db, request.params.uscc),
  );
}
