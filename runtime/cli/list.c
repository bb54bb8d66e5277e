/* runtime/cli/list.c: `berth list`: runc's table (tabwriter, min width 12, padding 3) or JSON. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
print_table(char ***rows, size_t nrows, size_t ncols)
{
        size_t width[8] = {0};

        for (size_t r = 0; r < nrows; r++) {
                for (size_t c = 0; c + 1 < ncols; c++) {
                        size_t w = strlen(rows[r][c]) + 3;
                        if (w < 12)
                                w = 12;
                        if (w > width[c])
                                width[c] = w;
                }
        }
        for (size_t r = 0; r < nrows; r++) {
                for (size_t c = 0; c < ncols; c++) {
                        if (c + 1 < ncols)
                                printf("%-*s", (int) width[c], rows[r][c]);
                        else
                                printf("%s\n", rows[r][c]);
                }
        }
}

/* The name /etc/passwd gives UID, or NULL: read directly, as runc's static Go binary does, and
 * not through NSS (getpwuid), which a statically linked berth cannot load. */
static char *
owner_name(uid_t uid)
{
        cleanup_free char *passwd = NULL;
        char *save = NULL;

        if (fs_read_file(AT_FDCWD, "/etc/passwd", &passwd, NULL, NULL) < 0)
                return NULL;
        for (char *line = strtok_r(passwd, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* name:password:uid:... */
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end = NULL;
                if (!c2)
                        continue;
                unsigned long v = strtoul(c2 + 1, &end, 10);
                if (end != c2 + 1 && *end == ':' && v == (unsigned long) uid) {
                        *c1 = '\0';
                        return xstrdup(line);
                }
        }
        return NULL;
}

int
cli_list(struct cli_ctx *ctx, int argc, char **argv)
{
        const char *format = "table";
        bool quiet = false, help = false;
        const struct opt opts[] = {
                {"format", 'f', OPT_STRING, &format, "select one of: table or json (default: \"table\")"},
                {"quiet", 'q', OPT_BOOL, &quiet, "display only container IDs"},
                {0},
        };
        cleanup_strv char **ids = NULL;
        char **pos = NULL;
        DIR *d;
        struct dirent *de;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        free(pos);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("list [command options]", "list - lists containers started by berth with the given root", opts);
                return 0;
        }
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                berth_error_new(&ctx->err, EINVAL, "invalid format option");
                return 1;
        }
        d = opendir(ctx->rt.root);
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                strv_push(&ids, de->d_name);
        }
        if (d)
                closedir(d);
        if (ids)
                qsort(ids, strv_length(ids), sizeof(char *), cmp_str);

        cleanup_json struct json_object *arr = json_object_new_array();
        char ***rows = xzalloc((strv_length(ids) + 1) * sizeof(char **));
        size_t nrows = 0;
        static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
        rows[nrows] = xzalloc(7 * sizeof(char *));
        for (int c = 0; c < 6; c++)
                rows[nrows][c] = xstrdup(head[c]);
        nrows++;
        strv_foreach(id, ids)
        {
                struct container_state s = {0};
                cleanup_free char *dir = container_dir(&ctx->rt, id);
                struct stat st;
                cleanup_free char *owner_buf = NULL;
                if (container_load(&ctx->rt, id, &s, NULL) < 0)
                        continue; /* a half-made container has no state yet: runc skips it */
                enum container_status status = state_status(dir, &s);
                const char *owner = "";
                if (stat(dir, &st) == 0 && (owner_buf = owner_name(st.st_uid)))
                        owner = owner_buf;
                if (quiet) {
                        printf("%s\n", id);
                } else if (strcmp(format, "json") == 0) {
                        struct json_object *o = state_to_runc_json(&s, status);
                        json_object_object_add(o, "owner", json_object_new_string(owner));
                        json_object_array_add(arr, o);
                } else {
                        rows[nrows] = xzalloc(7 * sizeof(char *));
                        rows[nrows][0] = xstrdup(id);
                        rows[nrows][1] = xasprintf("%d", status == STATUS_STOPPED ? 0 : (int) s.pid);
                        rows[nrows][2] = xstrdup(state_status_name(status));
                        rows[nrows][3] = xstrdup(s.bundle);
                        rows[nrows][4] = xstrdup(s.created);
                        rows[nrows][5] = xstrdup(owner);
                        nrows++;
                }
                state_done(&s);
        }
        if (!quiet) {
                if (strcmp(format, "json") == 0) {
                        /* runc prints null, not [], for no containers. */
                        if (json_object_array_length(arr) == 0)
                                printf("null\n");
                        else
                                printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                } else {
                        print_table(rows, nrows, 6);
                }
        }
        for (size_t i = 0; i < nrows; i++)
                strv_free(rows[i]);
        free(rows);
        return 0;
}
