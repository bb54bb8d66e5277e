/* supervisor/volumes/name.h: volume names as docker's local driver accepts them, and the random
 * names of anonymous volumes. Pure. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* docker's local driver rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least). */
bool volume_name_valid(const char *name);
/* -EINVAL with dockerd's text ("create NAME: \"NAME\" includes invalid characters for a local
 * volume name, ...", or "... volume name is too short ..." for one character) unless NAME is
 * valid. */
int volume_name_check(const char *name, berth_error_t **err);
/* 64 hex digits from getrandom (an anonymous volume's name, as dockerd's GenerateRandomID).
 * Caller frees. */
char *volume_name_generate(void);
/* NAME looks like a generated one (64 lowercase hex digits). */
bool volume_name_is_generated(const char *name);
