-- Data sharing (issue 6 item 3): a consumer can authenticate with client credentials
-- through the platform's OIDC provider instead of (or beside) its API key.

alter table exchange_consumer add column oidc_client_id text references oidc_client (client_id);
alter table exchange_consumer add constraint exchange_consumer_oidc_client_key unique (oidc_client_id);
comment on column exchange_consumer.oidc_client_id is
  'The OIDC client (client_credentials grant, scope exchange) whose access tokens act as this consumer; null: API key only.';
