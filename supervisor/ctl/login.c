/* supervisor/ctl/login.c: berthctl login [-u USER] [-p PASS | --password-stdin] [SERVER] and
 * logout [SERVER], as the docker CLI does them: berthd checks the credentials (POST /auth), the
 * client keeps them in its own config file (mode 0600, replaced atomically) and sends them as
 * X-Registry-Auth with every pull. */
#include <config.h>

#include "supervisor/ctl/login.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/images/registry_auth.h"

#define HUB_SERVER "https://index.docker.io/v1/"

bool
ctl_login_known(const char *verb)
{
        return strcmp(verb, "login") == 0 || strcmp(verb, "logout") == 0;
}

static char *
config_dir(void)
{
        const char *d = getenv("BERTH_CONFIG"), *home = getenv("HOME");

        if (d && d[0])
                return xstrdup(d);
        return xasprintf("%s/.berth", home && home[0] ? home : "/root");
}

/* The config document (an empty object when there is no file yet); NULL after printing why. */
static struct json_object *
config_load(const char *path)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *doc = NULL;

        if (access(path, F_OK) != 0)
                return json_object_new_object();
        if (json_parse_file(path, &doc, &err) < 0) {
                fprintf(stderr, "Error: loading config file: %s: %s\n", path, err->msg);
                return NULL;
        }
        if (!json_object_is_type(doc, json_type_object)) {
                json_object_put(doc);
                fprintf(stderr, "Error: loading config file: %s: not a JSON object\n", path);
                return NULL;
        }
        return doc;
}

char *
ctl_config_string(const char *key)
{
        cleanup_free char *dir = config_dir(), *path = xasprintf("%s/config.json", dir);
        cleanup_json struct json_object *doc = config_load(path);
        struct json_object *v = NULL;

        if (doc == NULL || !json_object_object_get_ex(doc, key, &v)
            || !json_object_is_type(v, json_type_string))
                return NULL;
        return xstrdup(json_object_get_string(v));
}

static int
config_save(const char *dir, const char *path, struct json_object *doc)
{
        cleanup_error berth_error_t *err = NULL;
        const char *text = json_object_to_json_string_ext(
                doc,
                JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        cleanup_free char *data = xasprintf("%s\n", text);

        if (fs_mkdir_p(dir, 0700, &err) < 0
            || fs_write_atomic(AT_FDCWD, path, data, strlen(data), 0600, &err) < 0) {
                fprintf(stderr, "Error: saving credentials: %s\n", err->msg);
                return -1;
        }
        return 0;
}

char *
ctl_registry_host(const char *name)
{
        const char *slash = strchr(name, '/');
        cleanup_free char *first = NULL;

        if (slash == NULL)
                return xstrdup("docker.io");
        first = xstrndup(name, (size_t) (slash - name));
        if (strchr(first, '.') || strchr(first, ':') || strcmp(first, "localhost") == 0)
                return TAKE_PTR(first);
        return xstrdup("docker.io");
}

char *
ctl_registry_auth_header(const char *name)
{
        cleanup_free char *dir = config_dir(), *path = NULL, *host = ctl_registry_host(name);
        cleanup_free char *value = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL; /* a broken file: pull goes anonymous */
        struct registry_creds c = {0};

        path = xasprintf("%s/config.json", dir);
        if (access(path, F_OK) != 0 || json_parse_file(path, &doc, &err) < 0)
                return NULL;
        if (registry_auths_lookup(doc, host, &c, &err) < 0 || !registry_creds_present(&c)) {
                registry_creds_done(&c);
                return NULL;
        }
        free(c.server_address);
        c.server_address = strcmp(host, "docker.io") == 0 ? xstrdup(HUB_SERVER) : xstrdup(host);
        value = registry_auth_header_format(&c);
        registry_creds_done(&c);
        return xasprintf("X-Registry-Auth: %s", value);
}

/* One line from stdin without its newline (for --password-stdin). */
static char *
read_stdin_line(void)
{
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);

        if (n < 0) {
                free(line);
                return xstrdup("");
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
        return line;
}

static int
cmd_login(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"username", required_argument, NULL, 'u'},
                                             {"password", required_argument, NULL, 'p'},
                                             {"password-stdin", no_argument, NULL, 'S'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *user = NULL, *pass = NULL, *server = NULL, *dir = config_dir();
        cleanup_free char *path = NULL;
        cleanup_json struct json_object *body = NULL, *doc = NULL;
        bool from_stdin = false;
        struct ctl_reply r;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "u:p:", opts, NULL)) != -1) {
                switch (c) {
                case 'u':
                        free(user);
                        user = xstrdup(optarg);
                        break;
                case 'p':
                        free(pass);
                        pass = xstrdup(optarg);
                        break;
                case 'S':
                        from_stdin = true;
                        break;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1) {
                fprintf(stderr, "\"berthctl login\" requires at most 1 argument.\n");
                return 125;
        }
        server = xstrdup(optind < argc ? argv[optind] : HUB_SERVER);
        if (from_stdin) {
                if (pass) {
                        fprintf(stderr, "Error: --password and --password-stdin are mutually "
                                        "exclusive\n");
                        return 1;
                }
                if (user == NULL) {
                        fprintf(stderr, "Error: Must provide --username with --password-stdin\n");
                        return 1;
                }
                pass = read_stdin_line();
        } else if (pass) {
                fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use "
                                "--password-stdin.\n");
        }
        if (user == NULL || pass == NULL) {
                /* berthctl has no interactive prompt (yet): say what to give. */
                fprintf(stderr, "Error: Cannot perform an interactive login: give -u USER and "
                                "-p PASS or --password-stdin\n");
                return 1;
        }
        body = json_object_new_object();
        json_object_object_add(body, "username", json_object_new_string(user));
        json_object_object_add(body, "password", json_object_new_string(pass));
        json_object_object_add(body, "serveraddress", json_object_new_string(server));
        if (ctl_request_ex(host, "POST", "/auth", NULL,
                           json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), NULL, NULL,
                           &r)
            < 0)
                return 1;
        if (r.status != 200) {
                rc = ctl_print_error(&r);
                ctl_reply_done(&r);
                return rc;
        }
        ctl_reply_done(&r);
        path = xasprintf("%s/config.json", dir);
        doc = config_load(path);
        if (doc == NULL)
                return 1;
        registry_auths_set(doc, server, user, pass);
        if (config_save(dir, path, doc) < 0)
                return 1;
        printf("Login Succeeded\n");
        return 0;
}

static int
cmd_logout(int argc, char **argv)
{
        cleanup_free char *dir = config_dir(), *path = NULL, *key = NULL;
        cleanup_json struct json_object *doc = NULL;
        const char *server = argc > 1 ? argv[1] : HUB_SERVER;

        if (argc > 2) {
                fprintf(stderr, "\"berthctl logout\" requires at most 1 argument.\n");
                return 125;
        }
        key = registry_auth_key(server);
        path = xasprintf("%s/config.json", dir);
        doc = config_load(path);
        if (doc == NULL)
                return 1;
        if (!registry_auths_remove(doc, server)) {
                printf("Not logged in to %s\n", key);
                return 0;
        }
        printf("Removing login credentials for %s\n", key);
        return config_save(dir, path, doc) < 0 ? 1 : 0;
}

int
ctl_login_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "login") == 0)
                return cmd_login(host, argc, argv);
        return cmd_logout(argc, argv);
}
