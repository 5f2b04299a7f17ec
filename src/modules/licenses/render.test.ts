import type { PDFHexString, PDFRawStream, PDFString } from 'pdf-lib';
import { PDFArray, PDFDict, PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.ts';
import {
  decodeQrImage,
  glyphIsFaithful,
  inflate,
  latin1,
  pageContent,
  pageFonts,
} from '../../../test/helpers/pdf.ts';
import { LICENCE_ATTACHMENT } from './formats.ts';
import { renderLicence, type LicenceRenderInput } from './render.ts';

/*
 * The tests read the PDFs back with pdf-lib alone (test/helpers/pdf.ts): the page's content
 * stream is inflated and interpreted for the text operators (font, size, text matrix,
 * character spacing, horizontal scale, shown text), the text decoded through each font's
 * ToUnicode CMap and measured with the embedded subset's own advance widths; so each printed
 * run has its text, position, turn and width. Every ideograph drawn is compared, outline for
 * outline, with the original font file, and the QR code image is decoded with jsQR.
 */

/** One text-showing operator: what it printed, where, how large, turned by how much. */
interface Run {
  text: string;
  x: number;
  y: number;
  size: number;
  /** Counter-clockwise, degrees. */
  rotation: number;
  width: number;
  bold: boolean;
  /** Fill colour as "r g b". */
  color: string;
}

async function readLicence(bytes: Uint8Array) {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const page = doc.getPage(0);
  const fonts = pageFonts(doc, page);
  const content = pageContent(doc, page);

  const runs: Run[] = [];
  const unfaithful: string[] = [];
  const n = '(-?[\\d.]+)';
  const operators = new RegExp(
    `(\\/\\S+)\\s+${n}\\s+Tf|${n}\\s+Tc\\b|${n}\\s+Tz\\b|${n} ${n} ${n} ${n} ${n} ${n} Tm|<([0-9A-Fa-f]*)>\\s*Tj|${n} ${n} ${n} rg`,
    'g',
  );
  let font: ReturnType<typeof fonts.get>;
  let size = 0;
  let spacing = 0;
  let scale = 1;
  let matrix = [1, 0, 0, 1, 0, 0];
  let color = '0 0 0';
  for (const m of content.matchAll(operators)) {
    if (m[1]) {
      font = fonts.get(m[1]);
      size = Number(m[2]);
    } else if (m[3] !== undefined) spacing = Number(m[3]);
    else if (m[4] !== undefined) scale = Number(m[4]) / 100;
    else if (m[5] !== undefined) matrix = m.slice(5, 11).map(Number);
    else if (m[12] !== undefined)
      color = m
        .slice(12, 15)
        .map((c) => Number(c).toFixed(2))
        .join(' ');
    else {
      const cids = (m[11]!.match(/.{4}/g) ?? []).map((unit) => parseInt(unit, 16));
      let text = '';
      let advance = 0;
      for (const cid of cids) {
        const char = font!.cmap.get(cid) ?? '\ufffd';
        text += char;
        advance += (font!.subset.getGlyph(cid).advanceWidth / font!.subset.unitsPerEm) * size;
        if (char.codePointAt(0)! >= 0x3400 && !glyphIsFaithful(font!, cid, char)) unfaithful.push(char);
      }
      const [a, b, , , e, f] = matrix as [number, number, number, number, number, number];
      runs.push({
        text,
        x: e,
        y: f,
        size,
        rotation: Math.round((Math.atan2(b, a) * 180) / Math.PI),
        width: (advance + spacing * Math.max(cids.length - 1, 0)) * scale,
        bold: font!.bold,
        color,
      });
    }
  }

  const qrCodes: string[] = [];
  for (const [, ref] of page.node.Resources()!.lookupMaybe(PDFName.of('XObject'), PDFDict)?.entries() ?? []) {
    const code = decodeQrImage(doc.context.lookup(ref as PDFRef) as PDFRawStream);
    if (code !== null) qrCodes.push(code);
  }
  // The printed text, not the seal's characters.
  const upright = runs.filter((run) => run.rotation === 0 && run.color !== SEAL_RED);
  return { doc, page, runs, upright, lines: upright.map((run) => run.text), unfaithful, qrCodes, content };
}

/** The embedded files of a PDF by name, read from the catalog's EmbeddedFiles name tree. */
function embeddedFiles(doc: PDFDocument): Map<string, { bytes: Uint8Array; subtype: string | undefined }> {
  const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict);
  const tree = names.lookup(PDFName.of('EmbeddedFiles'), PDFDict);
  const entries = tree.lookup(PDFName.of('Names'), PDFArray);
  const files = new Map<string, { bytes: Uint8Array; subtype: string | undefined }>();
  for (let i = 0; i < entries.size(); i += 2) {
    const name = entries.lookup(i) as PDFString | PDFHexString;
    const spec = entries.lookup(i + 1, PDFDict);
    const stream = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F')) as PDFRawStream;
    files.set(name.decodeText(), {
      bytes: inflate(stream),
      subtype: stream.dict.get(PDFName.of('Subtype'))?.toString(),
    });
  }
  return files;
}

