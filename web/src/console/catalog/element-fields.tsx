import {
  AutoComplete,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  type GetProps,
} from 'antd';
import { SUB_SITUATIONS, TYPE_CODES, useLabels } from './labels.ts';

/**
 * The elements that say what an item is and how long it takes: shared by the new-item
 * dialog and the editor. The rules mirror the server's (src/modules/catalog/validate.ts),
 * so most mistakes are caught before anything is sent.
 */
export function CoreElementFields({ departments = [] }: { departments?: string[] }) {
  const { t, type, audience, handling } = useLabels();
  const half = { xs: 24, md: 12 };
  return (
    <Row gutter={16}>
      <Col {...half}>
        <Form.Item
          name="name"
          label={t('fieldName')}
          rules={[
            { required: true, whitespace: true, message: t('required', { label: t('fieldName') }) },
            { min: 2, max: 100, message: t('nameLength') },
          ]}
        >
          <Input maxLength={100} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item name="subSituation" label={t('fieldSubSituation')}>
          <Select allowClear options={SUB_SITUATIONS.map((s) => ({ value: s, label: s }))} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="typeCode"
          label={t('fieldTypeCode')}
          rules={[{ required: true, message: t('required', { label: t('fieldTypeCode') }) }]}
        >
          <Select options={TYPE_CODES.map((code) => ({ value: code, label: type(code) }))} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="department"
          label={t('fieldDepartment')}
          rules={[
            { required: true, whitespace: true, message: t('required', { label: t('fieldDepartment') }) },
          ]}
        >
          <AutoComplete
            maxLength={100}
            options={departments.map((d) => ({ value: d }))}
            filterOption={(input, option) => String(option?.value ?? '').includes(input)}
          />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="audience"
          label={t('fieldAudience')}
          rules={[{ required: true, type: 'array', min: 1, message: t('chooseOne') }]}
        >
          <CheckboxGroupField
            aria-label={t('fieldAudience')}
            options={['natural_person', 'legal_person'].map((a) => ({ value: a, label: audience(a) }))}
          />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="handlingType"
          label={t('fieldHandlingType')}
          rules={[{ required: true, message: t('required', { label: t('fieldHandlingType') }) }]}
        >
          <Radio.Group options={['immediate', 'promised'].map((h) => ({ value: h, label: handling(h) }))} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="legalLimitDays"
          label={t('fieldLegalLimit')}
          rules={[{ required: true, message: t('required', { label: t('fieldLegalLimit') }) }]}
        >
          <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="promisedLimitDays"
          label={t('fieldPromisedLimit')}
          rules={[{ required: true, message: t('required', { label: t('fieldPromisedLimit') }) }]}
        >
          <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/**
 * A checkbox group as a form field: a labelled group. Form.Item marks its child
 * `aria-required`, which a group may not carry (ARIA has no required group of
 * checkboxes); the label's asterisk and the error beside the field say it instead.
 */
function CheckboxGroupField({
  'aria-required': _required,
  ...props
}: GetProps<typeof Checkbox.Group> & { 'aria-required'?: unknown }) {
  return <Checkbox.Group role="group" {...props} />;
}
