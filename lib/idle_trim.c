/* shim/idle_trim.c: trimming an idle server's resident memory; see idle_trim.h. */
#include <config.h>

#include "lib/idle_trim.h"

#include <malloc.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

size_t
idle_trim_build(const ElfW(Phdr) *ph, size_t n, uintptr_t base, size_t page,
                     struct idle_trim_range *out, size_t max)
{
        size_t k = 0;

        for (size_t i = 0; i < n && k < max; i++) {
                if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W) || ph[i].p_memsz == 0)
                        continue;
                /* Only whole pages inside the segment: a page shared with a writable neighbour
                 * (possible when segments are not page-aligned) holds written data. */
                uintptr_t start = (base + ph[i].p_vaddr + page - 1) & ~(uintptr_t) (page - 1);
                uintptr_t end = (base + ph[i].p_vaddr + ph[i].p_memsz) & ~(uintptr_t) (page - 1);
                if (end <= start)
                        continue;
                out[k].start = start;
                out[k].len = end - start;
                k++;
        }
        return k;
}

/* Text relocations write into read-only segments at load time: such an object's "read-only"
 * pages may be private copies, which MADV_DONTNEED would throw away. */
static bool
has_text_relocations(const struct dl_phdr_info *info)
{
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
                        continue;
                for (const ElfW(Dyn) *d = (const void *) (info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
                     d->d_tag != DT_NULL; d++)
                        if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
                                return true;
        }
        return false;
}

static int
trim_object(struct dl_phdr_info *info, size_t size, void *data)
{
        struct idle_trim_range r[8];
        uintptr_t vdso = (uintptr_t) getauxval(AT_SYSINFO_EHDR);
        size_t page = (size_t) sysconf(_SC_PAGESIZE);

        (void) size;
        (void) data;
        /* The vDSO is the kernel's special mapping, not a file's: leave it. */
        if ((vdso && (uintptr_t) info->dlpi_phdr - vdso < page) || has_text_relocations(info))
                return 0;
        size_t n = idle_trim_build(info->dlpi_phdr, info->dlpi_phnum, info->dlpi_addr, page, r,
                                        sizeof(r) / sizeof(r[0]));
        /* MADV_DONTNEED on a private file mapping that was never written only unmaps: the next
         * access faults the same file page back in. A failure costs memory, nothing else. */
        for (size_t i = 0; i < n; i++)
                (void) madvise((void *) r[i].start, r[i].len, MADV_DONTNEED);
        return 0;
}

void
idle_trim_apply(void)
{
        (void) malloc_trim(0);
        (void) dl_iterate_phdr(trim_object, NULL);
}
