/* supervisor/ctl/archive_lazy.c: the libarchive calls `berthctl cp` makes, resolved from
 * libarchive.so when cp first needs one.
 *
 * Linking libarchive loads it and its 13 dependencies (libxml2, ICU, libstdc++, ...) into every
 * berthctl command: ~1.5 ms of relocations before `run` or `ps` has done anything, for an API
 * client that needs tar only in cp. berthctl is linked without it; these definitions match
 * <archive.h>'s declarations and forward to the library opened on first use. */
#include <config.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>

static void *
lazy_sym(const char *name)
{
        static void *lib;
        void *sym;

        if (lib == NULL) {
                lib = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
                if (lib == NULL) {
                        fprintf(stderr, "berthctl: cp needs libarchive: %s\n", dlerror());
                        exit(125);
                }
        }
        sym = dlsym(lib, name);
        if (sym == NULL) {
                fprintf(stderr, "berthctl: %s: no %s: %s\n", LIBARCHIVE_SONAME, name, dlerror());
                exit(125);
        }
        return sym;
}

/* RET NAME(PARAMS) calling the library's NAME with ARGS. */
#define LAZY(ret, name, params, args)                                                            \
        ret name params                                                                          \
        {                                                                                        \
                static ret(*fn) params;                                                          \
                if (fn == NULL)                                                                  \
                        fn = (ret(*) params) lazy_sym(#name);                                    \
                return fn args;                                                                  \
        }
#define LAZY_VOID(name, params, args)                                                            \
        void name params                                                                         \
        {                                                                                        \
                static void(*fn) params;                                                         \
                if (fn == NULL)                                                                  \
                        fn = (void(*) params) lazy_sym(#name);                                   \
                fn args;                                                                         \
        }

LAZY(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))
LAZY_VOID(archive_entry_free, (struct archive_entry * e), (e))
LAZY(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))
LAZY(struct archive_entry *, archive_entry_new, (void), ())
LAZY(const char *, archive_entry_pathname, (struct archive_entry * e), (e))
LAZY_VOID(archive_entry_set_hardlink, (struct archive_entry * e, const char *s), (e, s))
LAZY_VOID(archive_entry_set_pathname, (struct archive_entry * e, const char *s), (e, s))
LAZY(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))
LAZY(const char *, archive_error_string, (struct archive * a), (a))
LAZY(la_ssize_t, archive_read_data, (struct archive * a, void *buf, size_t n), (a, buf, n))
LAZY(int, archive_read_data_block,
     (struct archive * a, const void **buf, size_t *n, la_int64_t *off), (a, buf, n, off))
LAZY(int, archive_read_disk_descend, (struct archive * a), (a))
LAZY(struct archive *, archive_read_disk_new, (void), ())
LAZY(int, archive_read_disk_open, (struct archive * a, const char *path), (a, path))
LAZY(int, archive_read_disk_set_standard_lookup, (struct archive * a), (a))
LAZY(int, archive_read_disk_set_symlink_physical, (struct archive * a), (a))
LAZY(int, archive_read_free, (struct archive * a), (a))
LAZY(struct archive *, archive_read_new, (void), ())
LAZY(int, archive_read_next_header, (struct archive * a, struct archive_entry **e), (a, e))
LAZY(int, archive_read_support_format_gnutar, (struct archive * a), (a))
LAZY(int, archive_read_support_format_tar, (struct archive * a), (a))
LAZY(int, archive_write_close, (struct archive * a), (a))
LAZY(la_ssize_t, archive_write_data, (struct archive * a, const void *buf, size_t n), (a, buf, n))
LAZY(la_ssize_t, archive_write_data_block,
     (struct archive * a, const void *buf, size_t n, la_int64_t off), (a, buf, n, off))
LAZY(struct archive *, archive_write_disk_new, (void), ())
LAZY(int, archive_write_disk_set_options, (struct archive * a, int flags), (a, flags))
LAZY(int, archive_write_finish_entry, (struct archive * a), (a))
LAZY(int, archive_write_free, (struct archive * a), (a))
LAZY(int, archive_write_header, (struct archive * a, struct archive_entry *e), (a, e))
LAZY(struct archive *, archive_write_new, (void), ())
LAZY(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))
LAZY(int, archive_read_next_header2, (struct archive * a, struct archive_entry *e), (a, e))
LAZY(int, archive_read_open_FILE, (struct archive * a, FILE *f), (a, f))
LAZY(int, archive_write_open_FILE, (struct archive * a, FILE *f), (a, f))
