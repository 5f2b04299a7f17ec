import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Form, Input, InputNumber, Row } from 'antd';
import { useLabels } from './labels.ts';
import { RowControls } from './list-controls.tsx';

/** The stages a case goes through, and the special procedures that pause its clock. */
export function ProcessTab() {
  const { t } = useLabels();
  return (
    <>
      <StepList name="process" title={t('tabProcess')} addText={t('addStep')} />
      <StepList name="specialProcedures" title={t('specialProcedures')} addText={t('addSpecialProcedure')} />
    </>
  );
}

function StepList({ name, title, addText }: { name: string; title: string; addText: string }) {
  const { t } = useLabels();
  return (
    <Form.List name={name}>
      {(rows, { add, remove, move }) => (
        <Card size="small" title={title} style={{ marginBottom: 16 }}>
          {rows.map((row, index) => {
            const label = `${title} ${t('step', { n: index + 1 })}`;
            return (
              <Row key={row.key} gutter={12} align="top">
                <Col xs={24} md={14}>
                  <Form.Item
                    name={[row.name, 'name']}
                    label={`${t('step', { n: index + 1 })} ${t('stepName')}`}
                    rules={[
                      { required: true, whitespace: true, message: t('required', { label: t('stepName') }) },
                    ]}
                  >
                    <Input maxLength={100} />
                  </Form.Item>
                </Col>
                <Col xs={14} md={6}>
                  <Form.Item name={[row.name, 'limitDays']} label={t('stepLimit')}>
                    <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col xs={10} md={4} style={{ paddingTop: 30 }}>
                  <RowControls index={index} count={rows.length} label={label} move={move} remove={remove} />
                </Col>
              </Row>
            );
          })}
          <Button icon={<PlusOutlined />} onClick={() => add({ name: '' })}>
            {addText}
          </Button>
        </Card>
      )}
    </Form.List>
  );
}