const SCOPE =
  '预包装食品（含冷藏冷冻食品）销售，散装食品（含冷藏冷冻食品、不含熟食）销售，特殊食品销售（保健食品、特殊医学用途配方食品、婴幼儿配方乳粉、其他婴幼儿配方食品），热食类食品制售，冷食类食品制售，生食类食品制售，糕点类食品制售（含裱花蛋糕），自制饮品制售（不含自酿酒），单位食堂（托幼机构食堂、学校食堂、养老机构食堂）。许可项目：食品互联网销售；酒类经营；烟草制品零售。一般项目：日用百货销售；化妆品零售；个人卫生用品销售；家用电器销售；厨具卫具及日用杂品零售；农副产品销售；食用农产品零售；新鲜水果零售；新鲜蔬菜零售；鲜肉零售；水产品零售；外卖递送服务；餐饮管理；会议及展览服务；信息咨询服务（不含许可类信息咨询服务）。';
const ID = '1.2.156.3005.2.11100000000013338W002.11330100MB0000000X.330102202611220000127.001.K';

const certificate: LicenceRenderInput = {
  title: '食品经营许可证',
  template: 'certificate',
  id: ID,
  fields: [
    { label: '经营者名称', value: '杭州示例餐饮管理有限公司' },
    { label: '统一社会信用代码', value: '91330106MA2H000000' },
    { label: '法定代表人（负责人）', value: '张三' },
    { label: '住所', value: '浙江省杭州市西湖区文三路 100 号 5 幢 201 室' },
    { label: '主体业态', value: '餐饮服务经营者（中型餐馆）' },
    { label: '经营项目', value: '热食类食品制售' },
  ],
  holderName: '杭州示例餐饮管理有限公司',
  issuerName: '示例市市场监督管理局',
  issueDate: '2026-11-22',
  validity: '2026年11月22日至2031年11月21日',
  seal: { organisationName: '示例市市场监督管理局', sealName: '行政审批专用章', code: '3301060012345' },
  verifyUrl: `https://tongban.example.gov.cn/verify/licences/${ID}`,
  bundleJson: JSON.stringify({
    id: ID,
    face: { 经营者名称: '杭州示例餐饮管理有限公司' },
    signature: 'MEUCIQ…',
  }),
};

const card: LicenceRenderInput = {
  ...certificate,
  title: '结婚证',
  template: 'card',
  fields: [
    { label: '持证人', value: '李四' },
    { label: '公民身份号码', value: '110101199003071234' },
    { label: '配偶姓名', value: '王五' },
    { label: '登记日期', value: '2026年11月22日' },
  ],
  holderName: '李四',
  issuerName: '示例市西湖区民政局',
  validity: '长期',
  seal: { organisationName: '示例市西湖区民政局', sealName: '婚姻登记专用章', code: '3301060098765' },
};

const SEAL_RED = '0.84 0.00 0.06';

/** The inner frame line's distance from the page edge, per template (render.ts LAYOUTS). */
const FRAME = { certificate: 20 + 5 + 1.2, card: 14 + 4 + 1 };

