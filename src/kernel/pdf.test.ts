import fc from 'fast-check';
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { decodeQrImage } from '../../test/helpers/pdf.ts';
import { chineseDate, embedQrCode, measure, newDocument, printable, wrap, type TextStyle } from './pdf.ts';

const { fonts } = await newDocument();
const body: TextStyle = { font: fonts.regular, size: 14 };

describe('newDocument', () => {
  it('embeds Noto Serif SC regular and bold as subsets of the glyphs drawn, the same bytes each time', async () => {
    const render = async () => {
      const { doc, fonts } = await newDocument();
      const page = doc.addPage([200, 100]);
      page.drawText('证照', { x: 10, y: 50, size: 12, font: fonts.regular });
      page.drawText('核验', { x: 10, y: 20, size: 12, font: fonts.bold });
      return doc.save();
    };
    const [first, second] = await Promise.all([render(), render()]);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    // A subset of four glyphs, not the 15 MB font files.
    expect(first.length).toBeLessThan(40 * 1024);

    const doc = await PDFDocument.load(first);
    const baseFonts = doc.context
      .enumerateIndirectObjects()
      .map(([, object]) => object)
      .filter((object): object is PDFDict => object instanceof PDFDict)
      .filter((dict) => dict.get(PDFName.of('Subtype'))?.toString() === '/Type0')
      .map((dict) => dict.get(PDFName.of('BaseFont'))!.toString());
    expect(baseFonts).toHaveLength(2);
    // pdf-lib names an embedded font after its PostScript name with a suffix from the document's seeded generator.
    expect(baseFonts.map((name) => name.replace(/^\/(.*)-\d+$/, '$1')).sort()).toEqual([
      'NotoSerifSC-Bold',
      'NotoSerifSC-Regular',
    ]);
  });
});

describe('measure', () => {
  it("gives the font's own advance widths, in proportion to the size, the same in every document", async () => {
    const text = '食品经营许可证 JY13301060012345';
    expect(measure(text, body)).toBeCloseTo(fonts.regular.widthOfTextAtSize(text, 14), 6);
    expect(measure(text, { ...body, size: 28 })).toBeCloseTo(2 * measure(text, body), 6);
    expect(measure('证', body)).toBeCloseTo(14, 6); // an ideograph is one em wide
    const other = await newDocument();
    expect(measure(text, { font: other.fonts.regular, size: 14 })).toBe(measure(text, body));
    expect(measure(text, { font: fonts.bold, size: 14 })).not.toBe(measure(text, body));
  });
});

describe('printable', () => {
  it('turns tabs into spaces and drops the control characters a PDF cannot show', () => {
    expect(printable('名称\t示例\u0007公司\u2028\n')).toBe('名称 示例公司\n');
  });
});

describe('wrap', () => {
  const width = 10 * 14; // ten ideographs

  it('fills lines to the width and breaks between ideographs', () => {
    const lines = wrap('一二三四五六七八九十甲乙丙丁', body, width);
    expect(lines).toEqual(['一二三四五六七八九十', '甲乙丙丁']);
    expect(wrap('一二三', body, width, 2 * 14)).toEqual(['一二三']);
    expect(wrap('一二三四五六七八九十', body, width, 2 * 14)).toEqual(['一二三四五六七八', '九十']);
  });

  it('hangs a closing mark at the end of a line and carries an opening one to the next', () => {
    expect(wrap('一二三四五六七八九十。甲', body, width)).toEqual(['一二三四五六七八九十。', '甲']);
    expect(wrap('一二三四五六七八九（十）', body, width)).toEqual(['一二三四五六七八九', '（十）']);
  });

  it('keeps a Latin run together when it fits and breaks a longer one where the line is full', () => {
    expect(wrap('一二三四五六七八 JY1330106', body, width)).toEqual(['一二三四五六七八', 'JY1330106']);
    const url = `https://example.gov.cn/${'a'.repeat(60)}`;
    const lines = wrap(url, body, width);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('')).toBe(url);
    // A colon or a full stop may hang past the measure, as in Chinese text.
    for (const line of lines) expect(measure(line.replace(/[:.]$/, ''), body)).toBeLessThanOrEqual(width);
  });

  it('keeps every character, in order, and no line is wider than the measure but for its hanging marks', () => {
    const alphabet = [...'证照食品经营许可，。、；：（）《》“”ABCxyz0123456789-./ '];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }).map((chars) => chars.join('')),
        fc.integer({ min: 4, max: 30 }),
        fc.integer({ min: 0, max: 2 }),
        (text, ems, indent) => {
          const lines = wrap(text, body, ems * 14, indent * 14);
          expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
          lines.forEach((line, i) => {
            const room = ems * 14 - (i === 0 ? indent * 14 : 0);
            // Closing marks at the end of a line hang past the measure (a run of them, e.g. ：）, all of it).
            expect(measure(line.replace(/[，。、；：）》”,.;:)]+$/, ''), body)).toBeLessThanOrEqual(
              room + 1e-6,
            );
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('embedQrCode', () => {
  it('embeds a QR code image that decodes to the text, with a quiet zone of four modules', async () => {
    const { doc } = await newDocument();
    const url = 'https://tongban.example.gov.cn/verify/licences/1.2.156.3005.2.X';
    const qr = await embedQrCode(doc, url);
    expect(qr.quietZone).toBe(4);
    // Version 4 (33 modules) holds up to 62 bytes at level M; this URL has 62.
    expect(qr.modules).toBe(33 + 8);
    const page = doc.addPage([200, 200]);
    page.drawImage(qr.image, { x: 0, y: 0, width: 200, height: 200 });

    const saved = await PDFDocument.load(await doc.save());
    const image = saved.context
      .enumerateIndirectObjects()
      .map(([, object]) => object)
      .find(
        (object): object is PDFRawStream =>
          object instanceof PDFRawStream && object.dict.get(PDFName.of('Subtype'))?.toString() === '/Image',
      )!;
    const width = Number(image.dict.get(PDFName.of('Width'))!.toString());
    expect(width % qr.modules).toBe(0); // whole pixels per module
    expect(decodeQrImage(image)).toBe(url);
  });
});

describe('chineseDate', () => {
  it('prints the China date of an instant', () => {
    expect(chineseDate(new Date('2026-11-22T09:30:00+08:00'))).toBe('2026年11月22日');
    // 17:00 UTC on 31 December is 01:00 on 1 January in China.
    expect(chineseDate(new Date('2026-12-31T17:00:00Z'))).toBe('2027年1月1日');
  });

  it('prints a calendar date as it is, and refuses what is not one', () => {
    expect(chineseDate('2031-01-05')).toBe('2031年1月5日');
    expect(() => chineseDate('2031-1-5')).toThrow(RangeError);
  });
});
