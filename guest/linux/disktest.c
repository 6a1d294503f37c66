/*
 * disktest: read-verify-write 4 KiB blocks of a disk with O_DIRECT.
 *
 * Every block holds a header (magic, block number, generation) and a
 * pattern derived from (block, generation).  A never-written block is all
 * zeros and counts as generation 0.  At start the whole disk is scanned to
 * learn each block's generation; then blocks are picked at random, read,
 * checked against the generation we wrote last, and rewritten with the
 * next generation.  Progress and every mismatch go to stdout (the serial
 * console): "DISKTEST progress ..." and "DISKTEST MISMATCH ...".
 *
 * usage: disktest DEVICE [OPS_PER_SECOND [BLOCKS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define BS 4096
#define MAGIC 0x434f4c4f444b5431ULL     /* "COLODKT1" */

struct hdr {
    uint64_t magic, block, gen;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void fill(uint8_t *buf, uint64_t block, uint64_t gen)
{
    struct hdr h = { MAGIC, block, gen };
    uint64_t x = block * 0x9e3779b97f4a7c15ULL ^ gen * 0xbf58476d1ce4e5b9ULL;
    size_t i;

    for (i = 0; i < BS; i += 8) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }
    memcpy(buf, &h, sizeof(h));
}

/* The generation the block holds, or -1 if it is not a valid block. */
static int64_t block_gen(const uint8_t *buf, uint64_t block, uint8_t *tmp)
{
    struct hdr h;
    size_t i;

    memcpy(&h, buf, sizeof(h));
    if (h.magic != MAGIC) {
        for (i = 0; i < BS; i++)
            if (buf[i])
                return -1;
        return 0;
    }
    if (h.block != block)
        return -1;
    fill(tmp, block, h.gen);
    return memcmp(tmp, buf, BS) ? -1 : (int64_t)h.gen;
}

int main(int argc, char **argv)
{
    uint64_t rate, nblocks, size, ops = 0, mismatches = 0, rnd, last, start;
    uint64_t *gens;
    uint8_t *buf, *tmp;
    int fd;

    if (argc < 2) {
        fprintf(stderr, "usage: disktest DEVICE [OPS_PER_SECOND [BLOCKS]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    rate = argc > 2 ? strtoull(argv[2], NULL, 0) : 50;
    fd = open(argv[1], O_RDWR | O_DIRECT);
    if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &size) < 0) {
        struct stat st;                 /* a regular file, for testing */
        size = fstat(fd, &st) ? 0 : st.st_size;
    }
    if (fd < 0 || size < BS) {
        printf("DISKTEST ERROR open %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    nblocks = size / BS;
    if (argc > 3 && strtoull(argv[3], NULL, 0) < nblocks)
        nblocks = strtoull(argv[3], NULL, 0);
    gens = calloc(nblocks, sizeof(*gens));
    if (!gens || posix_memalign((void **)&buf, BS, BS) ||
        posix_memalign((void **)&tmp, BS, BS))
        return 1;

    for (uint64_t b = 0; b < nblocks; b++) {
        int64_t g;
        if (pread(fd, buf, BS, b * BS) != BS) {
            printf("DISKTEST ERROR read block %llu: %s\n",
                   (unsigned long long)b, strerror(errno));
            return 1;
        }
        g = block_gen(buf, b, tmp);
        if (g < 0) {
            printf("DISKTEST MISMATCH scan block %llu is corrupt\n",
                   (unsigned long long)b);
            mismatches++;
            g = 0;
        }
        gens[b] = g;
    }
    printf("DISKTEST scanned %llu blocks of %s, %llu corrupt\n",
           (unsigned long long)nblocks, argv[1],
           (unsigned long long)mismatches);

    rnd = now_ns() | 1;
    start = last = now_ns();
    for (;;) {
        uint64_t b;
        int64_t g;

        rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
        b = rnd % nblocks;
        if (pread(fd, buf, BS, b * BS) != BS) {
            printf("DISKTEST ERROR read block %llu: %s\n",
                   (unsigned long long)b, strerror(errno));
            return 1;
        }
        g = block_gen(buf, b, tmp);
        if (g != (int64_t)gens[b]) {
            mismatches++;
            printf("DISKTEST MISMATCH block %llu: expected generation %llu, "
                   "found %lld\n", (unsigned long long)b,
                   (unsigned long long)gens[b], (long long)g);
        }
        fill(buf, b, gens[b] + 1);
        if (pwrite(fd, buf, BS, b * BS) != BS) {
            printf("DISKTEST ERROR write block %llu: %s\n",
                   (unsigned long long)b, strerror(errno));
            return 1;
        }
        gens[b]++;
        ops++;
        if (now_ns() - last >= 2000000000ULL) {
            last = now_ns();
            printf("DISKTEST progress ops=%llu mismatches=%llu\n",
                   (unsigned long long)ops, (unsigned long long)mismatches);
        }
        if (rate) {
            /* pace to rate ops per second since start */
            uint64_t due = start + ops * 1000000000ULL / rate, t = now_ns();
            if (due > t)
                usleep((due - t) / 1000);
        }
    }
}
