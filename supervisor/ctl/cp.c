/* supervisor/ctl/cp.c: berthctl cp (both directions, "-" for a tar on stdin/stdout, -a),
 * diff, export [-o] and commit [-m -a -c --pause] over berthd's archive, changes, export and
 * commit endpoints. Local tars are made and extracted with libarchive. */
#include <config.h>

#include "supervisor/ctl/cp.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"

bool
ctl_cp_known(const char *verb)
{
        return strcmp(verb, "cp") == 0 || strcmp(verb, "diff") == 0
               || strcmp(verb, "export") == 0 || strcmp(verb, "commit") == 0;
}

bool
ctl_cp_split(const char *arg, char **ret_container, char **ret_path)
{
        const char *colon = strchr(arg, ':'), *slash = strchr(arg, '/');

        if (colon == NULL || colon == arg || (slash && slash < colon))
                return false;
        *ret_container = xstrndup(arg, (size_t) (colon - arg));
        *ret_path = xstrdup(colon + 1);
        return true;
}

/* "TOP" or "TOP/rest" renamed to "NEW" / "NEW/rest"; other names unchanged. */
static char *
rename_top(const char *name, const char *top, const char *new_top)
{
        size_t n = strlen(top);

        if (strncmp(name, top, n) == 0 && (name[n] == '\0' || name[n] == '/'))
                return xasprintf("%s%s", new_top, name + n);
        return xstrdup(name);
}

/* Extract the tar IN into DIR, its top entry TOP renamed NEW_TOP (NULL: as is). */
static int
extract_local(FILE *in, const char *dir, const char *top, const char *new_top, bool owners)
{
        struct archive *a = archive_read_new(), *w = archive_write_disk_new();
        struct archive_entry *e;
        cleanup_free char *cwd = getcwd(NULL, 0);
        int rc, ret = 0, flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
                                 | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                 | ARCHIVE_EXTRACT_SECURE_SYMLINKS;

        if (owners)
                flags |= ARCHIVE_EXTRACT_OWNER;
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_write_disk_set_options(w, flags);
        if (chdir(dir) < 0) {
                fprintf(stderr, "Error: %s: %m\n", dir);
                return 1;
        }
        if (archive_read_open_FILE(a, in) != ARCHIVE_OK) {
                fprintf(stderr, "Error: %s\n", archive_error_string(a));
                ret = 1;
        }
        while (ret == 0 && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                if (top && new_top) {
                        cleanup_free char *n = rename_top(archive_entry_pathname(e), top, new_top);
                        archive_entry_set_pathname(e, n);
                        if (archive_entry_hardlink(e)) {
                                cleanup_free char *h =
                                        rename_top(archive_entry_hardlink(e), top, new_top);
                                archive_entry_set_hardlink(e, h);
                        }
                }
                if (archive_write_header(w, e) != ARCHIVE_OK) {
                        fprintf(stderr, "Error: %s\n", archive_error_string(w));
                        ret = 1;
                        break;
                }
                if (archive_entry_size(e) > 0) {
                        const void *buf;
                        size_t n;
                        la_int64_t off;
                        while (archive_read_data_block(a, &buf, &n, &off) == ARCHIVE_OK)
                                archive_write_data_block(w, buf, n, off);
                }
                archive_write_finish_entry(w);
        }
        archive_write_close(w);
        archive_write_free(w);
        archive_read_free(a);
        if (cwd && chdir(cwd) < 0)
                ret = 1;
        return ret;
}

/* A tar of SRC with its top entry named NAME, into OUT. */
static int
tar_local(const char *src, const char *name, FILE *out)
{
        cleanup_free char *copy = xstrdup(src), *cwd = getcwd(NULL, 0);
        cleanup_free char *base = xstrdup(basename(copy));
        struct archive *disk = archive_read_disk_new(), *w = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        char *dir;
        int rc, ret = 0;

        free(copy);
        copy = xstrdup(src);
        dir = dirname(copy);
        archive_read_disk_set_symlink_physical(disk);
        archive_read_disk_set_standard_lookup(disk);
        archive_write_set_format_pax_restricted(w);
        if (chdir(dir) < 0 || archive_write_open_FILE(w, out) != ARCHIVE_OK
            || archive_read_disk_open(disk, base) != ARCHIVE_OK) {
                fprintf(stderr, "Error: %s: %m\n", src);
                return 1;
        }
        while ((rc = archive_read_next_header2(disk, e)) == ARCHIVE_OK) {
                cleanup_free char *n = rename_top(archive_entry_pathname(e), base, name);
                archive_read_disk_descend(disk);
                archive_entry_set_pathname(e, n);
                if (archive_write_header(w, e) != ARCHIVE_OK) {
                        ret = 1;
                        break;
                }
                if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
                        char buf[65536];
                        la_ssize_t k;
                        while ((k = archive_read_data(disk, buf, sizeof(buf))) > 0)
                                archive_write_data(w, buf, (size_t) k);
                }
        }
        if (rc != ARCHIVE_EOF && ret == 0) {
                fprintf(stderr, "Error: %s\n", archive_error_string(disk));
                ret = 1;
        }
        archive_write_close(w);
        archive_write_free(w);
        archive_read_free(disk);
        archive_entry_free(e);
        if (cwd && chdir(cwd) < 0)
                ret = 1;
        return ret;
}

