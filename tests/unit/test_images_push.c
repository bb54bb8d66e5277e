/* tests/unit/test_images_push.c: supervisor/images/push.h's pure parts: the plan read from a
 * stored manifest (blob order, progress IDs, foreign layers, what is refused and where), the
 * repositories a blob may be mounted from, and docker's progress bar. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "supervisor/images/push.h"

#define D(c)                                                                                      \
        "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
                c c c c c c c c c c c c c c c c c c c c c c c c
#define DA D("a")
#define DB D("b")
#define DC D("c")
#define DD D("d")
#define DE D("e")

static int
build(const char *manifest, const char *config, struct push_plan *ret, berth_error_t **err)
{
        cleanup_json struct json_object *cfg = config ? json_tokener_parse(config) : NULL;
        return push_plan_build(manifest, strlen(manifest), cfg, ret, err);
}

static void
test_plan_docker_schema2(void **state)
{
        const char *m =
                "{\"schemaVersion\":2,"
                "\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                "\"size\":391,\"digest\":\"" DA "\"},"
                "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\","
                "\"size\":2017280,\"digest\":\"" DB "\"},"
                "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
                "\"size\":10,\"digest\":\"" DC "\"}]}";
        const char *cfg = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DD "\",\"" DE "\"]}}";
        cleanup_error berth_error_t *err = NULL;
        struct push_plan p = {0};

        (void) state;
        assert_int_equal(build(m, cfg, &p, &err), 0);
        assert_string_equal(p.manifest_type,
                            "application/vnd.docker.distribution.manifest.v2+json");
        assert_int_equal(p.n_blobs, 3);
        /* The config first, without a progress ID. */
        assert_string_equal(p.blobs[0].digest, DA);
        assert_int_equal(p.blobs[0].size, 391);
        assert_null(p.blobs[0].progress_id);
        /* Layers keep their stored media type and size; docker's IDs come from the diff IDs. */
        assert_string_equal(p.blobs[1].digest, DB);
        assert_int_equal(p.blobs[1].size, 2017280);
        assert_string_equal(p.blobs[1].media_type, "application/vnd.docker.image.rootfs.diff.tar");
        assert_string_equal(p.blobs[1].progress_id, "dddddddddddd");
        assert_string_equal(p.blobs[2].progress_id, "eeeeeeeeeeee");
        assert_false(p.blobs[2].foreign);
        push_plan_done(&p);
}

static void
test_plan_oci_without_config_ids(void **state)
{
        /* An OCI manifest may leave mediaType out; without diff IDs the layer digest names it. */
        const char *m =
                "{\"schemaVersion\":2,"
                "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                "\"size\":1,\"digest\":\"" DA "\"},"
                "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                "\"size\":5,\"digest\":\"" DB "\"},"
                "{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\","
                "\"size\":7,\"digest\":\"" DC "\",\"urls\":[\"http://x/y\"]}]}";
        cleanup_error berth_error_t *err = NULL;
        struct push_plan p = {0};

        (void) state;
        assert_int_equal(build(m, "{}", &p, &err), 0);
        assert_string_equal(p.manifest_type, "application/vnd.oci.image.manifest.v1+json");
        assert_int_equal(p.n_blobs, 3);
        assert_string_equal(p.blobs[1].progress_id, "bbbbbbbbbbbb");
        assert_false(p.blobs[1].foreign);
        assert_true(p.blobs[2].foreign);
        push_plan_done(&p);
}

static void
test_plan_refuses(void **state)
{
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
        struct push_plan p = {0};

        (void) state;
        /* An index is not what a single image pushes. */
        assert_int_equal(build("{\"schemaVersion\":2,\"mediaType\":"
                               "\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
                               NULL, &p, &e1),
                         -EOPNOTSUPP);
        assert_string_equal(
                e1->msg,
                "media type \"application/vnd.oci.image.index.v1+json\": not an image manifest");
        /* Bad descriptors name their JSON path. */
        assert_int_equal(
                build("{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                      "\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"" DA "\"},"
                      "\"layers\":[{\"mediaType\":\"x\",\"size\":1,\"digest\":\"md5:00\"}]}",
                      NULL, &p, &e2),
                -EINVAL);
        assert_string_equal(e2->json_path, "layers[0].digest");
        assert_int_equal(
                build("{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                      "\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA "\"},\"layers\":[]}",
                      NULL, &p, &e3),
                -EINVAL);
        assert_string_equal(e3->json_path, "config.size");
        assert_non_null(strstr(e3->msg, "required"));
        assert_int_equal(
                build("{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                      "\"layers\":[]}",
                      NULL, &p, &e4),
                -EINVAL);
        assert_string_equal(e4->json_path, "config");
        assert_int_equal(p.n_blobs, 0);
}

static void
test_mount_sources(void **state)
{
        char *names[] = {"127.0.0.1:5000/test/busybox:latest",
                         "127.0.0.1:5000/other/bb:1",
                         "127.0.0.1:5000/pulled/x@" DA,
                         "127.0.0.1:5000/target/repo:2",
                         "127.0.0.1:5001/elsewhere/y:1",
                         "docker.io/library/busybox:latest",
                         "127.0.0.1:5000/test/busybox@" DA,
                         "127.0.0.1:5000/other/bb:2",
                         NULL};
        cleanup_strv char **s = push_mount_sources(names, "127.0.0.1:5000", "target/repo");
        cleanup_strv char **none = push_mount_sources(names, "127.0.0.1:5002", "target/repo");

        (void) state;
        /* Digest references first, then tags; the target repository, other registries and
         * duplicates left out. */
        assert_int_equal(strv_length(s), 3);
        assert_string_equal(s[0], "pulled/x");
        assert_string_equal(s[1], "test/busybox");
        assert_string_equal(s[2], "other/bb");
        assert_null(none);
        assert_null(push_mount_sources(NULL, "127.0.0.1:5000", "a/b"));
}

static void
test_progress_bar(void **state)
{
        cleanup_free char *a = push_progress_bar(35840, 1985602);
        cleanup_free char *b = push_progress_bar(1182720, 1985602);
        cleanup_free char *c = push_progress_bar(2140160, 1985602);
        cleanup_free char *d = push_progress_bar(1985602, 1985602);

        (void) state;
        /* As dockerd 20.10 sent them to the docker 28 CLI (docs/docker-api capture). */
        assert_string_equal(
                a, "[>                                                  ]  35.84kB/1.986MB");
        assert_string_equal(
                b, "[=============================>                     ]  1.183MB/1.986MB");
        assert_string_equal(c, "[==================================================>]   2.14MB");
        assert_string_equal(
                d, "[==================================================>]  1.986MB/1.986MB");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan_docker_schema2),
                cmocka_unit_test(test_plan_oci_without_config_ids),
                cmocka_unit_test(test_plan_refuses),
                cmocka_unit_test(test_mount_sources),
                cmocka_unit_test(test_progress_bar),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
