/* supervisor/api/import.h: POST /images/create?fromSrc=- (docker import). */
#pragma once

struct api_ctx;
struct api_request;
struct api_response;

/* The body (a rootfs tar, streamed to a file by the HTTP glue as a load's) becomes an image;
 * repo, tag, message, changes (repeated) and platform as dockerd reads them. Reply: 200 with
 * {"status":"sha256:<ID>"}; a failure is an HTTP error (dockerd answers import's before it
 * writes anything). A URL in fromSrc is 501. */
void api_images_import(const struct api_ctx *ctx, const struct api_request *req,
                       struct api_response *resp);
