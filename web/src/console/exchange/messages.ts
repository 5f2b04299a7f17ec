import { defineMessages } from '../../i18n/index.tsx';

/**
 * Texts of the resource editor (how a data-sharing resource is shared) and the masks the
 * catalog names; the other data-sharing texts are `exchange` in ../messages.ts.
 */
export const resourceTexts = defineMessages(
  {
    edit: '编辑',
    editOf: '编辑{name}',
    editTitle: '编辑共享方式：{name}',
    description: '资源说明',
    fieldsHelp: '脱敏方式仅用于敏感字段：授权时敏感字段按此方式脱敏提供。改为非敏感的字段不再设脱敏方式。',
    sensitivityOf: '{field}的敏感级别',
    maskOf: '{field}的脱敏方式',
    maskRequired: '请选择敏感字段的脱敏方式',
    choose: '请选择',
    noMask: '—',
    mask_name: '姓名（保留首字）',
    mask_idNumber: '证件号码（保留前 4 位与后 4 位）',
    mask_phone: '电话号码（保留前 3 位与后 4 位）',
    mask_middle: '遮盖中间（保留首尾各 2 位）',
    nothingChanged: '没有修改',
    saved: '已保存{name}的共享方式',
  },
  {
    edit: 'Edit',
    editOf: 'Edit {name}',
    editTitle: 'How {name} is shared',
    description: 'Description',
    fieldsHelp:
      'Masking applies to sensitive fields only: a grant gives a sensitive field masked this way. A field made non-sensitive loses its masking.',
    sensitivityOf: 'Sensitivity of {field}',
    maskOf: 'Masking of {field}',
    maskRequired: 'Choose how the sensitive field is masked',
    choose: 'Choose',
    noMask: '—',
    mask_name: 'Name (first character kept)',
    mask_idNumber: 'ID number (first 4 and last 4 kept)',
    mask_phone: 'Phone number (first 3 and last 4 kept)',
    mask_middle: 'Middle hidden (2 kept at each end)',
    nothingChanged: 'Nothing was changed',
    saved: 'Saved how {name} is shared',
  },
);
