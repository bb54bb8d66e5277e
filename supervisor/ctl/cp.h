/* supervisor/ctl/cp.h: berthctl cp, diff, export and commit (the docker CLI's behaviour). */
#pragma once

#include <stdbool.h>

bool ctl_cp_known(const char *verb);
int ctl_cp_main(const char *host, int argc, char **argv);

/* Pure: split "CONTAINER:PATH" (a local path holding "/" before its first ":" is not one, as
 * the docker CLI decides). Returns true and fills the two (caller frees) when it is one. */
bool ctl_cp_split(const char *arg, char **ret_container, char **ret_path);
