/* supervisor/daemon/config.h: berthd's settings from its command line (dockerd's flag spelling)
 * and from a daemon.json file. Pure: nothing here touches the system but reading the file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "lib/log.h"

#define BERTHD_DEFAULT_DATA_ROOT   "/var/lib/berth"
#define BERTHD_DEFAULT_EXEC_ROOT   "/run/berth"
#define BERTHD_DEFAULT_HOST        "unix:///run/berth/berth.sock"
#define BERTHD_DEFAULT_CONFIG_FILE "/etc/berth/daemon.json"

/* Which settings came from the command line: dockerd refuses one given both ways. */
enum berthd_setting {
        SET_DATA_ROOT = 1 << 0,
        SET_EXEC_ROOT = 1 << 1,
        SET_HOST = 1 << 2,
        SET_LOG_LEVEL = 1 << 3,
        SET_DEBUG = 1 << 4,
        SET_INSECURE_REGISTRIES = 1 << 5,
        SET_REGISTRY_MIRRORS = 1 << 6,
        SET_MAX_CONCURRENT_DOWNLOADS = 1 << 7,
        SET_STORAGE_DRIVER = 1 << 8,
};

struct berthd_config {
        char *data_root;
        char *exec_root;
        char *host;        /* as given: "unix:///run/berth/berth.sock" */
        char *socket_path; /* the path inside it; NULL for "fd://" (socket activation) */
        enum log_level log_level;
        bool debug;
        bool init; /* daemon.json "init": --init by default */
        char *config_file;
        bool config_file_given; /* a missing file is an error only when named */
        char **insecure_registries;
        char **registry_mirrors;
        int64_t max_concurrent_downloads;
        char *storage_driver; /* "overlay2" or "vfs"; NULL: the probe decides */
        unsigned flags_set; /* enum berthd_setting */
        bool show_help;
        bool show_version;
};

/* Defaults, then ARGV. Unknown flags, missing values and bad values are -EINVAL. */
int berthd_config_parse_args(int argc, char **argv, struct berthd_config *cfg, berth_error_t **err);
/* Apply the daemon.json document BUF (named NAME in errors). Unknown keys, wrong types and keys
 * also given as flags are -EINVAL, as dockerd does. */
int berthd_config_parse_json(struct berthd_config *cfg, const char *name, const char *buf,
                             size_t len, berth_error_t **err);
/* Read cfg->config_file and apply it; a missing default file is fine. */
int berthd_config_load_file(struct berthd_config *cfg, berth_error_t **err);
/* "unix:///x" -> "/x"; "fd://" (systemd socket activation) -> NULL; other schemes are
 * -EOPNOTSUPP, garbage -EINVAL. *ret is the caller's. */
int berthd_host_parse(const char *host, char **ret, berth_error_t **err);
void berthd_config_done(struct berthd_config *cfg);
