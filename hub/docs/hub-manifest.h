/*
 * hub-manifest.h: a close-out's manifest file, as a request makes it: the
 * text in the carrier's format from the manifest's rows (carriers/
 * carrier-manifest.h), written and synced as PATH.part by the file worker
 * (req/hub-ask.h: the request runs again once it is), and renamed PATH
 * when the close-out commits (req/hub-after.h), so a carrier never
 * collects a manifest the database does not have.
 */
#ifndef DSP_HUB_MANIFEST_H
#define DSP_HUB_MANIFEST_H

#include "hub/req/hub-req.h"

struct carrier;

/* Manifest manifest of carrier into outbox: 0 with *path (caller frees) and
 * *rows, or -1 with *cause (caller frees) when it cannot be made or written. */
int hub_manifest_write (struct hub_req *req, const struct carrier *c, int64_t manifest, const char *outbox,
    char **path, int *rows, char **cause);

#endif