static char *
archive_path(const char *container, const char *path)
{
        cleanup_free char *c = ctl_escape(container), *p = ctl_escape(path);
        return xasprintf("/containers/%s/archive?path=%s", c, p);
}

static int
cp_from(const char *host, const char *container, const char *path, const char *dst)
{
        cleanup_free char *url = archive_path(container, path);
        cleanup_fclose FILE *tmp = NULL;
        struct ctl_reply r;
        struct stat st;
        int rc;

        if (strcmp(dst, "-") == 0) {
                if (ctl_request(host, "GET", url, NULL, stdout, &r) < 0)
                        return 1;
                rc = r.status == 200 ? 0 : ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        tmp = tmpfile();
        if (tmp == NULL) {
                fprintf(stderr, "Error: tmpfile: %m\n");
                return 1;
        }
        if (ctl_request(host, "GET", url, NULL, tmp, &r) < 0)
                return 1;
        if (r.status != 200) {
                rc = ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        ctl_reply_done(&r);
        rewind(tmp);
        {
                cleanup_free char *pc = xstrdup(path), *dc = xstrdup(dst), *dc2 = xstrdup(dst);
                const char *top = basename(pc);
                if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
                        return extract_local(tmp, dst, NULL, NULL, true);
                return extract_local(tmp, dirname(dc), top, basename(dc2), true);
        }
}

static int
cp_to(const char *host, const char *src, const char *container, const char *path, bool owners)
{
        cleanup_free char *url = NULL, *put = NULL, *name = NULL, *dir = NULL;
        cleanup_fclose FILE *tmp = NULL;
        struct ctl_reply r;
        int rc;

        if (strcmp(src, "-") == 0) {
                url = archive_path(container, path);
                put = xasprintf("%s&copyUIDGID=%s", url, owners ? "true" : "false");
                if (ctl_request(host, "PUT", put, stdin, NULL, &r) < 0)
                        return 1;
                rc = r.status == 200 ? 0 : ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        /* Where the tar goes: into PATH when it is a directory, else beside it as PATH's name. */
        url = archive_path(container, path);
        if (ctl_request(host, "HEAD", url, NULL, NULL, &r) < 0)
                return 1;
        {
                cleanup_free char *sc = xstrdup(src), *pc = xstrdup(path), *pc2 = xstrdup(path);
                bool is_dir = false;
                if (r.status == 200) {
                        /* "PATH/." only stats as a directory. */
                        cleanup_free char *probe = xasprintf("%s/.", path);
                        cleanup_free char *pu = archive_path(container, probe);
                        struct ctl_reply r2;
                        if (ctl_request(host, "HEAD", pu, NULL, NULL, &r2) == 0)
                                is_dir = r2.status == 200;
                        ctl_reply_done(&r2);
                }
                if (r.status == 200 && is_dir) {
                        name = xstrdup(basename(sc));
                        dir = xstrdup(path);
                } else if (r.status == 200 || r.status == 404) {
                        name = xstrdup(basename(pc));
                        dir = xstrdup(dirname(pc2));
                } else {
                        rc = ctl_print_error(&r);
                        ctl_reply_done(&r);
                        return rc;
                }
        }
        ctl_reply_done(&r);
        tmp = tmpfile();
        if (tmp == NULL) {
                fprintf(stderr, "Error: tmpfile: %m\n");
                return 1;
        }
        rc = tar_local(src, name, tmp);
        if (rc != 0)
                return rc;
        fflush(tmp);
        rewind(tmp);
        free(url);
        url = archive_path(container, dir);
        put = xasprintf("%s&noOverwriteDirNonDir=true&copyUIDGID=%s", url,
                        owners ? "true" : "false");
        if (ctl_request(host, "PUT", put, tmp, NULL, &r) < 0)
                return 1;
        rc = r.status == 200 ? 0 : ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

static int
cmd_cp(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"archive", no_argument, NULL, 'a'},
                                             {"follow-link", no_argument, NULL, 'L'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *sc = NULL, *sp = NULL, *dc = NULL, *dp = NULL;
        bool owners = false, from, to;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "aL", opts, NULL)) != -1) {
                if (c == 'a')
                        owners = true;
                else if (c != 'L')
                        return 125;
        }
        if (argc - optind != 2) {
                fprintf(stderr, "\"cp\" requires exactly 2 arguments.\n");
                return 1;
        }
        from = ctl_cp_split(argv[optind], &sc, &sp);
        to = ctl_cp_split(argv[optind + 1], &dc, &dp);
        if (from == to) {
                fprintf(stderr, "Error: copying between containers is not supported\n"
                                "       or: must specify at least one container source\n");
                return 1;
        }
        if (from)
                return cp_from(host, sc, sp, argv[optind + 1]);
        return cp_to(host, argv[optind], dc, dp, owners);
}

static int
cmd_diff(const char *host, int argc, char **argv)
{
        cleanup_free char *e = NULL, *path = NULL;
        cleanup_json struct json_object *o = NULL;

        if (argc != 2) {
                fprintf(stderr, "\"diff\" requires exactly 1 argument.\n");
                return 1;
        }
        e = ctl_escape(argv[1]);
        path = xasprintf("/containers/%s/changes", e);
        o = ctl_get_json(host, path);
        if (o == NULL)
                return 1;
        for (size_t i = 0; i < json_object_array_length(o); i++) {
                struct json_object *c = json_object_array_get_idx(o, i), *p = NULL, *k = NULL;
                static const char kinds[] = "CAD";
                int kind;
                json_object_object_get_ex(c, "Path", &p);
                json_object_object_get_ex(c, "Kind", &k);
                kind = json_object_get_int(k);
                printf("%c %s\n", kind >= 0 && kind <= 2 ? kinds[kind] : '?',
                       json_object_get_string(p));
        }
        return 0;
}

static int
cmd_export(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *e = NULL, *path = NULL;
        cleanup_fclose FILE *out = NULL;
        const char *file = NULL;
        struct ctl_reply r;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
                if (c == 'o')
                        file = optarg;
                else
                        return 125;
        }
        if (argc - optind != 1) {
                fprintf(stderr, "\"export\" requires exactly 1 argument.\n");
                return 1;
        }
        if (file == NULL && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
                                "redirect\n");
                return 1;
        }
        if (file && (out = fopen(file, "wbe")) == NULL) {
                fprintf(stderr, "open %s: %m\n", file);
                return 1;
        }
        e = ctl_escape(argv[optind]);
        path = xasprintf("/containers/%s/export", e);
        if (ctl_request(host, "GET", path, NULL, out ? out : stdout, &r) < 0)
                return 1;
        rc = r.status == 200 ? 0 : ctl_print_error(&r);
        ctl_reply_done(&r);
        if (rc != 0 && file)
                unlink(file);
        return rc;
}

