/*
 * echod: TCP echo server (one process per connection).
 * usage: echod PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    int s, one = 1;

    a.sin_port = htons(argc > 1 ? atoi(argv[1]) : 7);
    signal(SIGCHLD, SIG_IGN);
    s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
        perror("echod");
        return 1;
    }
    printf("ECHOD listening on port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        char buf[4096];
        ssize_t n;
        int c = accept(s, NULL, NULL);

        if (c < 0)
            continue;
        if (fork() == 0) {
            close(s);
            while ((n = read(c, buf, sizeof(buf))) > 0)
                if (write(c, buf, n) != n)
                    break;
            _exit(0);
        }
        close(c);
    }
}
