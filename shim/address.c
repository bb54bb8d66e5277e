/* shim/address.c: the shim's socket address and listening socket; see address.h. */
#include <config.h>

#include "shim/address.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/sha256.h"
#include "lib/xalloc.h"

const char *
shim_group_key(struct json_object *config, const char *id)
{
        static const char *const keys[] = {"io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id"};
        struct json_object *ann = NULL, *v = NULL;

        if (!config || !json_object_object_get_ex(config, "annotations", &ann) ||
            !json_object_is_type(ann, json_type_object))
                return id;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                if (json_object_object_get_ex(ann, keys[i], &v) && json_object_is_type(v, json_type_string) &&
                    json_object_get_string_len(v) > 0)
                        return json_object_get_string(v);
        }
        return id;
}

/* Go's filepath.Join of three parts: joined with '/', repeated slashes folded, "." dropped,
 * ".." applied, no trailing slash. */
static char *
path_join_clean(const char *a, const char *b, const char *c)
{
        cleanup_free char *joined = xasprintf("%s/%s/%s", a, b, c);
        char *out = xmalloc(strlen(joined) + 2);
        size_t n = 0;
        bool abs = joined[0] == '/';

        for (char *save = NULL, *t = strtok_r(joined, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                if (strcmp(t, ".") == 0)
                        continue;
                if (strcmp(t, "..") == 0) {
                        while (n > 0 && out[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--;
                        continue;
                }
                if (n > 0 || abs)
                        out[n++] = '/';
                memcpy(out + n, t, strlen(t));
                n += strlen(t);
        }
        if (n == 0)
                out[n++] = abs ? '/' : '.';
        out[n] = '\0';
        return out;
}

int
shim_address_build(const char *socket_root, const char *address, const char *ns,
                   const char *key, char **ret, berth_error_t **err)
{
        cleanup_free char *material = path_join_clean(address, ns, key);
        uint8_t md[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        char *addr;

        /* Our own SHA-256 (lib/sha256.c), not libcrypto: the shim may be linked statically
         * (no dlopen), and libcrypto would be most of a dynamic server's resident memory. */
        sha256_digest(material, strlen(material), md);
        sha256_format_hex(md, hex);
        addr = xasprintf("unix://%s/s/%s", socket_root, hex);
        if (strlen(addr) - strlen("unix://") > SHIM_SOCKET_PATH_MAX) {
                int r = berth_error_new(err, ENAMETOOLONG, "shim socket path \"%s\" is longer than %d bytes",
                                        addr + strlen("unix://"), SHIM_SOCKET_PATH_MAX);
                free(addr);
                return r;
        }
        *ret = addr;
        return 0;
}

const char *
shim_address_path(const char *addr)
{
        if (strncmp(addr, "unix://", 7) == 0)
                return addr + 7;
        return addr;
}

static int
sockaddr_of(const char *path, struct sockaddr_un *sa, socklen_t *len, berth_error_t **err)
{
        size_t n = strlen(path);

        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (n == 0 || n >= sizeof(sa->sun_path))
                return berth_error_new(err, ENAMETOOLONG, "socket path \"%s\" does not fit a UNIX socket address", path);
        memcpy(sa->sun_path, path, n);
        if (path[0] == '@') /* abstract */
                sa->sun_path[0] = '\0';
        *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
        return 0;
}

static bool
someone_answers(const struct sockaddr_un *sa, socklen_t len)
{
        cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        return fd >= 0 && connect(fd, (const struct sockaddr *) sa, len) == 0;
}

int
shim_address_listen(const char *addr, int *ret_fd, bool *ret_running, berth_error_t **err)
{
        const char *path = shim_address_path(addr);
        struct sockaddr_un sa;
        socklen_t len = 0;
        int r;

        r = sockaddr_of(path, &sa, &len, err);
        if (r < 0)
                return r;
        if (path[0] != '@') {
                cleanup_free char *dir = xstrdup(path);
                char *slash = strrchr(dir, '/');
                if (slash && slash != dir) {
                        *slash = '\0';
                        r = fs_mkdir_p(dir, 0700, err);
                        if (r < 0)
                                return r;
                }
        }
        for (int attempt = 0;; attempt++) {
                cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return berth_error_sys(err, errno, "socket");
                if (bind(fd, (struct sockaddr *) &sa, len) == 0) {
                        if (path[0] != '@' && chmod(path, 0600) < 0) {
                                r = berth_error_sys(err, errno, "chmod \"%s\"", path);
                                unlink(path);
                                return r;
                        }
                        if (listen(fd, 128) < 0) {
                                r = berth_error_sys(err, errno, "listen on \"%s\"", path);
                                if (path[0] != '@')
                                        unlink(path);
                                return r;
                        }
                        *ret_fd = TAKE_FD(fd);
                        *ret_running = false;
                        return 0;
                }
                if (errno != EADDRINUSE || attempt > 0)
                        return berth_error_sys(err, errno, "bind \"%s\"", path);
                if (someone_answers(&sa, len)) {
                        *ret_fd = -1;
                        *ret_running = true;
                        return 0;
                }
                /* A shim that died left its socket file: take the address over. */
                if (path[0] == '@' || (unlink(path) < 0 && errno != ENOENT))
                        return berth_error_sys(err, EADDRINUSE, "socket \"%s\" is taken", path);
        }
}

int
shim_address_save(const char *bundle, const char *addr, berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/address", bundle);
        /* /run state: atomic for readers, no fsync (it means nothing after a reboot). */
        return fs_replace_file(AT_FDCWD, path, addr, strlen(addr), 0644, err);
}

void
shim_address_remove_stale(const char *addr)
{
        const char *path = shim_address_path(addr);
        struct sockaddr_un sa;
        socklen_t len = 0;
        cleanup_error berth_error_t *err = NULL;

        if (path[0] == '@' || sockaddr_of(path, &sa, &len, &err) < 0)
                return;
        if (!someone_answers(&sa, len))
                (void) unlink(path);
}
