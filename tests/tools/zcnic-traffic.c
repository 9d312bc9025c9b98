// SPDX-License-Identifier: GPL-2.0-or-later OR MIT
/*
 * zcnic-traffic: pattern-checked TCP/UDP traffic source and sink.
 *
 * Runs on the host (in the harness's network namespace) and in the guest.
 * Every TCP stream carries zc_pattern bytes seeded from a base seed and the
 * stream's source port, so both ends agree on the content without sending
 * any of it in-band. UDP datagrams carry an 8-byte sequence number followed
 * by the pattern at offset seq * size.
 *
 *   zcnic-traffic send -a ADDR -p PORT -n BYTES [-c CONNS] [-m SIZES] [-s SEED] [-u] [-r MBPS]
 *   zcnic-traffic recv -p PORT -n BYTES [-c CONNS] [-s SEED] [-b ADDR] [-u] [-t SECS]
 *
 * -n is bytes per connection (TCP) or datagrams in total (UDP). -m is a
 * comma-separated list of write sizes cycled through; -r paces each
 * connection to MBPS megabytes a second. The last line printed
 * is "result ..." with the counts; exit status 0 means every byte arrived
 * and matched, 1 a failure, 2 a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../lib/pattern.h"

#define MAX_CONNS	64
#define MAX_SIZES	16
#define RECV_CHUNK	(256 * 1024)

static struct {
	bool send;
	bool udp;
	const char *addr;
	const char *bind_addr;
	const char *port;
	uint64_t bytes;
	int conns;
	size_t sizes[MAX_SIZES];
	int nr_sizes;
	uint64_t seed;
	int timeout;
	double rate;		/* bytes per second per connection, 0: as fast as possible */
	bool alphabet;		/* send 'a' + offset % 26, as liburing's examples check */
} cfg = {
	.port = "9000",
	.bytes = 1 << 20,
	.conns = 1,
	.sizes = { 65536 },
	.nr_sizes = 1,
	.seed = 1,
	.timeout = 120,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: zcnic-traffic send -a ADDR -p PORT -n BYTES [-c CONNS] [-m SIZE[,SIZE...]] [-s SEED] [-u] [-r MBPS] [-A]\n"
		"       (-A: the bytes 'a' + offset %% 26 of liburing's examples/zcrx.c -v instead of the pattern)\n"
		"       zcnic-traffic recv -p PORT -n BYTES [-c CONNS] [-s SEED] [-b ADDR] [-u] [-t SECS]\n");
	exit(2);
}

static int resolve(const char *host, const char *port, int flags, struct addrinfo **res)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = cfg.udp ? SOCK_DGRAM : SOCK_STREAM,
		.ai_flags = flags | AI_NUMERICHOST | AI_NUMERICSERV,
	};
	int err = getaddrinfo(host, port, &hints, res);

	if (err) {
		fprintf(stderr, "zcnic-traffic: bad address %s port %s: %s\n",
			host ? host : "*", port, gai_strerror(err));
		return -1;
	}
	return 0;
}

