/* supervisor/daemon/config.c: berthd's flags (spelled as dockerd's) and daemon.json. */
#include <config.h>

#include "supervisor/daemon/config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

enum {
        OPT_DATA_ROOT = 256,
        OPT_EXEC_ROOT,
        OPT_CONFIG_FILE,
        OPT_INSECURE_REGISTRY,
        OPT_REGISTRY_MIRROR,
        OPT_MAX_CONCURRENT_DOWNLOADS,
};

static const struct option long_options[] = {
        {"data-root", required_argument, NULL, OPT_DATA_ROOT},
        {"exec-root", required_argument, NULL, OPT_EXEC_ROOT},
        {"host", required_argument, NULL, 'H'},
        {"log-level", required_argument, NULL, 'l'},
        {"debug", no_argument, NULL, 'D'},
        {"config-file", required_argument, NULL, OPT_CONFIG_FILE},
        {"insecure-registry", required_argument, NULL, OPT_INSECURE_REGISTRY},
        {"registry-mirror", required_argument, NULL, OPT_REGISTRY_MIRROR},
        {"max-concurrent-downloads", required_argument, NULL, OPT_MAX_CONCURRENT_DOWNLOADS},
        {"storage-driver", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
};

static void
replace(char **dst, const char *v)
{
        free(*dst);
        *dst = xstrdup(v);
}

/* dockerd's names for berthd's two snapshotters: overlay2 (layers stacked by overlayfs) and vfs
 * (each snapshot a full copy). */
static int
parse_storage_driver(const char *v, char **dst, berth_error_t **err)
{
        if (strcmp(v, "overlay2") != 0 && strcmp(v, "vfs") != 0)
                return berth_error_new(
                        err, EINVAL,
                        "storage-driver \"%s\": driver not supported (berthd has overlay2 and vfs)",
                        v);
        replace(dst, v);
        return 0;
}

int
berthd_host_parse(const char *host, char **ret, berth_error_t **err)
{
        const char *p;

        if (strncmp(host, "unix://", 7) == 0) {
                p = host + 7;
                if (*p == '\0')
                        p = &BERTHD_DEFAULT_HOST[strlen("unix://")];
                if (*p != '/')
                        return berth_error_new(
                                err, EINVAL, "host \"%s\": the socket path must be absolute", host);
                *ret = xstrdup(p);
                return 0;
        }
        if (strcmp(host, "fd://") == 0) {
                *ret = NULL;
                return 0;
        }
        if (strstr(host, "://") != NULL)
                return berth_error_new(err, EOPNOTSUPP,
                                       "host \"%s\": only unix:// sockets and fd:// are supported",
                                       host);
        return berth_error_new(err, EINVAL, "host \"%s\": want unix:///path/to/socket", host);
}

static int
parse_log_level(const char *s, struct berthd_config *cfg, berth_error_t **err)
{
        /* dockerd's levels; "fatal" and "panic" print only what is fatal, as error does here. */
        if (strcmp(s, "fatal") == 0 || strcmp(s, "panic") == 0)
                s = "error";
        if (log_parse_level(s, &cfg->log_level) < 0)
                return berth_error_new(err, EINVAL, "unable to parse logging level: %s", s);
        return 0;
}

static int
parse_downloads(const char *s, int64_t *ret, berth_error_t **err)
{
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000)
                return berth_error_new(err, EINVAL, "invalid max concurrent downloads: \"%s\"", s);
        *ret = v;
        return 0;
}

