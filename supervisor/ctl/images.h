/* supervisor/ctl/images.h: berthctl's image verbs: images, load, save, tag, rmi, history,
 * image inspect (the docker CLI's output). */
#pragma once

#include <stdbool.h>

/* Whether VERB (argv[0] of the verb) is one of them. */
bool ctl_images_known(const char *verb);
/* Run the verb in ARGV[0] with its arguments; returns the exit status. */
int ctl_images_main(const char *host, int argc, char **argv);
