/* supervisor/content/store.h: the content-addressed blob store under <data-root>/content. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct content_store;
struct content_ingest;

/* Open ROOT (made when missing: blobs/sha256/ and ingest/ below it). Keeps its own copy of ROOT. */
int content_store_open(const char *root, struct content_store **ret, berth_error_t **err);
void content_store_close(struct content_store *s);
DEFINE_CLEANUP(struct content_store *, content_store_close)
#define cleanup_content_store __attribute__((cleanup(content_store_closep)))

/* Remove every ingest not locked by a writer (at start nothing is: a crash leaves them behind).
 * Returns how many were removed. */
int content_store_gc_ingests(struct content_store *s, berth_error_t **err);

/* "sha256:<64 lowercase hex>": 0 or -EINVAL. */
int content_digest_validate(const char *digest, berth_error_t **err);
/* Size of the committed blob DIGEST; -ENOENT when absent. */
int content_store_stat_blob(struct content_store *s, const char *digest, int64_t *ret_size,
                            berth_error_t **err);
/* Path of the blob DIGEST (which may not exist); caller frees. */
char *content_store_blob_path(struct content_store *s, const char *digest);

/* Every committed blob's digest; returns the count. *ret is the caller's (strv). */
int content_store_list_blobs(struct content_store *s, char ***ret, berth_error_t **err);
/* Remove the committed blob DIGEST; -ENOENT when absent. Callers keep it from racing an ingest
 * that is about to be referenced (supervisor/metadata/gc.h). */
int content_store_remove_blob(struct content_store *s, const char *digest, berth_error_t **err);
/* A read-only fd on blob DIGEST (close-on-exec, the caller's), checked to be EXPECTED_SIZE bytes
 * (< 0: any); the bytes were verified at ingest. */
int content_store_open_blob(struct content_store *s, const char *digest, int64_t expected_size,
                            berth_error_t **err);

/* Start or resume the ingest REF (letters, digits, "._-:" ; no leading dot). Bytes already in
 * ingest/REF are rehashed and kept: *ret_offset says where to continue. A ref being written by
 * another ingest is -EBUSY. */
int content_ingest_open(struct content_store *s, const char *ref, struct content_ingest **ret,
                        int64_t *ret_offset, berth_error_t **err);
int content_ingest_write(struct content_ingest *in, const void *buf, size_t len,
                         berth_error_t **err);
/* fsync, check the size (EXPECTED_SIZE < 0: any) and digest, rename into blobs/sha256/ and fsync
 * the directory. A mismatch removes the ingest and is -EINVAL; an existing blob is -EEXIST (the
 * ingest is removed, the blob kept). Always ends the ingest: free it afterwards. */
int content_ingest_commit(struct content_ingest *in, const char *expected_digest,
                          int64_t expected_size, berth_error_t **err);
/* "sha256:<hex>" of the bytes written so far, and their count. */
#define CONTENT_DIGEST_BUF 72
void content_ingest_digest(struct content_ingest *in, char ret[CONTENT_DIGEST_BUF]);
int64_t content_ingest_size(const struct content_ingest *in);
/* A read-only fd (close-on-exec, the caller's) on the bytes written so far, at offset 0; it keeps
 * reading the same file after the commit renames it into blobs/ (a pull unpacks a layer from it
 * while the layer downloads). */
int content_ingest_open_reader(struct content_ingest *in, berth_error_t **err);
/* End the ingest without committing and remove its bytes (no resume); free it afterwards. */
void content_ingest_abort(struct content_ingest *in);
/* Close without committing; the bytes stay in ingest/REF for a resume. */
void content_ingest_free(struct content_ingest *in);
DEFINE_CLEANUP(struct content_ingest *, content_ingest_free)
#define cleanup_content_ingest __attribute__((cleanup(content_ingest_freep)))

/* R from content_ingest_commit or content_store_write_blob, with "already stored" (-EEXIST: the
 * same bytes, since a blob is named by its digest) turned into success. */
int content_stored_ok(int r, berth_error_t **err);

/* One-shot: ingest BUF as REF and commit it. */
int content_store_write_blob(struct content_store *s, const char *ref, const void *buf, size_t len,
                             const char *expected_digest, int64_t expected_size,
                             berth_error_t **err);
