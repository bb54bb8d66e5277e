/* supervisor/ctl/main.c: berthctl: berthd's client over its UNIX socket. Verbs so far:
 * version and info, printed as the docker CLI prints them, and the image verbs (ctl/images.c). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/events.h"
#include "supervisor/ctl/containers.h"
#include "supervisor/ctl/volumes.h"
#include "supervisor/ctl/run.h"
#include "supervisor/ctl/stats.h"
#include "supervisor/ctl/attach.h"
#include "supervisor/ctl/images.h"
#include "supervisor/ctl/push.h"
#include "supervisor/ctl/login.h"
#include "supervisor/ctl/cp.h"
#include "supervisor/ctl/port.h"

#define DEFAULT_HOST "unix:///run/berth/berth.sock"
#define CLIENT_API   CTL_CLIENT_API

static struct json_object *
api_get(const char *host, const char *path)
{
        return ctl_get_json(host, path);
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
                "  images    List images (-a, -q, --digests)\n"
                "  load      Load images from a tar archive (-i FILE, -q)\n"
                "  import    Import a rootfs tar as an image (FILE|- [REPO[:TAG]], -c, -m)\n"
                "  pull      Pull an image from a registry (--platform)\n"
                "  push      Push an image to a registry (plain HTTP only, for now)\n"
                "  login     Log in to a registry (-u USER, -p PASS | --password-stdin)\n"
                "  logout    Log out from a registry\n"
                "  save      Save images to a tar archive (-o FILE)\n"
                "  tag       Create a tag TARGET that refers to SOURCE\n"
                "  rmi       Remove images (-f)\n"
                "  history   Show the history of an image\n"
                "  events    Show events (--since, --until, --filter k=v, --format '{{json .}}')\n"
                "  image inspect   Show an image's details (JSON)\n"
                "  create    Create a container (docker create's flags)\n"
                "  ps        List containers (-a, -q, -n, -l, -s, --filter, --format, --no-trunc)\n"
                "  inspect   Show a container's or an image's details (-f TEMPLATE)\n"
                "  run       Create and start a container (create's flags, -d, -i, -t, --rm, -a,\n"
                "            --sig-proxy, --detach-keys)\n"
                "  start     Start containers (-a, -i, --detach-keys)\n"
                "  stop      Stop containers (-t SECONDS)\n"
                "  kill      Send a signal to containers (-s SIGNAL)\n"
                "  restart   Restart containers (-t SECONDS)\n"
                "  wait      Wait for containers to stop, print their exit codes\n"
                "  pause     Pause all processes of containers\n"
                "  unpause   Unpause containers\n"
                "  top       Show a container's processes (ps options)\n"
                "  logs      Show a container's logs (-f, --tail N, --since, --until, -t)\n"
                "  attach    Attach to a running container (--no-stdin, --sig-proxy, --detach-keys)\n"
                "  exec      Run a command in a running container (-d, -i, -t, -e, -w, -u,\n"
                "            --privileged, --detach-keys)\n"
                "  port      List a container's port mappings, or the one of PRIVATE_PORT[/PROTO]\n"
                "  rm        Remove containers (-f, -v)\n"
                "  rename    Rename a container\n"
                "  stats     Show containers' resource usage (--no-stream, --no-trunc, --format, -a)\n"
                "  update    Change containers' resources (-m, --cpus, --pids-limit, --restart, ...)\n"
                "  container prune   Remove all stopped containers\n"
                "  cp        Copy files between a container and the host (-a; - for a tar)\n"
                "  diff      Show a container's changed files\n"
                "  export    Export a container's filesystem as a tar (-o FILE)\n"
                "  commit    Make an image from a container (-m, -a, -c, --pause)\n"
                "  volume    Manage volumes (create, ls, inspect, rm, prune)\n"
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
        if (strcmp(argv[optind], "version") == 0) {
                r = cmd_version(host);
        } else if (strcmp(argv[optind], "info") == 0) {
                r = cmd_info(host);
        } else if (strcmp(argv[optind], "push") == 0) {
                r = ctl_push_main(host, argc - optind, argv + optind);
        } else if (ctl_login_known(argv[optind])) {
                r = ctl_login_main(host, argc - optind, argv + optind);
        } else if (strcmp(argv[optind], "events") == 0) {
                r = ctl_events_main(host, argc - optind, argv + optind);
        } else if (ctl_attach_known(argv[optind])) {
                r = ctl_attach_main(host, argc - optind, argv + optind);
        } else if (ctl_stats_known(argv[optind])) {
                r = ctl_stats_main(host, argc - optind, argv + optind);
        } else if (ctl_run_known(argv[optind])) {
                r = ctl_run_main(host, argc - optind, argv + optind);
        } else if (ctl_port_known(argv[optind])) {
                r = ctl_port_main(host, argc - optind, argv + optind);
        } else if (ctl_cp_known(argv[optind])) {
                r = ctl_cp_main(host, argc - optind, argv + optind);
        } else if (ctl_volumes_known(argv[optind])) {
                r = ctl_volumes_main(host, argc - optind, argv + optind);
        } else if (ctl_containers_known(argv[optind])) {
                r = ctl_containers_main(host, argc - optind, argv + optind);
        } else if (ctl_images_known(argv[optind])) {
                r = ctl_images_main(host, argc - optind, argv + optind);
        } else {
                fprintf(stderr, "berthctl: unknown command \"%s\"\n", argv[optind]);
                r = 125;
        }
        return r;
}
