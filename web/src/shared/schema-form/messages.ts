import { defineMessages } from '../../i18n/index.tsx';

/** Texts of the form itself and labels of values the catalog's default forms use. */
export const formTexts = defineMessages(
  {
    schemaBroken: '表单定义有误，暂时无法填写：{reason}',
    selectPlaceholder: '请选择',
    natural_person: '自然人',
    legal_person: '法人或其他组织',
    yes: '是',
  },
  {
    schemaBroken: 'The form definition is broken and cannot be filled in: {reason}',
    selectPlaceholder: 'Choose',
    natural_person: 'Person',
    legal_person: 'Organisation',
    yes: 'Yes',
  },
);
