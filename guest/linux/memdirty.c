/*
 * memdirty: keep dirtying a working set of guest RAM at a set rate, as a
 * cache or a database's buffer pool does, so that COLO checkpoints of the
 * Linux guest carry tens to hundreds of MB of RAM.
 *
 * It maps WORKING_SET_MIB of anonymous memory, writes every page once
 * (so the kernel backs them all), then every 10 ms writes one 8-byte
 * word in each of the next pages of the set, going round it in order, so
 * that RATE_MIB_PER_S MiB of distinct 4 KiB pages are dirtied each
 * second (as long as a checkpoint interval dirties less than the set).
 * The word is a counter: no page ever goes back to a content it had, and
 * none is all zeros.  If it falls behind (a stopped or slow vCPU), it
 * catches up by at most 100 ms of pages.
 *
 * Prints "MEMDIRTY ready ..." once the set is mapped, then every 2 s
 * "MEMDIRTY progress pages=N rate=R": N pages written since ready, R
 * the MiB/s of the last 2 s.
 *
 * usage: memdirty WORKING_SET_MIB RATE_MIB_PER_S
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define TICK_NS 10000000ULL             /* 10 ms */
#define MAX_BACKLOG_NS 100000000ULL     /* catch up by at most 100 ms */
#define REPORT_NS 2000000000ULL

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int parse_mib(const char *s, double max, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return errno || end == s || *end || !(*out > 0) || *out > max ? -1 : 0;
}

int main(int argc, char **argv)
{
    double set_mib, rate_mib;
    uint64_t pages, next = 0, counter = 0, done = 0, due = 0;
    uint64_t start, last_report, reported = 0;
    uint8_t *set;

    if (argc != 3 || parse_mib(argv[1], 1 << 20, &set_mib) ||
        parse_mib(argv[2], 1 << 20, &rate_mib)) {
        fprintf(stderr, "usage: memdirty WORKING_SET_MIB RATE_MIB_PER_S "
                "(both > 0)\n");
        return 2;
    }
    pages = (uint64_t)(set_mib * (1 << 20)) / PAGE;
    if (!pages) {
        fprintf(stderr, "memdirty: working set under one page\n");
        return 2;
    }
    set = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (set == MAP_FAILED) {
        printf("MEMDIRTY ERROR mmap %.0f MiB: %s\n", set_mib,
               strerror(errno));
        return 1;
    }
    for (uint64_t p = 0; p < pages; p++) {
        memcpy(set + p * PAGE, &(uint64_t){ ++counter }, 8);
    }
    printf("MEMDIRTY ready set=%.0fMiB rate=%.1fMiB/s\n", set_mib, rate_mib);
    fflush(stdout);

    start = last_report = now_ns();
    for (;;) {
        uint64_t now = now_ns();
        struct timespec ts;
        uint64_t wake;

        /* Pages owed since start, less a backlog older than 100 ms */
        due = (uint64_t)((now - start) / 1e9 * rate_mib * (1 << 20) / PAGE);
        if (due > done + rate_mib * (1 << 20) / PAGE * MAX_BACKLOG_NS / 1e9) {
            done = due - (uint64_t)(rate_mib * (1 << 20) / PAGE *
                                    MAX_BACKLOG_NS / 1e9);
        }
        for (; done < due; done++) {
            memcpy(set + next * PAGE, &(uint64_t){ ++counter }, 8);
            next = next + 1 == pages ? 0 : next + 1;
            reported++;
        }
        if (now - last_report >= REPORT_NS) {
            printf("MEMDIRTY progress pages=%llu rate=%.1f\n",
                   (unsigned long long)(counter - pages),
                   reported * (double)PAGE / (1 << 20) /
                   ((now - last_report) / 1e9));
            fflush(stdout);
            reported = 0;
            last_report = now;
        }
        wake = now + TICK_NS;
        ts.tv_sec = wake / 1000000000ULL;
        ts.tv_nsec = wake % 1000000000ULL;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
}
