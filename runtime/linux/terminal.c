/* runtime/linux/terminal.c: the container's console. */
#include <config.h>

#include "runtime/linux/terminal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lib/sock.h"

int
terminal_setup(int sockfd, unsigned rows, unsigned cols, bool console, berth_error_t **err)
{
        cleanup_close int master = -1;
        cleanup_close int slave = -1;
        char name[64];
        int r;

        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return berth_error_sys(err, errno, "process.terminal: open /dev/ptmx");
        if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
                return berth_error_sys(err, errno, "process.terminal: unlock pty");
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return berth_error_sys(err, errno, "process.terminal: open \"%s\"", name);
        if (rows && cols) {
                struct winsize ws = {.ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols};
                (void) ioctl(slave, TIOCSWINSZ, &ws);
        }
        r = sock_send_fd(sockfd, master, name, err);
        if (r < 0)
                return berth_error_prefix(err, "console socket");
        /* /dev/console is the pty, as on a real machine's console (runc mountConsole). */
        if (console) {
                int f = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (f >= 0)
                        close(f);
                if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
                        return berth_error_sys(err, errno, "bind \"%s\" on /dev/console", name);
        }
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return berth_error_sys(err, errno, "process.terminal: set controlling terminal");
        for (int fd = 0; fd < 3; fd++) {
                if (dup2(slave, fd) < 0)
                        return berth_error_sys(err, errno, "process.terminal: dup2");
        }
        return 0;
}
