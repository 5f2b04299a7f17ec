import type { PDFRawStream } from 'pdf-lib';
import { PDFDict, PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.ts';
import {
  decodeQrImage,
  glyphIsFaithful,
  latin1,
  pageContent,
  pageFonts,
  sourceFonts,
  type EmbeddedFont,
} from '../../../test/helpers/pdf.ts';
import {
  DOCUMENT_TITLES,
  renderCaseDocument,
  type CaseDocumentInput,
  type CaseDocumentKind,
} from './documents.ts';

/*
 * How the tests read the PDFs back, with no tool outside npm (test/helpers/pdf.ts): pdf-lib
 * re-opens the file; the page content streams are inflated and their text-showing operators
 * (`<hex> Tj`) decoded through each font's ToUnicode CMap, which gives the text a reader
 * copies or a screen reader speaks. Because a CMap can be right while the glyphs are wrong (a
 * broken subset shows blanks yet still extracts), every glyph drawn is also compared, outline
 * for outline, with the same character in the original font file. The QR code image is
 * inflated and decoded with jsQR.
 */

interface PageRead {
  /** Each text-showing operator's text, in drawing order (one per printed line). */
  lines: string[];
  /** Every glyph drawn: the character and whether its outline equals the original font's. */
  glyphs: { char: string; faithful: boolean }[];
  /** QR codes found in the page's images, decoded. */
  qrCodes: string[];
  imagesDrawn: number;
}

async function readPdf(bytes: Uint8Array) {
  const doc = await PDFDocument.load(bytes);
  const pages: PageRead[] = doc.getPages().map((page) => {
    const fonts = pageFonts(doc, page);
    const content = pageContent(doc, page);

    const lines: string[] = [];
    const glyphs: PageRead['glyphs'] = [];
    let current: EmbeddedFont;
    for (const [, fontName, hex] of content.matchAll(/(\/\S+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj/g)) {
      if (fontName) {
        current = fonts.get(fontName)!;
        continue;
      }
      let line = '';
      for (const unit of hex!.match(/.{4}/g) ?? []) {
        const cid = parseInt(unit, 16);
        const char = current!.cmap.get(cid) ?? '\ufffd';
        line += char;
        if (char.trim() === '') continue;
        // Ideographs only: Latin digits may be drawn from the font's layout alternates (proportional figures).
        if (char.codePointAt(0)! >= 0x3400)
          glyphs.push({ char, faithful: glyphIsFaithful(current!, cid, char) });
      }
      lines.push(line);
    }

    const qrCodes: string[] = [];
    const xObjects = page.node.Resources()!.lookupMaybe(PDFName.of('XObject'), PDFDict);
    for (const [, ref] of xObjects?.entries() ?? []) {
      const image = doc.context.lookup(ref as PDFRef) as PDFRawStream;
      if (image.dict.get(PDFName.of('Subtype'))?.toString() !== '/Image') continue;
      const code = decodeQrImage(image);
      if (code !== null) qrCodes.push(code);
    }
    const imagesDrawn = [...content.matchAll(/\/\S+\s+Do\b/g)].length;
    return { lines, glyphs, qrCodes, imagesDrawn };
  });
  return { doc, pages };
}

/** All the text of the document except the page footers, lines joined as they flow. */
const bodyText = (pages: PageRead[]) =>
  pages.flatMap((page) => page.lines.filter((line) => !line.startsWith('办件编号'))).join('');

const base = {
  caseNumber: '330102202611220000127',
  itemName: '食品经营许可（新办）',
  organisationName: '示例市市场监督管理局',
  applicantName: '杭州示例餐饮管理有限公司',
  issuedAt: new Date('2026-11-22T09:30:00+08:00'),
  verifyUrl: 'https://tongban.example.gov.cn/verify/case-documents/6f1c2a9be04d4c7f8a11',
} satisfies Partial<CaseDocumentInput>;

const examples: Record<CaseDocumentKind, CaseDocumentInput> = {
  acceptance_notice: {
    ...base,
    kind: 'acceptance_notice',
    promisedDeadline: new Date('2026-12-10T23:59:59.999+08:00'),
  },
  rejection_decision: {
    ...base,
    kind: 'rejection_decision',
    reason: '申请事项依法不属于本机关职权范围，请向示例省药品监督管理局提出申请。',
  },
  supplement_notice: {
    ...base,
    kind: 'supplement_notice',
    materials: [
      { name: '营业执照副本复印件', problem: '复印件模糊不清，无法辨认统一社会信用代码' },
      { name: '食品安全管理制度', problem: '缺少进货查验记录制度' },
    ],
  },
  approval_decision: { ...base, kind: 'approval_decision' },
  denial_decision: {
    ...base,
    kind: 'denial_decision',
    reason: '经现场核查，经营场所与申请材料所述不符：食品处理区面积不足，未设置独立的清洗消毒区域。',
  },
};

const kinds = Object.keys(examples) as CaseDocumentKind[];

describe('renderCaseDocument', () => {
  it.each(kinds)('renders a %s: a one-page A4 PDF with its title, number, text and QR code', async (kind) => {
    const input = examples[kind];
    const bytes = await renderCaseDocument(input);
    expect(latin1(bytes.subarray(0, 5))).toBe('%PDF-');
    expect(bytes.length).toBeLessThan(300 * 1024);

    const { doc, pages } = await readPdf(bytes);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    expect(doc.getTitle()).toBe(`${DOCUMENT_TITLES[kind].zh}（${input.caseNumber}）`);

    const [page] = pages;
    expect(page!.lines).toContain(DOCUMENT_TITLES[kind].zh);
    expect(page!.lines).toContain(input.organisationName);
    expect(page!.lines).toContain(`〔2026〕第 ${input.caseNumber} 号`);
    expect(page!.lines).toContain(`${input.applicantName}：`);
    expect(page!.lines).toContain('2026年11月22日');
    expect(page!.lines).toContain('扫码核验');
    expect(page!.lines).toContain(`办件编号 ${input.caseNumber}\u3000\u3000第 1 页／共 1 页`);
    const text = bodyText(pages);
    expect(text).toContain(`“${input.itemName}”`);
    expect(text).toContain(input.verifyUrl);

    // Every character is drawn with its real outline, not a blank or a wrong glyph.
    expect(page!.glyphs.length).toBeGreaterThan(50);
    expect(page!.glyphs.filter((glyph) => !glyph.faithful)).toEqual([]);

    expect(page!.imagesDrawn).toBe(1);
    expect(page!.qrCodes).toEqual([input.verifyUrl]);
  });

  it('says what each kind must say', async () => {
    const texts = Object.fromEntries(
      await Promise.all(
        kinds.map(async (kind) => [
          kind,
          bodyText((await readPdf(await renderCaseDocument(examples[kind]))).pages),
        ]),
      ),
    ) as Record<CaseDocumentKind, string>;
    const rights =
      '如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。';

    expect(texts.acceptance_notice).toContain('本机关于2026年11月22日决定予以受理');
    expect(texts.acceptance_notice).toContain('本机关承诺于2026年12月10日前办结');
    expect(texts.rejection_decision).toContain('本机关决定不予受理，理由如下');
    expect(texts.rejection_decision).toContain(examples.rejection_decision.reason);
    expect(texts.rejection_decision).toContain(rights);
    expect(texts.supplement_notice).toContain('一次性告知如下');
    expect(texts.supplement_notice).toContain('营业执照副本复印件复印件模糊不清，无法辨认统一社会信用代码');
    expect(texts.supplement_notice).toContain('补正期间不计入办理时限');
    expect(texts.approval_decision).toContain('本机关决定准予行政许可');
    expect(texts.approval_decision).toContain('许可证件');
    expect(texts.denial_decision).toContain(examples.denial_decision.reason);
    expect(texts.denial_decision).toContain('本机关决定不予行政许可');
    expect(texts.denial_decision).toContain(rights);
    for (const kind of ['acceptance_notice', 'supplement_notice', 'approval_decision'] as const) {
      expect(texts[kind]).not.toContain('行政复议');
    }

    const withoutDeadline = bodyText(
      (await readPdf(await renderCaseDocument({ ...examples.acceptance_notice, promisedDeadline: null })))
        .pages,
    );
    expect(withoutDeadline).toContain('本机关将在法定期限内作出决定');
    expect(withoutDeadline).not.toContain('承诺');
  });

  it('lists 60 materials in a table that flows over several pages, header repeated', async () => {
    const materials = Array.from({ length: 60 }, (_, i) => ({
      name: `第${i + 1}项材料：法定代表人身份证明`,
      problem:
        i % 5 === 0
          ? `第${i + 1}项：复印件模糊不清，无法辨认证件号码；请提供加盖公章的清晰复印件，并由法定代表人签字确认，复印件应当与原件一致。`
          : `第${i + 1}项：未加盖公章`,
    }));
    const bytes = await renderCaseDocument({
      ...examples.supplement_notice,
      materials,
      reason: '请一次性补正。',
    });
    expect(bytes.length).toBeLessThan(300 * 1024);
    const { doc, pages } = await readPdf(bytes);
    const count = doc.getPageCount();
    expect(count).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page.lines).toContain(`办件编号 ${base.caseNumber}\u3000\u3000第 ${i + 1} 页／共 ${count} 页`);
      expect(page.glyphs.every((glyph) => glyph.faithful)).toBe(true);
    });
    // The table header opens every page the table is on; the closing band is on the last page only.
    const tablePages = pages.filter((page) =>
      page.lines.some((line) => line.startsWith('第') && line.includes('项材料')),
    );
    expect(tablePages.length).toBeGreaterThan(1);
    for (const page of tablePages) expect(page.lines).toContain('存在问题及补正要求');
    expect(pages.map((page) => page.qrCodes.length)).toEqual([...Array(count - 1).fill(0), 1]);
    expect(pages.at(-1)!.lines).toContain('扫码核验');

    // Every material with its problem, in order.
    const text = bodyText(pages);
    let at = 0;
    for (const [i, material] of materials.entries()) {
      const next = text.indexOf(`${i + 1}${material.name}`, at);
      expect(next, material.name).toBeGreaterThan(at);
      expect(text.slice(next).replace(/存在问题及补正要求|序号|材料名称/g, '')).toContain(
        material.problem.slice(0, 12),
      );
      at = next;
    }
    expect(text).toContain('其他说明：请一次性补正。');
  });

  it('wraps a long reason and flows it onto further pages, breaking long Latin runs', async () => {
    const sentence =
      '经审查，申请人提交的《食品经营许可申请书》中经营项目与现场核查情况不一致，且未能提供符合要求的从业人员健康证明（编号 HC-2026-0001234）。';
    const url = `https://example.gov.cn/${'a'.repeat(180)}`;
    const reason = `${sentence.repeat(40)}参见${url}。\n第二段：${sentence}`;
    const bytes = await renderCaseDocument({ ...examples.denial_decision, reason });
    const { doc, pages } = await readPdf(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    // A space where a line wraps is not drawn; compare without spaces.
    const text = bodyText(pages).replace(/ /g, '');
    const compact = (value: string) => value.replace(/ /g, '');
    expect(text).toContain(compact(`${sentence.repeat(40)}参见${url}。`));
    expect(text).toContain(compact(`第二段：${sentence}`));
    expect(text.indexOf('第二段')).toBeLessThan(text.indexOf('本机关决定不予行政许可'));
    // No line runs past the right margin by more than one hanging punctuation mark.
    const font = sourceFonts.regular;
    const widthOf = (line: string) => font.layout(line).advanceWidth * (14 / font.unitsPerEm);
    const bodyLines = pages
      .flatMap((page) => page.lines)
      .filter((line) => line.includes('HC-2026') || line.includes('aaaa'));
    expect(bodyLines.length).toBeGreaterThan(10);
    for (const line of bodyLines) expect(widthOf(line)).toBeLessThanOrEqual(442.28 + 2 * 14); // measured without the renderer's punctuation compression
  });

  it('prints the date of China time and numbers the document by that year', async () => {
    // 2026-12-31T17:00Z is 01:00 on 1 January 2027 in China.
    const issuedAt = new Date('2026-12-31T17:00:00Z');
    const { pages } = await readPdf(await renderCaseDocument({ ...examples.approval_decision, issuedAt }));
    expect(pages[0]!.lines).toContain('2027年1月1日');
    expect(pages[0]!.lines).toContain(`〔2027〕第 ${base.caseNumber} 号`);
  });

  it('gives the same bytes for the same input, also when rendering in parallel', async () => {
    const sequential: Uint8Array[] = [];
    for (const kind of kinds) sequential.push(await renderCaseDocument(examples[kind]));
    const parallel = await Promise.all(kinds.map((kind) => renderCaseDocument(examples[kind])));
    parallel.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(sequential[i]!))).toBe(true));
    const other = await renderCaseDocument({
      ...examples.approval_decision,
      caseNumber: `${base.caseNumber}-01`,
    });
    expect(Buffer.from(other).equals(Buffer.from(sequential[kinds.indexOf('approval_decision')]!))).toBe(
      false,
    );
  });

  it('keeps control characters out of the text', async () => {
    const { pages } = await readPdf(
      await renderCaseDocument({
        ...examples.rejection_decision,
        applicantName: '张三\u0007',
        reason: '理由\t一\r\n理由二',
      }),
    );
    expect(pages[0]!.lines).toContain('张三：');
    const text = bodyText(pages);
    expect(text).toContain('理由 一理由二');
    // eslint-disable-next-line no-control-regex -- the point is that no control character is left
    expect(text).not.toMatch(/[\u0000-\u001f]/);
  });

  it('refuses a document that lacks what it must state', async () => {
    const fieldsOf = async (input: CaseDocumentInput) => {
      const error = await renderCaseDocument(input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_failed');
      return (error as AppError).errors!.map((e) => `${e.field}:${e.rule}`);
    };
    expect(await fieldsOf({ ...examples.rejection_decision, reason: '  \n ' })).toEqual(['reason:required']);
    expect(await fieldsOf({ ...examples.denial_decision, reason: null })).toEqual(['reason:required']);
    expect(await fieldsOf({ ...examples.supplement_notice, materials: [] })).toEqual(['materials:minItems']);
    expect(
      await fieldsOf({ ...examples.supplement_notice, materials: [{ name: '身份证', problem: '' }] }),
    ).toEqual(['materials[0].problem:required']);
    expect(await fieldsOf({ ...examples.approval_decision, verifyUrl: 'javascript:alert(1)' })).toEqual([
      'verifyUrl:format',
    ]);
    expect(
      await fieldsOf({ ...examples.acceptance_notice, caseNumber: ' ', issuedAt: new Date('nonsense') }),
    ).toEqual(['caseNumber:required', 'issuedAt:format']);
    const error = await renderCaseDocument({ ...examples.denial_decision, reason: '' }).catch(
      (e: AppError) => e,
    );
    expect((error as AppError).errors![0]!.message).toBe('不予许可决定书必须写明理由');
  });
});