static uint16_t sock_port(int fd, bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

struct stream {
	pthread_t thread;
	int fd;
	uint64_t bytes;
	uint64_t bad;
	uint64_t first_bad;
	int err;
};

static void *tcp_send_stream(void *arg)
{
	struct stream *st = arg;
	uint64_t seed = zc_stream_seed(cfg.seed, sock_port(st->fd, false));
	size_t max = 0;
	uint8_t *buf;
	int i;

	for (i = 0; i < cfg.nr_sizes; i++)
		if (cfg.sizes[i] > max)
			max = cfg.sizes[i];
	buf = malloc(max);
	if (!buf) {
		st->err = ENOMEM;
		return NULL;
	}
	double start = now();

	for (i = 0; st->bytes < cfg.bytes; i++) {
		size_t len = cfg.sizes[i % cfg.nr_sizes];
		ssize_t n;

		if (cfg.rate) {
			double ahead = st->bytes / cfg.rate - (now() - start);

			if (ahead > 0)
				usleep(ahead * 1e6);
		}
		if (len > cfg.bytes - st->bytes)
			len = cfg.bytes - st->bytes;
		if (cfg.alphabet) {
			size_t j;

			for (j = 0; j < len; j++)
				buf[j] = 'a' + (st->bytes + j) % 26;
		} else {
			zc_pattern_fill(seed, st->bytes, buf, len);
		}
		n = send(st->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			st->err = errno;
			break;
		}
		/* a short write leaves the rest for the next round */
		st->bytes += n;
	}
	free(buf);
	shutdown(st->fd, SHUT_WR);
	/* wait for the peer to finish reading, so the result means delivered */
	while (recv(st->fd, &i, sizeof(i), 0) > 0)
		;
	close(st->fd);
	return NULL;
}

static void *tcp_recv_stream(void *arg)
{
	struct stream *st = arg;
	uint64_t seed = zc_stream_seed(cfg.seed, sock_port(st->fd, true));
	uint8_t *buf = malloc(RECV_CHUNK);

	if (!buf) {
		st->err = ENOMEM;
		return NULL;
	}
	for (;;) {
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
		ssize_t n;
		size_t bad;

		if (poll(&pfd, 1, cfg.timeout * 1000) == 0) {
			st->err = ETIMEDOUT;
			break;
		}
		n = recv(st->fd, buf, RECV_CHUNK, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st->err = errno;
			break;
		}
		if (n == 0)
			break;
		bad = zc_pattern_check(seed, st->bytes, buf, n);
		if (bad != (size_t)n) {
			if (!st->bad)
				st->first_bad = st->bytes + bad;
			st->bad++;
		}
		st->bytes += n;
	}
	free(buf);
	close(st->fd);
	return NULL;
}

static int run_tcp(void)
{
	struct stream streams[MAX_CONNS] = {};
	uint64_t total = 0, bad = 0;
	struct addrinfo *ai;
	int i, lfd = -1, failed = 0;
	double t0;

	if (resolve(cfg.send ? cfg.addr : cfg.bind_addr, cfg.port,
		    cfg.send ? 0 : AI_PASSIVE, &ai))
		return 2;
	if (!cfg.send) {
		int one = 1;

		lfd = socket(ai->ai_family, SOCK_STREAM, 0);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (lfd < 0 || bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, MAX_CONNS)) {
			perror("zcnic-traffic: listen");
			return 1;
		}
		printf("listening on port %s\n", cfg.port);
		fflush(stdout);
	}
	t0 = now();
	for (i = 0; i < cfg.conns; i++) {
		struct stream *st = &streams[i];

		if (cfg.send) {
			double give_up = now() + 10;

			/* the peer may still be starting its listener */
			for (;;) {
				st->fd = socket(ai->ai_family, SOCK_STREAM, 0);
				if (st->fd >= 0 && !connect(st->fd, ai->ai_addr, ai->ai_addrlen))
					break;
				if (st->fd < 0 || errno != ECONNREFUSED || now() > give_up) {
					perror("zcnic-traffic: connect");
					return 1;
				}
				close(st->fd);
				usleep(100 * 1000);
			}
		} else {
			struct pollfd pfd = { .fd = lfd, .events = POLLIN };

			if (poll(&pfd, 1, cfg.timeout * 1000) <= 0) {
				fprintf(stderr, "zcnic-traffic: no connection %d within %ds\n",
					i, cfg.timeout);
				return 1;
			}
			st->fd = accept(lfd, NULL, NULL);
			if (st->fd < 0) {
				perror("zcnic-traffic: accept");
				return 1;
			}
		}
		pthread_create(&st->thread, NULL,
			       cfg.send ? tcp_send_stream : tcp_recv_stream, st);
	}
	for (i = 0; i < cfg.conns; i++) {
		struct stream *st = &streams[i];

		pthread_join(st->thread, NULL);
		total += st->bytes;
		bad += st->bad;
		if (st->err) {
			fprintf(stderr, "zcnic-traffic: stream %d: %s\n", i, strerror(st->err));
			failed = 1;
		}
		if (st->bad) {
			fprintf(stderr, "zcnic-traffic: stream %d: first wrong byte at offset %llu\n",
				i, (unsigned long long)st->first_bad);
			failed = 1;
		}
		if (st->bytes != cfg.bytes) {
			fprintf(stderr, "zcnic-traffic: stream %d: %llu of %llu bytes\n", i,
				(unsigned long long)st->bytes, (unsigned long long)cfg.bytes);
			failed = 1;
		}
	}
	t0 = now() - t0;
	printf("result %s bytes=%llu bad_chunks=%llu conns=%d secs=%.3f MBps=%.2f\n",
	       cfg.send ? "sent" : "received", (unsigned long long)total,
	       (unsigned long long)bad, cfg.conns, t0, total / t0 / 1e6);
	freeaddrinfo(ai);
	if (lfd >= 0)
		close(lfd);
	return failed;
}

