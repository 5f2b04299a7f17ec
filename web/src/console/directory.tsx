import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Table,
  Tree,
  Typography,
} from 'antd';
import { useState, type Key } from 'react';
import { api, data } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { PageTitle, usePermissions, useSubmit } from './common.tsx';
import { directory as messages, shell } from './messages.ts';

type Region = Awaited<ReturnType<typeof loadRegions>>[number];
type Organisation = Awaited<ReturnType<typeof loadOrganisations>>['items'][number];
interface RegionNode {
  key: string;
  title: string;
  isLeaf: boolean;
  region: Region;
  children?: RegionNode[];
}

/** Communities (村级, level 5) have no regions below them. */
const LOWEST_LEVEL = 5;
const PAGE_SIZE = 20;
const KINDS = ['department', 'centre', 'street_office', 'committee'] as const;

const loadRegions = async (parent?: string) =>
  (
    await data(
      api.GET('/api/v1/regions', {
        params: { query: parent ? { parent, page: 1, size: 100 } : { level: 1, page: 1, size: 100 } },
      }),
    )
  ).items;
const loadOrganisations = (region: string, page: number) =>
  data(api.GET('/api/v1/organisations', { params: { query: { region, page, size: PAGE_SIZE } } }));
const nodeOf = (region: Region): RegionNode => ({
  key: region.code,
  title: region.name,
  isLeaf: region.level >= LOWEST_LEVEL,
  region,
});

/** Replaces the children of the node `key` in the tree. */
function withChildren(nodes: RegionNode[], key: string, children: RegionNode[]): RegionNode[] {
  return nodes.map((n) =>
    n.key === key
      ? { ...n, children, isLeaf: children.length === 0 }
      : { ...n, children: n.children && withChildren(n.children, key, children) },
  );
}

/** The region tree and each region's departments and bodies; administrators add either. */
export default function Directory() {
  const t = useT(messages);
  const may = usePermissions();
  const [tree, setTree] = useState<RegionNode[]>();
  const [selected, setSelected] = useState<Region>();
  const [expanded, setExpanded] = useState<Key[]>([]);
  const top = useApi(async () => {
    let nodes = (await loadRegions()).map(nodeOf);
    // Start one level down (the city below the province), where the departments are.
    const first = nodes[0];
    const below = first ? (await loadRegions(first.key)).map(nodeOf) : [];
    if (first) nodes = withChildren(nodes, first.key, below);
    setTree(nodes);
    setExpanded(first ? [first.key] : []);
    setSelected((current) => current ?? below[0]?.region ?? first?.region);
    return nodes;
  }, []);
  const [page, setPage] = useState(1);
  const organisations = useApi(
    () => (selected ? loadOrganisations(selected.code, page) : Promise.resolve(undefined)),
    [selected, page],
  );
  const [adding, setAdding] = useState<'organisation' | 'region'>();

  const loadChildren = async (node: RegionNode) => {
    const children = (await loadRegions(node.key)).map(nodeOf);
    setTree((nodes) => nodes && withChildren(nodes, node.key, children));
  };
  const manage = may('directory.manage');

  return (
    <>
      <PageTitle title={t('title')} />
      {top.error ? <ProblemAlert error={top.error} onRetry={top.reload} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('regions')}</h2>}>
            <Tree<RegionNode>
              treeData={tree}
              loadData={loadChildren}
              expandedKeys={expanded}
              onExpand={setExpanded}
              selectedKeys={selected ? [selected.code] : []}
              onSelect={(_, { node }) => {
                setSelected(node.region);
                setPage(1);
              }}
            />
          </Card>
        </Col>
        <Col xs={24} md={16}>
          <Card
            size="small"
            title={
              <h2 style={{ fontSize: 16, margin: 0, whiteSpace: 'normal' }}>
                {selected ? t('organisations', { region: selected.fullName }) : t('pickRegion')}
              </h2>
            }
          >
            {selected && manage ? (
              <Typography.Paragraph>
                <Button onClick={() => setAdding('organisation')}>{t('addOrganisation')}</Button>{' '}
                {selected.level < LOWEST_LEVEL ? (
                  <Button onClick={() => setAdding('region')}>{t('addRegion')}</Button>
                ) : null}
              </Typography.Paragraph>
            ) : null}
            {organisations.error ? <ProblemAlert error={organisations.error} /> : null}
            {selected ? (
              <OrganisationTable
                organisations={organisations.data}
                loading={organisations.loading}
                page={page}
                onPage={setPage}
              />
            ) : (
              <Empty description={t('pickRegion')} />
            )}
          </Card>
        </Col>
      </Row>
      {selected && adding === 'organisation' ? (
        <AddOrganisation
          region={selected}
          onClose={(changed) => {
            setAdding(undefined);
            if (changed) organisations.reload();
          }}
        />
      ) : null}
      {selected && adding === 'region' ? (
        <AddRegion
          parent={selected}
          onClose={(changed) => {
            setAdding(undefined);
            if (changed) void loadChildren(nodeOf(selected));
          }}
        />
      ) : null}
    </>
  );
}

