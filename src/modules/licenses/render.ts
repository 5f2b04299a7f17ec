/**
 * E-licences as PDF (issue 5 item 3). A pure renderer: it reads no database and no clock; the
 * same input gives the same bytes, so a rendered licence can be cached and hashed.
 *
 * Two templates: `certificate`, an A4 landscape certificate in the manner of a business
 * licence (营业执照), and `card`, an A5 portrait booklet page in the manner of a marriage
 * certificate (结婚证). Both have a double frame, the title large at the top, the face data
 * (照面信息) as label/value rows, the QR code for verification at the bottom left, the issuer
 * and the date at the bottom right with the seal over them, and the licence identifier in
 * small type at the foot. Long values wrap; when the rows do not fit, the type gets smaller.
 * A licence no longer valid carries its status as a diagonal watermark.
 *
 * The signed data bundle is attached as `licence.json`, so the file alone can be verified
 * offline (`npx tongban verify`).
 */
import { AFRelationship, degrees, rgb } from 'pdf-lib';
import { parseDate } from '../../kernel/calendar/index.ts';
import { textFieldError, validationError, type FieldError } from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import {
  chineseDate,
  drawLine,
  embedQrCode,
  justifiedSpacing,
  measure,
  newDocument,
  originForCentre,
  printable,
  wrap,
  type Fonts,
  type TextStyle,
} from '../../kernel/pdf.ts';
import { LICENCE_ATTACHMENT } from './formats.ts';
import { drawSeal } from './seal-image.ts';

export type LicenceTemplate = 'certificate' | 'card';

export interface LicenceRenderInput {
  /** The licence type's name, e.g. 食品经营许可证. */
  title: string;
  template: LicenceTemplate;
  /** The GB/T 36904 identifier, printed small at the foot. */
  id: string;
  /** The face fields (照面信息) in display order. */
  fields: { label: string; value: string }[];
  /** Printed as a first row (持证主体) unless a field already shows it. */
  holderName: string;
  issuerName: string;
  /** YYYY-MM-DD; printed as 2026年11月22日, and the PDF's creation date. */
  issueDate: string;
  /** Printed as it is, e.g. 2026年11月22日至2031年11月21日, or 长期. */
  validity: string;
  seal: { organisationName: string; sealName: string; code: string };
  /** Encoded in the QR code and printed small below it. */
  verifyUrl: string;
  /** The signed data, attached to the PDF as licence.json. */
  bundleJson: string;
  /** When set (e.g. 已注销), printed across the page as a watermark. */
  status?: string | null;
}

defineMessages({
  'licenceRender.template': { zh: '证照模板应为 certificate 或 card', en: 'must be certificate or card' },
  'licenceRender.date': { zh: '日期格式应为 YYYY-MM-DD', en: 'must be a date as YYYY-MM-DD' },
  'licenceRender.verifyUrl': { zh: '核验地址应为 http(s) 网址', en: 'must be an http(s) URL' },
  'licenceRender.bundleJson': { zh: '证照数据包不是有效的 JSON', en: 'must be valid JSON' },
  'licenceRender.tooLong': {
    zh: '照面信息过长，无法在一页证照内印制',
    en: 'are too long to print on one page of the licence',
  },
});

// ---------------------------------------------------------------------------------------
// Templates: page geometry in points.

interface Layout {
  width: number;
  height: number;
  /** The outer frame line's distance from the page edge, the gap to the inner line, their widths. */
  frame: { inset: number; gap: number; outer: number; inner: number };
  /** Left and right edges of the content, from the page edge. */
  margin: number;
  /** From the top of the page to the top of the title. */
  titleTop: number;
  titleSize: number;
  /** The face data's type size: the largest that fits, down to `min`. */
  fieldSize: { max: number; min: number };
  signSize: number;
  smallSize: number;
  qrSize: number;
  sealDiameter: number;
}

const LAYOUTS = {
  certificate: {
    width: 841.89, // A4 landscape
    height: 595.28,
    frame: { inset: 20, gap: 5, outer: 2.4, inner: 0.8 },
    margin: 78,
    titleTop: 54,
    titleSize: 38,
    fieldSize: { max: 14, min: 7 },
    signSize: 14,
    smallSize: 7.5,
    qrSize: 76,
    sealDiameter: 119, // 42 mm, an official seal's size
  },
  card: {
    width: 419.53, // A5 portrait
    height: 595.28,
    frame: { inset: 14, gap: 4, outer: 2, inner: 0.7 },
    margin: 40,
    titleTop: 46,
    titleSize: 28,
    fieldSize: { max: 12, min: 6 },
    signSize: 12,
    smallSize: 6.5,
    qrSize: 62,
    sealDiameter: 100,
  },
} as const satisfies Record<LicenceTemplate, Layout>;

