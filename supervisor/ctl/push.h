/* supervisor/ctl/push.h: berthctl push NAME[:TAG] (docker push's output). */
#pragma once

/* Run "push" with ARGV[0] = "push"; returns the exit status. */
int ctl_push_main(const char *host, int argc, char **argv);
