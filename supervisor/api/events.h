/* supervisor/api/events.h: GET /events (docker events). */
#pragma once

#include "supervisor/api/api.h"

/* GET /events?since=&until=&filters=: the events still in the ring from SINCE, then live ones,
 * one JSON line each, until UNTIL passes or the client goes. */
void api_system_events(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp);
