#ifndef CHTTPCLIENT_H
#define CHTTPCLIENT_H
#include <stddef.h>

/// What came back: every byte the peer sent until it closed the connection (free with chc_free).
typedef struct {
    unsigned char *data;
    size_t length;
} chc_bytes;

/// One HTTP/1.1 exchange on a fresh connection: connects to host:port (getaddrinfo, each address in
/// turn), over TLS when `tls` is non-zero, writes `request` (which should say `Connection: close`) and
/// reads until the peer closes. TLS verifies the peer's certificate chain and name against `ca_file`
/// (PEM; the system's trust store when NULL) unless `insecure` is non-zero. `timeout_ms` bounds each
/// connect, read and write. An answer of more than `max_answer` bytes (head and body) is refused, so a
/// peer that never stops sending cannot exhaust memory. Returns 0, or -1 with a message in `error`.
int chc_exchange(const char *host, int port, int tls, const char *ca_file, int insecure, int timeout_ms,
                 const unsigned char *request, size_t request_length, size_t max_answer, chc_bytes *response,
                 char *error, size_t error_length);

void chc_free(chc_bytes *bytes);

#endif
