/* lib/cleanup.h: scope-bound release of memory, fds, FILEs, DIRs and string vectors. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DEFINE_CLEANUP(type, func)                                                                 \
        static inline void func##p(type *p)                                                        \
        {                                                                                          \
                if (*p)                                                                            \
                        func(*p);                                                                  \
        }

static inline void
freep(void *p)
{
        free(*(void **) p);
}

static inline void
closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void
fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

static inline void
closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

#define cleanup_free   __attribute__((cleanup(freep)))
#define cleanup_close  __attribute__((cleanup(closep)))
#define cleanup_fclose __attribute__((cleanup(fclosep)))
#define cleanup_dir    __attribute__((cleanup(closedirp)))

/* Hand ownership out of a cleanup_* variable: `*ret = TAKE_PTR(buf);` */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p = (p);                                                            \
                (p) = NULL;                                                                        \
                _p;                                                                                \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd = (fd);                                                                    \
                (fd) = -1;                                                                         \
                _fd;                                                                               \
        })