static int run_udp(void)
{
	size_t size = cfg.sizes[0] < 8 ? 8 : cfg.sizes[0];
	uint64_t seq, got = 0, bad = 0;
	struct addrinfo *ai;
	uint8_t *buf;
	int fd;
	double t0;

	if (resolve(cfg.send ? cfg.addr : cfg.bind_addr, cfg.port,
		    cfg.send ? 0 : AI_PASSIVE, &ai))
		return 2;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	buf = malloc(65536);
	if (fd < 0 || !buf)
		return 1;
	t0 = now();
	if (cfg.send) {
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			perror("zcnic-traffic: connect");
			return 1;
		}
		for (seq = 0; seq < cfg.bytes; seq++) {
			memcpy(buf, &seq, 8);
			zc_pattern_fill(cfg.seed, seq * size, buf + 8, size - 8);
			if (send(fd, buf, size, 0) < 0 && errno != ENOBUFS &&
			    errno != ECONNREFUSED) {
				perror("zcnic-traffic: send");
				return 1;
			}
		}
		got = seq;
	} else {
		if (bind(fd, ai->ai_addr, ai->ai_addrlen)) {
			perror("zcnic-traffic: bind");
			return 1;
		}
		printf("listening on port %s\n", cfg.port);
		fflush(stdout);
		while (got < cfg.bytes) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			ssize_t n;

			/* after the first datagram, a quiet second means the sender is done */
			if (poll(&pfd, 1, got ? 1000 : cfg.timeout * 1000) <= 0)
				break;
			n = recv(fd, buf, 65536, 0);
			if (n < 8)
				continue;
			memcpy(&seq, buf, 8);
			if ((size_t)n != size ||
			    zc_pattern_check(cfg.seed, seq * size, buf + 8, n - 8) != (size_t)n - 8)
				bad++;
			got++;
		}
	}
	t0 = now() - t0;
	printf("result %s datagrams=%llu bad=%llu secs=%.3f\n",
	       cfg.send ? "sent" : "received", (unsigned long long)got,
	       (unsigned long long)bad, t0);
	free(buf);
	close(fd);
	freeaddrinfo(ai);
	/* UDP may drop; the receiver fails only on corruption or silence */
	return bad || (!cfg.send && !got);
}

static void parse_sizes(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;

	cfg.nr_sizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok && cfg.nr_sizes < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save)) {
		long v = strtol(tok, NULL, 0);

		if (v <= 0 || v > 16 << 20)
			usage();
		cfg.sizes[cfg.nr_sizes++] = v;
	}
	free(copy);
	if (!cfg.nr_sizes)
		usage();
}

int main(int argc, char **argv)
{
	int c;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		cfg.send = true;
	else if (strcmp(argv[1], "recv"))
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "a:b:p:n:c:m:s:t:ur:A")) != -1) {
		switch (c) {
		case 'a': cfg.addr = optarg; break;
		case 'b': cfg.bind_addr = optarg; break;
		case 'p': cfg.port = optarg; break;
		case 'n': cfg.bytes = strtoull(optarg, NULL, 0); break;
		case 'c': cfg.conns = atoi(optarg); break;
		case 'm': parse_sizes(optarg); break;
		case 's': cfg.seed = strtoull(optarg, NULL, 0); break;
		case 't': cfg.timeout = atoi(optarg); break;
		case 'u': cfg.udp = true; break;
		case 'A': cfg.alphabet = true; break;
		case 'r': cfg.rate = atof(optarg) * 1e6; break;
		default: usage();
		}
	}
	if ((cfg.send && !cfg.addr) || cfg.conns < 1 || cfg.conns > MAX_CONNS || cfg.timeout < 1)
		usage();
	if (!cfg.send && !cfg.bind_addr)
		cfg.bind_addr = "::";
	return cfg.udp ? run_udp() : run_tcp();
}
