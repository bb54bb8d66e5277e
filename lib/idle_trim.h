/* lib/idle_trim.h: what a server gives back once it has been idle for a while (the shim and
 * berthd: issue 6's RSS per idle shim under 1 MiB, issue 7's idle berthd under 8 MiB). Handling a
 * call touches much program and library text (every 4 KiB page touched maps its neighbours too:
 * the kernel's fault-around), and leaves free heap pages behind; an idle server needs little of
 * either. */
#pragma once

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* How long a server stays without work before it trims. */
#define IDLE_TRIM_MS 200

struct idle_trim_range {
        uintptr_t start; /* page-aligned */
        size_t len;      /* a multiple of the page size */
};

/* Pure: the page ranges of an object's never-written loaded segments (PT_LOAD without PF_W:
 * text, read-only data) whose mappings can be dropped, the object loaded at BASE with the N
 * program headers PH. Returns how many were stored in OUT (at most MAX). */
size_t idle_trim_build(const ElfW(Phdr) *ph, size_t n, uintptr_t base, size_t page,
                            struct idle_trim_range *out, size_t max);
/* Return free heap to the kernel and drop this process's page-table entries for its program's
 * read-only segments (they stay in the page cache, shared, and fault back in when run). */
void idle_trim_apply(void);
