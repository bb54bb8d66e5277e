/* supervisor/volumes/copyup.h: docker's copy-up: a new (empty) volume mounted over a path that
 * holds something in the image starts with a copy of it. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* DIR holds nothing (a missing DIR is empty too). */
bool volume_dir_is_empty(const char *dir);
/* Copy PATH (absolute, resolved inside ROOTFS: symlinks cannot lead out) with owners, modes and
 * times into DEST, and give DEST PATH's owner and mode (moby's copyExistingContents and
 * copyOwnership). Nothing happens when PATH is missing or not a directory. The copy runs in a
 * child that chroots into ROOTFS. */
int volume_copy_up(const char *rootfs, const char *path, const char *dest, berth_error_t **err);
