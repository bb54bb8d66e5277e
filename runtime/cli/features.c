/* runtime/cli/features.c: `berth features`: the runtime-spec features document, runc 1.1's shape. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <stdlib.h>

#include "lib/json.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"
#include "runtime/linux/caps.h"
#include "runtime/linux/lsm.h"
#include "runtime/spec/spec.h"

static struct json_object *
libseccomp_version(void)
{
        const struct scmp_version *v = seccomp_version();
        char buf[32];

        snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
        return json_object_new_string(buf);
}

static struct json_object *
words(const char *const *w)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; w[i]; i++)
                json_object_array_add(a, json_object_new_string(w[i]));
        return a;
}

int
cli_features(struct cli_ctx *ctx, int argc, char **argv)
{
        static const char *const hooks[] = {"prestart", "createRuntime", "createContainer",
                                            "startContainer", "poststart", "poststop", NULL};
        static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid",
                                                 "time", "user", "uts", NULL};
        const struct opt opts[] = {{0}};
        bool help = false;
        char **pos = NULL;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        free(pos);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("features", "features - show the enabled features", opts);
                return 0;
        }
        cleanup_json struct json_object *o = json_object_new_object();
        struct json_object *lx = json_object_new_object();
        struct json_object *cg = json_object_new_object();
        struct json_object *ann = json_object_new_object();

        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string(BERTH_OCI_VERSION));
        json_object_object_add(o, "hooks", words(hooks));
        json_object_object_add(o, "mountOptions", words(spec_mount_option_names));
        json_object_object_add(lx, "namespaces", words(namespaces));
        json_object_object_add(cg, "v1", json_object_new_boolean(1));
        json_object_object_add(cg, "v2", json_object_new_boolean(1));
        json_object_object_add(cg, "systemd", json_object_new_boolean(0));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
        json_object_object_add(lx, "cgroup", cg);
        {
                struct json_object *caps = json_object_new_array();
                for (unsigned c = 0; c <= caps_last_cap(); c++) {
                        char *name = cap_to_name((cap_value_t) c);
                        if (name && strncmp(name, "cap_", 4) == 0) {
                                for (char *q = name; *q; q++)
                                        *q = (char) toupper((unsigned char) *q);
                                json_object_array_add(caps, json_object_new_string(name));
                        }
                        cap_free(name);
                }
                json_object_object_add(lx, "capabilities", caps);
        }
        {
                struct json_object *sc = json_object_new_object();
                json_object_object_add(sc, "enabled", json_object_new_boolean(1));
                json_object_object_add(sc, "actions", words(spec_seccomp_action_names));
                json_object_object_add(sc, "operators", words(spec_seccomp_op_names));
                json_object_object_add(sc, "archs", words(spec_seccomp_arch_names));
                json_object_object_add(sc, "knownFlags", words(spec_seccomp_flag_names));
                json_object_object_add(sc, "supportedFlags", words(spec_seccomp_flag_names));
                json_object_object_add(lx, "seccomp", sc);
                struct json_object *aa = json_object_new_object();
                json_object_object_add(aa, "enabled", json_object_new_boolean(lsm_apparmor_enabled()));
                json_object_object_add(lx, "apparmor", aa);
                struct json_object *se = json_object_new_object();
                json_object_object_add(se, "enabled", json_object_new_boolean(lsm_selinux_enabled()));
                json_object_object_add(lx, "selinux", se);
        }
        json_object_object_add(o, "linux", lx);
        json_object_object_add(ann, "org.opencontainers.berth.version", json_object_new_string(PACKAGE_VERSION));
        json_object_object_add(ann, "org.opencontainers.berth.commit", json_object_new_string(BERTH_COMMIT));
        json_object_object_add(ann, "org.opencontainers.berth.checkpoint.enabled", json_object_new_string("true"));
        json_object_object_add(ann, "io.github.seccomp.libseccomp.version", libseccomp_version());
        json_object_object_add(o, "annotations", ann);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}
