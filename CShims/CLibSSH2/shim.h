// libssh2 as Swift sees it. The function-like macros of libssh2.h (libssh2_session_init,
// libssh2_channel_read, ...) do not import; SSHKit calls their _ex forms, and the few
// expression macros it needs are mirrored here as constants.
#ifndef AUTOPOD_CLIBSSH2_SHIM_H
#define AUTOPOD_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_publickey.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static const unsigned int CLIBSSH2_CHANNEL_WINDOW_DEFAULT = LIBSSH2_CHANNEL_WINDOW_DEFAULT;
static const unsigned int CLIBSSH2_CHANNEL_PACKET_DEFAULT = LIBSSH2_CHANNEL_PACKET_DEFAULT;
static const int CLIBSSH2_EXTENDED_DATA_STDERR = SSH_EXTENDED_DATA_STDERR;

#endif
