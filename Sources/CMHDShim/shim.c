/* Fixed-argument wrappers around libmicrohttpd's variadic API. See include/CMHDShim.h. */
#define _GNU_SOURCE
#include "CMHDShim.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cmhd_server {
    struct MHD_Daemon *daemon;
    MHD_socket quiesced_socket;
    char *certificate;
    char *key;
    cmhd_access_handler access_handler;
    cmhd_completed_handler completed_handler;
    void *cls;
    /* While starting, libmicrohttpd's error messages are collected here; afterwards they are dropped. */
    int starting;
    char start_error[256];
};

/* Set on libmicrohttpd's threads by the callbacks, so that a stop requested from a handler can be
 * moved to another thread (MHD_stop_daemon joins the daemon's threads). */
static _Thread_local int on_daemon_thread;

int cmhd_is_daemon_thread(void) {
    return on_daemon_thread;
}

struct spawned {
    void (*body)(void *);
    void *argument;
};

static void *spawned_main(void *raw) {
    struct spawned spawned = *(struct spawned *)raw;
    free(raw);
    spawned.body(spawned.argument);
    return NULL;
}

int cmhd_spawn_thread(void (*body)(void *argument), void *argument) {
    struct spawned *spawned = malloc(sizeof *spawned);
    if (spawned == NULL)
        return ENOMEM;
    spawned->body = body;
    spawned->argument = argument;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int result = pthread_create(&thread, &attributes, spawned_main, spawned);
    pthread_attr_destroy(&attributes);
    if (result != 0)
        free(spawned);
    return result;
}

static enum MHD_Result access_trampoline(void *cls, struct MHD_Connection *connection, const char *url,
                                         const char *method, const char *version, const char *upload_data,
                                         size_t *upload_data_size, void **req_cls) {
    struct cmhd_server *server = cls;
    on_daemon_thread = 1;
    return server->access_handler(server->cls, connection, url, method, version, upload_data,
                                  upload_data_size, req_cls) ? MHD_YES : MHD_NO;
}

static void completed_trampoline(void *cls, struct MHD_Connection *connection, void **req_cls,
                                 enum MHD_RequestTerminationCode code) {
    struct cmhd_server *server = cls;
    on_daemon_thread = 1;
    server->completed_handler(server->cls, connection, req_cls, (int)code);
}

/* Leaves URLs and arguments percent-encoded; the Swift side decodes them. */
static size_t keep_escaped(void *cls, struct MHD_Connection *connection, char *s) {
    (void)cls;
    (void)connection;
    return strlen(s);
}

static void log_trampoline(void *cls, const char *format, va_list ap) {
    struct cmhd_server *server = cls;
    if (!__atomic_load_n(&server->starting, __ATOMIC_ACQUIRE))
        return;
    /* Keep the first message: it names the cause (e.g. "Failed to bind to port 80: Permission denied"). */
    if (server->start_error[0] != '\0')
        return;
    vsnprintf(server->start_error, sizeof server->start_error, format, ap);
    size_t n = strlen(server->start_error);
    while (n > 0 && (server->start_error[n - 1] == '\n' || server->start_error[n - 1] == '\r'))
        server->start_error[--n] = '\0';
}

static void free_server(struct cmhd_server *server) {
    free(server->certificate);
    free(server->key);
    free(server);
}

cmhd_server *cmhd_start(const struct cmhd_config *config, char *error, size_t error_size) {
    if (error_size > 0)
        error[0] = '\0';
    if (config->access_handler == NULL || config->completed_handler == NULL) {
        snprintf(error, error_size, "missing callback");
        return NULL;
    }

    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *address;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME
                       | MHD_USE_ERROR_LOG;
    const char *host = (config->host != NULL && config->host[0] != '\0') ? config->host : "0.0.0.0";
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(config->port);
        address = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(config->port);
        address = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(error, error_size, "'%s' is not an IPv4 or IPv6 address", host);
        return NULL;
    }

    int tls = config->tls_certificate_pem != NULL || config->tls_key_pem != NULL;
    if (tls && (config->tls_certificate_pem == NULL || config->tls_key_pem == NULL)) {
        snprintf(error, error_size, "TLS needs both a certificate and a key");
        return NULL;
    }
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(error, error_size, "this libmicrohttpd was built without TLS support");
        return NULL;
    }

    struct cmhd_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->quiesced_socket = MHD_INVALID_SOCKET;
    server->access_handler = config->access_handler;
    server->completed_handler = config->completed_handler;
    server->cls = config->cls;
    server->starting = 1;
    if (tls) {
        flags |= MHD_USE_TLS;
        server->certificate = strdup(config->tls_certificate_pem);
        server->key = strdup(config->tls_key_pem);
        if (server->certificate == NULL || server->key == NULL) {
            free_server(server);
            snprintf(error, error_size, "out of memory");
            return NULL;
        }
    }

    struct MHD_OptionItem options[16];
    size_t n = 0;
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_trampoline, server};
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)address};
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed_trampoline, server};
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_escaped, NULL};
    if (config->threads > 1)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)config->threads, NULL};
    if (config->connection_limit > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)config->connection_limit, NULL};
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                           (intptr_t)config->connection_timeout_seconds, NULL};
    if (config->connection_memory_limit > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                               (intptr_t)config->connection_memory_limit, NULL};
    if (tls) {
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, server->certificate};
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, server->key};
    }
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    server->daemon = MHD_start_daemon(flags, config->port, NULL, NULL, access_trampoline, server,
                                      MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    __atomic_store_n(&server->starting, 0, __ATOMIC_RELEASE);
    if (server->daemon == NULL) {
        if (server->start_error[0] != '\0')
            snprintf(error, error_size, "%s", server->start_error);
        else
            snprintf(error, error_size, "libmicrohttpd could not start the daemon");
        free_server(server);
        return NULL;
    }
    return server;
}

