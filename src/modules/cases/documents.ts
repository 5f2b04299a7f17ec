/**
 * Case documents as PDF (issue 4 item 6): 受理通知书, 不予受理决定书, 补正材料通知书（一次性告知书）,
 * 准予许可决定书 and 不予许可决定书. A pure renderer: it reads no database and no clock; the
 * same input gives the same bytes, so a stored document can be hashed and chained.
 *
 * Layout: A4 portrait, the issuing body's name in red at the top (红头), the document number
 * and a red rule, the title, the salutation, the body per kind, then a closing band with a
 * QR code for verification at the left and the issuing body and date at the right. Long
 * reasons and material lists wrap and flow onto further pages; each page carries the case
 * number and "第 n 页／共 m 页" in its footer.
 *
 * Fonts, line breaking and the QR code come from kernel/pdf.ts.
 */
import { rgb, type PDFDocument, type PDFPage, type RGB } from 'pdf-lib';
import { chinaDateOf } from '../../kernel/calendar/index.ts';
import { textFieldError, validationError, type FieldError } from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import {
  chineseDate,
  drawLine,
  embedQrCode,
  justifiedSpacing,
  measure,
  newDocument,
  printable,
  wrap,
  type FontName,
  type Fonts,
  type TextStyle,
} from '../../kernel/pdf.ts';

export type CaseDocumentKind =
  'acceptance_notice' | 'rejection_decision' | 'supplement_notice' | 'approval_decision' | 'denial_decision';

export interface CaseDocumentMaterial {
  /** 材料名称 */
  name: string;
  /** What is missing or wrong and what to supply instead (存在问题及补正要求). */
  problem: string;
}

export interface CaseDocumentInput {
  kind: CaseDocumentKind;
  /** The case number, e.g. 330102202611220000127 (with a -01 suffix for a part of a bundle). */
  caseNumber: string;
  /** 事项名称 */
  itemName: string;
  /** The issuing body, e.g. 示例市市场监督管理局. */
  organisationName: string;
  /** The applicant: a person's or an enterprise's name. */
  applicantName: string;
  /** The date printed on the document (its China date, YYYY年M月D日); for an acceptance notice also the date of acceptance. */
  issuedAt: Date;
  /** The written reason: required for a rejection or a denial; optional further remarks on a supplement notice. */
  reason?: string | null;
  /** Supplement notice: every missing or faulty material (一次性告知); at least one. */
  materials?: CaseDocumentMaterial[];
  /** Acceptance notice: the promised completion date (承诺办结); without it the notice cites the legal time limit. */
  promisedDeadline?: Date | null;
  /** Printed and encoded in the QR code, e.g. https://host/verify/case-documents/<code>. */
  verifyUrl: string;
}

export const DOCUMENT_TITLES = {
  acceptance_notice: { zh: '受理通知书', en: 'Notice of acceptance' },
  rejection_decision: { zh: '不予受理决定书', en: 'Decision not to accept the application' },
  supplement_notice: {
    zh: '补正材料通知书（一次性告知书）',
    en: 'Notice to supplement materials (one-time notice)',
  },
  approval_decision: { zh: '准予许可决定书', en: 'Decision to grant the licence' },
  denial_decision: { zh: '不予许可决定书', en: 'Decision to refuse the licence' },
} as const satisfies Record<CaseDocumentKind, { zh: string; en: string }>;

defineMessages({
  'caseDocument.kind': { zh: '文书类型不正确', en: 'is not a known kind of case document' },
  'caseDocument.reasonRequired': {
    zh: '{title}必须写明理由',
    en: 'is required: a {titleEn} must state its reason',
  },
  'caseDocument.materialsRequired': {
    zh: '补正材料通知书必须一次性列明全部需要补正的材料',
    en: 'must list every material to supplement (at least one)',
  },
  'caseDocument.materialName': { zh: '材料名称不能为空', en: 'must name the material' },
  'caseDocument.materialProblem': {
    zh: '必须写明该材料存在的问题及补正要求',
    en: 'must say what is wrong with the material',
  },
  'caseDocument.verifyUrl': { zh: '核验地址应为 http(s) 网址', en: 'must be an http(s) URL' },
  'caseDocument.date': { zh: '日期不正确', en: 'must be a valid date' },
});

