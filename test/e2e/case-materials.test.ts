import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorageFor, MEDIA_TYPES } from '../../src/kernel/files/index.ts';
import { docx, pdf, png } from '../../src/kernel/files/test-samples.ts';
import type { CaseMaterial } from '../../src/modules/cases/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.ts';
import { fileCase, publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { personSession, staffSession } from '../helpers/identity.ts';

/**
 * The files of a case's materials for the workbench's preview: staff in the case's
 * jurisdiction and its applicant read them, PDFs and images inline, other types as a
 * download; anyone else gets 404 as if the case did not exist.
 */
describe('case materials', () => {
  let t: TestApp;
  let item: ParallelItem;
  let applicant: { accountId: string; authorization: string };
  let clerk: string;
  let caseId: string;
  const files = { pdf: pdf('申请书'), png: png(), docx: docx() };
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db);
    applicant = await personSession(t.app, t.db, { assurance: 2 });
    clerk = (
      await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: item.lead.id,
        regionCodes: [item.regionCode],
      })
    ).authorization;
    const storage = fileStorageFor(testConfig());
    const material = (name: string, data: Buffer, mediaType: string, filename: string): CaseMaterial => ({
      name,
      source: 'upload',
      sha256: sha(data),
      mediaType,
      filename,
      size: data.length,
    });
    for (const data of Object.values(files)) await storage.put(sha(data), data);
    caseId = await fileCase(t.db, item, applicant.accountId, {
      materials: [
        material('申请书', files.pdf, MEDIA_TYPES.pdf, '申请书.pdf'),
        material('门店照片', files.png, MEDIA_TYPES.png, '门店.png'),
        material('章程', files.docx, MEDIA_TYPES.docx, '章程.docx'),
      ],
    });
  }, 120_000);
  afterAll(() => t.drop());

  const get = (sha256: string, authorization?: string) =>
    t.app.inject({
      url: `/api/v1/cases/${caseId}/materials/${sha256}`,
      headers: authorization ? { authorization } : {},
    });

  it('serves a PDF and an image inline to the clerk and the applicant, with their bytes', async () => {
    for (const who of [clerk, applicant.authorization]) {
      const res = await get(sha(files.pdf), who);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `inline; filename*=UTF-8''${encodeURIComponent('申请书.pdf')}`,
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.rawPayload.equals(files.pdf)).toBe(true);
    }
    const image = await get(sha(files.png), clerk);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(files.png)).toBe(true);
  });

  it('offers other types as a download', async () => {
    const res = await get(sha(files.docx), clerk);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; /);
  });

  it('refuses strangers, other staff and files that are not materials of the case', async () => {
    expect((await get(sha(files.pdf))).statusCode).toBe(401);
    const stranger = await personSession(t.app, t.db, { assurance: 2 });
    expect((await get(sha(files.pdf), stranger.authorization)).statusCode).toBe(404);
    await t.db.query(
      `insert into region (code, name, full_name, level, path) values ('970000000000', '他省', '他省', 1, array['970000000000'])
       on conflict do nothing`,
    );
    const elsewhere = (await staffSession(t.app, t.db, ['window_clerk'], { regionCodes: ['970000000000'] }))
      .authorization;
    expect((await get(sha(files.pdf), elsewhere)).statusCode).toBe(404);
    expect((await get('c'.repeat(64), clerk)).statusCode).toBe(404);
    expect((await get('not-a-hash', clerk)).statusCode).toBe(400);
  });
});
