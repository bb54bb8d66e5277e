/* supervisor/metadata/gc.c: remove blobs that no image record references (run after rmi and
 * prune; cf. containerd's core/metadata/gc.go, without leases: one lock stands in for them). */
#include <config.h>

#include "supervisor/metadata/gc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "supervisor/content/store.h"
#include "supervisor/metadata/images.h"

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int
metadata_gc_blobs(struct metadata_db *db, struct content_store *store, int64_t *ret_bytes,
                  berth_error_t **err)
{
        return metadata_gc_blobs_keep(db, store, NULL, ret_bytes, err);
}

int
metadata_gc_blobs_keep(struct metadata_db *db, struct content_store *store, char *const *keep,
                       int64_t *ret_bytes, berth_error_t **err)
{
        cleanup_strv char **marked = NULL;
        cleanup_strv char **blobs = NULL;
        struct image_record *recs = NULL;
        int64_t bytes = 0;
        size_t nmarked;
        int n, r, removed = 0;

        n = metadata_images_list(db, &recs, err);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++) {
                strv_push(&marked, recs[i].id);
                strv_foreach(b, recs[i].blobs)
                        strv_push(&marked, b);
        }
        image_records_free(recs, (size_t) n);
        strv_foreach(k, keep)
                strv_push(&marked, k);
        nmarked = strv_length(marked);
        if (nmarked > 0)
                qsort(marked, nmarked, sizeof(char *), cmp_str);
        r = content_store_list_blobs(store, &blobs, err);
        if (r < 0)
                return r;
        strv_foreach(b, blobs) {
                int64_t size = 0;
                if (nmarked > 0 && bsearch(&b, marked, nmarked, sizeof(char *), cmp_str))
                        continue;
                r = content_store_stat_blob(store, b, &size, err);
                if (r < 0)
                        return r;
                r = content_store_remove_blob(store, b, err);
                if (r < 0)
                        return r;
                bytes += size;
                removed++;
        }
        if (ret_bytes)
                *ret_bytes = bytes;
        return removed;
}
