/**
 * The baseline for item detail: a bare Fastify + pg server that runs the same detail SQL
 * as Tongban and sends the row back as JSON, with nothing else (no validation, mapping,
 * hooks or logging). Started by bench/run.ts with DATABASE_URL, PORT and HOST.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { ENTRY_DETAIL_SQL, ITEM_DETAIL_SQL } from '../src/modules/catalog/index.ts';

// Tongban's default pool size, so both sides get the same database concurrency.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });

app.get<{ Params: { code: string } }>('/item/:code', async (request, reply) => {
  const { code } = request.params;
  // Implementation codes are the basic code followed by '-'-separated parts.
  const { rows } = await pool.query(code.includes('-') ? ENTRY_DETAIL_SQL : ITEM_DETAIL_SQL, [code]);
  if (!rows[0]) return reply.code(404).send({ code });
  return reply.send(rows[0]);
});

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
// The benchmark holds an IPC channel open; when it goes away, so does this server.
process.on('disconnect', () => void app.close().then(() => pool.end()));
