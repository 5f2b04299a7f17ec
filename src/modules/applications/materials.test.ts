import { describe, expect, it } from 'vitest';
import { checklist, licenceTypeFor, neededMaterials, recordView, registryFor } from './materials.ts';
import type { CatalogMaterial } from './offers.ts';
import { prefillForm } from './prefill.ts';
import type { StoredMaterial } from './queries.ts';

const material = (name: string, source: CatalogMaterial['source'], extra: Partial<CatalogMaterial> = {}) => ({
  name,
  source,
  required: true,
  tolerated: false,
  ...extra,
});

describe('免提交: which registry fills a material', () => {
  it('fills the applicant’s own identity card and household register from the population registry', () => {
    expect(registryFor(material('居民身份证', 'government'))).toBe('population');
    expect(registryFor(material('申请人居民身份证', 'government'))).toBe('population');
    expect(registryFor(material('户口簿或居住证', 'government'))).toBe('population');
    expect(registryFor(material('营业执照', 'government'))).toBe('legal_entity');
  });

  it('never fills a material the applicant supplies, or another person’s record', () => {
    expect(registryFor(material('居民身份证', 'applicant'))).toBeNull();
    expect(registryFor(material('父亲居民身份证', 'government'))).toBeNull();
    expect(registryFor(material('死者居民身份证', 'government'))).toBeNull();
    expect(registryFor(material('父母户口簿', 'government'))).toBeNull();
    expect(registryFor(material('结婚证', 'government'))).toBeNull();
  });

  it('looks a government material up in the applicant’s licence wallet by its name, never one the applicant supplies', () => {
    expect(licenceTypeFor(material('结婚证', 'government'))).toBe('结婚证');
    expect(licenceTypeFor(material('营业执照', 'government'))).toBe('营业执照');
    expect(licenceTypeFor(material('营业执照', 'applicant'))).toBeNull();
  });
});

describe('materials of a bundle (材料共享)', () => {
  it('lists a material once for every item that needs it, required if any item requires it', () => {
    const needed = neededMaterials([
      {
        part: 1,
        itemCode: 'A',
        materials: [
          material('居民身份证', 'government'),
          material('承诺书', 'applicant', { tolerated: true }),
        ],
      },
      {
        part: 2,
        itemCode: 'B',
        materials: [
          material('居民身份证', 'government'),
          material('承诺书', 'applicant', { required: false }),
          material('照片', 'applicant', { required: false }),
        ],
      },
    ]);
    expect(needed.map((m) => [m.name, m.items, m.required, m.tolerated])).toEqual([
      ['居民身份证', ['A', 'B'], true, false],
      ['承诺书', ['A', 'B'], true, true],
      ['照片', ['B'], false, false],
    ]);
  });

  it('tolerates a missing material only when every item requiring it does', () => {
    const needed = neededMaterials([
      { part: 1, itemCode: 'A', materials: [material('承诺书', 'applicant', { tolerated: true })] },
      { part: 2, itemCode: 'B', materials: [material('承诺书', 'applicant')] },
    ]);
    expect(needed[0]).toMatchObject({ required: true, tolerated: false });
  });
});

