/* supervisor/ctl/images_format.h: docker images --format over GET /images/json's list. */
#pragma once

struct json_object;

/* docker's image rows (Repository, Tag, Digest, ID, CreatedSince, CreatedAt, Size,
 * VirtualSize, Containers), one per tag as the docker CLI lists them, rendered with FORMAT
 * ("table …" with docker's headers, or a plain template) to stdout. NOW for CreatedSince.
 * Returns the exit status. */
int ctl_images_print_format(struct json_object *list, const char *format, long long now);
