-- Service-item catalog (事项库): basic items and their versions, implementation entries
-- (实施清单) per implementing body and region, bundles (一件事) and the search index.
-- Lifecycle of a version: draft -> in_review -> published -> superseded | retired.

create sequence catalog_item_code_seq;
comment on sequence catalog_item_code_seq is 'Serial part of generated basic codes (see catalog/codes.ts).';

create table catalog_item (
  id bigint generated always as identity primary key,
  code text not null,
  parent_id bigint references catalog_item (id),
  popularity bigint not null default 0,
  created_at timestamptz not null default now(),
  constraint catalog_item_code_key unique (code)
);
comment on table catalog_item is 'A basic item (基本目录事项): the identity that every version, entry, case and statistic refers to.';
comment on column catalog_item.code is '基本编码: basic code, the same at every level (三级四同).';
comment on column catalog_item.parent_id is 'Main item (主项) of a sub-item or handling item; null for a main item.';
create index catalog_item_parent_idx on catalog_item (parent_id) where parent_id is not null;
comment on column catalog_item.popularity is 'How often people view and apply for it; boosts search ranking.';

create table catalog_item_version (
  id bigint generated always as identity primary key,
  item_id bigint not null references catalog_item (id),
  version integer not null,
  status text not null default 'draft',
  name text not null,
  sub_situation text,
  type_code text not null,
  department text not null,
  legal_basis jsonb not null default '[]',
  audience text[] not null,
  handling_type text not null,
  legal_limit_days integer not null default 0,
  promised_limit_days integer not null default 0,
  visits smallint not null default 1,
  online_depth text not null,
  fee jsonb not null,
  materials jsonb not null default '[]',
  process jsonb not null default '[]',
  special_procedures jsonb not null default '[]',
  result_licence text,
  life_events text[] not null default '{}',
  keywords text[] not null default '{}',
  form_schema jsonb not null,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  published_by text,
  retired_at timestamptz,
  constraint catalog_item_version_key unique (item_id, version),
  constraint catalog_item_version_status_check check (status in ('draft', 'in_review', 'published', 'superseded', 'retired')),
  constraint catalog_item_version_limits_check check (promised_limit_days between 0 and legal_limit_days or legal_limit_days = 0),
  constraint catalog_item_version_visits_check check (visits between 0 and 9),
  constraint catalog_item_version_depth_check check (online_depth in ('I', 'II', 'III', 'IV')),
  constraint catalog_item_version_handling_check check (handling_type in ('immediate', 'promised'))
);
comment on table catalog_item_version is 'One version of a basic item with every element of DOMAIN.md §2. Published versions are immutable (trigger).';
comment on column catalog_item_version.version is 'Version number, 1, 2, ... per item.';
comment on column catalog_item_version.status is 'draft, in_review, published (current), superseded (an older published version), retired.';
comment on column catalog_item_version.name is '事项名称.';
comment on column catalog_item_version.sub_situation is '业务办理项 situation: 新设, 变更, 延续, 注销, 补办, 换领, or null.';
comment on column catalog_item_version.type_code is '事项类型: 01 行政许可 ... 10 其他行政权力, 20 公共服务.';
comment on column catalog_item_version.department is 'Name of the responsible department (e.g. 民政局); entries bind it to an organisation per region.';
comment on column catalog_item_version.legal_basis is '设定依据: [{ title, level? }].';
comment on column catalog_item_version.audience is '服务对象: natural_person and/or legal_person.';
comment on column catalog_item_version.handling_type is '办件类型: immediate (即办件) or promised (承诺件).';
comment on column catalog_item_version.legal_limit_days is '法定办结时限 in working days (0 for 即办件).';
comment on column catalog_item_version.promised_limit_days is '承诺办结时限 in working days, never above the legal limit.';
comment on column catalog_item_version.visits is '到办事现场次数: 0 零跑动, 1 最多跑一次, ...';
comment on column catalog_item_version.online_depth is '网办深度: I information, II booking/download, III online pre-review, IV fully online.';
comment on column catalog_item_version.fee is '收费: { charged, standard?, basis? }.';
comment on column catalog_item_version.materials is '申请材料: [{ name, source: applicant|government, form, copies, tolerated (容缺), required, sample?, blankForm? }].';
comment on column catalog_item_version.process is '办理流程: [{ code?, name, limitDays? }].';
comment on column catalog_item_version.special_procedures is '特殊环节 whose time does not count: [{ name, limitDays? }].';
comment on column catalog_item_version.result_licence is 'Licence or certificate the item produces (结果证照), if any.';
comment on column catalog_item_version.life_events is 'Life events (出生, 婚育 ...) and enterprise stages (开办, 准营 ...).';
comment on column catalog_item_version.keywords is 'Words people use for it; feed search.';
comment on column catalog_item_version.form_schema is 'Application form as JSON Schema with x-ui hints (widget, order, help).';
comment on column catalog_item_version.created_by is 'Subject who created the version.';
comment on column catalog_item_version.published_at is 'When it was published.';
comment on column catalog_item_version.published_by is 'Who published it.';
comment on column catalog_item_version.retired_at is 'When it was retired or superseded.';
create unique index catalog_item_version_published_idx on catalog_item_version (item_id) where status = 'published';
create unique index catalog_item_version_open_idx on catalog_item_version (item_id) where status in ('draft', 'in_review');
create unique index catalog_item_version_identity_idx on catalog_item_version (name, coalesce(sub_situation, ''))
  where status = 'published';