describe('the checklist', () => {
  const stored = (name: string, source: StoredMaterial['source']): StoredMaterial => ({
    name,
    source,
    uploadId: source === 'upload' ? '00000000-0000-4000-8000-000000000001' : null,
    file:
      source === 'upload'
        ? { filename: 'a.pdf', mediaType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) }
        : null,
    record:
      source === 'registry'
        ? {
            registry: 'population',
            key: '11010519491231002X',
            data: { idNumber: '11010519491231002X', name: '张三' },
            fetchedAt: '2026-01-05T00:00:00.000Z',
          }
        : null,
    addedBy: 'x',
    addedAt: new Date('2026-01-05T00:00:00Z'),
  });

  it('says what is provided and how, what is 免提交, and what is still to be supplied', () => {
    const needed = neededMaterials([
      {
        part: 1,
        itemCode: 'A',
        materials: [
          material('居民身份证', 'government'),
          material('申请书', 'applicant'),
          material('承诺书', 'applicant', { tolerated: true }),
          material('结婚证', 'government'),
        ],
      },
    ]);
    const list = checklist(needed, [stored('居民身份证', 'registry'), stored('申请书', 'upload')]);
    expect(list.map((m) => [m.name, m.status, m.exempt, m.provided?.source ?? null])).toEqual([
      ['居民身份证', 'provided', true, 'registry'],
      ['申请书', 'provided', false, 'upload'],
      ['承诺书', 'to_be_supplied', false, null],
      ['结婚证', 'to_be_supplied', false, null],
    ]);
    expect(list[0]!.provided!.record!.key).toBe('1101**********002X');
    expect(list[2]!.note).toMatch(/容缺/);
    expect(list[3]!.noteEn).toMatch(/not yet shared/);
  });

  it('masks ID numbers in records shown to the applicant, and leaves enterprise records alone', () => {
    const enterprise = {
      registry: 'legal_entity',
      key: '91350100M000100Y43',
      data: { name: 'x' },
      fetchedAt: '',
    };
    expect(recordView(enterprise)).toEqual(enterprise);
  });

  it('masks the ID numbers on a held licence’s face, keeping the licence identifier and the rest', () => {
    const licence = {
      registry: 'licence',
      key: '1.2.156.3005.2.11100000000013317X001.91350100M000100Y43.20260000001.001.K',
      data: {
        name: '张三',
        idNumber: '11010519491231002X',
        spouseIdNumber: '110105194912310037',
        registeredOn: '2024-05-20',
        holderName: '张三',
        validUntil: null,
      },
      fetchedAt: '2026-01-05T00:00:00.000Z',
      authorisationId: '00000000-0000-4000-8000-000000000002',
    };
    expect(recordView(licence)).toEqual({
      ...licence,
      data: { ...licence.data, idNumber: '1101**********002X', spouseIdNumber: '1101**********0037' },
    });
    expect(
      checklist(
        neededMaterials([{ part: 1, itemCode: 'A', materials: [material('结婚证', 'government')] }]),
        [{ ...stored('结婚证', 'registry'), source: 'licence', record: licence }],
      )[0],
    ).toMatchObject({ status: 'provided', exempt: true, registry: null, provided: { source: 'licence' } });
  });
});

describe('pre-filled forms (免填)', () => {
  const schema = {
    type: 'object',
    properties: {
      applicantType: { type: 'string', enum: ['natural_person', 'legal_person'] },
      applicantName: { type: 'string', maxLength: 3 },
      idNumber: { type: 'string' },
      enterpriseName: { type: 'string' },
      creditCode: { type: 'string' },
      contactName: { type: 'string' },
    },
    additionalProperties: false,
  };

  it('fills the fields the form has from the verified identity or the enterprise', () => {
    expect(
      prefillForm(schema, {
        kind: 'person',
        identity: { name: '张三', idNumber: '11010519491231002X' },
        enterprise: null,
      }),
    ).toEqual({ applicantType: 'natural_person', applicantName: '张三', idNumber: '11010519491231002X' });
    expect(
      prefillForm(schema, {
        kind: 'enterprise',
        identity: { name: '李四', idNumber: '11010519491231002X' },
        enterprise: { uscc: '91350100M000100Y43', name: '示例公司' },
      }),
    ).toEqual({
      applicantType: 'legal_person',
      enterpriseName: '示例公司',
      creditCode: '91350100M000100Y43',
      contactName: '李四',
    });
  });

  it('leaves out what the form would refuse, and fields it does not have', () => {
    expect(
      prefillForm(
        { type: 'object', properties: { applicantName: { type: 'string', maxLength: 3 } } },
        {
          kind: 'person',
          identity: { name: '欧阳娜娜娜', idNumber: '11010519491231002X' },
          enterprise: null,
        },
      ),
    ).toEqual({});
  });
});
