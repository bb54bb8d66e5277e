/* shim/idle_trim.h: what the server gives back once it has been idle for a while (issue 6: RSS
 * per idle shim under 1 MiB). Handling a call touches most of a static shim's program text
 * (every 4 KiB page touched maps its neighbours too: the kernel's fault-around), and leaves
 * free heap pages behind; an idle server needs little of either. */
#pragma once

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* How long the server's loop stays without an event before it trims. */
#define SHIM_IDLE_TRIM_MS 200

struct shim_trim_range {
        uintptr_t start; /* page-aligned */
        size_t len;      /* a multiple of the page size */
};

/* Pure: the page ranges of an object's never-written loaded segments (PT_LOAD without PF_W:
 * text, read-only data) whose mappings can be dropped, the object loaded at BASE with the N
 * program headers PH. Returns how many were stored in OUT (at most MAX). */
size_t shim_idle_trim_build(const ElfW(Phdr) *ph, size_t n, uintptr_t base, size_t page,
                            struct shim_trim_range *out, size_t max);
/* Return free heap to the kernel and drop this process's page-table entries for its program's
 * read-only segments (they stay in the page cache, shared, and fault back in when run). */
void shim_idle_trim_apply(void);
