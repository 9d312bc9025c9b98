// SPDX-License-Identifier: GPL-2.0-or-later OR MIT
/*
 * zcrx_rx: io_uring zero-copy receiver for the zcnic guest tests.
 *
 * Registers a zcrx instance on one RX queue of a NIC, accepts CONNS TCP
 * connections and receives them with multishot RECV_ZC. Every byte is
 * checked in place, in the registered area, against the zcnic payload
 * pattern (seeded from the base seed and the peer's port) before the buffer
 * goes back through the refill queue. The zcrx statistics region and the
 * event CQEs tell whether the kernel had to copy anything.
 *
 *   zcrx_rx -i IFNAME -q QUEUE -p PORT -n BYTES [-c CONNS] [-s SEED]
 *           [-a user|huge|dmabuf] [-x RX_BUF_LEN] [-r RQ_ENTRIES]
 *           [-A AREA_MB] [-t SECS] [-C] [-d] [-W MS]
 *
 * -C tolerates copies (for the copy-path comparison), -d registers and
 * exits (a capability probe: exit 4 means the setup is unsupported).
 * -W starves the queue: no buffer goes back until the kernel reports
 * ZCRX_EVENT_ALLOC_FAIL, and then not for MS more milliseconds; then all
 * come back at once and the rest of the stream must still arrive.
 * Prints "result ..." last; exit 0 only if every connection delivered all
 * its bytes intact and, without -C, nothing was copied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/mman.h>
#include <linux/udmabuf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"
#include "zcrx.h"

#define EXIT_SKIP	4
#define MAX_CONNS	64
#define UD_ACCEPT	1ull
#define UD_EVENT	2ull
#define UD_RECV		(1ull << 32)	/* | connection index */

enum area_type { AREA_USER, AREA_HUGE, AREA_DMABUF };

static struct {
	const char *ifname;
	int queue;
	int port;
	unsigned long long bytes;
	int conns;
	unsigned long long seed;
	enum area_type area;
	unsigned int rx_buf_len;
	unsigned int rq_entries;
	size_t area_size;
	int timeout;
	bool allow_copy;
	bool dry_run;
	int starve_ms;
} cfg = {
	.queue = -1,
	.port = 9200,
	.bytes = 1 << 20,
	.conns = 1,
	.seed = 1,
	.rq_entries = 4096,
	.area_size = 64 << 20,
	.timeout = 120,
};

struct conn {
	int fd;
	uint64_t seed;
	unsigned long long got;
	bool done;
	bool bad;
};

static struct {
	struct io_uring ring;
	void *area;		/* CPU view of the area */
	uint64_t area_token;
	void *rq_region;
	size_t rq_region_size;
	struct io_uring_zcrx_rq rq;
	struct t_zcrx_stats *stats;
	struct conn conns[MAX_CONNS];
	int accepted;
	int finished;
	unsigned long long zc_bytes, cqes, enospc;
	unsigned int ev_copy, ev_alloc_fail;
	bool starving;
	double starve_until;	/* 0 until the ALLOC_FAIL event */
	struct io_uring_zcrx_rqe *held;
	size_t nr_held, max_held;
	unsigned long long max_held_seen;
} st;

