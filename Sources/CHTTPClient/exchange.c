// A minimal HTTP/1.1 client transport: one request per connection, plain TCP or TLS through GnuTLS
// (the library libmicrohttpd already loads, so no other shared library is added to drmock).
#include "CHTTPClient.h"
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void fail(char *error, size_t error_length, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_length, format, args);
    va_end(args);
}

static int connect_to(const char *host, int port, int timeout_ms, char *error, size_t error_length) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, service, &hints, &found);
    if (rc != 0) {
        fail(error, error_length, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int fd = -1, last = 0;
    for (struct addrinfo *a = found; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        // On Linux SO_SNDTIMEO also bounds connect().
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    if (fd < 0) fail(error, error_length, "cannot connect to %s:%d: %s", host, port, strerror(last));
    return fd;
}

// Appends n bytes; -1 when memory runs out, -2 when the answer would pass `limit` bytes.
static int append(chc_bytes *out, size_t *capacity, size_t limit, const unsigned char *data, size_t n) {
    if (n > limit - out->length) return -2;
    if (out->length + n > *capacity) {
        size_t wanted = *capacity ? *capacity : 16384;
        while (wanted < out->length + n) wanted *= 2;
        unsigned char *grown = realloc(out->data, wanted);
        if (grown == NULL) return -1;
        out->data = grown;
        *capacity = wanted;
    }
    memcpy(out->data + out->length, data, n);
    out->length += n;
    return 0;
}

static void append_failed(int why, size_t limit, char *error, size_t error_length) {
    if (why == -2) fail(error, error_length, "the answer is larger than %zu bytes, the most this client reads", limit);
    else fail(error, error_length, "out of memory");
}

static int plain_exchange(int fd, const unsigned char *request, size_t request_length, size_t limit,
                          chc_bytes *response, char *error, size_t error_length) {
    size_t sent = 0, capacity = 0;
    while (sent < request_length) {
        ssize_t n = send(fd, request + sent, request_length - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(error, error_length, "cannot send the request: %s", strerror(errno));
            return -1;
        }
        sent += (size_t)n;
    }
    unsigned char buffer[16384];
    for (;;) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) fail(error, error_length, "timed out reading the answer");
            else fail(error, error_length, "cannot read the answer: %s", strerror(errno));
            return -1;
        }
        int appended = append(response, &capacity, limit, buffer, (size_t)n);
        if (appended != 0) {
            append_failed(appended, limit, error, error_length);
            return -1;
        }
    }
}

static int tls_exchange(int fd, const char *host, const char *ca_file, int insecure, int timeout_ms,
                        const unsigned char *request, size_t request_length, size_t limit, chc_bytes *response,
                        char *error, size_t error_length) {
    gnutls_certificate_credentials_t credentials = NULL;
    gnutls_session_t session = NULL;
    int rc = -1, ret;
    size_t capacity = 0;
    if ((ret = gnutls_certificate_allocate_credentials(&credentials)) < 0) goto tls_error;
    if (!insecure) {
        ret = ca_file ? gnutls_certificate_set_x509_trust_file(credentials, ca_file, GNUTLS_X509_FMT_PEM)
                      : gnutls_certificate_set_x509_system_trust(credentials);
        if (ret < 0) goto tls_error;
        if (ret == 0) {
            fail(error, error_length, "no CA certificate found in %s", ca_file ? ca_file : "the system's trust store");
            goto done;
        }
    }
    if ((ret = gnutls_init(&session, GNUTLS_CLIENT)) < 0) goto tls_error;
    if ((ret = gnutls_set_default_priority(session)) < 0) goto tls_error;
    if ((ret = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials)) < 0) goto tls_error;
    unsigned char address[16];
    // SNI names a host, never an address (RFC 6066).
    if (inet_pton(AF_INET, host, address) != 1 && inet_pton(AF_INET6, host, address) != 1)
        gnutls_server_name_set(session, GNUTLS_NAME_DNS, host, strlen(host));
    if (!insecure) gnutls_session_set_verify_cert(session, host, 0);
    gnutls_transport_set_int(session, fd);
    gnutls_handshake_set_timeout(session, (unsigned)timeout_ms);
    do { ret = gnutls_handshake(session); } while (ret < 0 && !gnutls_error_is_fatal(ret));
    if (ret < 0) {
        if (ret == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
            gnutls_datum_t text = {NULL, 0};
            unsigned status = gnutls_session_get_verify_cert_status(session);
            gnutls_certificate_verification_status_print(status, gnutls_certificate_type_get(session), &text, 0);
            fail(error, error_length, "TLS certificate of %s not trusted: %s (give --ca-bundle, or --insecure to skip the check)",
                 host, text.data ? (const char *)text.data : "unknown reason");
            gnutls_free(text.data);
            goto done;
        }
        goto tls_error;
    }
    size_t sent = 0;
    while (sent < request_length) {
        ssize_t n = gnutls_record_send(session, request + sent, request_length - sent);
        if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN) continue;
        if (n < 0) { ret = (int)n; goto tls_error; }
        sent += (size_t)n;
    }
    unsigned char buffer[16384];
    for (;;) {
        ssize_t n = gnutls_record_recv(session, buffer, sizeof buffer);
        if (n == 0) break;
        if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN) {
            if (n == GNUTLS_E_AGAIN && errno == EAGAIN) {
                fail(error, error_length, "timed out reading the answer");
                goto done;
            }
            continue;
        }
        // A peer that closes without close_notify has still sent everything (Connection: close).
        if (n == GNUTLS_E_PREMATURE_TERMINATION && response->length > 0) break;
        if (n < 0) { ret = (int)n; goto tls_error; }
        int appended = append(response, &capacity, limit, buffer, (size_t)n);
        if (appended != 0) {
            append_failed(appended, limit, error, error_length);
            goto done;
        }
    }
    gnutls_bye(session, GNUTLS_SHUT_WR);
    rc = 0;
    goto done;
tls_error:
    fail(error, error_length, "TLS with %s failed: %s", host, gnutls_strerror(ret));
done:
    if (session) gnutls_deinit(session);
    if (credentials) gnutls_certificate_free_credentials(credentials);
    return rc;
}

int chc_exchange(const char *host, int port, int tls, const char *ca_file, int insecure, int timeout_ms,
                 const unsigned char *request, size_t request_length, size_t max_answer, chc_bytes *response,
                 char *error, size_t error_length) {
    response->data = NULL;
    response->length = 0;
    int fd = connect_to(host, port, timeout_ms, error, error_length);
    if (fd < 0) return -1;
    int rc = tls ? tls_exchange(fd, host, ca_file, insecure, timeout_ms, request, request_length, max_answer, response,
                                error, error_length)
                 : plain_exchange(fd, request, request_length, max_answer, response, error, error_length);
    close(fd);
    if (rc != 0) chc_free(response);
    return rc;
}

void chc_free(chc_bytes *bytes) {
    free(bytes->data);
    bytes->data = NULL;
    bytes->length = 0;
}
