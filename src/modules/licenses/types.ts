import { orgCodeCheckChar } from '../../kernel/identifiers/org-code.ts';
import { usccCheckChar } from '../../kernel/identifiers/uscc.ts';

/**
 * Licence types (证照类型) as data: the kinds of licence the catalog's items produce
 * (`resultLicence`), with their face fields (照面信息), issuing authority, validity and
 * template. The type code of GB/T 36904 is the responsible ministry's credit code and a
 * 3-digit number; the ministries' codes here are made check-valid from an 8-digit
 * organisation-code body (demo values, not the real ones).
 */

/** Where a face field's value comes from when a case issues the licence. */
export type FaceSource =
  | 'holder.name'
  | 'holder.identifier'
  | 'issuer.name'
  | 'item.name'
  | 'case.number'
  | 'issueDate'
  | `form.${string}`;

export interface FaceField {
  key: string;
  label: string;
  source: FaceSource;
  required: boolean;
}

export interface LicenceType {
  code: string;
  name: string;
  holderKind: 'person' | 'enterprise';
  /** The kind of body that issues it (a department short name). */
  authority: string;
  faceFields: FaceField[];
  /** Years of validity; null = long-term (长期). */
  validityYears: number | null;
  template: 'certificate' | 'card';
}

/** A ministry's credit code (a state body: authority 1, category 1, region 100000). */
export function ministryUscc(orgBody: string): string {
  const first17 = `11100000${orgBody}${orgCodeCheckChar(orgBody)}`;
  return `${first17}${usccCheckChar(first17)}`;
}

const MINISTRIES = {
  marketRegulation: ministryUscc('00013338'),
  civilAffairs: ministryUscc('00013317'),
  transport: ministryUscc('00013312'),
  health: ministryUscc('00013330'),
  education: ministryUscc('00013302'),
  humanResources: ministryUscc('00013320'),
} as const;

const face = (key: string, label: string, source: FaceSource, required = true): FaceField => ({
  key,
  label,
  source,
  required,
});
const ENTERPRISE_HEAD = [
  face('name', '名称', 'holder.name'),
  face('creditCode', '统一社会信用代码', 'holder.identifier'),
  face('legalRepresentative', '法定代表人（负责人）', 'form.legalRepresentative', false),
];
const PERSON_HEAD = [
  face('name', '姓名', 'holder.name'),
  face('idNumber', '公民身份号码', 'holder.identifier'),
];

export const LICENCE_TYPES: readonly LicenceType[] = [
  {
    code: `${MINISTRIES.marketRegulation}001`,
    name: '营业执照',
    holderKind: 'enterprise',
    authority: '市场监督管理局',
    faceFields: [
      ...ENTERPRISE_HEAD,
      face('businessScope', '经营范围', 'form.businessScope', false),
      face('address', '住所', 'form.address', false),
    ],
    validityYears: null,
    template: 'certificate',
  },
  {
    code: `${MINISTRIES.marketRegulation}002`,
    name: '食品经营许可证',
    holderKind: 'enterprise',
    authority: '市场监督管理局',
    faceFields: [
      ...ENTERPRISE_HEAD,
      face('premises', '经营场所', 'form.premises', false),
      face('businessType', '主体业态', 'form.businessType', false),
      face('businessScope', '经营项目', 'form.businessScope', false),
    ],
    validityYears: 5,
    template: 'certificate',
  },
  {
    code: `${MINISTRIES.civilAffairs}001`,
    name: '结婚证',
    holderKind: 'person',
    authority: '民政局',
    faceFields: [
      ...PERSON_HEAD,
      face('spouseName', '配偶姓名', 'form.spouseName', false),
      face('spouseIdNumber', '配偶身份证件号', 'form.spouseIdNumber', false),
      face('registeredOn', '登记日期', 'issueDate'),
    ],
    validityYears: null,
    template: 'card',
  },
  {
    code: `${MINISTRIES.civilAffairs}002`,
    name: '离婚证',
    holderKind: 'person',
    authority: '民政局',
    faceFields: [...PERSON_HEAD, face('registeredOn', '登记日期', 'issueDate')],
    validityYears: null,
    template: 'card',
  },
  {
    code: `${MINISTRIES.transport}001`,
    name: '道路运输经营许可证',
    holderKind: 'enterprise',
    authority: '交通运输局',
    faceFields: [
      ...ENTERPRISE_HEAD,
      face('address', '地址', 'form.address', false),
      face('businessScope', '经营范围', 'form.businessScope', false),
    ],
    validityYears: 4,
    template: 'certificate',
  },
  {
    code: `${MINISTRIES.transport}002`,
    name: '出租汽车驾驶员从业资格证',
    holderKind: 'person',
    authority: '交通运输局',
    faceFields: [...PERSON_HEAD, face('category', '从业资格类别', 'item.name', false)],
    validityYears: 6,
    template: 'card',
  },
  {
    code: `${MINISTRIES.health}001`,
    name: '医师执业证书',
    holderKind: 'person',
    authority: '卫生健康委员会',
    faceFields: [
      ...PERSON_HEAD,
      face('practiceCategory', '执业类别', 'form.practiceCategory', false),
      face('practicePlace', '执业地点', 'form.practicePlace', false),
    ],
    validityYears: null,
    template: 'card',
  },
  {
    code: `${MINISTRIES.education}001`,
    name: '教师资格证书',
    holderKind: 'person',
    authority: '教育局',
    faceFields: [...PERSON_HEAD, face('subject', '任教学科', 'form.subject', false)],
    validityYears: null,
    template: 'card',
  },
  {
    code: `${MINISTRIES.humanResources}001`,
    name: '就业创业证',
    holderKind: 'person',
    authority: '人力资源和社会保障局',
    faceFields: [...PERSON_HEAD, face('serviceBody', '发证机构', 'issuer.name')],
    validityYears: null,
    template: 'card',
  },
];
