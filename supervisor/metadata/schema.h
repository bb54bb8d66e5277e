/* supervisor/metadata/schema.h: the key layout of berthd's LMDB environment, versioned.
 *
 * One environment, <data-root>/metadata/ (data.mdb, lock.mdb), opened once at start by
 * supervisor/daemon/main.c. Named databases and their keys (cf. containerd's
 * core/metadata/buckets.go, which draws bbolt buckets the same way):
 *
 *   meta                          berthd's own records
 *   ├── "schema"       → "1"       decimal SCHEMA_VERSION; written when the environment is new
 *   └── "daemon/id"    → "<uuid>"  the daemon ID shown by /info, generated once
 *   images                        "<name>" → "<image ID>"; a name is docker's normalised
 *   │                              reference: "docker.io/library/busybox:latest", or
 *   │                              "<repo>@sha256:<hex>" for a digest reference
 *   └── "docker.io/library/busybox:latest" → "sha256:<config hex>"
 *   image_ids                     the digest index: "<image ID>" → JSON image record; an ID
 *   │                              that no name points to is a dangling image ("<none>");
 *   │                              /info's Images counts these entries
 *   └── "sha256:<config hex>" → {"manifest": "sha256:…", "created": "<RFC 3339>",
 *                                "size": <unpacked bytes>, "chainId": "sha256:…",
 *                                "blobs": ["sha256:…", …]}   manifest, config, layers:
 *                                every blob the image keeps alive (supervisor/metadata/gc.c)
 *   containers                    "<id>" (64 hex) → JSON container record
 *   └── "<id>" → {"v": 1, "Id", "Name": "/web", "Created": "<RFC 3339>", "Path", "Args",
 *                 "State": {docker's State: "Status": "created"|"running"|…, "Pid",
 *                 "ExitCode", "StartedAt", "FinishedAt", …}, "Image": "sha256:<ID>",
 *                 "Config" (merged with the image's), "HostConfig", "NetworkingConfig",
 *                 "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "RestartCount",
 *                 "Driver", "Platform"}
 *                 "v" is the record's own version (CONTAINER_RECORD_VERSION in
 *                 supervisor/metadata/containers.h): a newer one is read as far as its keys
 *                 are known; a change of meaning bumps it and adds a migration here. Names are
 *                 unique across records, checked inside the write transaction that stores one
 *                 (no separate index: a crash cannot leave the two out of step). The read-write
 *                 snapshot of a record is snapshots/active/<id>, its files containers/<id>/.
 *   volumes                       "<name>" → JSON volume record (supervisor/metadata/volumes.h)
 *   └── "<name>" → {"v": 1, "Name", "Driver": "local", "Labels": {…}|null, "Options": {…}|null,
 *                   "CreatedAt": "<RFC 3339>", "Anonymous": bool}; the data is
 *                   <data-root>/volumes/<name>/_data (made before the record, removed after it:
 *                   a crash leaves at most a directory no record holds, swept at start)
 *
 * Every change (a load, a tag, an untag, a delete; a container create, rename, remove) is one
 * write transaction over both image databases, so a crash leaves the old state or the new one, never a name without its record.
 *
 * Versioning: a berthd that finds a schema newer than its own refuses to start (it would not
 * know what the newer layout means); an older one is migrated in one write transaction before
 * anything else reads it (no migration exists yet: version 1 is the first).
 */
#pragma once

#define METADATA_SCHEMA_VERSION 1

#define METADATA_DB_META       "meta"
#define METADATA_DB_IMAGES     "images"
#define METADATA_DB_IMAGE_IDS  "image_ids"
#define METADATA_DB_CONTAINERS "containers"
#define METADATA_DB_VOLUMES    "volumes"

#define METADATA_KEY_SCHEMA    "schema"
#define METADATA_KEY_DAEMON_ID "daemon/id"