describe('renderLicence', () => {
  it.each([
    ['certificate', certificate, [842, 595]],
    ['card', card, [420, 595]],
  ] as const)(
    'renders a %s: one page with the title, face data, issuer, date, QR code and seal',
    async (template, input, size) => {
      const bytes = await renderLicence(input);
      expect(latin1(bytes.subarray(0, 5))).toBe('%PDF-');
      expect(bytes.length).toBeLessThan(300 * 1024);
      const { doc, page, runs, lines, unfaithful, qrCodes } = await readLicence(bytes);
      expect(doc.getPageCount()).toBe(1);
      const { width, height } = page.getSize();
      expect([Math.round(width), Math.round(height)]).toEqual(size);

      expect(lines).toContain(input.title);
      for (const field of input.fields) {
        expect(lines).toContain(field.label);
        expect(lines).toContain(field.value);
      }
      expect(lines).toContain('有效期限');
      expect(lines).toContain(input.validity);
      expect(lines).toContain(input.issuerName);
      expect(lines).toContain('2026年11月22日');
      expect(lines).toContain('扫码核验');
      expect(lines).toContain(`电子证照标识：${ID}`);
      // The holder is one of the fields already: no second row for it.
      expect(lines).not.toContain('持证主体');
      // The URL is printed below the QR code, wrapped.
      expect(
        lines.filter((line) => line.startsWith('https://') || input.verifyUrl.includes(line)).join(''),
      ).toBe(input.verifyUrl);
      expect(qrCodes).toEqual([input.verifyUrl]);

      // The seal, in seal red, drawn over the issuer and the date: the organisation's name one
      // character at a time turned along the arc, the seal's name, the code.
      const seal = runs.filter((run) => run.color === SEAL_RED);
      expect(seal.map((run) => run.text).join('')).toBe(
        input.seal.organisationName + input.seal.sealName + input.seal.code,
      );
      const name = seal.slice(0, [...input.seal.organisationName].length);
      expect(name[0]!.rotation).toBeGreaterThan(90);
      expect(name.at(-1)!.rotation).toBeLessThan(-90);
      expect(runs.indexOf(seal[0]!)).toBeGreaterThan(runs.findIndex((run) => run.text === input.issuerName));

      // Every character drawn with its real outline; all text inside the inner frame.
      expect(unfaithful).toEqual([]);
      const inset = FRAME[template];
      for (const run of runs.filter((r) => r.color !== SEAL_RED)) {
        expect(run.x, run.text).toBeGreaterThan(inset);
        expect(run.x + run.width, run.text).toBeLessThan(width - inset);
        expect(run.y, run.text).toBeGreaterThan(inset);
        expect(run.y + run.size, run.text).toBeLessThan(height - inset);
      }

      expect(doc.getTitle()).toBe(`${input.title}（${input.holderName}）`);
      expect(doc.getCreator()).toBe('Tongban');
      expect(doc.getProducer()).toContain('Tongban');
      expect(doc.getAuthor()).toBe(input.issuerName);
      expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-21T16:00:00.000Z');
      expect(doc.getModificationDate()?.toISOString()).toBe('2026-11-21T16:00:00.000Z');
    },
  );

  it('attaches the data bundle as licence.json, byte for byte', async () => {
    const bundleJson = JSON.stringify({
      id: ID,
      face: { 名称: '示例（杭州）有限公司', 备注: '"引号" \\ 与 & 符号' },
    });
    const { doc } = await readLicence(await renderLicence({ ...certificate, bundleJson }));
    const files = embeddedFiles(doc);
    expect([...files.keys()]).toEqual([LICENCE_ATTACHMENT]);
    const file = files.get(LICENCE_ATTACHMENT)!;
    expect(Buffer.from(file.bytes).equals(Buffer.from(bundleJson, 'utf8'))).toBe(true);
    expect(file.subtype).toBe('/application#2Fjson');
  });

  it('wraps a long business scope inside the frame on one page, the type made smaller to fit', async () => {
    const fields = [...certificate.fields.slice(0, 5), { label: '经营项目', value: SCOPE }];
    expect(SCOPE.length).toBeGreaterThan(300);
    const cases: [keyof typeof FRAME, LicenceRenderInput][] = [
      ['certificate', { ...certificate, fields }],
      ['card', { ...card, fields: [...card.fields, { label: '备注', value: SCOPE.slice(0, 220) }] }],
    ];
    for (const [template, input] of cases) {
      const plain = await readLicence(await renderLicence({ ...input, fields: input.fields.slice(0, -1) }));
      const { doc, page, upright, unfaithful } = await readLicence(await renderLicence(input));
      expect(doc.getPageCount()).toBe(1);
      expect(unfaithful).toEqual([]);
      const value = input.fields.at(-1)!.value;
      const valueRuns = upright.filter((run) => value.includes(run.text) && run.text.length > 3);
      expect(valueRuns.length).toBeGreaterThan(3);
      expect(valueRuns.map((run) => run.text).join('')).toBe(value);
      // All lines of the value start at one column; none runs out of the frame.
      expect(new Set(valueRuns.map((run) => run.x.toFixed(2))).size).toBe(1);
      const { width } = page.getSize();
      for (const run of valueRuns) expect(run.x + run.width).toBeLessThan(width - FRAME[template]);
      // The same fields without the long one are set larger.
      const sizeOf = (runs: Run[], text: string) => runs.find((run) => run.text === text)!.size;
      expect(sizeOf(upright, input.fields[0]!.value)).toBeLessThanOrEqual(
        sizeOf(plain.upright, input.fields[0]!.value),
      );
      // The rows stay above the QR code's caption and the issuer.
      const lowestValue = Math.min(...valueRuns.map((run) => run.y));
      const caption = upright.find((run) => run.text === '扫码核验')!;
      const issuer = upright.find((run) => run.text === input.issuerName)!;
      expect(lowestValue).toBeGreaterThan(caption.y + caption.size);
      expect(lowestValue).toBeGreaterThan(issuer.y + issuer.size);
    }
  });

  it('sets a long title smaller, on one line inside the frame', async () => {
    const title = '中华人民共和国道路运输经营许可证';
    const { page, upright } = await readLicence(await renderLicence({ ...card, title }));
    const run = upright.find((r) => r.text === title)!;
    expect(run.size).toBeLessThan(28);
    expect(run.x).toBeGreaterThan(FRAME.card);
    expect(run.x + run.width).toBeLessThan(page.getWidth() - FRAME.card);
  });

  it('refuses face data that cannot fit on the page', async () => {
    const error = await renderLicence({
      ...certificate,
      fields: [{ label: '经营项目', value: SCOPE.repeat(40) }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).errors!.map((e) => `${e.field}:${e.rule}`)).toEqual(['fields:maxLength']);
  });

  it('gives the same bytes for the same input, also when rendering in parallel', async () => {
    const sequential = [await renderLicence(certificate), await renderLicence(card)];
    const parallel = await Promise.all([renderLicence(certificate), renderLicence(card)]);
    parallel.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(sequential[i]!))).toBe(true));
    const other = await renderLicence({ ...certificate, issueDate: '2026-11-23' });
    expect(Buffer.from(other).equals(Buffer.from(sequential[0]!))).toBe(false);
  });

  it('adds the holder as a row when no field shows it, and the status as a turned watermark', async () => {
    const plain = await readLicence(await renderLicence({ ...card, fields: card.fields.slice(1) }));
    expect(plain.lines[plain.lines.indexOf('持证主体') + 1]).toBe(card.holderName);
    expect(plain.runs.some((run) => run.text === '已注销')).toBe(false);

    const revoked = await readLicence(await renderLicence({ ...card, status: '已注销' }));
    const watermark = revoked.runs.find((run) => run.text === '已注销')!;
    expect(watermark.rotation).toBeGreaterThan(30);
    expect(watermark.rotation).toBeLessThan(60);
    expect(watermark.size).toBeGreaterThan(60);
    // Drawn last, over the face data and the seal.
    expect(revoked.runs.at(-1)).toBe(watermark);
  });

  it('refuses an input that cannot make a licence, saying which fields are wrong', async () => {
    const fieldsOf = async (input: LicenceRenderInput) => {
      const error = await renderLicence(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
      return (error as AppError).errors!.map((e) => `${e.field}:${e.rule}`);
    };
    expect(await fieldsOf({ ...certificate, title: '  ' })).toEqual(['title:required']);
    const error = (await renderLicence({ ...certificate, title: '' }).catch((e: unknown) => e)) as AppError;
    expect(error.message).toBe('title: is required');
    expect(
      await fieldsOf({
        ...certificate,
        template: 'poster' as LicenceRenderInput['template'],
        issueDate: '2026-02-30',
        verifyUrl: 'javascript:alert(1)',
        bundleJson: '{"id":',
        fields: [{ label: '', value: '张三' }],
      }),
    ).toEqual([
      'template:enum',
      'issueDate:format',
      'fields[0].label:required',
      'verifyUrl:format',
      'bundleJson:format',
    ]);
    expect(
      await fieldsOf({ ...certificate, holderName: '', seal: { ...certificate.seal, organisationName: '' } }),
    ).toEqual(['holderName:required', 'seal.organisationName:required']);
  });
});
