/*
 * randhttpd: an HTTP server whose every answer is a fresh value (the TSC,
 * the monotonic clock and getrandom), so the primary and the secondary
 * answer the same request differently and colo-compare sees a mismatch.
 * usage: randhttpd PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    int s, one = 1;
    unsigned long long served = 0;

    a.sin_port = htons(argc > 1 ? atoi(argv[1]) : 80);
    s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
        perror("randhttpd");
        return 1;
    }
    printf("RANDHTTPD listening on port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        char req[2048], body[256], resp[512];
        struct timespec ts;
        uint64_t r = 0;
        int c = accept(s, NULL, NULL), blen, rlen;

        if (c < 0)
            continue;
        if (read(c, req, sizeof(req)) <= 0) {
            close(c);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        getrandom(&r, sizeof(r), GRND_NONBLOCK);
        blen = snprintf(body, sizeof(body),
                        "value %016llx tsc %llu mono %lld.%09ld served %llu\n",
                        (unsigned long long)(r ^ rdtsc()),
                        (unsigned long long)rdtsc(), (long long)ts.tv_sec,
                        ts.tv_nsec, ++served);
        rlen = snprintf(resp, sizeof(resp),
                        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                        "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                        blen, body);
        if (write(c, resp, rlen) != rlen)
            perror("randhttpd write");
        close(c);
    }
}
