/* supervisor/images/import_rootfs.c: docker import: a rootfs tar becomes a one-layer image
 * (moby daemon/images/image_import.go: the config it writes, the history entry, the tag). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/changes.h"
#include "supervisor/images/internal.h"
#include "supervisor/images/platform.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/service.h"

#define BLOCK (256 * 1024)

static void
archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* Decompress FD into the store as one blob (the uncompressed tar: its digest is the diff ID). */
static int
store_layer(struct image_service *svc, int fd, char ret_digest[CONTENT_DIGEST_BUF],
            int64_t *ret_size, berth_error_t **err)
{
        __attribute__((cleanup(archive_freep))) struct archive *a = archive_read_new();
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *ref = NULL, *buf = xmalloc(BLOCK);
        struct archive_entry *e;
        int64_t resumed = 0;
        la_ssize_t n;
        int r;

        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        if (archive_read_open_fd(a, fd, BLOCK) != ARCHIVE_OK
            || archive_read_next_header(a, &e) != ARCHIVE_OK)
                return berth_error_new(err, EINVAL, "import: %s",
                                       archive_error_string(a) ? archive_error_string(a)
                                                               : "empty archive");
        ref = xasprintf("import-%d-%lld", (int) getpid(), (long long) time(NULL));
        r = content_ingest_open(svc->store, ref, &in, &resumed, err);
        if (r < 0)
                return r;
        while ((n = archive_read_data(a, buf, BLOCK)) > 0) {
                r = content_ingest_write(in, buf, (size_t) n, err);
                if (r < 0) {
                        content_ingest_abort(in);
                        return r;
                }
        }
        if (n < 0) {
                content_ingest_abort(in);
                return berth_error_new(err, EINVAL, "import: %s", archive_error_string(a));
        }
        if (content_ingest_size(in) == 0) {
                content_ingest_abort(in);
                return berth_error_new(err, EINVAL, "import: empty archive");
        }
        content_ingest_digest(in, ret_digest);
        *ret_size = content_ingest_size(in);
        r = content_ingest_commit(in, ret_digest, *ret_size, err);
        r = content_stored_ok(r, err);
        return r;
}

static int
store_config(struct image_service *svc, const struct image_import_options *o,
             struct json_object *cconf, const char *diff_id, char ret_digest[CONTENT_DIGEST_BUF],
             berth_error_t **err)
{
        cleanup_json struct json_object *c = json_object_new_object();
        struct json_object *rootfs = json_object_new_object(), *ids = json_object_new_array();
        struct json_object *hist = json_object_new_array(), *h = json_object_new_object();
        cleanup_free char *created = time_now_rfc3339(), *msg = NULL, *ref = NULL;
        struct image_platform plat = {0};
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        const char *text;
        int r;

        if (o->platform && o->platform[0]) {
                r = image_platform_parse(o->platform, &plat, err);
                if (r < 0)
                        return r;
        } else {
                image_platform_host(&plat);
        }
        msg = o->message && o->message[0] ? xstrdup(o->message)
                                          : xasprintf("Imported from %s", o->source);
        json_object_object_add(c, "architecture", json_object_new_string(plat.arch));
        if (plat.variant && plat.variant[0])
                json_object_object_add(c, "variant", json_object_new_string(plat.variant));
        json_object_object_add(c, "comment", json_object_new_string(msg));
        json_object_object_add(c, "config", json_object_get(cconf));
        json_object_object_add(c, "created", json_object_new_string(created));
        json_object_object_add(c, "docker_version", json_object_new_string(PACKAGE_VERSION));
        json_object_object_add(h, "created", json_object_new_string(created));
        json_object_object_add(h, "comment", json_object_new_string(msg));
        json_object_array_add(hist, h);
        json_object_object_add(c, "history", hist);
        json_object_object_add(c, "os", json_object_new_string(plat.os));
        json_object_array_add(ids, json_object_new_string(diff_id));
        json_object_object_add(rootfs, "type", json_object_new_string("layers"));
        json_object_object_add(rootfs, "diff_ids", ids);
        json_object_object_add(c, "rootfs", rootfs);
        image_platform_done(&plat);
        text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
        EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
        strcpy(ret_digest, "sha256:");
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(ret_digest + 7 + 2 * i, 3, "%02x", md[i]);
        ref = xasprintf("config-%s", ret_digest + 7);
        r = content_store_write_blob(svc->store, ref, text, strlen(text), ret_digest,
                                     (int64_t) strlen(text), err);
        r = content_stored_ok(r, err);
        return r;
}

int
image_service_import(struct image_service *svc, int fd, const struct image_import_options *o,
                     char **ret_id, berth_error_t **err)
{
        cleanup_json struct json_object *cconf = image_changes_new_config();
        cleanup_free char *key = NULL;
        struct image_plan plan = {0};
        char layer[CONTENT_DIGEST_BUF], config[CONTENT_DIGEST_BUF];
        int64_t size = 0;
        int r;

        /* Everything about the request is checked before the body is read. */
        if (o->name && o->name[0]) {
                struct image_ref ref = {0};
                r = image_ref_parse(o->name, &ref, err);
                if (r < 0)
                        return r;
                if (ref.digest) {
                        image_ref_done(&ref);
                        return berth_error_new(err, EINVAL, "cannot import digest reference");
                }
                key = image_ref_key(&ref);
                image_ref_done(&ref);
        }
        if (o->platform && o->platform[0]) {
                struct image_platform plat = {0};
                r = image_platform_parse(o->platform, &plat, err);
                if (r < 0)
                        return r;
                image_platform_done(&plat);
        }
        r = image_changes_apply(cconf, o->changes, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&svc->lock);
        r = store_layer(svc, fd, layer, &size, err);
        if (r >= 0)
                r = store_config(svc, o, cconf, layer, config, err);
        if (r >= 0) {
                plan.config_digest = xstrdup(config);
                strv_push(&plan.layers, layer);
                strv_push(&plan.layer_types, "application/vnd.docker.image.rootfs.diff.tar");
                plan.layer_sizes = xzalloc(2 * sizeof(int64_t));
                plan.layer_sizes[0] = size;
                if (key)
                        strv_push(&plan.names, key);
                r = image_plan_commit(svc, &plan, err);
                if (r < 0)
                        berth_error_prefix(err, "import");
        }
        if (r >= 0) {
                /* As dockerd's import: a tag event for the name, then the import event. */
                if (key) {
                        cleanup_free char *fam = image_ref_familiar(key);
                        image_service_log_event(svc, config, fam, config, "tag");
                }
                image_service_log_event(svc, config, config, config, "import");
        }
        /* A failure's layer, config and snapshot are held by no record: they go. */
        image_service_collect_locked(svc);
        pthread_mutex_unlock(&svc->lock);
        image_plan_done(&plan);
        if (r < 0)
                return r;
        *ret_id = xstrdup(config);
        return 0;
}