// ---------------------------------------------------------------------------------------
// Page geometry (points; A4 portrait) and type sizes.

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN_LEFT = 79; // 28 mm, as GB/T 9704
const MARGIN_RIGHT = 74; // 26 mm
const MARGIN_TOP = 72;
const MARGIN_BOTTOM = 72;
const CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
const FOOTER_Y = 40;

const BODY_SIZE = 14; // 四号
const BODY_LEADING = 25;
const TABLE_SIZE = 11;
const TABLE_LEADING = 16;
const CELL_PADDING = 5;
const QR_SIZE = 80;

const BLACK = rgb(0, 0, 0);
const RED = rgb(0.8, 0.05, 0.05);
const GREY = rgb(0.35, 0.35, 0.35);

/** The paragraphs of a free text: one per non-empty line. */
const paragraphsOf = (text: string) =>
  printable(text.replace(/\r\n?/g, '\n'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

// ---------------------------------------------------------------------------------------
// A flowing sheet: a cursor that moves down the page and turns to a new one when full.

class Sheet {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.pages.push(this.page);
    this.y = PAGE_HEIGHT - MARGIN_TOP;
  }

  /** Turns the page unless `height` more points fit above the bottom margin. */
  ensure(height: number): void {
    if (this.y - height < MARGIN_BOTTOM) this.newPage();
  }

  style(name: FontName, size: number): TextStyle {
    return { font: this.fonts[name], size };
  }

  /** Draws one line; with `spacing`, that much space is added after every character but the last. */
  text(text: string, x: number, baseline: number, style: TextStyle, color: RGB = BLACK, spacing = 0): void {
    drawLine(this.page, text, x, baseline, style, color, spacing);
  }

  /** A paragraph: wrapped, first line indented by two characters unless told otherwise. */
  paragraph(
    text: string,
    options: {
      style?: TextStyle;
      leading?: number;
      indent?: number;
      align?: 'left' | 'center' | 'right';
      color?: RGB;
      spaceAfter?: number;
    } = {},
  ): void {
    const style = options.style ?? this.style('regular', BODY_SIZE);
    const leading = options.leading ?? BODY_LEADING;
    const indent = options.indent ?? 2 * style.size;
    const align = options.align ?? 'left';
    const lines = wrap(text, style, CONTENT_WIDTH, align === 'left' ? indent : 0);
    lines.forEach((line, index) => {
      this.ensure(leading);
      const width = measure(line, style);
      const lineIndent = index === 0 ? indent : 0;
      const x =
        align === 'center'
          ? MARGIN_LEFT + (CONTENT_WIDTH - width) / 2
          : align === 'right'
            ? MARGIN_LEFT + CONTENT_WIDTH - width
            : MARGIN_LEFT + lineIndent;
      // Justified (两端对齐): every line but a paragraph's last fills the measure, a hanging
      // punctuation mark squeezed in; a line of long Latin runs that would gape stays ragged.
      const spacing =
        align === 'left' && index < lines.length - 1
          ? justifiedSpacing(line, style, CONTENT_WIDTH - lineIndent)
          : 0;
      this.y -= leading;
      this.text(line, x, this.y + (leading - style.size) / 2, style, options.color, spacing);
    });
    this.y -= options.spaceAfter ?? 0;
  }

  /**
   * A ruled table whose rows may break across pages; the header row is repeated at the top
   * of every page the table continues on.
   */
  table(headers: string[], widths: number[], rows: string[][]): void {
    const cell = this.style('regular', TABLE_SIZE);
    const head = this.style('bold', TABLE_SIZE);
    const wrapRow = (values: string[], style: TextStyle) =>
      values.map((value, i) => wrap(value, style, widths[i]! - 2 * CELL_PADDING));
    const headLines = wrapRow(headers, head);
    const headHeight = Math.max(...headLines.map((l) => l.length)) * TABLE_LEADING + 2 * CELL_PADDING;

    // Draws `count` line slots of a row starting at slot `from`, as one framed band.
    const band = (lines: string[][], style: TextStyle, from: number, count: number, top: boolean) => {
      const height = count * TABLE_LEADING + (top ? CELL_PADDING : 0);
      const last = Math.max(...lines.map((l) => l.length));
      const bottom = from + count >= last;
      const total = height + (bottom ? CELL_PADDING : 0);
      const y0 = this.y;
      let x = MARGIN_LEFT;
      lines.forEach((cellLines, c) => {
        for (let s = 0; s < count; s++) {
          const line = cellLines[from + s];
          if (line === undefined) continue;
          const baseline =
            y0 - (top ? CELL_PADDING : 0) - (s + 1) * TABLE_LEADING + (TABLE_LEADING - style.size) / 2 + 1;
          this.text(line, x + CELL_PADDING, baseline, style);
        }
        x += widths[c]!;
      });
      const y1 = y0 - total;
      const rule = (x1: number, ya: number, x2: number, yb: number) =>
        this.page.drawLine({ start: { x: x1, y: ya }, end: { x: x2, y: yb }, thickness: 0.6, color: BLACK });
      rule(MARGIN_LEFT, y0, MARGIN_LEFT + CONTENT_WIDTH, y0);
      rule(MARGIN_LEFT, y1, MARGIN_LEFT + CONTENT_WIDTH, y1);
      let vx = MARGIN_LEFT;
      rule(vx, y0, vx, y1);
      for (const w of widths) {
        vx += w;
        rule(vx, y0, vx, y1);
      }
      this.y = y1;
    };

    const header = () => {
      this.ensure(headHeight + TABLE_LEADING + 2 * CELL_PADDING);
      band(headLines, head, 0, Math.max(...headLines.map((l) => l.length)), true);
    };
    header();
    for (const row of rows) {
      const lines = wrapRow(row, cell);
      const slots = Math.max(...lines.map((l) => l.length));
      let from = 0;
      while (from < slots) {
        const top = from === 0;
        const available = Math.floor(
          (this.y - MARGIN_BOTTOM - (top ? CELL_PADDING : 0) - CELL_PADDING) / TABLE_LEADING,
        );
        // A row that fits on a fresh page is not split; a taller one is split where the page ends.
        const needed = slots - from;
        if (available < needed && (available < 1 || needed * TABLE_LEADING < PAGE_HEIGHT / 2)) {
          this.newPage();
          header();
          continue;
        }
        const count = Math.min(needed, available);
        band(lines, cell, from, count, top);
        from += count;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// The texts of each kind of document.

const RIGHTS =
  '如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。';

type Block = { paragraph: string } | { table: CaseDocumentMaterial[] };

function bodyOf(input: CaseDocumentInput): Block[] {
  const item = `“${printable(input.itemName).trim()}”`;
  const reasons = (input.reason ? paragraphsOf(input.reason) : []).map((paragraph) => ({ paragraph }));
  switch (input.kind) {
    case 'acceptance_notice':
      return [
        {
          paragraph: `你（单位）提出的${item}申请，经审查，申请事项属于本机关职权范围，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，本机关于${chineseDate(input.issuedAt)}决定予以受理。`,
        },
        {
          paragraph: input.promisedDeadline
            ? `本机关承诺于${chineseDate(input.promisedDeadline)}前办结。依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在办理时限内。`
            : '本机关将在法定期限内作出决定。依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在办理时限内。',
        },
        {
          paragraph: `你（单位）可凭办件编号 ${input.caseNumber} 查询办理进度；扫描左下方二维码可核验本通知书的真伪。`,
        },
        { paragraph: '特此通知。' },
      ];
    case 'rejection_decision':
      return [
        { paragraph: `你（单位）提出的${item}申请，经审查，本机关决定不予受理，理由如下：` },
        ...reasons,
        { paragraph: '根据《中华人民共和国行政许可法》第三十二条第一款的规定，特此决定。' },
        { paragraph: RIGHTS },
      ];
    case 'supplement_notice':
      return [
        {
          paragraph: `你（单位）提出的${item}申请，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现将需要补正的全部内容一次性告知如下：`,
        },
        { table: input.materials ?? [] },
        ...reasons.map(({ paragraph }, i) => ({ paragraph: i === 0 ? `其他说明：${paragraph}` : paragraph })),
        {
          paragraph:
            '请按照上述要求一次性补正全部材料后重新提交。补正期间不计入办理时限，办理时限自本机关收到全部补正材料之日起继续计算。',
        },
        { paragraph: '特此通知。' },
      ];
    case 'approval_decision':
      return [
        {
          paragraph: `你（单位）提出的${item}申请，本机关已依法受理。经审查，你（单位）的申请符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。`,
        },
        {
          paragraph:
            '本机关将依法制作相应的许可证件并送达你（单位），请注意查收。扫描左下方二维码可核验本决定书的真伪。',
        },
        { paragraph: '特此决定。' },
      ];
    case 'denial_decision':
      return [
        {
          paragraph: `你（单位）提出的${item}申请，本机关已依法受理。经审查，你（单位）的申请不符合法定条件、标准，理由如下：`,
        },
        ...reasons,
        {
          paragraph: '根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。',
        },
        { paragraph: RIGHTS },
      ];
  }
}

function validate(input: CaseDocumentInput): void {
  const errors: FieldError[] = [];
  const title = DOCUMENT_TITLES[input.kind];
  if (!title) {
    throw validationError([textFieldError('kind', 'enum', 'caseDocument.kind')]);
  }
  for (const field of ['caseNumber', 'itemName', 'organisationName', 'applicantName'] as const) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') {
      errors.push(textFieldError(field, 'required', 'rule.required'));
    }
  }
  for (const field of ['issuedAt', 'promisedDeadline'] as const) {
    const value = input[field];
    if (
      (field === 'issuedAt' || value != null) &&
      !(value instanceof Date && !Number.isNaN(value.getTime()))
    ) {
      errors.push(textFieldError(field, 'format', 'caseDocument.date'));
    }
  }
  if (!/^https?:\/\/\S+$/i.test(input.verifyUrl ?? '')) {
    errors.push(textFieldError('verifyUrl', 'format', 'caseDocument.verifyUrl'));
  }
  if (
    (input.kind === 'rejection_decision' || input.kind === 'denial_decision') &&
    paragraphsOf(input.reason ?? '').length === 0
  ) {
    errors.push(
      textFieldError('reason', 'required', 'caseDocument.reasonRequired', {
        title: title.zh,
        titleEn: title.en.toLowerCase(),
      }),
    );
  }
  if (input.kind === 'supplement_notice') {
    const materials = input.materials ?? [];
    if (materials.length === 0) {
      errors.push(textFieldError('materials', 'minItems', 'caseDocument.materialsRequired'));
    }
    materials.forEach((material, i) => {
      if (!material.name?.trim()) {
        errors.push(textFieldError(`materials[${i}].name`, 'required', 'caseDocument.materialName'));
      }
      if (!material.problem?.trim()) {
        errors.push(textFieldError(`materials[${i}].problem`, 'required', 'caseDocument.materialProblem'));
      }
    });
  }
  if (errors.length > 0) throw validationError(errors);
}

// ---------------------------------------------------------------------------------------

/**
 * Renders one case document as a PDF (A4 portrait). Throws a validation error (400) when
 * the input lacks what the document must state: a reason for a rejection or a denial, at
 * least one material for a supplement notice, an http(s) verification URL.
 */
export async function renderCaseDocument(input: CaseDocumentInput): Promise<Uint8Array> {
  validate(input);
  const title = DOCUMENT_TITLES[input.kind];
  const { doc, fonts } = await newDocument();
  const organisation = printable(input.organisationName).trim();
  const issued = chineseDate(input.issuedAt);
  const year = chinaDateOf(input.issuedAt).slice(0, 4);

  doc.setTitle(`${title.zh}（${input.caseNumber}）`);
  doc.setSubject(`${title.en}, case ${input.caseNumber}`);
  doc.setAuthor(organisation);
  doc.setCreator('Tongban 通办');
  doc.setProducer('Tongban 通办 (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(input.issuedAt);
  doc.setModificationDate(input.issuedAt);

  const sheet = new Sheet(doc, fonts);

  // Head: issuing body (red), document number, red rule, title.
  sheet.paragraph(organisation, { style: sheet.style('bold', 24), leading: 40, align: 'center', color: RED });
  sheet.y -= 6;
  sheet.paragraph(`〔${year}〕第 ${input.caseNumber} 号`, {
    style: sheet.style('regular', 13),
    leading: 22,
    align: 'center',
  });
  sheet.y -= 6;
  sheet.page.drawLine({
    start: { x: MARGIN_LEFT, y: sheet.y },
    end: { x: MARGIN_LEFT + CONTENT_WIDTH, y: sheet.y },
    thickness: 1.5,
    color: RED,
  });
  sheet.y -= 18;
  sheet.paragraph(title.zh, { style: sheet.style('bold', 21), leading: 34, align: 'center', spaceAfter: 12 });

  // Salutation and body.
  sheet.paragraph(`${printable(input.applicantName).trim()}：`, { indent: 0 });
  for (const block of bodyOf(input)) {
    if ('paragraph' in block) {
      sheet.paragraph(block.paragraph);
    } else {
      sheet.y -= 6;
      sheet.table(
        ['序号', '材料名称', '存在问题及补正要求'],
        [36, 160, CONTENT_WIDTH - 196],
        block.table.map((m, i) => [String(i + 1), m.name, m.problem]),
      );
      sheet.y -= 6;
    }
  }

  // Closing band: QR code, "扫码核验" and the URL at the left; issuing body and date at the right.
  const small = sheet.style('regular', 7.5);
  const urlWidth = Math.min(220, CONTENT_WIDTH / 2);
  const urlLines = wrap(input.verifyUrl, small, urlWidth);
  const bandHeight = 30 + QR_SIZE + 16 + urlLines.length * 10;
  sheet.ensure(bandHeight);
  const top = sheet.y - 30;
  const qr = await embedQrCode(doc, input.verifyUrl);
  // The quiet zone lies in the margin, so the dark modules line up with the text.
  const qrX = MARGIN_LEFT - (QR_SIZE * qr.quietZone) / qr.modules;
  sheet.page.drawImage(qr.image, { x: qrX, y: top - QR_SIZE, width: QR_SIZE, height: QR_SIZE });
  const caption = sheet.style('bold', 10);
  sheet.text('扫码核验', MARGIN_LEFT, top - QR_SIZE - 12, caption);
  urlLines.forEach((line, i) => sheet.text(line, MARGIN_LEFT, top - QR_SIZE - 24 - i * 10, small, GREY));

  const sign = sheet.style('regular', BODY_SIZE);
  const rightEdge = MARGIN_LEFT + CONTENT_WIDTH - 2 * BODY_SIZE; // 右空二字
  const signLines = wrap(organisation, sign, CONTENT_WIDTH / 2 - 2 * BODY_SIZE);
  const signWidth = Math.max(...[...signLines, issued].map((l) => measure(l, sign)));
  // The issuing body and the date are centred on each other, the block set right.
  const centre = rightEdge - signWidth / 2;
  [...signLines, issued].forEach((line, i) => {
    const w = measure(line, sign);
    sheet.text(line, centre - w / 2, top - 24 - i * BODY_LEADING, sign);
  });
  sheet.y = top - bandHeight;

  // Footer on every page: case number and page count.
  const footer = sheet.style('regular', 9);
  sheet.pages.forEach((page, i) => {
    const line = `办件编号 ${input.caseNumber}\u3000\u3000第 ${i + 1} 页／共 ${sheet.pages.length} 页`;
    const w = measure(line, footer);
    page.drawText(line, {
      x: (PAGE_WIDTH - w) / 2,
      y: FOOTER_Y,
      size: footer.size,
      font: footer.font,
      color: GREY,
    });
  });

  return doc.save({ useObjectStreams: true });
}
