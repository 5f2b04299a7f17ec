import { SUB_SITUATIONS } from './model.ts';

/**
 * Item codes. A basic code (基本编码) the catalog generates is
 * `{type code, 2}{serial, 6}{situation, 2}`, e.g. 0700001201 = 行政确认, serial 12, 新设;
 * imported codes of other shapes are kept as they are (BASIC_CODE).
 * An implementation code (实施编码) follows the shape seen in provincial catalogs:
 * `{basic code}-{12-digit region code}-000-{USCC of the implementing body}-1-00`.
 */
export const BASIC_CODE = /^[0-9A-Z]{6,20}$/;
export const IMPLEMENTATION_CODE =
  /^([0-9A-Z]{6,20})-(\d{12})-(\d{3})-([0-9A-HJ-NP-RTUW-Y]{18})-(\d)-(\d{2})$/;

export function basicCode(typeCode: string, serial: number, subSituation: string | null): string {
  const situation = subSituation ? SUB_SITUATIONS.indexOf(subSituation as never) + 1 : 0;
  return `${typeCode}${String(serial).padStart(6, '0')}${String(situation).padStart(2, '0')}`;
}

export function implementationCode(basic: string, regionCode: string, uscc: string): string {
  return `${basic}-${regionCode.padEnd(12, '0')}-000-${uscc}-1-00`;
}

export function isImplementationCode(code: string): boolean {
  return IMPLEMENTATION_CODE.test(code);
}
