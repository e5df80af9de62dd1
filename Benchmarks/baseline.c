/* The bare libmicrohttpd ceiling for drmock's benchmark (Benchmarks/README.md, scripts/bench).
 *
 * Answers GET <any path>?token=T with the bytes of BODY_FILE (the very bytes drmock answers for
 * the same GET), after checking the token against the one given on the command line; a missing or
 * wrong token gets drmock's 498 envelope. drmock's HTTPServer's daemon shape: an internal polling
 * thread with epoll, a thread pool of THREADS (1 = no pool), the same response headers; 32 KiB per
 * connection (libmicrohttpd's default; drmock's is 16 KiB). bench.py runs it with 2 threads, the
 * issue's ceiling, while drmock's default on 2 cores is one thread.
 *
 *   baseline PORT BODY_FILE TOKEN [THREADS]
 *
 * Runs until SIGINT or SIGTERM. Built by scripts/bench with:
 *   gcc -O2 -o .build/bench/baseline Benchmarks/baseline.c $(pkg-config --cflags --libs libmicrohttpd)
 */
#include <microhttpd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t body_size;
static const char *token;
static const char invalid[] = "{\"error\":{\"code\":498,\"message\":\"Invalid token.\",\"details\":[]}}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **req_cls) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data; (void)upload_data_size;
    if (*req_cls == NULL) { /* headers only: wait for the end of the request */
        *req_cls = (void *)1;
        return MHD_YES;
    }
    const char *given = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "token");
    int ok = given != NULL && strcmp(given, token) == 0;
    struct MHD_Response *response = ok
        ? MHD_create_response_from_buffer(body_size, body, MHD_RESPMEM_PERSISTENT)
        : MHD_create_response_from_buffer(sizeof invalid - 1, (void *)invalid, MHD_RESPMEM_PERSISTENT);
    if (response == NULL)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    enum MHD_Result queued = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return queued;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT BODY_FILE TOKEN [THREADS]\n", argv[0]);
        return 2;
    }
    unsigned short port = (unsigned short)atoi(argv[1]);
    token = argv[3];
    unsigned int threads = argc > 4 ? (unsigned int)atoi(argv[4]) : 2;
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) { perror(argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    body_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    body = malloc(body_size + 1);
    if (body == NULL || fread(body, 1, body_size, f) != body_size) { perror("read"); return 1; }
    fclose(f);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's threads inherit the mask */

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, port, NULL, NULL, answer, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(threads > 1 ? threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_END);
    if (daemon == NULL) { fprintf(stderr, "cannot start on port %u\n", port); return 1; }
    printf("baseline listening on port %u (%u threads)\n", port, threads);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(daemon);
    free(body);
    return 0;
}
