import { useCallback } from 'react';
import { useT } from '../../i18n/index.tsx';
import { catalogTexts, type CatalogKey } from './messages.ts';

export type { CatalogKey };
import type { ItemElements, Material, VersionAction, VersionStatus } from './types.ts';

/** The catalog's vocabulary (src/modules/catalog/model.ts) with the texts that name it. */

type Key = CatalogKey;

export const TYPE_CODES: ItemElements['typeCode'][] = [
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '20',
];
export const SUB_SITUATIONS = ['新设', '变更', '延续', '注销', '补办', '换领'] as const;
export const ONLINE_DEPTHS: ItemElements['onlineDepth'][] = ['I', 'II', 'III', 'IV'];
export const LIFE_EVENTS = {
  natural_person: ['出生', '入学', '就业', '婚育', '住房', '出行', '就医', '养老', '身后', '其他'],
  legal_person: ['开办', '准营', '经营', '变更', '投资建设', '注销'],
} as const;
export const STATUSES: VersionStatus[] = ['draft', 'in_review', 'published', 'superseded', 'retired'];

const STATUS_KEYS: Record<VersionStatus, Key> = {
  draft: 'statusDraft',
  in_review: 'statusInReview',
  published: 'statusPublished',
  superseded: 'statusSuperseded',
  retired: 'statusRetired',
};
export const STATUS_COLOURS: Record<VersionStatus, string> = {
  draft: 'gold',
  in_review: 'blue',
  published: 'green',
  superseded: 'default',
  retired: 'red',
};
const AUDIENCE_KEYS: Record<string, Key> = {
  natural_person: 'audienceNatural',
  legal_person: 'audienceLegal',
};
const HANDLING_KEYS: Record<string, Key> = { immediate: 'handlingImmediate', promised: 'handlingPromised' };
export const SOURCE_KEYS: Record<Material['source'], Key> = {
  applicant: 'sourceApplicant',
  government: 'sourceGovernment',
};
export const FORM_KEYS: Record<Material['form'], Key> = {
  paper: 'formPaper',
  electronic: 'formElectronic',
  either: 'formEither',
};
export const ACTION_KEYS: Record<VersionAction, Key> = {
  submit: 'actionSubmit',
  reject: 'actionReject',
  publish: 'actionPublish',
  retire: 'actionRetire',
};

/** Names of the vocabulary's values in the current language. */
export function useLabels() {
  const t = useT(catalogTexts);
  return {
    t,
    status: useCallback((s: VersionStatus) => t(STATUS_KEYS[s]), [t]),
    type: useCallback((code: string) => t(`type${code}` as Key), [t]),
    audience: useCallback((a: string) => (AUDIENCE_KEYS[a] ? t(AUDIENCE_KEYS[a]) : a), [t]),
    handling: useCallback((h: string) => (HANDLING_KEYS[h] ? t(HANDLING_KEYS[h]) : h), [t]),
    /** An item's name with its situation (新设, 变更 ...) when it has one. */
    itemName: useCallback(
      (item: { name: string; subSituation: string | null }) =>
        item.subSituation ? t('withSituation', { name: item.name, situation: item.subSituation }) : item.name,
      [t],
    ),
  };
}