const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.4, 0.4, 0.4);
const FRAME = rgb(0.62, 0.42, 0.16);
const WATERMARK = rgb(0.8, 0.05, 0.05);

/** Height of a CJK character's top above the baseline, and of the descent below it, in ems. */
const ASCENT = 0.88;
const DESCENT = 0.12;

// ---------------------------------------------------------------------------------------
// Validation

const isDate = (value: unknown): value is string =>
  typeof value === 'string' && parseDate(value) !== undefined;
const blank = (value: unknown) => typeof value !== 'string' || printable(value).trim() === '';

function validate(input: LicenceRenderInput): void {
  const errors: FieldError[] = [];
  const required = (field: string, value: unknown) => {
    if (blank(value)) errors.push(textFieldError(field, 'required', 'rule.required'));
  };
  required('title', input.title);
  if (!Object.hasOwn(LAYOUTS, input.template)) {
    errors.push(textFieldError('template', 'enum', 'licenceRender.template'));
  }
  required('id', input.id);
  required('holderName', input.holderName);
  required('issuerName', input.issuerName);
  if (!isDate(input.issueDate)) errors.push(textFieldError('issueDate', 'format', 'licenceRender.date'));
  required('validity', input.validity);
  required('seal.organisationName', input.seal?.organisationName);
  if (!Array.isArray(input.fields)) {
    errors.push(textFieldError('fields', 'type', 'rule.type', { type: 'array' }));
  } else {
    input.fields.forEach((field, i) => {
      required(`fields[${i}].label`, field?.label);
      if (typeof field?.value !== 'string') {
        errors.push(textFieldError(`fields[${i}].value`, 'type', 'rule.type', { type: 'string' }));
      }
    });
  }
  if (typeof input.verifyUrl !== 'string' || !/^https?:\/\/\S+$/i.test(input.verifyUrl)) {
    errors.push(textFieldError('verifyUrl', 'format', 'licenceRender.verifyUrl'));
  }
  try {
    if (typeof input.bundleJson !== 'string') throw new TypeError('not a string');
    JSON.parse(input.bundleJson);
  } catch {
    errors.push(textFieldError('bundleJson', 'format', 'licenceRender.bundleJson'));
  }
  if (errors.length > 0) throw validationError(errors);
}

// ---------------------------------------------------------------------------------------
// Drawing helpers

const text = (s: string) => printable(s).trim();

/** The width of `line` drawn with `spacing` after every character but the last. */
const spacedWidth = (line: string, style: TextStyle, spacing: number) =>
  measure(line, style) + spacing * Math.max([...line].length - 1, 0);

interface Row {
  label: string;
  value: string;
}

interface TableFit {
  size: number;
  leading: number;
  rowGap: number;
  labelWidth: number;
  valueWidth: number;
  rows: { label: string[]; value: string[] }[];
  height: number;
}

/** Labels up to this many characters are spread over this many character widths (名称 with its two characters at the ends), as on a business licence. */
const SPREAD_LABEL = 4;

/**
 * Lays the rows out at the largest type size from `max` down to `min` (by half points) at
 * which they fit `width` × `height`; undefined when not even `min` fits.
 */