static void fail(const char *what, int err)
{
	fprintf(stderr, "zcrx_rx: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *map_area(struct io_uring_zcrx_area_reg *area_reg)
{
	void *p = NULL;

	switch (cfg.area) {
	case AREA_USER:
		p = mmap(NULL, cfg.area_size, PROT_READ | PROT_WRITE,
			 MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap area", errno);
		area_reg->addr = (uintptr_t)p;
		break;
	case AREA_HUGE:
		p = mmap(NULL, cfg.area_size, PROT_READ | PROT_WRITE,
			 MAP_ANONYMOUS | MAP_PRIVATE | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED) {
			printf("# no 2 MiB huge pages for the area (%s)\n", strerror(errno));
			exit(EXIT_SKIP);
		}
		area_reg->addr = (uintptr_t)p;
		break;
	case AREA_DMABUF: {
		struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
		int memfd, devfd, buf;

		devfd = open("/dev/udmabuf", O_RDWR);
		if (devfd < 0) {
			printf("# no /dev/udmabuf (%s)\n", strerror(errno));
			exit(EXIT_SKIP);
		}
		memfd = memfd_create("zcrx-area", MFD_ALLOW_SEALING);
		if (memfd < 0 || ftruncate(memfd, cfg.area_size) ||
		    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
			fail("memfd for udmabuf", errno);
		create.memfd = memfd;
		create.size = cfg.area_size;
		buf = ioctl(devfd, UDMABUF_CREATE, &create);
		if (buf < 0)
			fail("UDMABUF_CREATE", errno);
		p = mmap(NULL, cfg.area_size, PROT_READ, MAP_SHARED, memfd, 0);
		if (p == MAP_FAILED)
			fail("mmap memfd", errno);
		area_reg->flags = IORING_ZCRX_AREA_DMABUF;
		area_reg->dmabuf_fd = buf;
		area_reg->addr = 0;
		break;
	}
	}
	area_reg->len = cfg.area_size;
	return p;
}

static int setup_zcrx(void)
{
	struct io_uring_zcrx_area_reg area_reg = {};
	struct io_uring_region_desc region = {};
	struct t_zcrx_event_desc ev = {};
	struct t_zcrx_ifq_reg reg = {};
	size_t page = sysconf(_SC_PAGESIZE);
	size_t rq_bytes = 64 + cfg.rq_entries * sizeof(struct io_uring_zcrx_rqe);
	size_t stats_off = (rq_bytes + page - 1) & ~(page - 1);
	unsigned int ifindex = if_nametoindex(cfg.ifname);
	int ret;

	if (!ifindex)
		fail("unknown interface", ENODEV);
	st.area = map_area(&area_reg);
	st.rq_region_size = stats_off + page;
	st.rq_region = mmap(NULL, st.rq_region_size, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (st.rq_region == MAP_FAILED)
		fail("mmap refill region", errno);
	region.user_addr = (uintptr_t)st.rq_region;
	region.size = st.rq_region_size;
	region.flags = IORING_MEM_REGION_TYPE_USER;

	ev.user_data = UD_EVENT;
	ev.type_mask = 1u << T_ZCRX_EVENT_ALLOC_FAIL | 1u << T_ZCRX_EVENT_COPY;
	ev.flags = T_ZCRX_EVENT_DESC_FLAG_STATS;
	ev.stats_offset = stats_off;

	reg.if_idx = ifindex;
	reg.if_rxq = cfg.queue;
	reg.rq_entries = cfg.rq_entries;
	reg.area_ptr = (uintptr_t)&area_reg;
	reg.region_ptr = (uintptr_t)&region;
	reg.rx_buf_len = cfg.rx_buf_len;
	reg.event_desc = (uintptr_t)&ev;

	ret = io_uring_register_ifq(&st.ring, (struct io_uring_zcrx_ifq_reg *)&reg);
	if (ret) {
		printf("# io_uring_register_ifq(%s queue %d, rx_buf_len %u): %s\n",
		       cfg.ifname, cfg.queue, cfg.rx_buf_len, strerror(-ret));
		return ret;
	}
	st.rq.khead = (__u32 *)((char *)st.rq_region + reg.offsets.head);
	st.rq.ktail = (__u32 *)((char *)st.rq_region + reg.offsets.tail);
	st.rq.rqes = (struct io_uring_zcrx_rqe *)((char *)st.rq_region + reg.offsets.rqes);
	st.rq.rq_tail = 0;
	st.rq.ring_entries = reg.rq_entries;
	st.area_token = area_reg.rq_area_token;
	st.stats = (struct t_zcrx_stats *)((char *)st.rq_region + stats_off);
	printf("# zcrx bound: %s queue %d, area %s %zu MiB, rx_buf_len %u, rq %u entries\n",
	       cfg.ifname, cfg.queue, cfg.area == AREA_USER ? "user" :
	       cfg.area == AREA_HUGE ? "huge" : "dmabuf", cfg.area_size >> 20,
	       reg.rx_buf_len, reg.rq_entries);
	return 0;
}

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&st.ring);

	if (!sqe) {
		io_uring_submit(&st.ring);
		sqe = io_uring_get_sqe(&st.ring);
	}
	if (!sqe)
		fail("no SQE", EBUSY);
	return sqe;
}

static void add_recvzc(int idx)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, st.conns[idx].fd, NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->user_data = UD_RECV | idx;
}

static void add_accept(int lfd)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_accept(sqe, lfd, NULL, NULL, 0);
	sqe->user_data = UD_ACCEPT;
}

static uint16_t peer_port(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);

	if (getpeername(fd, (struct sockaddr *)&sa, &len))
		fail("getpeername", errno);
	return ntohs(sa.sin6_port);
}

