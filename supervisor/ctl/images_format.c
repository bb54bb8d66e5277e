/* supervisor/ctl/images_format.c: docker images --format through ctl/template.c. */
#include <config.h>

#include "supervisor/ctl/images_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/template.h"

static char *
human_size(long long n)
{
        const char *units[] = {"B", "kB", "MB", "GB", "TB"};
        double d = (double) n;
        size_t u = 0;

        while (d >= 1000 && u < 4) {
                d /= 1000;
                u++;
        }
        return xasprintf("%.3g%s", d, units[u]);
}

static char *
since(long long s)
{
        if (s < 60)
                return xasprintf("%lld seconds ago", s < 1 ? 1 : s);
        if (s < 3600)
                return xasprintf("%lld minutes ago", s / 60);
        if (s < 48 * 3600)
                return xasprintf("%lld hours ago", s / 3600);
        if (s < 14 * 86400)
                return xasprintf("%lld days ago", s / 86400);
        if (s < 60 * 86400)
                return xasprintf("%lld weeks ago", s / (7 * 86400));
        if (s < 2 * 365 * 86400)
                return xasprintf("%lld months ago", s / (30 * 86400));
        return xasprintf("%lld years ago", s / (365 * 86400));
}

static void
add(struct json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, json_object_new_string(v));
}

int
ctl_images_print_format(struct json_object *list, const char *format, long long now)
{
        cleanup_json struct json_object *rows = json_object_new_array();
        cleanup_json struct json_object *headers = json_object_new_object();
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *out = NULL;
        static const char *const titles[][2] = {
                {"Repository", "REPOSITORY"},
                {"Tag", "TAG"},
                {"Digest", "DIGEST"},
                {"ID", "IMAGE ID"},
                {"CreatedSince", "CREATED"},
                {"CreatedAt", "CREATED AT"},
                {"Size", "SIZE"},
                {"VirtualSize", "SIZE"},
                {"Containers", "CONTAINERS"},
        };

        for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
                add(headers, titles[i][0], titles[i][1]);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *img = json_object_array_get_idx(list, i);
                struct json_object *tags = json_key(img, "RepoTags");
                const char *id = json_object_get_string(json_key(img, "Id"));
                long long created = json_object_get_int64(json_key(img, "Created"));
                cleanup_free char *sz = human_size(json_object_get_int64(json_key(img, "Size")));
                cleanup_free char *ago = since(now - created);
                char at[64];
                time_t t = (time_t) created;
                struct tm tm;

                gmtime_r(&t, &tm);
                strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
                for (size_t j = 0; tags && j < json_object_array_length(tags); j++) {
                        cleanup_free char *repo =
                                xstrdup(json_object_get_string(json_object_array_get_idx(tags, j)));
                        char *colon = strrchr(repo, ':');
                        struct json_object *row = json_object_new_object();
                        cleanup_free char *short_id =
                                xstrndup(id && strchr(id, ':') ? strchr(id, ':') + 1 : "", 12);
                        const char *tag = "<none>";
                        if (colon && !strchr(colon, '/')) {
                                *colon = '\0';
                                tag = colon + 1;
                        }
                        add(row, "Repository", repo);
                        add(row, "Tag", tag);
                        add(row, "Digest", "<none>");
                        add(row, "ID", short_id);
                        add(row, "CreatedSince", ago);
                        add(row, "CreatedAt", at);
                        add(row, "Size", sz);
                        add(row, "VirtualSize", sz);
                        add(row, "Containers", "N/A");
                        json_object_array_add(rows, row);
                }
        }
        if (ctl_template_list(format, headers, rows, &out, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        fputs(out, stdout);
        return 0;
}
