import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Col, Empty, Form, Input, InputNumber, Row, Select } from 'antd';
import { FORM_KEYS, SOURCE_KEYS, useLabels } from './labels.ts';
import { RowControls } from './list-controls.tsx';
import type { Material } from './types.ts';

const NEW_MATERIAL: Material = {
  name: '',
  source: 'applicant',
  form: 'either',
  copies: 1,
  required: true,
  tolerated: false,
};

/** The materials an applicant brings or the government shares, in the order the guide lists them. */
export function MaterialsTab() {
  const { t } = useLabels();
  return (
    <Form.List name="materials">
      {(rows, { add, remove, move }) => (
        <>
          {rows.length === 0 ? <Empty description={t('noMaterials')} /> : null}
          {rows.map((row, index) => {
            const label = t('material', { n: index + 1 });
            return (
              <Card
                key={row.key}
                size="small"
                title={label}
                style={{ marginBottom: 12 }}
                extra={
                  <RowControls index={index} count={rows.length} label={label} move={move} remove={remove} />
                }
              >
                <Row gutter={12}>
                  <Col xs={24} md={12}>
                    <Form.Item
                      name={[row.name, 'name']}
                      label={t('materialName')}
                      rules={[
                        {
                          required: true,
                          whitespace: true,
                          message: t('required', { label: t('materialName') }),
                        },
                      ]}
                    >
                      <Input maxLength={200} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item name={[row.name, 'source']} label={t('materialSource')}>
                      <Select
                        options={Object.entries(SOURCE_KEYS).map(([value, key]) => ({
                          value,
                          label: t(key),
                        }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item name={[row.name, 'form']} label={t('materialForm')}>
                      <Select
                        options={Object.entries(FORM_KEYS).map(([value, key]) => ({ value, label: t(key) }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={8} md={4}>
                    <Form.Item name={[row.name, 'copies']} label={t('materialCopies')}>
                      <InputNumber min={0} max={99} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={16} md={8}>
                    <Form.Item label={t('materialRequired')} style={{ marginBottom: 0 }}>
                      <Form.Item name={[row.name, 'required']} valuePropName="checked" noStyle>
                        <Checkbox>{t('materialRequired')}</Checkbox>
                      </Form.Item>
                      <Form.Item name={[row.name, 'tolerated']} valuePropName="checked" noStyle>
                        <Checkbox>{t('materialTolerated')}</Checkbox>
                      </Form.Item>
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[row.name, 'note']} label={t('materialNote')}>
                      <Input maxLength={500} />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            );
          })}
          <Button icon={<PlusOutlined />} onClick={() => add({ ...NEW_MATERIAL })}>
            {t('addMaterial')}
          </Button>
        </>
      )}
    </Form.List>
  );
}
