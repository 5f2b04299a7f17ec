/**
 * The table behind test/e2e/authorization.test.ts: which routes are public on purpose,
 * how to fill a route's path parameters, and the few routes whose handler (not the guard)
 * answers 403 to a caller who satisfies the guard.
 */
import type { RouteAccess } from '../../src/kernel/http.ts';

export const routeKey = (route: Pick<RouteAccess, 'method' | 'url'>) => `${route.method} ${route.url}`;

export interface PublicRoute {
  /** An HTTP method, or '*' for every method of the URL (the OIDC provider mounts them all). */
  method: string;
  url: string;
  why: string;
  /**
   * `Authorization: Bearer` here carries the OIDC provider's own tokens (userinfo access
   * tokens, client credentials), not platform sessions, so the platform does not judge it.
   */
  providerCredentials?: true;
  /**
   * The route authenticates its caller with a credential of its own (a data consumer's
   * API key in X-Api-Key): an anonymous caller gets its 401.
   */
  ownCredential?: true;
}

/**
 * Module routes that take no guard on purpose (the kernel's own routes, /api/v1/health,
 * /api/v1/ready, /metrics and /api/docs, are registered before routes are recorded). A route without a guard that is not listed here
 * fails the test: that is how a forgotten `auth.require(...)` shows up.
 */
