-- QR-code login: what the phone shows before the person approves. A code can be sent to
-- a victim by whoever holds the desktop (QRLJacking); seeing where the sign-in would
-- happen (browser, address, time) is what lets the person refuse it.

alter table identity_qr_login add column desktop_ip text;
alter table identity_qr_login add column desktop_user_agent text;
comment on column identity_qr_login.desktop_ip is 'Client address of the desktop that asked for the code.';
comment on column identity_qr_login.desktop_user_agent is 'User agent of the desktop that asked for the code.';
