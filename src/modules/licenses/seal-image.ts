/**
 * The image of an official seal (公章 / 专用章) in the standard Chinese shape: a red ring, a
 * five-pointed star in the centre, the organisation's name along the upper arc with each
 * character turned to face outwards, the seal's name (e.g. 行政审批专用章) set straight below
 * the star, and the seal code (印章编码, 13 digits) small along the lower arc.
 *
 * One layout, computed here in units of the seal's radius, is drawn two ways: as SVG for the
 * web, and with pdf-lib's vector operations for licence PDFs, so the two look the same. The
 * image is a picture of the seal, not the seal: what makes a licence authentic is the
 * signature by the seal's key.
 */
import { BlendMode, degrees, rgb, setCharacterSqueeze, type PDFPage } from 'pdf-lib';
import { escapeHtml } from '../../kernel/html.ts';
import { measure, originForCentre, printable, type Fonts } from '../../kernel/pdf.ts';

export interface SealText {
  /** The organisation, along the upper arc, e.g. 示例市市场监督管理局. */
  organisationName: string;
  /** The seal's name set straight below the star, e.g. 行政审批专用章; none on an organisation's own seal. */
  sealName?: string | null;
  /** The seal code (13 digits), small along the lower arc. */
  code?: string | null;
}

export interface SealPlacement extends SealText {
  /** Centre of the seal on the page, in points from the bottom-left corner. */
  x: number;
  y: number;
  /** Outer diameter in points; a real seal is 42 mm (119 pt) across. */
  diameter: number;
}

/** Seal red (印泥红). */
export const SEAL_RED = '#D7000F';
const SEAL_RGB = rgb(0xd7 / 255, 0, 0x0f / 255);

// ---------------------------------------------------------------------------------------
// Layout: radius 1, centre at the origin, y pointing up, angles counter-clockwise in degrees.

const RING_WIDTH = 0.055;
/** Space between the ring and the tops of the characters along it. */
const RING_GAP = 0.05;
const STAR_RADIUS = 0.32;
/** The arc the organisation's name spans, centred on the top. */
const NAME_SPAN = 240;
/** Its characters' size: as tall as the room allows, within these bounds. */
const NAME_SIZE = { max: 0.34, min: 0.2 };
const SEAL_NAME = { size: 0.17, centreY: -0.5, maxWidth: 0.9 };
const CODE = { size: 0.11, advance: 0.64 /* a digit's width plus spacing, in ems */ };

interface Glyph {
  char: string;
  /** Centre of the character. */
  x: number;
  y: number;
  /** Counter-clockwise turn of the character, 0 = upright. */
  rotation: number;
  size: number;
  /** Horizontal scale (长宋 narrowing when the name is long), 1 = natural width. */
  squeeze: number;
  weight: 'regular' | 'bold';
}

interface SealLayout {
  /** Radius of the ring's centre line, and its width. */
  ring: { radius: number; width: number };
  /** The star's ten corners, outer and inner alternately, from the top. */
  star: { x: number; y: number }[];
  glyphs: Glyph[];
}

const toRadians = (deg: number) => (deg * Math.PI) / 180;
/** The text's characters as printed: no control characters, no spaces. */
const charsOf = (text: string | null | undefined) => [...printable(text ?? '').replace(/\s+/gu, '')];

function layoutSeal(text: SealText): SealLayout {
  const glyphs: Glyph[] = [];
  const inner = 1 - RING_WIDTH - RING_GAP;

  // The name: n characters, each in an equal share of the arc, upright towards the rim.
  const name = charsOf(text.organisationName);
  if (name.length > 0) {
    const step = Math.min(NAME_SPAN / name.length, 40);
    const span = step * name.length;
    let size = NAME_SIZE.max;
    for (let pass = 0; pass < 2; pass++) {
      const chord = (inner - size / 2) * toRadians(step);
      size = Math.min(NAME_SIZE.max, Math.max(NAME_SIZE.min, chord / 0.95));
    }
    const radius = inner - size / 2;
    const room = radius * toRadians(step) * 0.92;
    const squeeze = Math.min(1, room / size);
    name.forEach((char, i) => {
      const angle = 90 + span / 2 - (i + 0.5) * step;
      glyphs.push({
        char,
        x: radius * Math.cos(toRadians(angle)),
        y: radius * Math.sin(toRadians(angle)),
        rotation: angle - 90,
        size,
        squeeze,
        weight: 'bold',
      });
    });
  }

  // The seal's name: straight, below the star, narrowed (then made smaller) to fit.
  const sealName = charsOf(text.sealName);
  if (sealName.length > 0) {
    let size = SEAL_NAME.size;
    let squeeze = Math.min(1, SEAL_NAME.maxWidth / (sealName.length * size));
    if (squeeze < 0.6) {
      size = SEAL_NAME.maxWidth / (sealName.length * 0.6);
      squeeze = 0.6;
    }
    const advance = size * squeeze;
    sealName.forEach((char, i) => {
      glyphs.push({
        char,
        x: (i + 0.5 - sealName.length / 2) * advance,
        y: SEAL_NAME.centreY,
        rotation: 0,
        size,
        squeeze,
        weight: 'bold',
      });
    });
  }

  // The code: along the lower arc, read left to right, the characters' feet towards the rim.
  const code = charsOf(text.code);
  if (code.length > 0) {
    let size = CODE.size;
    const radius = () => 1 - RING_WIDTH - RING_GAP * 0.8 - size / 2;
    // At most the 100 degrees that the name leaves free at the bottom.
    const maxStep = toRadians(100) / code.length;
    if ((size * CODE.advance) / radius() > maxStep) size = (maxStep * radius()) / CODE.advance;
    const step = (size * CODE.advance) / radius();
    code.forEach((char, i) => {
      const angle = 270 - ((code.length - 1) / 2) * step * (180 / Math.PI) + i * step * (180 / Math.PI);
      glyphs.push({
        char,
        x: radius() * Math.cos(toRadians(angle)),
        y: radius() * Math.sin(toRadians(angle)),
        rotation: angle + 90,
        size,
        squeeze: 1,
        weight: 'regular',
      });
    });
  }

  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? STAR_RADIUS : STAR_RADIUS * 0.382; // sin 18° / sin 54°: a regular star
    const angle = toRadians(90 + i * 36);
    return { x: r * Math.cos(angle), y: r * Math.sin(angle) };
  });

  return { ring: { radius: 1 - RING_WIDTH / 2, width: RING_WIDTH }, star, glyphs };
}