export const PUBLIC_ROUTES: PublicRoute[] = [
  // Signing in and up: the caller has no session yet.
  { method: 'POST', url: '/api/v1/identity/sms-codes', why: 'asks for a sign-up or sign-in code' },
  { method: 'POST', url: '/api/v1/identity/signup', why: 'creates the account' },
  { method: 'POST', url: '/api/v1/identity/login/sms', why: 'signs in' },
  { method: 'POST', url: '/api/v1/identity/login/password', why: 'signs in' },
  // QR login: the desktop has no session yet; it is bound by its tb_qr cookie instead.
  { method: 'POST', url: '/api/v1/identity/qr-logins', why: 'desktop asks for a code' },
  { method: 'GET', url: '/api/v1/identity/qr-logins/:code', why: 'desktop polls (tb_qr cookie)' },
  { method: 'POST', url: '/api/v1/identity/qr-logins/:code/session', why: 'desktop redeems (tb_qr cookie)' },
  // Single sign-on: oidc-provider authenticates clients and end users itself.
  {
    method: '*',
    url: '/.well-known/openid-configuration',
    why: 'OIDC discovery',
    providerCredentials: true,
  },
  {
    method: '*',
    url: '/oidc/*',
    why: 'OIDC endpoints (authorize, token, userinfo, jwks ...)',
    providerCredentials: true,
  },
  { method: 'GET', url: '/oidc/interaction/:uid', why: 'redirects to /login without a session' },
  // Department systems report steps as signed webhooks: authenticated by the signature, not a session.
  {
    method: 'POST',
    url: '/api/v1/department-systems/:code/reports',
    why: "signed with the system's inbound secret (Standard Webhooks)",
  },
  // Data consumers read shared data with their API key (X-Api-Key), not a session.
  {
    method: 'GET',
    url: '/api/v1/exchange/resources/:code/records/:key',
    why: 'consumer API key',
    ownCredential: true,
  },
  {
    method: 'POST',
    url: '/api/v1/exchange/resources/:code/records/batch',
    why: 'consumer API key',
    ownCredential: true,
  },
  {
    method: 'POST',
    url: '/api/v1/exchange/resources/:code/verify',
    why: 'consumer API key',
    ownCredential: true,
  },
  // The resource catalog (信息资源目录) is published to every department.
  { method: 'GET', url: '/api/v1/exchange/resources', why: 'the resource catalog' },
  { method: 'GET', url: '/api/v1/exchange/resources/:code', why: 'the resource catalog' },
  // Public reference data.
  { method: 'GET', url: '/api/v1/identifiers/:kind/:value', why: 'identifier validation' },
  { method: 'GET', url: '/api/v1/calendar/days', why: 'working-day calendar' },
  { method: 'GET', url: '/api/v1/calendar/deadline', why: 'deadline arithmetic' },
  { method: 'GET', url: '/api/v1/regions', why: 'administrative regions' },
  { method: 'GET', url: '/api/v1/regions/:code', why: 'administrative regions' },
  { method: 'GET', url: '/api/v1/organisations', why: 'implementing bodies' },
  { method: 'GET', url: '/api/v1/organisations/:id', why: 'implementing bodies' },
  // The published service catalog (办事指南) is public by law.
  { method: 'GET', url: '/api/v1/catalog/search', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/suggest', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/items', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/items/:code', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/items/:code/places', why: 'where to go for a published item' },
  { method: 'GET', url: '/api/v1/catalog/bundles', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/bundles/:code', why: 'published catalog' },
  { method: 'GET', url: '/api/v1/catalog/export', why: 'the published catalog as a file' },
  // Free appointment slots of a place, read before signing in to book.
  { method: 'GET', url: '/api/v1/hall/places/:code/slots', why: 'when a place can be visited' },
  // Anyone holding a case document checks it from its QR code (the code is the credential).
  { method: 'GET', url: '/api/v1/case-documents/:code', why: 'document verification by its QR code' },
  { method: 'GET', url: '/verify/case-documents/:code', why: 'the page behind the QR code' },
  // E-licences: anyone verifies a licence from its QR code; the transparency log is public by design.
  { method: 'GET', url: '/api/v1/licence-types', why: 'licence types and their face fields' },
  { method: 'GET', url: '/api/v1/licenses/:id/verification', why: 'licence verification by its QR code' },
  { method: 'GET', url: '/verify/licenses/:id', why: 'the page behind the licence QR code' },
  { method: 'GET', url: '/api/v1/seals/:code/image.svg', why: 'a seal impression, printed on every licence' },
  { method: 'GET', url: '/api/v1/licence-log', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/key.pem', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/checkpoint', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/checkpoints', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/proofs/inclusion', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/proofs/consistency', why: 'the public transparency log' },
  { method: 'GET', url: '/api/v1/licence-log/entries', why: 'the public transparency log' },
  // A shared licence authenticates its reader by the holder's authorisation: a token or a department's session.
  {
    method: 'GET',
    url: '/api/v1/licenses/:id/shared',
    why: 'read through an authorisation (X-Licence-Token or staff session)',
  },
];

export const publicEntryOf = (route: Pick<RouteAccess, 'method' | 'url'>): PublicRoute | undefined =>
  PUBLIC_ROUTES.find((p) => p.url === route.url && (p.method === '*' || p.method === route.method));

const UUID = '00000000-0000-4000-8000-000000000000';

/**
 * A value of plausible shape for each path parameter; the guard runs before validation,
 * so none of them has to exist. An unknown parameter fails the test, naming it.
 */
const PLACEHOLDERS: Record<string, string> = {
  id: UUID,
  memberId: UUID,
  documentId: UUID,
  name: '居民身份证',
  clientId: 'no-such-client',
  itemCode: 'NO-SUCH-ITEM',
  date: '2099-01-02',
  idNumber: '11010519491231002X',
  uscc: '91110000000000000A',
  kind: 'uscc',
  value: '91110000000000000A',
  action: 'publish',
  version: '1',
  uid: 'no-such-interaction',
  key: '11010519491231002X',
  resource: 'population',
  status: 'disable',
  '*': 'jwks',
  authorisationId: UUID,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

/** `:code` means different things under different prefixes. */
const CODE_PLACEHOLDERS: [prefix: string, value: string][] = [
  ['/api/v1/identity/roles/', 'no_such_role'],
  ['/api/v1/identity/qr-logins/', 'no-such-qr-code-no-such-qr-code-no-such-qr'],
  ['/api/v1/regions/', '329900000000'],
  ['/api/v1/calendar/', '2099-01-02'],
  ['/api/v1/case-documents/', 'no-such-document-code'],
  ['/api/v1/seals/', '3299000000001'],
  ['/api/v1/exchange/', 'population.person'],
  ['/api/v1/licence-types/', '11100000000013399X001'],
  ['/verify/case-documents/', 'no-such-document-code'],
  ['/api/v1/', 'NO-SUCH-CODE'],
];

/** The route's URL with every parameter replaced by a placeholder. */
export function concreteUrl(url: string): string {
  return url.replace(/:([A-Za-z][A-Za-z0-9]*)|\*/g, (whole, name: string | undefined) => {
    const key = name ?? '*';
    const value =
      key === 'code' ? CODE_PLACEHOLDERS.find(([prefix]) => url.startsWith(prefix))?.[1] : PLACEHOLDERS[key];
    if (value === undefined) {
      throw new Error(
        `No placeholder for the parameter ${whole} of ${url}: add one to authorization-cases.ts`,
      );
    }
    return encodeURIComponent(value);
  });
}

/**
 * Routes whose guard lets the caller through but whose handler then answers 403 for the
 * placeholders: the refusal is one of scope, checked by the handler and tested with real
 * data in authorization.test.ts.
 */
export const HANDLER_FORBIDS: { method: string; url: string; callerLabel: string; why: string }[] = [
  {
    method: 'PATCH',
    url: '/api/v1/exchange/resources/:code',
    callerLabel: 'staff with role department_head',
    why: "only the resource's provider changes it (exchange.test.ts covers the 200)",
  },
  {
    method: 'GET',
    url: '/api/v1/identity/acting/items/:itemCode/mandate',
    callerLabel: 'an agent of E',
    why: "the placeholder item lies outside the agent's scope (the scope tests cover the 200)",
  },
  {
    method: 'GET',
    url: '/api/v1/my/licenses',
    callerLabel: 'a person at assurance 2',
    why: 'the test person has no verified ID number, so no wallet (licence-wallet.test.ts covers the 200)',
  },
  {
    method: 'GET',
    url: '/api/v1/my/licenses/:id',
    callerLabel: 'a person at assurance 2',
    why: 'the test person has no verified ID number, so no wallet (licence-wallet.test.ts covers the 200)',
  },
  {
    method: 'GET',
    url: '/api/v1/my/licenses/:id/authorisations',
    callerLabel: 'a person at assurance 2',
    why: 'the test person has no verified ID number, so no wallet (licence-wallet.test.ts covers the 200)',
  },
  {
    method: 'DELETE',
    url: '/api/v1/my/licenses/:id/authorisations/:authorisationId',
    callerLabel: 'a person at assurance 2',
    why: 'the test person has no verified ID number, so no wallet (licence-wallet.test.ts covers the 200)',
  },
  {
    method: 'GET',
    url: '/api/v1/my/licenses/:id/accesses',
    callerLabel: 'a person at assurance 2',
    why: 'the test person has no verified ID number, so no wallet (licence-wallet.test.ts covers the 200)',
  },
];