function OrganisationTable({
  organisations,
  loading,
  page,
  onPage,
}: {
  organisations: { items: Organisation[]; total: number } | undefined;
  loading: boolean;
  page: number;
  onPage(page: number): void;
}) {
  const t = useT(messages);
  const s = useT(shell);
  const kind = (k: string) =>
    (KINDS as readonly string[]).includes(k) ? t(`kind_${k as (typeof KINDS)[number]}`) : k;
  return (
    <Table<Organisation>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={organisations?.items}
      scroll={{ x: 'max-content' }}
      pagination={{
        current: page,
        pageSize: PAGE_SIZE,
        total: organisations?.total,
        showSizeChanger: false,
        onChange: onPage,
        showTotal: (n) => s('total', { n }),
      }}
      columns={[
        { title: s('name'), dataIndex: 'name' },
        { title: t('shortName'), dataIndex: 'shortName' },
        { title: t('uscc'), dataIndex: 'uscc' },
        { title: t('kind'), render: (_, o) => kind(o.kind) },
      ]}
    />
  );
}

interface OrganisationValues {
  name: string;
  shortName?: string;
  uscc: string;
  kind: string;
}

function AddOrganisation({ region, onClose }: { region: Region; onClose(changed: boolean): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<OrganisationValues>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    await api.POST('/api/v1/organisations', {
      body: {
        name: values.name.trim(),
        shortName: values.shortName?.trim() || undefined,
        uscc: values.uscc.trim(),
        kind: values.kind,
        regionCode: region.code,
      },
    });
    void message.success(t('created'));
    onClose(true);
  });
  return (
    <Modal
      open
      title={`${t('addOrganisation')} · ${region.fullName}`}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="name"
          label={s('name')}
          rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="shortName" label={t('shortName')}>
          <Input />
        </Form.Item>
        <Form.Item
          name="uscc"
          label={t('uscc')}
          rules={[{ required: true, whitespace: true, message: t('usccRequired') }]}
        >
          <Input maxLength={18} />
        </Form.Item>
        <Form.Item name="kind" label={t('kind')} rules={[{ required: true, message: t('kindRequired') }]}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`kind_${k}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AddRegion({ parent, onClose }: { parent: Region; onClose(changed: boolean): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; name: string }>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    await api.POST('/api/v1/regions', {
      body: { code: values.code.trim(), name: values.name.trim(), parentCode: parent.code },
    });
    void message.success(t('created'));
    onClose(true);
  });
  return (
    <Modal
      open
      title={`${t('addRegion')} · ${parent.fullName}`}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="code"
          label={t('regionCode')}
          rules={[{ required: true, pattern: /^\d{12}$/, message: t('codeRequired') }]}
        >
          <Input inputMode="numeric" maxLength={12} />
        </Form.Item>
        <Form.Item
          name="name"
          label={s('name')}
          rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
        >
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
