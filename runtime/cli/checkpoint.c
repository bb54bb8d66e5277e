/* runtime/cli/checkpoint.c: `berth checkpoint`: runc's flags (checkpoint.go) onto
 * container_checkpoint(). */
#include <config.h>

#include <stdlib.h>

#include "lib/strv.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

int
cli_checkpoint(struct cli_ctx *ctx, int argc, char **argv)
{
        struct checkpoint_opts o = {.criu = {.status_fd = -1}};
        struct criu_flags *f = &o.criu;
        bool help = false;
        const struct opt opts[] = {
                {"image-path", 0, OPT_STRING, &f->image_path, "directory for criu's image files (default: ./checkpoint)"},
                {"work-path", 0, OPT_STRING, &f->work_path, "directory for criu's work files and log (default: the image directory)"},
                {"parent-path", 0, OPT_STRING, &f->parent_path, "images of a previous pre-dump, relative to the image directory"},
                {"leave-running", 0, OPT_BOOL, &f->leave_running, "keep the container running after the checkpoint"},
                {"tcp-established", 0, OPT_BOOL, &f->tcp_established, "checkpoint established TCP connections"},
                {"ext-unix-sk", 0, OPT_BOOL, &f->ext_unix_sk, "allow unix sockets connected outside the container"},
                {"shell-job", 0, OPT_BOOL, &f->shell_job, "allow a process attached to a shell's terminal"},
                {"lazy-pages", 0, OPT_BOOL, &f->lazy_pages, "leave memory pages behind for a lazy restore (userfaultfd)"},
                {"status-fd", 0, OPT_INT, &f->status_fd, "with --lazy-pages, criu writes \\0 to this fd once pages can be served (default: -1)"},
                {"page-server", 0, OPT_STRING, &f->page_server, "ADDRESS:PORT of a criu page server to send memory pages to"},
                {"file-locks", 0, OPT_BOOL, &f->file_locks, "checkpoint file locks"},
                {"pre-dump", 0, OPT_BOOL, &f->pre_dump, "only dump memory, for a later checkpoint with --parent-path; the container keeps running"},
                {"manage-cgroups-mode", 0, OPT_STRING, &f->manage_cgroups_mode, "how criu handles cgroups: soft (criu's default), full, strict or ignore"},
                {"empty-ns", 0, OPT_STRV, &f->empty_ns, "namespace to be restored empty (only \"network\")"},
                {"auto-dedup", 0, OPT_BOOL, &f->auto_dedup, "deduplicate memory images against the parent's"},
                {0},
        };
        char **pos = NULL;
        const char *id;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        if (r < 0) {
                strv_free(f->empty_ns);
                return 1;
        }
        if (help) {
                args_usage("checkpoint [command options] <container-id>", "checkpoint - checkpoint a running container", opts);
                strv_free(f->empty_ns);
                free(pos);
                return 0;
        }
        r = cli_one_id(ctx, "checkpoint", pos, &id);
        if (r == 0) {
                o.id = id;
                r = container_checkpoint(&ctx->rt, &o, &ctx->err);
        }
        strv_free(f->empty_ns);
        free(pos);
        return r < 0 ? 1 : 0;
}
