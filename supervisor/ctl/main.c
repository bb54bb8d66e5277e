/* supervisor/ctl/main.c: berthctl: berthd's client over its UNIX socket (libcurl). Verbs so far:
 * version and info, printed as the docker CLI prints them. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"

#define DEFAULT_HOST "unix:///run/berth/berth.sock"
#define CLIENT_API   "1.41"

struct buf {
        char *data;
        size_t len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *ud)
{
        struct buf *b = ud;
        size_t add = size * n;

        b->data = xrealloc(b->data, b->len + add + 1);
        memcpy(b->data + b->len, p, add);
        b->len += add;
        b->data[b->len] = '\0';
        return add;
}

/* GET PATH from the daemon at HOST; returns the parsed JSON body or NULL after printing why. */
static struct json_object *
api_get(const char *host, const char *path)
{
        cleanup_free char *url = xasprintf("http://localhost/v" CLIENT_API "%s", path);
        struct buf b = {0};
        CURL *c;
        CURLcode rc;
        long status = 0;
        struct json_object *doc = NULL;
        berth_error_t *err = NULL;

        if (strncmp(host, "unix://", 7) != 0 || host[7] != '/') {
                fprintf(stderr, "berthctl: host \"%s\": want unix:///path/to/socket\n", host);
                return NULL;
        }
        c = curl_easy_init();
        if (c == NULL) {
                fprintf(stderr, "berthctl: cannot initialise libcurl\n");
                return NULL;
        }
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, host + 7);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "berthctl/" PACKAGE_VERSION);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
                fprintf(stderr,
                        "berthctl: cannot connect to berthd at %s: %s (is berthd running?)\n", host,
                        curl_easy_strerror(rc));
                curl_easy_cleanup(c);
                free(b.data);
                return NULL;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        if (json_parse_buffer(b.data ? b.data : "", b.len, &doc, &err) < 0) {
                fprintf(stderr, "berthctl: GET %s: status %ld, bad JSON: %s\n", path, status,
                        err->msg);
                berth_error_free(err);
                free(b.data);
                return NULL;
        }
        free(b.data);
        if (status != 200) {
                struct json_object *m = NULL;
                json_object_object_get_ex(doc, "message", &m);
                fprintf(stderr, "berthctl: Error response from daemon: %s\n",
                        m ? json_object_get_string(m) : "(no message)");
                json_object_put(doc);
                return NULL;
        }
        return doc;
}

/* A member as text, for printing only ("" when absent). */
static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || v == NULL)
                return "";
        return json_object_get_string(v);
}

static int
cmd_version(const char *host)
{
        cleanup_json struct json_object *v = NULL;
        struct utsname u;

        uname(&u);
        printf("Client:\n");
        printf(" Version:           %s\n", PACKAGE_VERSION);
        printf(" API version:       %s\n", CLIENT_API);
        printf(" Git commit:        %s\n", BERTH_COMMIT);
        printf(" OS/Arch:           linux/%s\n", u.machine);
        printf("\n");
        v = api_get(host, "/version");
        if (v == NULL)
                return 1;
        printf("Server: %s\n", str(json_object_object_get(v, "Platform"), "Name"));
        printf(" Engine:\n");
        printf("  Version:          %s\n", str(v, "Version"));
        printf("  API version:      %s (minimum version %s)\n", str(v, "ApiVersion"),
               str(v, "MinAPIVersion"));
        printf("  Git commit:       %s\n", str(v, "GitCommit"));
        printf("  Built:            %s\n", str(v, "BuildTime"));
        printf("  OS/Arch:          %s/%s\n", str(v, "Os"), str(v, "Arch"));
        printf("  Kernel version:   %s\n", str(v, "KernelVersion"));
        return 0;
}

static void
print_bytes(const char *label, int64_t n)
{
        const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        double d = (double) n;
        size_t u = 0;

        while (d >= 1024 && u < 4) {
                d /= 1024;
                u++;
        }
        printf("%s%.4g%s\n", label, d, units[u]);
}

static int
cmd_info(const char *host)
{
        cleanup_json struct json_object *i = api_get(host, "/info");
        struct json_object *rt = NULL;

        if (i == NULL)
                return 1;
        printf("Server:\n");
        printf(" Containers: %s\n", str(i, "Containers"));
        printf("  Running: %s\n", str(i, "ContainersRunning"));
        printf("  Paused: %s\n", str(i, "ContainersPaused"));
        printf("  Stopped: %s\n", str(i, "ContainersStopped"));
        printf(" Images: %s\n", str(i, "Images"));
        printf(" Server Version: %s\n", str(i, "ServerVersion"));
        printf(" Storage Driver: %s\n", str(i, "Driver"));
        printf(" Cgroup Driver: %s\n", str(i, "CgroupDriver"));
        printf(" Cgroup Version: %s\n", str(i, "CgroupVersion"));
        printf(" Runtimes:");
        if (json_object_object_get_ex(i, "Runtimes", &rt)) {
                json_object_object_foreach(rt, name, val) {
                        (void) val;
                        printf(" %s", name);
                }
        }
        printf("\n");
        printf(" Default Runtime: %s\n", str(i, "DefaultRuntime"));
        printf(" Kernel Version: %s\n", str(i, "KernelVersion"));
        printf(" Operating System: %s\n", str(i, "OperatingSystem"));
        printf(" OSType: %s\n", str(i, "OSType"));
        printf(" Architecture: %s\n", str(i, "Architecture"));
        printf(" CPUs: %s\n", str(i, "NCPU"));
        print_bytes(" Total Memory: ",
                    json_object_get_int64(json_object_object_get(i, "MemTotal")));
        printf(" Name: %s\n", str(i, "Name"));
        printf(" ID: %s\n", str(i, "ID"));
        printf(" Docker Root Dir: %s\n", str(i, "DockerRootDir"));
        printf(" Debug Mode: %s\n", str(i, "Debug"));
        return 0;
}

static void
usage(FILE *out)
{
        fprintf(out,
                "Usage: berthctl [-H unix:///path] COMMAND\n"
                "\n"
                "Commands:\n"
                "  version   Show the client and berthd versions\n"
                "  info      Show berthd's system-wide information\n"
                "\n"
                "Options:\n"
                "  -H, --host string   berthd's socket (default: $BERTH_HOST, else %s)\n",
                DEFAULT_HOST);
}

int
main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"host", required_argument, NULL, 'H'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *host = getenv("BERTH_HOST");
        int c, r;

        if (host == NULL || *host == '\0')
                host = DEFAULT_HOST;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+H:h", opts, NULL)) != -1) {
                switch (c) {
                case 'H':
                        host = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        fprintf(stderr, "berthctl: unknown flag: %s\n", argv[optind - 1]);
                        usage(stderr);
                        return 125;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 125;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
        if (strcmp(argv[optind], "version") == 0) {
                r = cmd_version(host);
        } else if (strcmp(argv[optind], "info") == 0) {
                r = cmd_info(host);
        } else {
                fprintf(stderr, "berthctl: unknown command \"%s\"\n", argv[optind]);
                r = 125;
        }
        curl_global_cleanup();
        return r;
}
