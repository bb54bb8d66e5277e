/* supervisor/images/registry_scope.h: the token scopes a registry client asks for (docker's
 * "repository:NAME:ACTIONS", distribution's docs/spec/auth/scope.md) and what a refused bearer
 * request means in docker's words. Pure. */
#pragma once

#include <stdbool.h>

/* "repository:NAME:ACTIONS". Caller frees. */
char *registry_scope_repository(const char *name, const char *actions);

/* Add every scope of SCOPES (space-separated, as a challenge's scope parameter joins them; may
 * be NULL) to *LIST: a scope for a resource already in *LIST adds only its missing actions
 * ("repository:a:pull" then "repository:a:push" give "repository:a:pull,push"); order is kept,
 * first seen first. Malformed scopes (fewer than three parts) are kept as they are, once. */
void registry_scopes_add(char ***list, const char *scopes);

/* The token request's query for LIST: "scope=S1&scope=S2" (each percent-encoded), "" for none.
 * Caller frees. */
char *registry_scopes_query(char *const *list);

/* What docker prints for a 401 whose bearer challenge carries ERROR (RFC 6750 §3.1, the
 * challenge's "error" parameter; distribution's client maps insufficient_scope to its DENIED
 * code and invalid_token to UNAUTHORIZED): "denied: requested access to the resource is
 * denied", "unauthorized: authentication required"; DESCRIPTION (may be NULL) replaces the
 * code's own message. NULL for any other ERROR. Caller frees. */
char *registry_bearer_error_text(const char *error, const char *description);
