import { App, Button, Checkbox, Flex, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { api, data } from '../api/client.ts';
import { useBilingual, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { OrganisationSelect, PageTitle, RegionSelect, usePermissions, useSubmit } from './common.tsx';
import { shell, staff as messages } from './messages.ts';

type Member = Awaited<ReturnType<typeof loadMembers>>['items'][number];
type Role = Awaited<ReturnType<typeof loadRoles>>[number];

const PAGE_SIZE = 20;
type Status = 'active' | 'disabled' | 'closed';
const loadMembers = (q: string, status: Status | undefined, page: number) =>
  data(
    api.GET('/api/v1/identity/staff', {
      params: { query: { q: q || undefined, status, page, size: PAGE_SIZE } },
    }),
  );
const loadRoles = async () => (await data(api.GET('/api/v1/identity/roles'))).items;

/** The server's password rule (kernel/crypto.ts passwordPolicy), checked before sending. */
const strongEnough = (password: string) =>
  Array.from(password).length >= 8 &&
  Array.from(password).length <= 128 &&
  [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((re) => re.test(password)).length >= 2;
const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;

/** Staff (list, add, disable or enable, reset password, roles and jurisdiction) and the roles. */
export default function Staff() {
  const t = useT(messages);
  const roles = useApi(loadRoles, []);
  return (
    <>
      <PageTitle title={t('title')} />
      <Tabs
        items={[
          { key: 'members', label: t('members'), children: <Members roles={roles.data ?? []} /> },
          {
            key: 'roles',
            label: t('roles'),
            children: roles.error ? (
              <ProblemAlert error={roles.error} />
            ) : (
              <Roles roles={roles.data} onChanged={roles.reload} />
            ),
          },
        ]}
      />
    </>
  );
}

function Members({ roles }: { roles: Role[] }) {
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const may = usePermissions();
  const { message, modal } = App.useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status>();
  const [page, setPage] = useState(1);
  const members = useApi(() => loadMembers(q, status, page), [q, status, page]);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Member>();
  const [resetting, setResetting] = useState<Member>();
  const [failure, setFailure] = useState<unknown>();
  const roleName = (code: string) => {
    const role = roles.find((r) => r.code === code);
    return role ? pick(role.name, role.nameEn) : code;
  };
  const manage = may('staff.manage');

  const setActive = async (member: Member, active: boolean) => {
    setFailure(undefined);
    try {
      if (active)
        await api.POST('/api/v1/identity/staff/{id}/enable', { params: { path: { id: member.id } } });
      else await api.POST('/api/v1/identity/staff/{id}/disable', { params: { path: { id: member.id } } });
      void message.success(t(active ? 'enabled' : 'disabled', { name: member.name }));
      members.reload();
    } catch (e) {
      setFailure(e);
    }
  };

  return (
    <>
      <Flex wrap gap={8} style={{ marginBottom: 12 }}>
        <Input.Search
          aria-label={s('search')}
          placeholder={t('searchPlaceholder')}
          allowClear
          onSearch={(value) => {
            setQ(value.trim());
            setPage(1);
          }}
          style={{ maxWidth: 280 }}
        />
        <Select
          aria-label={s('status')}
          value={status ?? 'all'}
          onChange={(value) => {
            setStatus(value === 'all' ? undefined : (value as Status));
            setPage(1);
          }}
          options={[
            { value: 'all', label: s('all') },
            ...(['active', 'disabled', 'closed'] as const).map((v) => ({
              value: v,
              label: t(`status_${v}`),
            })),
          ]}
          style={{ width: 120 }}
        />
        {manage ? (
          <Button type="primary" onClick={() => setAdding(true)} style={{ marginInlineStart: 'auto' }}>
            {t('addMember')}
          </Button>
        ) : null}
      </Flex>
      {members.error || failure ? (
        <ProblemAlert error={failure ?? members.error} onRetry={failure ? undefined : members.reload} />
      ) : null}
      <Table<Member>
        rowKey="id"
        loading={members.loading}
        dataSource={members.data?.items}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: members.data?.total,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (n) => s('total', { n }),
        }}
        columns={[
          { title: t('username'), dataIndex: 'username' },
          { title: t('name'), dataIndex: 'name' },
          { title: s('organisation'), render: (_, m) => m.organisation.name },
          {
            title: t('roleList'),
            render: (_, m) => (
              <Flex wrap gap={4}>
                {m.roles.map((r) => (
                  <Tag key={r}>{roleName(r)}</Tag>
                ))}
              </Flex>
            ),
          },
          {
            title: s('status'),
            render: (_, m) => (
              <Tag color={m.status === 'active' ? 'green' : 'default'}>{t(`status_${m.status}`)}</Tag>
            ),
          },
          ...(manage
            ? [
                {
                  title: s('actions'),
                  key: 'actions',
                  render: (_: unknown, m: Member) => (
                    <Space size={0} wrap>
                      <Button type="link" onClick={() => setEditing(m)}>
                        {s('edit')}
                      </Button>
                      {m.status === 'active' ? (
                        <Button
                          type="link"
                          danger
                          onClick={() =>
                            modal.confirm({
                              title: t('confirmDisable', { name: m.name }),
                              onOk: () => setActive(m, false),
                            })
                          }
                        >
                          {t('disable')}
                        </Button>
                      ) : m.status === 'disabled' ? (
                        <Button type="link" onClick={() => void setActive(m, true)}>
                          {t('enable')}
                        </Button>
                      ) : null}
                      <Button type="link" onClick={() => setResetting(m)}>
                        {t('resetPassword')}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {adding ? (
        <MemberForm
          roles={roles}
          onClose={(changed) => {
            setAdding(false);
            if (changed) members.reload();
          }}
        />
      ) : null}
      {editing ? (
        <MemberForm
          roles={roles}
          member={editing}
          onClose={(changed) => {
            setEditing(undefined);
            if (changed) members.reload();
          }}
        />
      ) : null}
      {resetting ? <ResetPassword member={resetting} onClose={() => setResetting(undefined)} /> : null}
    </>
  );
}

interface MemberValues {
  username: string;
  name: string;
  phone?: string;
  password: string;
  organisationId: number;
  hallWindow?: string;
  title?: string;
  roles: string[];
  regionCodes: string[];
  organisationIds?: number[];
}

/** Adds a member, or changes one's department, window, title, roles and jurisdiction. */
function MemberForm({
  roles,
  member,
  onClose,
}: {
  roles: Role[];
  member?: Member;
  onClose(changed: boolean): void;
}) {
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const { message } = App.useApp();
  const [form] = Form.useForm<MemberValues>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    const optional = (text: string | undefined) => (text?.trim() ? text.trim() : undefined);
    if (member) {
      await api.PATCH('/api/v1/identity/staff/{id}', {
        params: { path: { id: member.id } },
        body: {
          organisationId: values.organisationId,
          hallWindow: optional(values.hallWindow) ?? null,
          title: optional(values.title) ?? null,
          roles: values.roles,
          regionCodes: values.regionCodes,
          organisationIds: values.organisationIds ?? [],
        },
      });
      void message.success(s('saved'));
    } else {
      const created = await data(
        api.POST('/api/v1/identity/staff', {
          body: {
            ...values,
            phone: optional(values.phone),
            hallWindow: optional(values.hallWindow),
            title: optional(values.title),
            organisationIds: values.organisationIds ?? [],
          },
        }),
      );
      void message.success(t('created', { name: created.name }));
    }
    onClose(true);
  });
  const required = (text: string) => [{ required: true, message: text }];
  return (
    <Modal
      open
      title={member ? t('editMember', { name: member.name }) : t('addMember')}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          member && {
            organisationId: member.organisation.id,
            hallWindow: member.hallWindow ?? undefined,
            title: member.title ?? undefined,
            roles: member.roles,
            regionCodes: member.regionCodes,
            organisationIds: member.organisationIds,
          }
        }
      >
        {member ? null : (
          <>
            <Form.Item
              name="username"
              label={t('username')}
              rules={[{ required: true, pattern: USERNAME, message: t('usernameRule') }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="name" label={t('name')} rules={required(t('nameRequired'))}>
              <Input />
            </Form.Item>
            <Form.Item name="phone" label={t('phone')}>
              <Input inputMode="tel" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('initialPassword')}
              rules={[
                {
                  required: true,
                  validator: async (_, value: string | undefined) => {
                    if (!value || !strongEnough(value)) throw new Error(t('passwordRule'));
                  },
                },
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        )}
        <Form.Item
          name="organisationId"
          label={s('organisation')}
          rules={required(t('organisationRequired'))}
        >
          <OrganisationSelect />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="hallWindow" label={t('hallWindow')} style={{ flex: '1 1 160px' }}>
            <Input />
          </Form.Item>
          <Form.Item name="title" label={t('jobTitle')} style={{ flex: '1 1 160px' }}>
            <Input />
          </Form.Item>
        </Flex>
        <Form.Item name="roles" label={t('roleList')} rules={required(t('rolesRequired'))}>
          <Select
            mode="multiple"
            options={roles.map((r) => ({ value: r.code, label: pick(r.name, r.nameEn) }))}
            optionFilterProp="label"
          />
        </Form.Item>
        <Form.Item name="regionCodes" label={t('regionCodes')} rules={required(t('regionsRequired'))}>
          <RegionSelect mode="multiple" />
        </Form.Item>
        <Form.Item name="organisationIds" label={t('organisationIds')}>
          <OrganisationSelect mode="multiple" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPassword({ member, onClose }: { member: Member; onClose(): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const { submit, busy, error } = useSubmit(form, async ({ password }) => {
    await api.POST('/api/v1/identity/staff/{id}/password', {
      params: { path: { id: member.id } },
      body: { password },
    });
    void message.success(t('passwordReset'));
    onClose();
  });
  return (
    <Modal
      open
      title={t('resetPasswordOf', { name: member.name })}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="password"
          label={t('newPassword')}
          rules={[
            {
              required: true,
              validator: async (_, value: string | undefined) => {
                if (!value || !strongEnough(value)) throw new Error(t('passwordRule'));
              },
            },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

const ROLE_CODE = /^[a-z][a-z0-9_]{1,39}$/;
const loadPermissions = async () => (await data(api.GET('/api/v1/identity/permissions'))).items;

function Roles({ roles, onChanged }: { roles: Role[] | undefined; onChanged(): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const may = usePermissions();
  // undefined: closed; null: a new role.
  const [editing, setEditing] = useState<Role | null | undefined>(undefined);
  return (
    <>
      {may('role.manage') ? (
        <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setEditing(null)}>
          {t('addRole')}
        </Button>
      ) : null}
      <Table<Role>
        rowKey="code"
        loading={!roles}
        dataSource={roles}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: s('name'), render: (_, r) => pick(r.name, r.nameEn) },
          { title: s('code'), dataIndex: 'code' },
          { title: t('description'), dataIndex: 'description' },
          {
            title: t('permissions'),
            render: (_, r) => (
              <Flex wrap gap={4}>
                {r.permissions.map((p) => (
                  <Tag key={p}>{p}</Tag>
                ))}
              </Flex>
            ),
          },
          { title: t('holders'), dataIndex: 'holders' },
          ...(may('role.manage')
            ? [
                {
                  title: t('roleActions'),
                  render: (_: unknown, r: Role) => (
                    <Button
                      size="small"
                      aria-label={t('editRoleOf', { name: pick(r.name, r.nameEn) })}
                      onClick={() => setEditing(r)}
                    >
                      {t('edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing !== undefined ? (
        <RoleForm
          role={editing ?? undefined}
          onClose={(changed) => {
            setEditing(undefined);
            if (changed) onChanged();
          }}
        />
      ) : null}
    </>
  );
}

interface RoleValues {
  code: string;
  name: string;
  nameEn: string;
  description?: string;
  permissions: string[];
}

/** Creates a role or changes one's names, description and permissions (PUT is both). */
function RoleForm({ role, onClose }: { role?: Role; onClose(changed: boolean): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const { message } = App.useApp();
  const permissions = useApi(loadPermissions, []);
  const [form] = Form.useForm<RoleValues>();
  const { submit, busy, error } = useSubmit(form, async ({ code, description, permissions, ...names }) => {
    await data(
      api.PUT('/api/v1/identity/roles/{code}', {
        params: { path: { code: role?.code ?? code } },
        body: {
          ...names,
          ...(description?.trim() && { description: description.trim() }),
          permissions: permissions as never,
        },
      }),
    );
    void message.success(t('roleSaved'));
    onClose(true);
  });
  const required = (text: string) => [{ required: true, whitespace: true, message: text }];
  return (
    <Modal
      open
      title={role ? t('editRole', { name: pick(role.name, role.nameEn) }) : t('addRole')}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      {permissions.error ? <ProblemAlert error={permissions.error} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          role && {
            code: role.code,
            name: role.name,
            nameEn: role.nameEn,
            description: role.description ?? undefined,
            permissions: role.permissions,
          }
        }
      >
        <Form.Item
          name="code"
          label={t('roleCode')}
          rules={[{ required: true, pattern: ROLE_CODE, message: t('roleCodeRule') }]}
        >
          <Input autoComplete="off" disabled={Boolean(role)} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item
            name="name"
            label={t('roleName')}
            rules={required(t('roleNameRequired'))}
            style={{ flex: '1 1 160px' }}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item
            name="nameEn"
            label={t('roleNameEn')}
            rules={required(t('roleNameRequired'))}
            style={{ flex: '1 1 160px' }}
          >
            <Input maxLength={100} />
          </Form.Item>
        </Flex>
        <Form.Item name="description" label={t('description')}>
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2 }} />
        </Form.Item>
        <Form.Item
          name="permissions"
          label={t('permissions')}
          rules={[{ required: true, type: 'array', min: 1, message: t('permissionsRequired') }]}
        >
          <Checkbox.Group>
            <Flex wrap gap={8}>
              {(permissions.data ?? []).map((p) => (
                <Checkbox key={p} value={p}>
                  {p}
                </Checkbox>
              ))}
            </Flex>
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}
