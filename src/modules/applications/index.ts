/**
 * Applications (申办): what a citizen or enterprise submits. Issue 4 builds this module;
 * so far it hands out unified application numbers.
 */
export { nextApplicationNumber } from './numbering.ts';