static void refill(uint64_t off, unsigned int len)
{
	unsigned int mask = st.rq.ring_entries - 1;
	struct io_uring_zcrx_rqe *rqe;

	rqe = &st.rq.rqes[st.rq.rq_tail & mask];
	rqe->off = (off & ~IORING_ZCRX_AREA_MASK) | st.area_token;
	rqe->len = len;
	io_uring_smp_store_release(st.rq.ktail, ++st.rq.rq_tail);
}

static void hold(uint64_t off, unsigned int len)
{
	if (st.nr_held == st.max_held) {
		st.max_held = st.max_held ? 2 * st.max_held : 1024;
		st.held = realloc(st.held, st.max_held * sizeof(*st.held));
		if (!st.held)
			fail("hold", ENOMEM);
	}
	st.held[st.nr_held].off = off;
	st.held[st.nr_held].len = len;
	st.nr_held++;
	if (st.nr_held > st.max_held_seen)
		st.max_held_seen = st.nr_held;
}

/* Give held buffers back, as many as the refill queue has room for. */
static void release_held(void)
{
	unsigned int room = st.rq.ring_entries -
			    (st.rq.rq_tail - io_uring_smp_load_acquire(st.rq.khead));

	while (st.nr_held && room--) {
		st.nr_held--;
		refill(st.held[st.nr_held].off, st.held[st.nr_held].len);
	}
}

static void handle_recv(struct io_uring_cqe *cqe)
{
	int idx = cqe->user_data & 0xffffffff;
	struct conn *c = &st.conns[idx];
	const struct io_uring_zcrx_cqe *zcqe = (const void *)(cqe + 1);
	const uint8_t *data;
	size_t bad;

	if (cqe->res == -ENOSPC) {
		/* CQ overflowed and the multishot ended: arm it again */
		st.enospc++;
		add_recvzc(idx);
		return;
	}
	if (cqe->res < 0) {
		fprintf(stderr, "zcrx_rx: conn %d: recvzc: %s\n", idx, strerror(-cqe->res));
		c->bad = true;
		c->done = true;
		st.finished++;
		return;
	}
	if (cqe->res == 0 && !(cqe->flags & IORING_CQE_F_MORE)) {
		c->done = true;
		st.finished++;
		close(c->fd);
		return;
	}
	if (!(cqe->flags & IORING_CQE_F_MORE))
		add_recvzc(idx);
	if (!cqe->res)
		return;
	data = (const uint8_t *)st.area + (zcqe->off & ~IORING_ZCRX_AREA_MASK);
	bad = zc_pattern_check(c->seed, c->got, data, cqe->res);
	if (bad != (size_t)cqe->res && !c->bad) {
		fprintf(stderr, "zcrx_rx: conn %d: wrong byte at stream offset %llu\n",
			idx, c->got + bad);
		c->bad = true;
	}
	c->got += cqe->res;
	st.zc_bytes += cqe->res;
	st.cqes++;
	if (st.starving)
		hold(zcqe->off, cqe->res);
	else
		refill(zcqe->off, cqe->res);
}

static void handle_cqe(struct io_uring_cqe *cqe, int lfd)
{
	if (cqe->user_data == UD_ACCEPT) {
		struct conn *c;

		if (cqe->res < 0)
			fail("accept", cqe->res);
		c = &st.conns[st.accepted];
		c->fd = cqe->res;
		c->seed = zc_stream_seed(cfg.seed, peer_port(c->fd));
		add_recvzc(st.accepted);
		if (++st.accepted < cfg.conns)
			add_accept(lfd);
	} else if (cqe->user_data == UD_EVENT) {
		if (cqe->res == T_ZCRX_EVENT_COPY)
			st.ev_copy++;
		else if (cqe->res == T_ZCRX_EVENT_ALLOC_FAIL)
			st.ev_alloc_fail++;
	} else if (cqe->user_data & UD_RECV) {
		handle_recv(cqe);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: zcrx_rx -i IFNAME -q QUEUE -p PORT -n BYTES [-c CONNS] [-s SEED]\n"
		"               [-a user|huge|dmabuf] [-x RX_BUF_LEN] [-r RQ_ENTRIES] [-A AREA_MB]\n"
		"               [-t SECS] [-C] [-d]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "i:q:p:n:c:s:a:x:r:A:t:CdW:")) != -1) {
		switch (c) {
		case 'i': cfg.ifname = optarg; break;
		case 'q': cfg.queue = atoi(optarg); break;
		case 'p': cfg.port = atoi(optarg); break;
		case 'n': cfg.bytes = strtoull(optarg, NULL, 0); break;
		case 'c': cfg.conns = atoi(optarg); break;
		case 's': cfg.seed = strtoull(optarg, NULL, 0); break;
		case 'a':
			if (!strcmp(optarg, "user"))
				cfg.area = AREA_USER;
			else if (!strcmp(optarg, "huge"))
				cfg.area = AREA_HUGE;
			else if (!strcmp(optarg, "dmabuf"))
				cfg.area = AREA_DMABUF;
			else
				usage();
			break;
		case 'x': cfg.rx_buf_len = strtoul(optarg, NULL, 0); break;
		case 'r': cfg.rq_entries = strtoul(optarg, NULL, 0); break;
		case 'A': cfg.area_size = strtoull(optarg, NULL, 0) << 20; break;
		case 't': cfg.timeout = atoi(optarg); break;
		case 'C': cfg.allow_copy = true; break;
		case 'd': cfg.dry_run = true; break;
		case 'W': cfg.starve_ms = atoi(optarg); st.starving = true; break;
		default: usage();
		}
	}
	if (!cfg.ifname || cfg.queue < 0 || cfg.conns < 1 || cfg.conns > MAX_CONNS)
		usage();
}

