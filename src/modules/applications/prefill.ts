import { validateFormData, type FormSchemaLike } from './form-data.ts';

/**
 * The form as far as the platform knows it already (免填): the applicant's verified name and
 * ID number, or the enterprise's name and credit code, in the fields the form has. Values
 * the form would refuse are left out.
 */
export function prefillForm(
  schema: FormSchemaLike,
  applicant: {
    kind: 'person' | 'enterprise';
    identity: { name: string; idNumber: string } | null;
    enterprise: { uscc: string; name: string } | null;
  },
): Record<string, unknown> {
  const properties = schema.properties ?? {};
  const data: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '' && key in properties) data[key] = value;
  };
  set('applicantType', applicant.kind === 'person' ? 'natural_person' : 'legal_person');
  if (applicant.kind === 'person') {
    set('applicantName', applicant.identity?.name);
    set('idNumber', applicant.identity?.idNumber);
  } else {
    set('enterpriseName', applicant.enterprise?.name);
    set('creditCode', applicant.enterprise?.uscc);
    set('contactName', applicant.identity?.name);
  }
  for (const error of validateFormData(schema, data, { partial: true })) {
    delete data[error.field.replace(/^form\./, '').split(/[.[]/)[0]!];
  }
  return data;
}