create table catalog_entry (
  id bigint generated always as identity primary key,
  code text not null,
  item_id bigint not null references catalog_item (id),
  organisation_id bigint not null references organisation (id),
  organisation_name text not null,
  organisation_uscc text not null,
  region_code text not null references region (code),
  region_name text not null,
  created_at timestamptz not null default now(),
  constraint catalog_entry_code_key unique (code),
  constraint catalog_entry_scope_key unique (item_id, organisation_id, region_code)
);
comment on table catalog_entry is 'An implementation entry (实施清单): a basic item as one implementing body offers it in one region.';
comment on column catalog_entry.code is '实施编码: {basic code}-{12-digit region}-000-{USCC of the body}-1-00.';
comment on column catalog_entry.item_id is 'The basic item; name, code, type and legal basis are inherited from it and cannot diverge.';
comment on column catalog_entry.organisation_id is 'Implementing body (实施主体).';
comment on column catalog_entry.organisation_name is 'Name of the implementing body when the entry was made (copied from the directory for reads without a join).';
comment on column catalog_entry.organisation_uscc is 'USCC of the implementing body.';
comment on column catalog_entry.region_code is 'Region where it is offered.';
comment on column catalog_entry.region_name is 'Full name of the region (copied from the directory).';
create index catalog_entry_item_region_idx on catalog_entry (item_id, region_code);
create index catalog_entry_region_idx on catalog_entry (region_code);

create table catalog_entry_version (
  id bigint generated always as identity primary key,
  entry_id bigint not null references catalog_entry (id),
  version integer not null,
  status text not null default 'draft',
  promised_limit_days integer,
  visits smallint,
  online_depth text,
  handling_type text,
  fee jsonb,
  materials jsonb,
  process jsonb,
  address text,
  phone text,
  office_hours text,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  published_by text,
  retired_at timestamptz,
  constraint catalog_entry_version_key unique (entry_id, version),
  constraint catalog_entry_version_status_check check (status in ('draft', 'in_review', 'published', 'superseded', 'retired')),
  constraint catalog_entry_version_depth_check check (online_depth is null or online_depth in ('I', 'II', 'III', 'IV')),
  constraint catalog_entry_version_handling_check check (handling_type is null or handling_type in ('immediate', 'promised'))
);
comment on table catalog_entry_version is 'One version of an entry''s local elements; null means "as in the basic item". Published versions are immutable.';
comment on column catalog_entry_version.status is 'draft, in_review, published, superseded, retired.';
comment on column catalog_entry_version.promised_limit_days is 'Local promised limit (working days), at most the item''s legal limit.';
comment on column catalog_entry_version.visits is 'Local required visits.';
comment on column catalog_entry_version.online_depth is 'Local online depth.';
comment on column catalog_entry_version.handling_type is 'Local handling type.';
comment on column catalog_entry_version.fee is 'Local fee, same shape as the item''s.';
comment on column catalog_entry_version.materials is 'Local materials list, same shape as the item''s.';
comment on column catalog_entry_version.process is 'Local process steps.';
comment on column catalog_entry_version.address is 'Where to go (办理地点).';
comment on column catalog_entry_version.phone is 'Enquiry phone (咨询电话).';
comment on column catalog_entry_version.office_hours is 'Office hours (办理时间).';
comment on column catalog_entry_version.created_by is 'Subject who created the version.';
comment on column catalog_entry_version.published_at is 'When it was published.';
comment on column catalog_entry_version.published_by is 'Who published it.';
comment on column catalog_entry_version.retired_at is 'When it was retired or superseded.';
create unique index catalog_entry_version_published_idx on catalog_entry_version (entry_id) where status = 'published';
create unique index catalog_entry_version_open_idx on catalog_entry_version (entry_id) where status in ('draft', 'in_review');

