/* supervisor/containers/names.h: names for containers created without --name. */
#pragma once

/* "adjective_surname" chosen from SEED (a container ID: its hex digits pick the words), as
 * docker's namesgenerator names containers. Caller frees. */
char *container_name_generate(const char *seed);
