/* runtime/linux/hugetlb.c: the host's huge page sizes from sysfs, in the cgroup spelling. */
#include <config.h>

#include "runtime/linux/hugetlb.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

char *
hugetlb_size_name(unsigned long long kb)
{
        /* The kernel's own rule, on a size already in KB: whole GB, else whole MB, else KB. */
        if (kb >= (1ULL << 20))
                return xasprintf("%lluGB", kb >> 20);
        if (kb >= (1ULL << 10))
                return xasprintf("%lluMB", kb >> 10);
        return xasprintf("%lluKB", kb);
}

static int
compare_ull(const void *a, const void *b)
{
        unsigned long long x = *(const unsigned long long *) a, y = *(const unsigned long long *) b;

        return x < y ? -1 : x > y;
}

int
hugetlb_page_sizes(char ***ret, berth_error_t **err)
{
        static const char dir_path[] = "/sys/kernel/mm/hugepages";
        cleanup_dir DIR *dir = opendir(dir_path);
        cleanup_free unsigned long long *kbs = NULL;
        char **sizes = xzalloc(sizeof(char *));
        size_t n = 0;
        struct dirent *de;

        if (!dir && errno != ENOENT) {
                strv_free(sizes);
                return berth_error_sys(err, errno, "open \"%s\"", dir_path);
        }
        /* A kernel without hugetlbfs has no such directory and no huge pages. */
        while (dir && (de = readdir(dir))) {
                /* "hugepages-2048kB" */
                char *end = NULL;
                unsigned long long kb;
                if (strncmp(de->d_name, "hugepages-", 10) != 0)
                        continue;
                errno = 0;
                kb = strtoull(de->d_name + 10, &end, 10);
                if (errno || end == de->d_name + 10 || strcmp(end, "kB") != 0)
                        continue;
                kbs = xreallocarray(kbs, n + 1, sizeof(*kbs));
                kbs[n++] = kb;
        }
        /* Smallest first, whatever order the directory lists them in. */
        if (n)
                qsort(kbs, n, sizeof(*kbs), compare_ull);
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *name = hugetlb_size_name(kbs[i]);
                strv_push(&sizes, name);
        }
        *ret = sizes;
        return 0;
}
