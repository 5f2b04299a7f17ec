import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Form, Input, InputNumber, Row, Select, Switch } from 'antd';
import { CoreElementFields } from './element-fields.tsx';
import { LIFE_EVENTS, ONLINE_DEPTHS, useLabels } from './labels.ts';
import { RowControls } from './list-controls.tsx';

/** What an item is, who it serves, its limits, fee, legal basis and result. */
export function ElementsTab({ departments }: { departments: string[] }) {
  const { t } = useLabels();
  const half = { xs: 24, md: 12 };
  return (
    <>
      <CoreElementFields departments={departments} />
      <Row gutter={16}>
        <Col {...half}>
          <Form.Item name="visits" label={t('fieldVisits')} rules={[{ required: true }]}>
            <InputNumber min={0} max={9} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="onlineDepth" label={t('fieldOnlineDepth')} rules={[{ required: true }]}>
            <Select options={ONLINE_DEPTHS.map((d) => ({ value: d, label: d }))} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name={['fee', 'charged']} label={t('fieldFeeCharged')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item
            name={['fee', 'standard']}
            label={t('fieldFeeStandard')}
            dependencies={[['fee', 'charged']]}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, value: string | undefined) =>
                  getFieldValue(['fee', 'charged']) && !value?.trim()
                    ? Promise.reject(new Error(t('feeStandardRequired')))
                    : Promise.resolve(),
              }),
            ]}
          >
            <Input maxLength={500} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name={['fee', 'basis']} label={t('fieldFeeBasis')}>
            <Input maxLength={500} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="resultLicence" label={t('fieldResultLicence')}>
            <Input maxLength={100} />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="lifeEvents" label={t('fieldLifeEvents')}>
            <Select
              mode="multiple"
              options={[...LIFE_EVENTS.natural_person, ...LIFE_EVENTS.legal_person]
                .filter((e, i, all) => all.indexOf(e) === i)
                .map((e) => ({ value: e, label: e }))}
            />
          </Form.Item>
        </Col>
        <Col {...half}>
          <Form.Item name="keywords" label={t('fieldKeywords')}>
            <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} suffixIcon={null} />
          </Form.Item>
        </Col>
      </Row>
      <Form.List name="legalBasis">
        {(rows, { add, remove, move }) => (
          <Card size="small" title={t('fieldLegalBasis')} style={{ marginBottom: 16 }}>
            {rows.map((row, index) => (
              <Row key={row.key} gutter={12} align="top">
                <Col xs={24} md={15}>
                  <Form.Item
                    name={[row.name, 'title']}
                    label={`${t('fieldBasisTitle')} ${index + 1}`}
                    rules={[
                      {
                        required: true,
                        whitespace: true,
                        message: t('required', { label: t('fieldBasisTitle') }),
                      },
                    ]}
                  >
                    <Input maxLength={500} />
                  </Form.Item>
                </Col>
                <Col xs={14} md={5}>
                  <Form.Item name={[row.name, 'level']} label={t('fieldBasisLevel')}>
                    <Input maxLength={50} />
                  </Form.Item>
                </Col>
                <Col xs={10} md={4} style={{ paddingTop: 30 }}>
                  <RowControls
                    index={index}
                    count={rows.length}
                    label={`${t('fieldBasisTitle')} ${index + 1}`}
                    move={move}
                    remove={remove}
                  />
                </Col>
              </Row>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => add({ title: '' })}>
              {t('addBasis')}
            </Button>
          </Card>
        )}
      </Form.List>
    </>
  );
}
