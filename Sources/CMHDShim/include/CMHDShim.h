/*
 * CMHDShim: fixed-argument wrappers around libmicrohttpd's variadic functions
 * (MHD_start_daemon, MHD_get_daemon_info, MHD_get_connection_info,
 * MHD_set_connection_option), which Swift cannot import, plus a signal wait.
 *
 * This header only forward-declares libmicrohttpd's opaque types, so that it can
 * be imported next to the CMicroHTTPD module without redefining anything.
 */
#ifndef CMHDSHIM_H
#define CMHDSHIM_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Daemon;
struct MHD_Connection;

/** Called for every request event; same meaning as MHD_AccessHandlerCallback. Return nonzero for MHD_YES. */
typedef int (*cmhd_access_handler)(void *cls,
                                   struct MHD_Connection *connection,
                                   const char *url,
                                   const char *method,
                                   const char *version,
                                   const char *upload_data,
                                   size_t *upload_data_size,
                                   void **req_cls);

/** Called once per request when it ends; same meaning as MHD_RequestCompletedCallback. */
typedef void (*cmhd_completed_handler)(void *cls,
                                       struct MHD_Connection *connection,
                                       void **req_cls,
                                       int termination_code);

/** Everything needed to start a daemon. */
struct cmhd_config {
    /** IPv4 or IPv6 literal to bind to; NULL or "" means 0.0.0.0. */
    const char *host;
    /** 0 means any free port. */
    uint16_t port;
    /** Thread pool size; 0 or 1 means a single internal polling thread. */
    unsigned int threads;
    unsigned int connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
    /** PEM certificate and key; both NULL for plain HTTP. Copied, the caller may free them after the call. */
    const char *tls_certificate_pem;
    const char *tls_key_pem;
    cmhd_access_handler access_handler;
    cmhd_completed_handler completed_handler;
    /** Passed as `cls` to both callbacks. */
    void *cls;
};

/** A running daemon and what it owns. */
typedef struct cmhd_server cmhd_server;

/**
 * Starts a daemon (internal polling thread with epoll, thread pool, suspend/resume allowed).
 * libmicrohttpd does not percent-decode anything: the access handler's `url` and the
 * MHD_GET_ARGUMENT_KIND values arrive raw (only '+' in arguments is turned into a space), so that
 * the caller decodes them, bytes that decode to NUL included.
 * Returns NULL on failure and writes a message into `error` (always NUL-terminated if error_size > 0).
 */
cmhd_server *cmhd_start(const struct cmhd_config *config, char *error, size_t error_size);

/** The port the daemon is bound to (MHD_DAEMON_INFO_BIND_PORT), 0 if unknown. */
uint16_t cmhd_bound_port(const cmhd_server *server);

/** Stops accepting new connections; existing ones continue. Safe to call once before cmhd_stop. */
void cmhd_quiesce(cmhd_server *server);

/** Stops the daemon (closing all connections), closes the listening socket and frees `server`.
 *  No connection may be suspended when this is called. */
void cmhd_stop(cmhd_server *server);

/** Writes the client's IP address as text into `buffer`; returns its length (0 if unknown). */
size_t cmhd_client_address(struct MHD_Connection *connection, char *buffer, size_t size);

/** Whether the connection uses TLS. */
int cmhd_connection_is_tls(struct MHD_Connection *connection);

/** Sets this connection's inactivity timeout in seconds (0 = none). Returns nonzero on success. */
int cmhd_set_connection_timeout(struct MHD_Connection *connection, unsigned int seconds);

/** A broken answer on the connection's socket, for a fault a client must survive. Call from the access
 *  handler, then return MHD_NO so that libmicrohttpd closes the connection.
 *  `reset`: the connection is reset (RST, SO_LINGER {1, 0} and a TCP disconnect) before libmicrohttpd
 *  closes it, so the client's next read fails with ECONNRESET rather than seeing an orderly end.
 *  `bytes`, `count`: written raw on the socket (MSG_NOSIGNAL, once, not past TLS) before the close.
 *  Returns nonzero when the socket was reached. */
int cmhd_reset_connection(struct MHD_Connection *connection);
int cmhd_send_raw(struct MHD_Connection *connection, const void *bytes, size_t count);

/** Whether the calling thread is one of libmicrohttpd's (it has run a callback of a daemon started here). */
int cmhd_is_daemon_thread(void);

/** Runs `body(argument)` on a new detached thread. Returns 0 on success (an errno value otherwise). */
int cmhd_spawn_thread(void (*body)(void *argument), void *argument);

/** Blocks the calling thread until SIGINT or SIGTERM arrives and returns its number (-1 on error).
 *  Works whatever the other threads' signal masks are. Not reentrant: call from one thread at a time. */
int cmhd_wait_for_termination_signal(void);

#endif /* CMHDSHIM_H */
