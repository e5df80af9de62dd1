/* Start-up timer for scripts/bench: exec → first successful answer.
 *
 *   startup PORT PATH EXPECT -- COMMAND [ARGS...]
 *
 * Forks and execs COMMAND, then, from the instant just before the exec, sends `GET PATH` to
 * 127.0.0.1:PORT over a new connection until the answer is a 200 whose body contains EXPECT
 * (connection refused: retry after 0.1 ms). Stops the command with SIGTERM, waits for it and prints
 * the elapsed milliseconds and the CPU milliseconds the command used from start to stop. Exit status 1 if no good answer came within
 * $STARTUP_TIMEOUT_MS milliseconds (default 10000).
 * Built by scripts/bench: gcc -O2 -o .build/bench/startup Benchmarks/startup.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One GET; 1 when the answer is 200 and contains expect. */
static int probe(unsigned short port, const char *request, const char *expect) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        size_t len = strlen(request);
        if (write(fd, request, len) == (ssize_t)len) {
            static char buf[1 << 20];
            size_t got = 0;
            ssize_t n;
            while (got < sizeof buf - 1 && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)n;
            buf[got] = '\0';
            ok = strncmp(buf, "HTTP/1.1 200", 12) == 0 && strstr(buf, expect) != NULL;
        }
    }
    close(fd);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: %s PORT PATH EXPECT -- COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    unsigned short port = (unsigned short)atoi(argv[1]);
    char request[4096];
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n\r\n", argv[2], port);
    const char *expect = argv[3];
    const char *timeout_env = getenv("STARTUP_TIMEOUT_MS");
    double timeout_ms = timeout_env ? atof(timeout_env) : 10000;
    double start = now_ms();
    pid_t child = fork();
    if (child == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execvp(argv[5], argv + 5);
        _exit(127);
    }
    double elapsed = -1;
    while (now_ms() - start < timeout_ms) {
        if (probe(port, request, expect)) { elapsed = now_ms() - start; break; }
        int status;
        if (waitpid(child, &status, WNOHANG) == child) { fprintf(stderr, "the command exited early\n"); return 1; }
        usleep(100); /* leave the CPU to the starting server (2 cores, shared) */
    }
    kill(child, SIGTERM);
    int status;
    waitpid(child, &status, 0);
    if (elapsed < 0) { fprintf(stderr, "no good answer within %.0f ms\n", timeout_ms); return 1; }
    /* CPU time of the command (and its waited-for children), start to stop: on a busy machine the
     * elapsed time is mostly waiting for a core, this is the work itself. */
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    double cpu = usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 + usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
    printf("%.3f %.3f\n", elapsed, cpu);
    return 0;
}