uint16_t cmhd_bound_port(const cmhd_server *server) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info != NULL ? info->port : 0;
}

void cmhd_quiesce(cmhd_server *server) {
    if (server->quiesced_socket == MHD_INVALID_SOCKET)
        server->quiesced_socket = MHD_quiesce_daemon(server->daemon);
}

void cmhd_stop(cmhd_server *server) {
    MHD_stop_daemon(server->daemon);
    /* After quiescing, the listening socket is ours to close, and only once the daemon has stopped. */
    if (server->quiesced_socket != MHD_INVALID_SOCKET)
        close(server->quiesced_socket);
    free_server(server);
}

size_t cmhd_client_address(struct MHD_Connection *connection, char *buffer, size_t size) {
    if (size == 0)
        return 0;
    buffer[0] = '\0';
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return 0;
    const struct sockaddr *address = info->client_addr;
    const char *text = NULL;
    if (address->sa_family == AF_INET && size >= 16) {
        /* Dotted quad by hand: inet_ntop goes through sprintf, and this runs on every request. */
        const unsigned char *octets = (const unsigned char *)&((const struct sockaddr_in *)address)->sin_addr;
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            unsigned int v = octets[i];
            if (i > 0)
                buffer[n++] = '.';
            if (v >= 100)
                buffer[n++] = (char)('0' + v / 100);
            if (v >= 10)
                buffer[n++] = (char)('0' + v / 10 % 10);
            buffer[n++] = (char)('0' + v % 10);
        }
        buffer[n] = '\0';
        return n;
    }
    if (address->sa_family == AF_INET)
        text = inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, buffer, (socklen_t)size);
    else if (address->sa_family == AF_INET6)
        text = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, buffer, (socklen_t)size);
    if (text == NULL) {
        buffer[0] = '\0';
        return 0;
    }
    return strlen(buffer);
}

int cmhd_connection_is_tls(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_DAEMON);
    if (info == NULL || info->daemon == NULL)
        return 0;
    const union MHD_DaemonInfo *flags = MHD_get_daemon_info(info->daemon, MHD_DAEMON_INFO_FLAGS);
    return flags != NULL && (flags->flags & MHD_USE_TLS) != 0;
}

int cmhd_set_connection_timeout(struct MHD_Connection *connection, unsigned int seconds) {
    return MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, seconds) == MHD_YES;
}

/* ---- broken answers (socket faults) ---- */

static int connection_socket(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int)info->connect_fd;
}

int cmhd_reset_connection(struct MHD_Connection *connection) {
    int fd = connection_socket(connection);
    if (fd < 0)
        return 0;
    struct linger abort_on_close = {1, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    /* libmicrohttpd shuts the socket down for writing (a FIN) before it closes it, and a client that
     * reads the FIN first sees an orderly end, not a reset. Disconnecting the socket (connect with
     * AF_UNSPEC) sends the RST now; libmicrohttpd's own shutdown and close then do nothing more. */
    struct sockaddr unspecified;
    memset(&unspecified, 0, sizeof unspecified);
    unspecified.sa_family = AF_UNSPEC;
    (void)connect(fd, &unspecified, sizeof unspecified);
    return 1;
}

int cmhd_send_raw(struct MHD_Connection *connection, const void *bytes, size_t count) {
    int fd = connection_socket(connection);
    if (fd < 0)
        return 0;
    return send(fd, bytes, count, MSG_NOSIGNAL) >= 0;
}

/* ---- waiting for SIGINT / SIGTERM ---- */

static int signal_pipe[2] = {-1, -1};

static void on_termination_signal(int number) {
    int saved = errno;
    unsigned char byte = (unsigned char)number;
    ssize_t ignored = write(signal_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int cmhd_wait_for_termination_signal(void) {
    if (pipe2(signal_pipe, O_CLOEXEC) != 0)
        return -1;
    struct sigaction action, old_int, old_term;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_termination_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);

    unsigned char byte = 0;
    ssize_t got;
    do {
        got = read(signal_pipe[0], &byte, 1);
    } while (got < 0 && errno == EINTR);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
    return got == 1 ? (int)byte : -1;
}
