/* supervisor/ctl/import.h: berthctl import. */
#pragma once

/* berthctl import [-c CHANGE]... [-m MESSAGE] [--platform P] FILE|- [REPO[:TAG]]: POST
 * /images/create?fromSrc=- with the tar as the body; prints the new image ID as docker does. */
int ctl_import_main(const char *host, int argc, char **argv);