function fitTable(
  rows: Row[],
  fonts: Fonts,
  width: number,
  height: number,
  size: { max: number; min: number },
) {
  for (let s = size.max; s >= size.min; s -= 0.5) {
    const label: TextStyle = { font: fonts.bold, size: s };
    const value: TextStyle = { font: fonts.regular, size: s };
    const widest = Math.max(...rows.map((row) => measure(row.label, label)));
    const labelWidth = Math.min(Math.max(widest, SPREAD_LABEL * s), 10 * s, width * 0.3);
    const valueWidth = width - labelWidth - 1.5 * s;
    const leading = s * 1.6;
    const rowGap = s * 0.6;
    const laid = rows.map((row) => ({
      label: wrap(row.label, label, labelWidth),
      value: wrap(row.value, value, valueWidth),
    }));
    const total =
      laid.reduce((sum, row) => sum + Math.max(row.label.length, row.value.length) * leading, 0) +
      rowGap * (laid.length - 1);
    if (total <= height)
      return {
        size: s,
        leading,
        rowGap,
        labelWidth,
        valueWidth,
        rows: laid,
        height: total,
      } satisfies TableFit;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------

/**
 * Renders a licence as a one-page PDF with its signed data attached. Throws a validation
 * error (400) for an input that cannot make a licence: an empty title, holder, issuer or
 * validity, a malformed date, URL or bundle, or face data too long for the page.
 */
export async function renderLicence(input: LicenceRenderInput): Promise<Uint8Array> {
  validate(input);
  const L: Layout = LAYOUTS[input.template];
  const { doc, fonts } = await newDocument();
  const page = doc.addPage([L.width, L.height]);
  const title = text(input.title);
  const holder = text(input.holderName);
  const issuer = text(input.issuerName);
  const issued = new Date(`${input.issueDate}T00:00:00+08:00`);

  doc.setTitle(`${title}（${holder}）`);
  doc.setSubject(`电子证照标识 ${text(input.id)}`);
  doc.setKeywords([text(input.id)]);
  doc.setAuthor(issuer);
  doc.setCreator('Tongban');
  doc.setProducer('Tongban 通办 (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);

  // Double frame.
  const { inset, gap } = L.frame;
  page.drawRectangle({
    x: inset,
    y: inset,
    width: L.width - 2 * inset,
    height: L.height - 2 * inset,
    borderColor: FRAME,
    borderWidth: L.frame.outer,
  });
  const innerInset = inset + gap + L.frame.outer / 2;
  page.drawRectangle({
    x: innerInset,
    y: innerInset,
    width: L.width - 2 * innerInset,
    height: L.height - 2 * innerInset,
    borderColor: FRAME,
    borderWidth: L.frame.inner,
  });

  const left = L.margin;
  const right = L.width - L.margin;
  const contentWidth = right - left;

  // Title: large, letter-spaced when short, made smaller when long.
  const titleChars = [...title].length;
  let titleStyle: TextStyle = { font: fonts.bold, size: L.titleSize };
  let titleSpacing = L.titleSize * Math.min(0.6, Math.max(0.1, (10 - titleChars) / 10));
  if (spacedWidth(title, titleStyle, titleSpacing) > contentWidth) {
    titleSpacing = 0;
    titleStyle = {
      ...titleStyle,
      size: Math.max(12, (0.98 * L.titleSize * contentWidth) / measure(title, titleStyle)),
    };
  }
  const titleLines = wrap(title, titleStyle, contentWidth);
  let y = L.height - L.titleTop;
  for (const line of titleLines) {
    y -= titleStyle.size * ASCENT;
    const w = spacedWidth(line, titleStyle, titleSpacing);
    drawLine(page, line, (L.width - w) / 2, y, titleStyle, INK, titleSpacing);
    y -= titleStyle.size * (DESCENT + 0.25);
  }
  const tableTop = y - L.titleSize * 0.7;

  // The foot, bottom up: the identifier; the QR code with its caption and URL at the left;
  // the issuer and the date under the seal at the right.
  const small: TextStyle = { font: fonts.regular, size: L.smallSize };
  const idBaseline = innerInset + L.frame.inner + L.smallSize * 1.2;
  const idLine = `电子证照标识：${text(input.id)}`;
  const idStyle = {
    ...small,
    size: Math.min(L.smallSize, (L.smallSize * contentWidth) / measure(idLine, small)),
  };
  drawLine(page, idLine, (L.width - measure(idLine, idStyle)) / 2, idBaseline, idStyle, GREY);

  const urlLeading = L.smallSize * 1.35;
  const urlLines = wrap(input.verifyUrl, small, Math.max(L.qrSize * 2.2, contentWidth * 0.3));
  const footBase = idBaseline + L.smallSize * 2;
  urlLines.forEach((line, i) =>
    drawLine(page, line, left, footBase + (urlLines.length - 1 - i) * urlLeading, small, GREY),
  );
  const caption: TextStyle = { font: fonts.bold, size: L.smallSize + 2.5 };
  const captionBaseline = footBase + urlLines.length * urlLeading + 2;
  drawLine(page, '扫码核验', left, captionBaseline, caption, INK);
  const qr = await embedQrCode(doc, input.verifyUrl);
  const qrBottom = captionBaseline + caption.size * ASCENT + 4;
  // The quiet zone lies outside the content edge, so the dark modules line up with the text.
  const quiet = (L.qrSize * qr.quietZone) / qr.modules;
  page.drawImage(qr.image, { x: left - quiet, y: qrBottom - quiet, width: L.qrSize, height: L.qrSize });
  const qrTop = qrBottom - quiet + L.qrSize;

  const sign: TextStyle = { font: fonts.regular, size: L.signSize };
  const signLeading = L.signSize * 1.7;
  const date = chineseDate(input.issueDate);
  const signLines = [...wrap(issuer, sign, contentWidth * 0.4), date];
  const signWidth = Math.max(...signLines.map((line) => measure(line, sign)));
  const signCentre = right - 2 * L.signSize - signWidth / 2; // 右空二字
  // The date as low as the seal allows: the seal stays above the identifier line.
  const sealRadius = L.sealDiameter / 2;
  const blockMiddle = ((signLines.length - 1) * signLeading + L.signSize * (ASCENT - DESCENT)) / 2;
  const dateBaseline = Math.max(
    footBase + L.signSize,
    idBaseline + 1.5 * L.smallSize + sealRadius - blockMiddle,
  );
  signLines.forEach((line, i) => {
    const baseline = dateBaseline + (signLines.length - 1 - i) * signLeading;
    drawLine(page, line, signCentre - measure(line, sign) / 2, baseline, sign, INK);
  });
  // The seal over the issuer and the date (骑年盖月), centred on the block.
  const sealX = Math.min(signCentre, right - sealRadius);
  const sealY = dateBaseline - L.signSize * DESCENT + blockMiddle;

  // The face data between the title and the foot.
  const footTop = Math.max(qrTop, sealY + sealRadius) + L.fieldSize.min;
  const rows: Row[] = input.fields.map((field) => ({ label: text(field.label), value: text(field.value) }));
  if (!rows.some((row) => row.value === holder)) rows.unshift({ label: '持证主体', value: holder });
  if (!rows.some((row) => /^有效期(限)?$/.test(row.label)))
    rows.push({ label: '有效期限', value: text(input.validity) });
  const fit = fitTable(rows, fonts, contentWidth, tableTop - footTop, L.fieldSize);
  if (!fit) throw validationError([textFieldError('fields', 'maxLength', 'licenceRender.tooLong')]);
  const label: TextStyle = { font: fonts.bold, size: fit.size };
  const value: TextStyle = { font: fonts.regular, size: fit.size };
  // Spare height opens the rows up a little (up to half a line more between rows); what is
  // still left moves the rows down, more space staying below them than above.
  const spare = tableTop - footTop - fit.height;
  const extraGap = Math.min(spare / Math.max(rows.length - 1, 1), fit.leading / 2);
  const rowGap = fit.rowGap + extraGap;
  const valueX = left + fit.labelWidth + 1.5 * fit.size;
  y = tableTop - (spare - extraGap * (rows.length - 1)) * 0.35;
  for (const row of fit.rows) {
    row.label.forEach((line, i) => {
      const chars = [...line].length;
      const spread =
        row.label.length === 1 && chars > 1 && chars <= SPREAD_LABEL
          ? (SPREAD_LABEL * fit.size - measure(line, label)) / (chars - 1)
          : 0;
      drawLine(
        page,
        line,
        left,
        y - (i + 1) * fit.leading + fit.leading * 0.3,
        label,
        INK,
        Math.max(spread, 0),
      );
    });
    row.value.forEach((line, i) => {
      // Justified (两端对齐): every line of a wrapped value but its last fills the column.
      const spacing = i < row.value.length - 1 ? justifiedSpacing(line, value, fit.valueWidth) : 0;
      drawLine(page, line, valueX, y - (i + 1) * fit.leading + fit.leading * 0.3, value, INK, spacing);
    });
    y -= Math.max(row.label.length, row.value.length) * fit.leading + rowGap;
  }

  drawSeal(page, fonts, {
    x: sealX,
    y: sealY,
    diameter: L.sealDiameter,
    organisationName: input.seal.organisationName,
    sealName: input.seal.sealName,
    code: input.seal.code,
  });

  // A licence no longer valid says so across the page, over everything else.
  const status = text(input.status ?? '');
  if (status !== '') {
    const angle = Math.atan2(L.height, L.width);
    const diagonal = Math.hypot(L.width, L.height);
    const size = Math.min((diagonal * 0.5) / measure(status, { font: fonts.bold, size: 1 }), L.height * 0.3);
    const w = measure(status, { font: fonts.bold, size });
    page.drawText(status, {
      ...originForCentre(L.width / 2, L.height / 2, w, size, angle),
      size,
      font: fonts.bold,
      color: WATERMARK,
      opacity: 0.22,
      rotate: degrees((angle * 180) / Math.PI),
    });
  }

  await doc.attach(new TextEncoder().encode(input.bundleJson), LICENCE_ATTACHMENT, {
    mimeType: 'application/json',
    description: '电子证照数据（已签名） / Signed licence data',
    creationDate: issued,
    modificationDate: issued,
    afRelationship: AFRelationship.Data,
  });
  return doc.save({ useObjectStreams: true });
}