int
berthd_config_parse_args(int argc, char **argv, struct berthd_config *cfg, berth_error_t **err)
{
        int c, r;

        memset(cfg, 0, sizeof(*cfg));
        cfg->data_root = xstrdup(BERTHD_DEFAULT_DATA_ROOT);
        cfg->exec_root = xstrdup(BERTHD_DEFAULT_EXEC_ROOT);
        cfg->host = xstrdup(BERTHD_DEFAULT_HOST);
        cfg->config_file = xstrdup(BERTHD_DEFAULT_CONFIG_FILE);
        cfg->log_level = LOG_LEVEL_INFO;
        cfg->max_concurrent_downloads = 3; /* dockerd's default */

        optind = 0; /* a full reset: tests parse more than once */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:H:l:s:Dhv", long_options, NULL)) != -1) {
                switch (c) {
                case OPT_DATA_ROOT:
                        replace(&cfg->data_root, optarg);
                        cfg->flags_set |= SET_DATA_ROOT;
                        break;
                case OPT_EXEC_ROOT:
                        replace(&cfg->exec_root, optarg);
                        cfg->flags_set |= SET_EXEC_ROOT;
                        break;
                case 'H':
                        if (cfg->flags_set & SET_HOST)
                                return berth_error_new(err, EOPNOTSUPP,
                                                       "-H: only one host is supported");
                        replace(&cfg->host, optarg);
                        cfg->flags_set |= SET_HOST;
                        break;
                case 'l':
                        r = parse_log_level(optarg, cfg, err);
                        if (r < 0)
                                return r;
                        cfg->flags_set |= SET_LOG_LEVEL;
                        break;
                case 'D':
                        cfg->debug = true;
                        cfg->flags_set |= SET_DEBUG;
                        break;
                case OPT_CONFIG_FILE:
                        replace(&cfg->config_file, optarg);
                        cfg->config_file_given = true;
                        break;
                case OPT_INSECURE_REGISTRY:
                        strv_push(&cfg->insecure_registries, optarg);
                        cfg->flags_set |= SET_INSECURE_REGISTRIES;
                        break;
                case OPT_REGISTRY_MIRROR:
                        strv_push(&cfg->registry_mirrors, optarg);
                        cfg->flags_set |= SET_REGISTRY_MIRRORS;
                        break;
                case OPT_MAX_CONCURRENT_DOWNLOADS:
                        r = parse_downloads(optarg, &cfg->max_concurrent_downloads, err);
                        if (r < 0)
                                return r;
                        cfg->flags_set |= SET_MAX_CONCURRENT_DOWNLOADS;
                        break;
                case 's':
                        r = parse_storage_driver(optarg, &cfg->storage_driver, err);
                        if (r < 0)
                                return r;
                        cfg->flags_set |= SET_STORAGE_DRIVER;
                        break;
                case 'h':
                        cfg->show_help = true;
                        break;
                case 'v':
                        cfg->show_version = true;
                        break;
                case ':':
                        return berth_error_new(err, EINVAL, "flag needs an argument: %s",
                                               argv[optind - 1]);
                default:
                        if (optopt != 0)
                                return berth_error_new(err, EINVAL, "unknown shorthand flag: '%c'",
                                                       optopt);
                        return berth_error_new(err, EINVAL, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return berth_error_new(err, EINVAL, "berthd takes no arguments, got \"%s\"",
                                       argv[optind]);
        if (cfg->debug)
                cfg->log_level = LOG_LEVEL_DEBUG;
        return berthd_host_parse(cfg->host, &cfg->socket_path, err);
}

/* The daemon.json keys berthd knows, with the flag each one mirrors. */
static const struct {
        const char *key;
        unsigned flag;
} known_keys[] = {
        {"data-root", SET_DATA_ROOT},
        {"exec-root", SET_EXEC_ROOT},
        {"hosts", SET_HOST},
        {"log-level", SET_LOG_LEVEL},
        {"debug", SET_DEBUG},
        {"insecure-registries", SET_INSECURE_REGISTRIES},
        {"registry-mirrors", SET_REGISTRY_MIRRORS},
        {"max-concurrent-downloads", SET_MAX_CONCURRENT_DOWNLOADS},
        {"storage-driver", SET_STORAGE_DRIVER},
        {"init", 0}, /* daemon.json only */
};

static int
check_keys(struct json_object *doc, const char *name, berth_error_t **err)
{
        cleanup_strv char **unknown = NULL;
        cleanup_free char *list = NULL;

        json_object_object_foreach(doc, key, val) {
                size_t i;
                (void) val;
                for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
                        if (strcmp(key, known_keys[i].key) == 0)
                                break;
                if (i == sizeof(known_keys) / sizeof(known_keys[0]))
                        strv_push(&unknown, key);
        }
        if (unknown) {
                list = strv_join(unknown, ", ");
                return berth_error_new(
                        err, EINVAL,
                        "config file \"%s\": the following directives don't match any configuration option: %s",
                        name, list);
        }
        return 0;
}

static int
check_conflict(struct berthd_config *cfg, struct json_object *doc, const char *name,
               berth_error_t **err)
{
        cleanup_strv char **conflicts = NULL;
        cleanup_free char *list = NULL;

        for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
                if ((cfg->flags_set & known_keys[i].flag)
                    && json_object_object_get_ex(doc, known_keys[i].key, NULL))
                        strv_push(&conflicts, known_keys[i].key);
        if (conflicts) {
                list = strv_join(conflicts, ", ");
                return berth_error_new(
                        err, EINVAL,
                        "config file \"%s\": the following directives are specified both as a flag and in the configuration file: %s",
                        name, list);
        }
        return 0;
}

static int
apply_json(struct berthd_config *cfg, struct json_object *doc, berth_error_t **err)
{
        const char *s = NULL;
        bool b = false;
        int64_t n = 0;
        char **v = NULL;
        struct json_object *arr = NULL;
        int r;

        if ((r = json_get_string(doc, NULL, "data-root", &s, err)) < 0)
                return r;
        if (r > 0)
                replace(&cfg->data_root, s);
        if ((r = json_get_string(doc, NULL, "exec-root", &s, err)) < 0)
                return r;
        if (r > 0)
                replace(&cfg->exec_root, s);
        if ((r = json_get_string(doc, NULL, "log-level", &s, err)) < 0)
                return r;
        if (r > 0 && (r = parse_log_level(s, cfg, err)) < 0)
                return r;
        if ((r = json_get_bool(doc, NULL, "debug", &b, err)) < 0)
                return r;
        if (r > 0 && b)
                cfg->log_level = LOG_LEVEL_DEBUG;
        if (r > 0)
                cfg->debug = b;
        if ((r = json_get_bool(doc, NULL, "init", &b, err)) < 0)
                return r;
        if (r > 0)
                cfg->init = b;
        if ((r = json_get_array(doc, NULL, "hosts", &arr, err)) < 0)
                return r;
        if (r > 0) {
                if (json_object_array_length(arr) != 1)
                        return json_error(err, JPATH_KEY(NULL, "hosts"),
                                          "exactly one host is supported");
                if ((r = json_value_string(json_object_array_get_idx(arr, 0),
                                           JPATH_IDX(JPATH_KEY(NULL, "hosts"), 0), &s, err))
                    < 0)
                        return r;
                replace(&cfg->host, s);
                free(cfg->socket_path);
                cfg->socket_path = NULL;
                if ((r = berthd_host_parse(cfg->host, &cfg->socket_path, err)) < 0)
                        return r;
        }
        if ((r = json_get_strv(doc, NULL, "insecure-registries", &v, err)) < 0)
                return r;
        if (r > 0) {
                strv_free(cfg->insecure_registries);
                cfg->insecure_registries = v;
        }
        if ((r = json_get_strv(doc, NULL, "registry-mirrors", &v, err)) < 0)
                return r;
        if (r > 0) {
                strv_free(cfg->registry_mirrors);
                cfg->registry_mirrors = v;
                for (size_t i = 0; v[i]; i++)
                        if (strncmp(v[i], "http://", 7) != 0 && strncmp(v[i], "https://", 8) != 0)
                                return json_error(
                                        err, JPATH_IDX(JPATH_KEY(NULL, "registry-mirrors"), i),
                                        "invalid mirror: unsupported scheme in \"%s\"", v[i]);
        }
        if ((r = json_get_int_range(doc, NULL, "max-concurrent-downloads", 0, 1000, &n, err)) < 0)
                return r;
        if (r > 0)
                cfg->max_concurrent_downloads = n;
        if ((r = json_get_string(doc, NULL, "storage-driver", &s, err)) < 0)
                return r;
        if (r > 0 && strcmp(s, "overlay2") != 0 && strcmp(s, "vfs") != 0)
                return json_error(err, JPATH_KEY(NULL, "storage-driver"),
                                  "driver \"%s\" not supported (berthd has overlay2 and vfs)", s);
        if (r > 0)
                replace(&cfg->storage_driver, s);
        return 0;
}

int
berthd_config_parse_json(struct berthd_config *cfg, const char *name, const char *buf, size_t len,
                         berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        int r;

        r = json_parse_buffer(buf, len, &doc, err);
        if (r < 0)
                return berth_error_prefix(err, "config file \"%s\"", name);
        if (!json_object_is_type(doc, json_type_object))
                return berth_error_new(err, EINVAL,
                                       "config file \"%s\": want a JSON object, got %s", name,
                                       json_type_word(doc));
        r = check_keys(doc, name, err);
        if (r < 0)
                return r;
        r = check_conflict(cfg, doc, name, err);
        if (r < 0)
                return r;
        r = apply_json(cfg, doc, err);
        if (r < 0)
                return berth_error_prefix(err, "config file \"%s\"", name);
        return 0;
}

int
berthd_config_load_file(struct berthd_config *cfg, berth_error_t **err)
{
        cleanup_free char *buf = NULL;
        size_t len = 0;
        berth_error_t *e = NULL;
        int r;

        r = fs_read_file(AT_FDCWD, cfg->config_file, &buf, &len, &e);
        if (r == -ENOENT && !cfg->config_file_given) {
                /* The default file is optional, as /etc/docker/daemon.json is for dockerd. */
                berth_error_free(e);
                return 0;
        }
        if (r < 0) {
                *err = e;
                return r;
        }
        return berthd_config_parse_json(cfg, cfg->config_file, buf, len, err);
}

void
berthd_config_done(struct berthd_config *cfg)
{
        free(cfg->data_root);
        free(cfg->exec_root);
        free(cfg->host);
        free(cfg->socket_path);
        free(cfg->config_file);
        strv_free(cfg->insecure_registries);
        strv_free(cfg->registry_mirrors);
        free(cfg->storage_driver);
        memset(cfg, 0, sizeof(*cfg));
}
