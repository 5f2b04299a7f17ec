-- The process a case of an item version runs through (stages, parallel branches, limits;
-- modules/cases/process.ts), versioned with the item. Null: the cases module derives the
-- default process from the version's limits and result licence.

alter table catalog_item_version add column workflow jsonb;
comment on column catalog_item_version.workflow is 'Process definition (办理流程 with roles, departments, parallel branches and limits), validated by the cases module; null = the default process.';
