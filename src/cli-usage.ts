/** The command line's help text and its usage error (shared by the platform commands and verify). */
export const USAGE = `Usage: tongban <command>

  start                          start the platform (seeds the demo city on first start)
  migrate                        apply database migrations
  seed [--scale small|city]      build the demo city, catalog and registries (idempotent)
  catalog import <file> [--publish]   import items from .csv or .xlsx
  catalog export <file>          export the published catalog to .csv or .xlsx
  catalog reindex                rebuild the search index (after search dictionaries change)
  staff create --username u --name n --role r [--role r2] --organisation <id> --region <code>
                                 create a staff account (the first system administrator);
                                 the password is read from TONGBAN_PASSWORD
  audit verify [--prefix case:]  check every hash-chained log (or those whose name starts with the prefix)
                                 and, without a prefix, the licence and data-access transparency logs;
                                 exit code 1 when one is broken
  keys rotate                    re-encrypt personal fields with the first FIELD_ENCRYPTION_KEYS key
                                 and recompute blind indexes (after adding a key or a new FIELD_INDEX_KEY)
  verify <licence.pdf|licence.json> --log-key <log-key.pem> [--checkpoint <file>]...
         [--consistency <proof.json>] [--at <ISO time>]
                                 check a licence file offline (no configuration, database or network):
                                 identifier, seal signature, log inclusion, back-dating, status;
                                 checkpoints (signed note or JSON) you hold are compared with the file's
  verify <identifier>            check only an e-licence identifier's form and MOD 37,36 check character
  verify --log-key <pem> --checkpoint <older> --checkpoint <newer> --consistency <proof.json>
                                 check that the newer checkpoint extends the older one
                                 (verify exits 0 when valid, 1 when not, 2 on usage errors)

Environment: PORT, HOST, DATA_DIR, DATABASE_URL, LOG_LEVEL, SESSION_SECRET (see README).`;

export class UsageError extends Error {}