static void
add_query(char **path, const char *k, const char *v)
{
        cleanup_free char *e = ctl_escape(v), *old = *path;
        *path = xasprintf("%s&%s=%s", old, k, e);
}

static int
cmd_commit(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"message", required_argument, NULL, 'm'},
                                             {"author", required_argument, NULL, 'a'},
                                             {"change", required_argument, NULL, 'c'},
                                             {"pause", optional_argument, NULL, 'p'},
                                             {NULL, 0, NULL, 0}};
        cleanup_strv char **changes = NULL;
        cleanup_free char *path = NULL, *e = NULL;
        cleanup_json struct json_object *o = NULL;
        cleanup_error berth_error_t *err = NULL; /* a reply without an Id prints nothing */
        const char *msg = NULL, *author = NULL;
        bool pause = true;
        struct ctl_reply r;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "m:a:c:p", opts, NULL)) != -1) {
                switch (c) {
                case 'm':
                        msg = optarg;
                        break;
                case 'a':
                        author = optarg;
                        break;
                case 'c':
                        strv_push(&changes, optarg);
                        break;
                case 'p':
                        pause = optarg == NULL || strcmp(optarg, "true") == 0;
                        break;
                default:
                        return 125;
                }
        }
        if (argc - optind < 1 || argc - optind > 2) {
                fprintf(stderr, "\"commit\" requires at least 1 and at most 2 arguments.\n");
                return 1;
        }
        e = ctl_escape(argv[optind]);
        path = xasprintf("/commit?container=%s", e);
        if (argc - optind == 2) {
                cleanup_free char *ref = xstrdup(argv[optind + 1]);
                char *colon = strrchr(ref, ':'), *slash = strrchr(ref, '/');
                if (colon && (slash == NULL || colon > slash)) {
                        *colon = '\0';
                        add_query(&path, "tag", colon + 1);
                }
                add_query(&path, "repo", ref);
        }
        if (msg)
                add_query(&path, "comment", msg);
        if (author)
                add_query(&path, "author", author);
        for (size_t i = 0; changes && changes[i]; i++)
                add_query(&path, "changes", changes[i]);
        add_query(&path, "pause", pause ? "true" : "false");
        if (ctl_request_json(host, "POST", path, "{}", &r) < 0)
                return 1;
        if (r.status != 201 && r.status != 200) {
                int rc = ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        if (json_parse_buffer(r.body, r.len, &o, &err) == 0) {
                struct json_object *id = NULL;
                json_object_object_get_ex(o, "Id", &id);
                printf("%s\n", json_object_get_string(id));
        }
        ctl_reply_done(&r);
        return 0;
}

int
ctl_cp_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "cp") == 0)
                return cmd_cp(host, argc, argv);
        if (strcmp(argv[0], "diff") == 0)
                return cmd_diff(host, argc, argv);
        if (strcmp(argv[0], "export") == 0)
                return cmd_export(host, argc, argv);
        return cmd_commit(host, argc, argv);
}
