/**
 * Applications (申办): what a citizen or enterprise submits. Issue 4 builds this module;
 * so far it hands out unified application numbers and validates form data.
 */
export { nextApplicationNumber } from './numbering.ts';
export { validateFormData, type FormSchemaLike } from './form-data.ts';
