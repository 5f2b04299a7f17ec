/**
 * The baselines for the HTTP cases: a bare Fastify + pg server that does the same database
 * (and password) work as Tongban and sends the result back as JSON, with nothing else (no
 * validation, mapping, hooks or logging). Started by bench/run.ts with Tongban's
 * environment (DATABASE_URL, PORT, HOST, ...).
 */
import { createHash } from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/kernel/config.ts';
import { ENTRY_DETAIL_SQL, ITEM_DETAIL_SQL } from '../src/modules/catalog/index.ts';
import { RESOLVE_SQL } from '../src/modules/identity/index.ts';
import { BENCH_STAFF } from './identity.ts';

const config = loadConfig();
// Tongban's pool size, so both sides get the same database concurrency.
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.dbPoolSize });
const app = Fastify({ logger: false });

// Implementation codes are the basic code followed by '-'-separated parts.
const detail = async (code: string) =>
  (await pool.query(code.includes('-') ? ENTRY_DETAIL_SQL : ITEM_DETAIL_SQL, [code])).rows[0] as unknown;

app.get<{ Params: { code: string } }>('/item/:code', async (request, reply) => {
  const row = await detail(request.params.code);
  if (!row) return reply.code(404).send({ code: request.params.code });
  return reply.send(row);
});

/** Item detail behind a bearer token: the session query Tongban runs on every request, then the detail. */
app.get<{ Params: { code: string } }>('/authenticated/item/:code', async (request, reply) => {
  const token = /^Bearer\s+(\S{1,512})$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return reply.code(401).send({ error: 'no bearer token' });
  const sessionId = createHash('sha256').update(token, 'utf8').digest('hex');
  // Prepared per connection, as Tongban does for this per-request lookup.
  const { rows } = await pool.query({
    name: 'resolve_session',
    text: RESOLVE_SQL,
    values: [sessionId, 'bearer', config.sessionIdleMinutes],
  });
  if (!rows[0]) return reply.code(401).send({ error: 'no live session' });
  const row = await detail(request.params.code);
  if (!row) return reply.code(404).send({ code: request.params.code });
  return reply.send(row);
});

/** Password login reduced to its unavoidable cost: argon2id verification of the account's stored hash. */
const [account] = (
  await pool.query<{ password_hash: string }>(
    'select password_hash from identity_account where username = $1',
    [BENCH_STAFF.username],
  )
).rows;
app.post<{ Body: { username: string; password: string } }>('/login', async (request, reply) => {
  const valid =
    account !== undefined &&
    request.body.username === BENCH_STAFF.username &&
    (await argon2Verify(account.password_hash, request.body.password));
  return valid ? reply.send({ ok: true }) : reply.code(401).send({ ok: false });
});

await app.listen({ port: config.port, host: config.host });
// The benchmark holds an IPC channel open; when it goes away, so does this server.
process.on('disconnect', () => void app.close().then(() => pool.end()));