// ---------------------------------------------------------------------------------------
// SVG

const round = (value: number) => Number(value.toFixed(2)).toString();

/**
 * The seal as a standalone SVG image, 200 units across (scale it with width/height in the
 * page). The characters are SVG text in the reader's serif CJK font; transparent background.
 */
export function sealImageSvg(text: SealText): string {
  const size = 200;
  const r = size / 2;
  const { ring, star, glyphs } = layoutSeal(text);
  // SVG's y points down: y' = r - y·r.
  const at = (x: number, y: number) => `${round(r + x * r)} ${round(r - y * r)}`;
  const starPath = `M${star.map((p) => at(p.x, p.y)).join('L')}Z`;
  const texts = glyphs.map((g) => {
    const transform =
      `translate(${at(g.x, g.y)}) rotate(${round(-g.rotation)})` +
      (g.squeeze === 1 ? '' : ` scale(${round(g.squeeze)} 1)`);
    return (
      `<text transform="${transform}" font-size="${round(g.size * r)}"` +
      (g.weight === 'bold' ? ' font-weight="bold"' : '') +
      `>${escapeHtml(g.char)}</text>`
    );
  });
  const label = [text.organisationName, text.sealName].filter(Boolean).join(' ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escapeHtml(printable(label))}">` +
    `<g fill="${SEAL_RED}" stroke="none">` +
    `<circle cx="${r}" cy="${r}" r="${round(ring.radius * r)}" fill="none" stroke="${SEAL_RED}" stroke-width="${round(ring.width * r)}"/>` +
    `<path d="${starPath}"/>` +
    `<g font-family="'Noto Serif SC','Noto Serif CJK SC','Source Han Serif SC','Songti SC',SimSun,serif" text-anchor="middle" dominant-baseline="central">` +
    texts.join('') +
    `</g></g></svg>`
  );
}

// ---------------------------------------------------------------------------------------
// PDF

/**
 * Draws the seal on a PDF page with vector operations: the ring, the star, each character
 * turned along the arc. The ink multiplies with what lies below and is slightly transparent
 * (`opacity`), so text under the seal stays readable, as with a real stamp.
 */
export function drawSeal(page: PDFPage, fonts: Fonts, seal: SealPlacement, opacity = 0.85): void {
  const r = seal.diameter / 2;
  const { ring, star, glyphs } = layoutSeal(seal);
  const ink = { opacity, blendMode: BlendMode.Multiply } as const;

  page.drawCircle({
    x: seal.x,
    y: seal.y,
    size: ring.radius * r,
    borderColor: SEAL_RGB,
    borderWidth: ring.width * r,
    borderOpacity: opacity,
    blendMode: BlendMode.Multiply,
  });
  // drawSvgPath takes SVG coordinates (y down) from the given origin.
  const path = `M${star.map((p) => `${p.x * r} ${-p.y * r}`).join('L')}Z`;
  page.drawSvgPath(path, { x: seal.x, y: seal.y, color: SEAL_RGB, ...ink });

  let squeeze = 1;
  for (const glyph of glyphs) {
    const font = fonts[glyph.weight];
    const size = glyph.size * r;
    const width = measure(glyph.char, { font, size }) * glyph.squeeze;
    const { x, y } = originForCentre(
      seal.x + glyph.x * r,
      seal.y + glyph.y * r,
      width,
      size,
      toRadians(glyph.rotation),
    );
    // Horizontal scaling is text state that drawText leaves alone: set when it changes, reset at the end.
    if (glyph.squeeze !== squeeze) page.pushOperators(setCharacterSqueeze(glyph.squeeze * 100));
    squeeze = glyph.squeeze;
    page.drawText(glyph.char, { x, y, size, font, color: SEAL_RGB, rotate: degrees(glyph.rotation), ...ink });
  }
  if (squeeze !== 1) page.pushOperators(setCharacterSqueeze(100));
}
