import { defineMessages } from '../../i18n/messages.ts';

/**
 * The server's wording of the validation rules (src/kernel/i18n.ts `rule.*`), so a field
 * says the same thing whether the page or the server found the mistake. Keep in step.
 */
export const ruleTexts = defineMessages(
  {
    required: '必填',
    type: '类型应为{type}',
    minLength: '长度不能少于{limit}个字符',
    maxLength: '长度不能超过{limit}个字符',
    minimum: '不能小于{limit}',
    maximum: '不能大于{limit}',
    pattern: '格式不正确',
    format: '格式应为{format}',
    enum: '取值应为以下之一：{values}',
    additionalProperties: '不允许的字段',
    minItems: '至少需要{limit}项',
    maxItems: '最多{limit}项',
    invalid: '取值不正确',
  },
  {
    required: 'is required',
    type: 'must be of type {type}',
    minLength: 'must be at least {limit} characters',
    maxLength: 'must be at most {limit} characters',
    minimum: 'must be at least {limit}',
    maximum: 'must be at most {limit}',
    pattern: 'has an invalid format',
    format: 'must be a valid {format}',
    enum: 'must be one of: {values}',
    additionalProperties: 'is not an allowed field',
    minItems: 'must have at least {limit} items',
    maxItems: 'must have at most {limit} items',
    invalid: 'is invalid',
  },
);
