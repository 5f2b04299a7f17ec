import { PDFDict, PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { newDocument } from '../../kernel/pdf.ts';
import { pageContent } from '../../../test/helpers/pdf.ts';
import { drawSeal, SEAL_RED, sealImageSvg } from './seal-image.ts';

const seal = { organisationName: '示例市市场监督管理局', sealName: '行政审批专用章', code: '3301060012345' };

/** The <text> elements of an SVG: their content and their turn (SVG degrees, clockwise). */
const textsOf = (svg: string) =>
  [
    ...svg.matchAll(
      /<text transform="translate\(([-\d.]+) ([-\d.]+)\) rotate\(([-\d.]+)\)[^"]*"[^>]*>([^<]*)<\/text>/g,
    ),
  ].map(([, x, y, rotate, text]) => ({ x: Number(x), y: Number(y), rotate: Number(rotate), text: text! }));

describe('sealImageSvg', () => {
  it('draws the ring and the star in seal red, the name along the upper arc spanning about 240 degrees', () => {
    const svg = sealImageSvg(seal);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 200 200"/);
    expect(svg).toContain(`stroke="${SEAL_RED}"`);
    expect(svg.match(/<path d="M[^"]+Z"\/>/g)).toHaveLength(1); // the star
    expect([...svg.matchAll(/<path d="M([^"]+)Z"/g)][0]![1]!.split('L')).toHaveLength(10);

    const texts = textsOf(svg);
    const n = [...seal.organisationName].length;
    expect(texts.map((t) => t.text).join('')).toBe(seal.organisationName + seal.sealName + seal.code);
    const name = texts.slice(0, n);
    // Centre to centre, the first and last characters are 240° less one character's share apart, symmetric about the top.
    expect(name[0]!.rotate).toBeCloseTo(-(120 - 240 / n / 2), 1);
    expect(name.at(-1)!.rotate).toBeCloseTo(120 - 240 / n / 2, 1);
    // All on one circle about the centre (100, 100), in the upper part and the sides.
    const radii = name.map((t) => Math.hypot(t.x - 100, t.y - 100));
    for (const r of radii) expect(r).toBeCloseTo(radii[0]!, 0);
    // The seal's name straight below the centre; the code along the bottom, left to right.
    const sealName = texts.slice(n, n + [...seal.sealName].length);
    for (const t of sealName) {
      expect(t.rotate).toBeCloseTo(0, 5);
      expect(t.y).toBeGreaterThan(130);
    }
    const code = texts.slice(n + sealName.length);
    expect(code.map((t) => t.x)).toEqual([...code.map((t) => t.x)].sort((a, b) => a - b));
    for (const t of code) expect(t.y).toBeGreaterThan(165);
  });

  it('leaves out the seal name and code when not given, and escapes what it prints', () => {
    const texts = textsOf(sealImageSvg({ organisationName: '示例市人民政府' }));
    expect(texts.map((t) => t.text).join('')).toBe('示例市人民政府');
    const svg = sealImageSvg({ organisationName: 'A&B<公司>"' });
    expect(svg).toContain('>&amp;</text>');
    expect(svg).toContain('>&lt;</text>');
    expect(svg).toContain('aria-label="A&amp;B&lt;公司&gt;&quot;"');
    expect(svg).not.toMatch(/>[<&]<\/text>/);
  });
});

describe('drawSeal', () => {
  it('draws the seal with vector operations: ring, star, turned characters in transparent seal red', async () => {
    const { doc, fonts } = await newDocument();
    const page = doc.addPage([300, 300]);
    const placement = { x: 150, y: 150, diameter: 119, ...seal };
    drawSeal(page, fonts, placement, 0.8);

    const saved = await PDFDocument.load(await doc.save(), { updateMetadata: false });
    const savedPage = saved.getPage(0);
    const content = pageContent(saved, savedPage);

    // One text run per character, each placed by a text matrix; the name's turned along the arc.
    const matrices = [
      ...content.matchAll(/([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) Tm/g),
    ].map((m) => m.slice(1).map(Number));
    const characters = [...seal.organisationName, ...seal.sealName, ...seal.code];
    expect(matrices).toHaveLength(characters.length);
    expect([...content.matchAll(/<[0-9A-F]+> Tj/g)]).toHaveLength(characters.length);
    const turns = matrices.map(([a, b]) => Math.round((Math.atan2(b!, a!) * 180) / Math.PI));
    const n = [...seal.organisationName].length;
    expect(turns.slice(0, n)).toEqual([...turns.slice(0, n)].sort((a, b) => b - a)); // clockwise, left to right
    expect(turns[0]).toBe(Math.round(120 - 12));
    // Every character starts inside the seal.
    for (const [, , , , e, f] of matrices) expect(Math.hypot(e! - 150, f! - 150)).toBeLessThan(119 / 2);
    // The long name is narrowed with horizontal scaling, then the scale is put back.
    const scales = [...content.matchAll(/([\d.]+) Tz\b/g)].map((m) => Number(m[1]));
    expect(Math.min(...scales)).toBeLessThan(100);
    expect(
      content
        .trim()
        .split('\n')
        .filter((line) => /Tz$/.test(line))
        .at(-1),
    ).toBe('100 Tz');

    // Ring (a stroked circle of four Bézier curves), star (a filled ten-cornered path).
    const operators = content.split('\n').map((line) => line.trim().split(' ').at(-1));
    expect(operators.filter((op) => op === 'c')).toHaveLength(4);
    expect(operators).toContain('S');
    expect(operators.filter((op) => op === 'l')).toHaveLength(9);
    expect(operators).toContain('f');
    expect(content).toMatch(/0\.843137\d* 0 0\.058823\d* rg/);
    expect(content).toMatch(/0\.843137\d* 0 0\.058823\d* RG/);

    // Transparency: the ink multiplies with the page at the opacity given.
    const states = savedPage.node.Resources()!.lookup(PDFName.of('ExtGState'), PDFDict);
    const values = states
      .entries()
      .map(([, ref]) => saved.context.lookup(ref as PDFRef) ?? ref)
      .map((state) => state as PDFDict);
    expect(values.length).toBeGreaterThan(0);
    for (const state of values) {
      const opacity = state.get(PDFName.of('ca')) ?? state.get(PDFName.of('CA'));
      expect(opacity?.toString()).toBe('0.8');
      expect(state.get(PDFName.of('BM'))?.toString()).toBe('/Multiply');
    }
  });
});
