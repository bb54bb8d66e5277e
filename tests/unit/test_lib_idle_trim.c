/* tests/unit/test_lib_idle_trim.c: which pages an idle shim unmaps (shim/idle_trim.c): only
 * whole pages of read-only loaded segments; and trimming this very process is harmless. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/idle_trim.h"

static void
test_only_readonly_whole_pages(void **state)
{
        const ElfW(Phdr) ph[] = {
                {.p_type = PT_PHDR, .p_flags = PF_R, .p_vaddr = 0x40, .p_memsz = 0x200},
                {.p_type = PT_LOAD, .p_flags = PF_R, .p_vaddr = 0x0, .p_memsz = 0x800},            /* < 1 page */
                {.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0x1000, .p_memsz = 0xc2000}, /* text */
                {.p_type = PT_LOAD, .p_flags = PF_R, .p_vaddr = 0xc3000, .p_memsz = 0x54100},      /* rodata */
                {.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = 0x117000, .p_memsz = 0x9000}, /* data */
                {.p_type = PT_GNU_RELRO, .p_flags = PF_R, .p_vaddr = 0x117000, .p_memsz = 0x6000},
        };
        struct idle_trim_range r[8];
        (void) state;

        size_t n = idle_trim_build(ph, sizeof(ph) / sizeof(ph[0]), 0x400000, 4096, r, 8);
        assert_int_equal(n, 2);
        assert_int_equal(r[0].start, 0x401000);
        assert_int_equal(r[0].len, 0xc2000);
        /* the partial last page of rodata is left alone */
        assert_int_equal(r[1].start, 0x4c3000);
        assert_int_equal(r[1].len, 0x54000);
        /* MAX is respected */
        assert_int_equal(idle_trim_build(ph, sizeof(ph) / sizeof(ph[0]), 0x400000, 4096, r, 1), 1);
}

static void
test_unaligned_segment_keeps_shared_pages(void **state)
{
        const ElfW(Phdr) ph[] = {
                {.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0x1800, .p_memsz = 0x3000},
        };
        struct idle_trim_range r[1];
        (void) state;

        assert_int_equal(idle_trim_build(ph, 1, 0x10000, 4096, r, 1), 1);
        assert_int_equal(r[0].start, 0x12000);
        assert_int_equal(r[0].len, 0x2000);
}

static int
twice(int x)
{
        return 2 * x;
}

static void
test_apply_to_self_keeps_running(void **state)
{
        char *before = strdup("still here");
        (void) state;

        idle_trim_apply();
        /* code, read-only data and the heap all still work after the trim */
        assert_int_equal(twice(21), 42);
        assert_string_equal(before, "still here");
        free(before);
        idle_trim_apply();
        assert_int_equal(twice(2), 4);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_only_readonly_whole_pages),
                cmocka_unit_test(test_unaligned_segment_keeps_shared_pages),
                cmocka_unit_test(test_apply_to_self_keeps_running),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
