/*
 * hub-session.h: the messages of a terminal's session (hub-session.c):
 * HELLO (who the hub is, the terminal's last stored sequence), LOGIN (badge
 * and PIN, failures and lockout), LOGOUT and PING. The dispatcher's message
 * table runs them; the session itself is a row of the database
 * (store/hub-store.h).
 */
#ifndef DSP_HUB_SESSION_H
#define DSP_HUB_SESSION_H

#include "hub/req/hub-req.h"

int hub_session_hello (struct hub_req *req);
int hub_session_login (struct hub_req *req);
int hub_session_logout (struct hub_req *req);
int hub_session_ping (struct hub_req *req);

#endif
