/* supervisor/api/progress.c: the JSON lines of a streamed pull, as dockerd 20.10 writes them
 * (moby pkg/jsonmessage JSONProgress.String, pkg/streamformatter; go-units HumanSize). */
#include <config.h>

#include "supervisor/api/progress.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/images/service.h"

char *
api_progress_human_size(int64_t size)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = (double) size;
        size_t i = 0;

        while (v >= 1000.0 && i < sizeof(units) / sizeof(units[0]) - 1) {
                v /= 1000.0;
                i++;
        }
        return xasprintf("%.4g%s", v, units[i]);
}

/* Go's time.Duration.String() for whole seconds: "0s", "42s", "2m0s", "1h2m3s". */
static char *
go_duration(int64_t secs)
{
        if (secs >= 3600)
                return xasprintf("%lldh%lldm%llds", (long long) (secs / 3600),
                                 (long long) (secs % 3600 / 60), (long long) (secs % 60));
        if (secs >= 60)
                return xasprintf("%lldm%llds", (long long) (secs / 60), (long long) (secs % 60));
        return xasprintf("%llds", (long long) secs);
}

char *
api_progress_bar(int64_t current, int64_t total, int64_t start, int64_t now)
{
        cleanup_free char *cur = NULL, *tot = NULL, *numbers = NULL, *left = NULL;
        char bar[64];
        int pct;

        if (current <= 0 && total <= 0)
                return xstrdup("");
        cur = api_progress_human_size(current);
        if (total <= 0)
                return xasprintf("%8s", cur);
        pct = (int) ((double) current / (double) total * 100) / 2;
        if (pct > 50)
                pct = 50;
        memset(bar, '=', (size_t) pct);
        bar[pct] = '>';
        memset(bar + pct + 1, ' ', (size_t) (50 - pct));
        bar[51] = '\0';
        tot = api_progress_human_size(total);
        if (current > total)
                numbers = xasprintf("%8s", cur);
        else
                numbers = xasprintf("%8s/%s", cur, tot);
        if (current > 0 && current < total) {
                /* Nanoseconds per byte so far, times the bytes left, cut to seconds. */
                int64_t elapsed_ns = (now - start) * 1000000000LL;
                int64_t per = elapsed_ns / current;
                int64_t secs = (int64_t) ((double) (total - current) * (double) per / 1e9);
                cleanup_free char *d = go_duration(secs < 0 ? 0 : secs);
                left = xasprintf(" %s", d);
        }
        return xasprintf("[%s] %s%s", bar, numbers, left ? left : "");
}

struct json_object *
api_progress_json(const struct image_pull_event *ev, int64_t now)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "status", json_object_new_string(ev->status));
        if (ev->detail) {
                struct json_object *d = json_object_new_object();
                cleanup_free char *bar = NULL;
                if (ev->current > 0 || ev->total > 0) {
                        json_object_object_add(d, "current", json_object_new_int64(ev->current));
                        if (ev->total > 0)
                                json_object_object_add(d, "total",
                                                       json_object_new_int64(ev->total));
                }
                json_object_object_add(o, "progressDetail", d);
                bar = api_progress_bar(ev->current, ev->total, ev->start, now);
                if (bar[0])
                        json_object_object_add(o, "progress", json_object_new_string(bar));
        }
        if (ev->id)
                json_object_object_add(o, "id", json_object_new_string(ev->id));
        return o;
}

struct json_object *
api_progress_error(const char *msg)
{
        struct json_object *o = json_object_new_object(), *d = json_object_new_object();

        json_object_object_add(d, "message", json_object_new_string(msg));
        json_object_object_add(o, "errorDetail", d);
        json_object_object_add(o, "error", json_object_new_string(msg));
        return o;
}
