import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  classify,
  declaredMediaType,
  extensionAgrees,
  MEDIA_TYPES,
  sniff,
  SNIFF_HEAD_BYTES,
  SNIFF_TAIL_BYTES,
  zipEntryNames,
} from './sniff.ts';
import { docx, jpeg, ofd, ofdWithLargeFirstEntry, pdf, png, xlsx, zip } from './test-samples.ts';

describe('sniff', () => {
  it.each([
    ['PDF', pdf(), MEDIA_TYPES.pdf, 'pdf'],
    ['JPEG', jpeg(), MEDIA_TYPES.jpeg, 'jpg'],
    ['PNG', png(), MEDIA_TYPES.png, 'png'],
    ['OFD', ofd(), MEDIA_TYPES.ofd, 'ofd'],
    ['DOCX', docx(), MEDIA_TYPES.docx, 'docx'],
    ['XLSX', xlsx(), MEDIA_TYPES.xlsx, 'xlsx'],
  ])('recognises %s by its bytes', (_kind, bytes, mediaType, extension) => {
    expect(sniff(bytes)).toEqual({ mediaType, extension });
  });

  it('recognises a real XLSX written by exceljs', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('材料').addRow(['名称', '数量']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(sniff(bytes)?.mediaType).toBe(MEDIA_TYPES.xlsx);
  });

  it('finds an OFD whose OFD.xml is named only in the central directory at the end', () => {
    const bytes = ofdWithLargeFirstEntry(SNIFF_HEAD_BYTES * 2);
    const head = bytes.subarray(0, SNIFF_HEAD_BYTES);
    const tail = bytes.subarray(bytes.length - SNIFF_TAIL_BYTES);
    expect(sniff(head)).toBeNull();
    expect(sniff(head, tail)).toEqual({ mediaType: MEDIA_TYPES.ofd, extension: 'ofd' });
  });

  it('reads entry names from local headers and the central directory', () => {
    const names = zipEntryNames(
      zip([
        { name: '目录/文件.txt', data: 'x' },
        { name: 'b', data: 'y' },
      ]),
    );
    expect([...names].sort()).toEqual(['b', '目录/文件.txt']);
  });

  it('does not take any ZIP, or an Office file of another kind, for a material', () => {
    expect(sniff(zip([{ name: 'readme.txt', data: 'hi' }]))).toBeNull();
    const pptx = zip([
      { name: '[Content_Types].xml', data: '<Types/>' },
      { name: 'ppt/presentation.xml', data: '<p/>' },
    ]);
    expect(sniff(pptx)).toBeNull();
    // word/ without [Content_Types].xml is not an OOXML package.
    expect(sniff(zip([{ name: 'word/document.xml', data: '<w/>' }]))).toBeNull();
  });

  it('refuses programs, scripts, HTML, SVG and macros as dangerous', () => {
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), 'executable'],
      [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'executable'],
      [Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), 'executable'],
      [Buffer.from('#!/bin/sh\nrm -rf /\n'), 'script'],
      [Buffer.from('<!DOCTYPE html><html><script>alert(1)</script>'), 'html'],
      [Buffer.from('\ufeff  \n<HTML><body>hi</body></HTML>'), 'html'],
      [Buffer.from('<script>alert(1)</script>'), 'html'],
      [Buffer.from('<!-- note --><p>x</p>'), 'html'],
      [
        Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        'svg',
      ],
      [Buffer.from('<svg><script>alert(1)</script></svg>'), 'svg'],
      [
        zip([
          { name: '[Content_Types].xml', data: '<Types/>' },
          { name: 'word/document.xml', data: '<w/>' },
          { name: 'word/vbaProject.bin', data: 'macro' },
        ]),
        'macro',
      ],
    ];
    for (const [bytes, dangerous] of cases) {
      expect(classify(bytes), bytes.subarray(0, 40).toString()).toEqual({ kind: 'dangerous', dangerous });
      expect(sniff(bytes)).toBeNull();
    }
  });

  it('does not mistake a tag-like start for HTML, yet knows nothing of plain text', () => {
    expect(classify(Buffer.from('<abbr>x</abbr>'))).toEqual({ kind: 'unknown' });
    expect(classify(Buffer.from('plain text, 纯文本'))).toEqual({ kind: 'unknown' });
    expect(classify(Buffer.alloc(0))).toEqual({ kind: 'unknown' });
    // A PDF header that is not at the very start is not a PDF.
    expect(sniff(Buffer.concat([Buffer.from(' '), pdf()]))).toBeNull();
  });

  it('normalises declared types and knows which extensions agree', () => {
    expect(declaredMediaType('image/JPG; charset=binary')).toBe(MEDIA_TYPES.jpeg);
    expect(declaredMediaType('application/octet-stream')).toBeNull();
    expect(declaredMediaType(undefined)).toBeNull();
    expect(declaredMediaType('text/html')).toBe('text/html');
    expect(extensionAgrees(MEDIA_TYPES.jpeg, 'jpeg')).toBe(true);
    expect(extensionAgrees(MEDIA_TYPES.pdf, 'png')).toBe(false);
  });
});
