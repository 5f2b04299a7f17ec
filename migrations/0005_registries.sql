-- Base registries (基础库) the platform shares with departments: the population
-- registry and the market-entity registry. Issue 6 grows them; for now they hold the
-- records that applications look up and pre-fill. Region codes are not foreign keys to
-- the directory: a registry also holds people and enterprises from outside the
-- regions this deployment serves.

create table registry_person (
  id_number text primary key,
  name text not null,
  sex char(1) not null,
  birth_date date not null,
  region_code text not null,
  phone text,
  created_at timestamptz not null default now(),
  constraint registry_person_id_number_check check (id_number ~ '^[0-9]{17}[0-9X]$'),
  constraint registry_person_sex_check check (sex in ('M', 'F')),
  constraint registry_person_region_code_check check (region_code ~ '^[0-9]{12}$')
);
comment on table registry_person is 'Population registry (人口库): one resident per ID number.';
comment on column registry_person.id_number is 'Resident ID number (GB 11643), check digit validated by the application.';
comment on column registry_person.name is 'Name as registered.';
comment on column registry_person.sex is 'M or F, as encoded in the ID number.';
comment on column registry_person.birth_date is 'Date of birth, as encoded in the ID number.';
comment on column registry_person.region_code is '12-digit code of the region (community) of household registration.';
comment on column registry_person.phone is 'Mobile phone number, if known.';
comment on column registry_person.created_at is 'When the record was added.';
create index registry_person_region_idx on registry_person (region_code);
create index registry_person_name_idx on registry_person (name);

create table registry_enterprise (
  uscc text primary key,
  name text not null,
  type text not null,
  legal_representative_id text references registry_person (id_number),
  legal_representative_name text not null,
  region_code text not null,
  registered_capital_cny numeric(16, 2),
  established_on date not null,
  status text not null,
  created_at timestamptz not null default now(),
  constraint registry_enterprise_uscc_check check (uscc ~ '^[0-9A-HJ-NP-RT-UW-Y]{18}$'),
  constraint registry_enterprise_region_code_check check (region_code ~ '^[0-9]{12}$'),
  constraint registry_enterprise_capital_check check (registered_capital_cny is null or registered_capital_cny >= 0),
  constraint registry_enterprise_status_check check (status in ('存续', '在业', '停业', '迁出', '吊销', '注销'))
);
comment on table registry_enterprise is 'Market-entity registry (市场主体库): one enterprise or self-employed business per credit code.';
comment on column registry_enterprise.uscc is 'Unified social credit code (GB 32100), check digits validated by the application.';
comment on column registry_enterprise.name is 'Registered name: 示例市长安区瑞丰餐饮有限公司.';
comment on column registry_enterprise.type is 'Entity type: 有限责任公司, 股份有限公司, 个人独资企业, 合伙企业, 个体工商户 ...';
comment on column registry_enterprise.legal_representative_id is 'ID number of the legal representative (or operator of a 个体工商户), when in the population registry.';
comment on column registry_enterprise.legal_representative_name is 'Name of the legal representative or operator.';
comment on column registry_enterprise.region_code is '12-digit code of the region of the registered address.';
comment on column registry_enterprise.registered_capital_cny is 'Registered capital in yuan; null where none is registered (个体工商户).';
comment on column registry_enterprise.established_on is 'Date of establishment (成立日期).';
comment on column registry_enterprise.status is 'Registration status: 存续, 在业, 停业, 迁出, 吊销 or 注销.';
comment on column registry_enterprise.created_at is 'When the record was added.';
create index registry_enterprise_region_idx on registry_enterprise (region_code);
create index registry_enterprise_legal_representative_idx on registry_enterprise (legal_representative_id);
create index registry_enterprise_name_idx on registry_enterprise (name);