int main(int argc, char **argv)
{
	struct io_uring_params p = {};
	struct sockaddr_in6 addr = {};
	bool ok;
	double t0, deadline;
	int lfd, ret, one = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_opts(argc, argv);
	p.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
		  IORING_SETUP_CQE32 | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
	p.cq_entries = 4096;
	ret = io_uring_queue_init_params(256, &st.ring, &p);
	if (ret)
		fail("io_uring_queue_init", ret);
	ret = setup_zcrx();
	if (ret)
		return (ret == -EOPNOTSUPP || (cfg.rx_buf_len && (ret == -EINVAL || ret == -ERANGE)))
			? EXIT_SKIP : 1;
	if (cfg.dry_run)
		return 0;

	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr.sin6_family = AF_INET6;
	addr.sin6_port = htons(cfg.port);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, MAX_CONNS))
		fail("listen", errno);
	printf("listening on port %d\n", cfg.port);
	add_accept(lfd);

	t0 = now();
	deadline = t0 + cfg.timeout;
	while (st.finished < cfg.conns && now() < deadline) {
		struct __kernel_timespec ts = { .tv_sec = 1 };
		struct io_uring_cqe *cqe;
		unsigned int head, count = 0;

		io_uring_submit_and_wait_timeout(&st.ring, &cqe, 1, &ts, NULL);
		io_uring_for_each_cqe(&st.ring, head, cqe) {
			handle_cqe(cqe, lfd);
			count++;
		}
		io_uring_cq_advance(&st.ring, count);
		if (st.starving && st.ev_alloc_fail && !st.starve_until)
			st.starve_until = now() + cfg.starve_ms / 1000.0;
		if (st.starving && st.starve_until && now() >= st.starve_until) {
			printf("# starved: %zu buffers held, giving them back\n", st.nr_held);
			st.starving = false;
		}
		if (!st.starving && st.nr_held)
			release_held();
	}
	t0 = now() - t0;

	ok = st.finished == cfg.conns;
	if (!ok)
		fprintf(stderr, "zcrx_rx: %d of %d connections finished within %ds\n",
			st.finished, cfg.conns, cfg.timeout);
	for (int i = 0; i < st.accepted; i++) {
		if (st.conns[i].bad || st.conns[i].got != cfg.bytes) {
			fprintf(stderr, "zcrx_rx: conn %d: %llu of %llu bytes%s\n", i,
				st.conns[i].got, cfg.bytes, st.conns[i].bad ? ", corrupted" : "");
			ok = false;
		}
	}
	printf("result received=%llu zc_bytes=%llu cqes=%llu copy_count=%llu copy_bytes=%llu "
	       "copy_events=%u alloc_fail_events=%u enospc=%llu max_held=%llu secs=%.3f MBps=%.2f\n",
	       st.zc_bytes,
	       st.zc_bytes - (unsigned long long)st.stats->copy_bytes, st.cqes,
	       (unsigned long long)st.stats->copy_count,
	       (unsigned long long)st.stats->copy_bytes, st.ev_copy, st.ev_alloc_fail,
	       st.enospc, st.max_held_seen, t0, st.zc_bytes / t0 / 1e6);
	if (!cfg.allow_copy && (st.stats->copy_count || st.ev_copy)) {
		fprintf(stderr, "zcrx_rx: the kernel copied %llu bytes: not zero-copy\n",
			(unsigned long long)st.stats->copy_bytes);
		ok = false;
	}
	io_uring_queue_exit(&st.ring);
	return ok ? 0 : 1;
}
