-- Directory: the region hierarchy (行政区划) and the organisations that implement services
-- (实施主体). Levels and organisation kinds are rows, not code: a deployment may add,
-- rename or skip levels (e.g. a city without districts, 不设区的地级市).
--
-- Region codes are 12 digits for every level: GB/T 2260 gives 6 digits down to the
-- county; the statistical division code extends them with 3 digits for the township
-- (乡级: 街道, 镇, 乡) and 3 for the village (村级: 社区, 村). Higher levels are padded
-- with zeros (江苏省 = 320000000000, a district = 320102000000), so every code has one
-- shape, sorts with its parent, and the first 6 digits are always the GB/T 2260 code
-- that ID numbers and credit codes carry.

create table region_level (
  level smallint primary key,
  name text not null,
  name_en text not null,
  constraint region_level_level_check check (level > 0)
);
comment on table region_level is 'Levels of the region hierarchy (行使层级), as data so a deployment may add or rename them.';
comment on column region_level.level is 'Depth: 1 for the top level; a child region has a greater level than its parent.';
comment on column region_level.name is 'Chinese name of the level (省级, 市级 ...).';
comment on column region_level.name_en is 'English name of the level.';

insert into region_level (level, name, name_en) values
  (1, '省级', 'province'),
  (2, '市级', 'city'),
  (3, '县级', 'district / county'),
  (4, '乡级', 'township / street'),
  (5, '村级', 'village / community');

create table region (
  code text primary key,
  name text not null,
  full_name text not null,
  level smallint not null references region_level (level),
  parent_code text references region (code),
  path text[] not null,
  created_at timestamptz not null default now(),
  constraint region_code_check check (code ~ '^[0-9]{12}$'),
  constraint region_path_check check (path[array_length(path, 1)] = code)
);
comment on table region is 'A region (行政区划): province, city, district, street, community ... linked to its parent.';
comment on column region.code is '12-digit region code (GB/T 2260 + township + village digits, zero-padded; see the file header).';
comment on column region.name is 'Own name: 江苏省, 示例市, 长安区, 江南街道, 和平社区.';
comment on column region.full_name is 'Name with every ancestor: 江苏省示例市长安区.';
comment on column region.level is 'Level of the region (region_level.level).';
comment on column region.parent_code is 'The region directly above; null for a top region.';
comment on column region.path is 'Codes from the top region down to this one (inclusive): descendants of X are the rows whose path contains X.';
comment on column region.created_at is 'When the region was added.';
create index region_parent_idx on region (parent_code, code);
create index region_level_idx on region (level, code);
create index region_path_idx on region using gin (path);

create table organisation_kind (
  kind text primary key,
  name text not null,
  name_en text not null
);
comment on table organisation_kind is 'Kinds of organisation, as data so a deployment may add its own.';
comment on column organisation_kind.kind is 'Stable key used by code and the API.';
comment on column organisation_kind.name is 'Chinese name of the kind.';
comment on column organisation_kind.name_en is 'English name of the kind.';

insert into organisation_kind (kind, name, name_en) values
  ('department', '职能部门', 'government department'),
  ('centre', '政务服务中心', 'government service centre'),
  ('street_office', '街道办事处', 'street office'),
  ('committee', '居（村）民委员会', 'residents'' or villagers'' committee');

create table organisation (
  id bigint generated always as identity primary key,
  name text not null,
  short_name text not null,
  uscc text not null,
  region_code text not null references region (code),
  kind text not null references organisation_kind (kind),
  parent_id bigint references organisation (id),
  created_at timestamptz not null default now(),
  constraint organisation_uscc_key unique (uscc),
  constraint organisation_region_name_key unique (region_code, name),
  constraint organisation_uscc_check check (uscc ~ '^[0-9A-HJ-NP-RT-UW-Y]{18}$')
);
comment on table organisation is 'An implementing body (实施主体): a department, service centre, street office or committee of one region.';
comment on column organisation.name is 'Full official name: 示例市长安区民政局.';
comment on column organisation.short_name is 'Name without the region: 民政局. Catalog items name their department this way.';
comment on column organisation.uscc is 'Unified social credit code (GB 32100), check digits validated by the application.';
comment on column organisation.region_code is 'Region the body serves (its jurisdiction).';
comment on column organisation.kind is 'Kind of body (organisation_kind.kind).';
comment on column organisation.parent_id is 'Body this one belongs to (a 车辆管理所 under its 公安局), if any.';
comment on column organisation.created_at is 'When the body was added.';
create index organisation_region_kind_idx on organisation (region_code, kind, short_name);
create index organisation_parent_idx on organisation (parent_id);
