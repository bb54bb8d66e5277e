/* supervisor/metadata/schema.h: the key layout of berthd's LMDB environment, versioned.
 *
 * One environment, <data-root>/metadata/ (data.mdb, lock.mdb), opened once at start by
 * supervisor/daemon/main.c. Named databases and their keys (cf. containerd's
 * core/metadata/buckets.go, which draws bbolt buckets the same way):
 *
 *   meta                          berthd's own records
 *   ├── "schema"       → "1"       decimal SCHEMA_VERSION; written when the environment is new
 *   └── "daemon/id"    → "<uuid>"  the daemon ID shown by /info, generated once
 *   images                        (issue 8) "<name>" → JSON image record (target digest, labels,
 *                                  created); /info's Images counts its entries
 *   containers                    (issue 8) "<id>" → JSON container record
 *
 * Versioning: a berthd that finds a schema newer than its own refuses to start (it would not
 * know what the newer layout means); an older one is migrated in one write transaction before
 * anything else reads it (no migration exists yet: version 1 is the first).
 */
#pragma once

#define METADATA_SCHEMA_VERSION 1

#define METADATA_DB_META       "meta"
#define METADATA_DB_IMAGES     "images"
#define METADATA_DB_CONTAINERS "containers"

#define METADATA_KEY_SCHEMA    "schema"
#define METADATA_KEY_DAEMON_ID "daemon/id"
