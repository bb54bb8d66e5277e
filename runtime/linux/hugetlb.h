/* runtime/linux/hugetlb.h: the host's huge page sizes, named as the hugetlb cgroup controller
 * names its files ("2MB", "1GB"). */
#pragma once

#include "lib/error.h"

/* Pure: the name of a page of KB kibibytes: "64KB", "2MB", "1GB" (mm/hugetlb_cgroup.c). Caller frees. */
char *hugetlb_size_name(unsigned long long kb);
/* The page sizes this host supports, from /sys/kernel/mm/hugepages (NULL-terminated, maybe
 * empty; strv_free it). */
int hugetlb_page_sizes(char ***ret, berth_error_t **err);