-- A published version is a public commitment: only its lifecycle may move on.
create function catalog_freeze_published() returns trigger language plpgsql as $$
begin
  if old.status in ('published', 'superseded', 'retired') then
    if (to_jsonb(new) - 'status' - 'retired_at' - 'updated_at') is distinct from (to_jsonb(old) - 'status' - 'retired_at' - 'updated_at')
       or new.status not in ('published', 'superseded', 'retired')
       or (old.status in ('superseded', 'retired') and new.status <> old.status) then
      raise exception 'published version % is immutable', old.id using errcode = 'P0001', hint = 'catalog_immutable';
    end if;
  end if;
  return new;
end $$;
comment on function catalog_freeze_published() is 'Rejects edits of published, superseded or retired versions except moving them on in the lifecycle.';
create trigger catalog_item_version_freeze before update on catalog_item_version
  for each row execute function catalog_freeze_published();
create trigger catalog_entry_version_freeze before update on catalog_entry_version
  for each row execute function catalog_freeze_published();

create table catalog_search (
  item_id bigint primary key references catalog_item (id),
  version_id bigint not null references catalog_item_version (id),
  code text not null,
  name text not null,
  department text not null,
  type_code text not null,
  audience text[] not null,
  vector tsvector not null,
  popularity bigint not null default 0
);
comment on table catalog_search is 'Search index: one row per published basic item, rebuilt when a version is published or retired.';
comment on column catalog_search.version_id is 'The published version indexed.';
comment on column catalog_search.code is 'Basic code.';
comment on column catalog_search.name is 'Item name, for display and highlight.';
comment on column catalog_search.department is 'Responsible department name.';
comment on column catalog_search.type_code is 'Item type code.';
comment on column catalog_search.audience is 'Audience, for filtering.';
comment on column catalog_search.vector is 'Lexemes from kernel/search (segmented words, synonyms, pinyin, initials, grams), weighted A-D.';
comment on column catalog_search.popularity is 'Copy of catalog_item.popularity for ranking without a join.';
create index catalog_search_vector_idx on catalog_search using gin (vector);

create table catalog_suggest (
  key text not null,
  item_id bigint not null references catalog_item (id) on delete cascade,
  primary key (key, item_id)
);
comment on table catalog_suggest is 'Autocomplete keys of published items: the name, its pinyin and initials.';
comment on column catalog_suggest.key is 'Lower-case key matched by prefix.';
comment on column catalog_suggest.item_id is 'The item suggested.';
create index catalog_suggest_prefix_idx on catalog_suggest (key text_pattern_ops);

create table catalog_bundle (
  id bigint generated always as identity primary key,
  code text not null,
  name text not null,
  life_event text,
  audience text not null,
  description text not null default '',
  status text not null default 'published',
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint catalog_bundle_code_key unique (code),
  constraint catalog_bundle_status_check check (status in ('draft', 'published', 'retired')),
  constraint catalog_bundle_audience_check check (audience in ('natural_person', 'legal_person'))
);
comment on table catalog_bundle is '一件事: several items a life event or business stage needs, applied for with one form.';
comment on column catalog_bundle.code is 'Stable code, e.g. newborn, business-startup.';
comment on column catalog_bundle.name is 'Display name, e.g. 新生儿出生一件事.';
comment on column catalog_bundle.life_event is 'Life event or enterprise stage it serves.';
comment on column catalog_bundle.audience is 'natural_person or legal_person.';
comment on column catalog_bundle.description is 'What it covers, for the portal.';
comment on column catalog_bundle.status is 'draft, published or retired.';
comment on column catalog_bundle.created_by is 'Who created it.';

create table catalog_bundle_item (
  bundle_id bigint not null references catalog_bundle (id) on delete cascade,
  item_id bigint not null references catalog_item (id),
  position smallint not null,
  primary key (bundle_id, item_id)
);
comment on table catalog_bundle_item is 'Items of a bundle, in the order they are handled.';
comment on column catalog_bundle_item.position is 'Order within the bundle, from 1.';
