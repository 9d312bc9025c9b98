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
 *           [-A AREA_MB] [-t SECS] [-C] [-d] [-W MS] [-B] [-R] [-F MS] [-D]
 *           [-2] [-E BYTES] [-N]
 *
 * -C tolerates copies (for the copy-path comparison), -d registers and
 * exits (a capability probe: exit 4 means the setup is unsupported).
 * -W starves the queue: no buffer goes back until the kernel reports
 * ZCRX_EVENT_ALLOC_FAIL, and then not for MS more milliseconds; then all
 * come back at once and the rest of the stream must still arrive.
 * Refill-queue abuse, none of which may corrupt data, leak or warn:
 * -B puts a bogus entry after every eighth good one (wrong area token,
 * offset past the area, __pad set, a duplicate, an entry for a buffer the
 * user does not own); -R runs a thread that rewrites entries after their
 * tail was published; -F MS runs a thread that flushes the refill queue
 * (ZCRX_CTRL_FLUSH_RQ) every MS ms, racing the NAPI refill; -D registers
 * over a refill region full of garbage, head and tail included.
 * A full refill queue is always flushed with ZCRX_CTRL_FLUSH_RQ before more
 * entries are written.
 * Lifecycle: -2 adds a second area with ZCRX_CTRL_ADD_AREA after
 * registering; -E exits as soon as BYTES arrived, holding every buffer and
 * leaving the connections open (teardown with buffers outstanding); -N
 * registers without a device (ZCRX_REG_NODEV: the kernel copies every byte,
 * the refill queue is flushed after each batch), for comparison.
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
#include <pthread.h>
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
	bool bogus;
	bool rewriter;
	int flush_ms;
	bool dirty;
	bool second_area;
	unsigned long long exit_after;
	bool nodev;
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
	void *areas[2];		/* CPU view of each area, by area id */
	int nr_areas;
	bool area_used[2];
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
	unsigned int zcrx_id;
	unsigned long long refills, bogus, rq_full_flushes, racer_flushes;
	unsigned long long rewrites;	/* -R: published entries overwritten */
	volatile bool stop_threads;
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
	unsigned int ifindex = cfg.nodev ? 0 : if_nametoindex(cfg.ifname);
	int ret;

	if (!cfg.nodev && !ifindex)
		fail("unknown interface", ENODEV);
	st.areas[0] = map_area(&area_reg);
	st.nr_areas = 1;
	st.rq_region_size = stats_off + page;
	st.rq_region = mmap(NULL, st.rq_region_size, PROT_READ | PROT_WRITE,
			    MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (st.rq_region == MAP_FAILED)
		fail("mmap refill region", errno);
	if (cfg.dirty)
		memset(st.rq_region, 0xa5, st.rq_region_size);
	region.user_addr = (uintptr_t)st.rq_region;
	region.size = st.rq_region_size;
	region.flags = IORING_MEM_REGION_TYPE_USER;

	ev.user_data = UD_EVENT;
	ev.type_mask = 1u << T_ZCRX_EVENT_ALLOC_FAIL | 1u << T_ZCRX_EVENT_COPY;
	ev.flags = T_ZCRX_EVENT_DESC_FLAG_STATS;
	ev.stats_offset = stats_off;

	reg.if_idx = cfg.nodev ? 0 : ifindex;
	reg.if_rxq = cfg.nodev ? 0 : cfg.queue;
	reg.flags = cfg.nodev ? T_ZCRX_REG_NODEV : 0;
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
	st.zcrx_id = reg.zcrx_id;
	if (*st.rq.khead || *st.rq.ktail) {
		printf("# refill queue head %u tail %u after registration, not 0\n",
		       *st.rq.khead, *st.rq.ktail);
		return -EBADMSG;
	}
	if (cfg.second_area) {
		struct io_uring_zcrx_area_reg area2 = {};
		struct t_zcrx_ctrl ctrl = { .zcrx_id = reg.zcrx_id, .op = T_ZCRX_CTRL_ADD_AREA };

		st.areas[1] = map_area(&area2);
		ctrl.zc_area.area_ptr = (uintptr_t)&area2;
		ret = io_uring_register_zcrx_ctrl(&st.ring, (struct zcrx_ctrl *)&ctrl);
		if (ret) {
			printf("# ZCRX_CTRL_ADD_AREA: %s\n", strerror(-ret));
			return ret;
		}
		if (area2.rq_area_token >> IORING_ZCRX_AREA_SHIFT != 1) {
			printf("# second area got token 0x%llx, not area 1\n",
			       (unsigned long long)area2.rq_area_token);
			return -EINVAL;
		}
		st.nr_areas = 2;
	}
	printf("# zcrx %s: %s queue %d, %d area(s) %s %zu MiB, rx_buf_len %u, rq %u entries\n",
	       cfg.nodev ? "registered without a device" : "bound",
	       cfg.nodev ? "-" : cfg.ifname, cfg.queue, st.nr_areas, cfg.area == AREA_USER ? "user" :
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

static int zcrx_ctrl(unsigned int op)
{
	struct t_zcrx_ctrl ctrl = { .zcrx_id = st.zcrx_id, .op = op };

	return io_uring_register_zcrx_ctrl(&st.ring, (struct zcrx_ctrl *)&ctrl);
}

/* Write one refill entry, flushing the queue first when it is full. */
static void rq_push(uint64_t off, unsigned int len, unsigned int pad)
{
	unsigned int mask = st.rq.ring_entries - 1;
	struct io_uring_zcrx_rqe *rqe;

	while (st.rq.rq_tail - io_uring_smp_load_acquire(st.rq.khead) >= st.rq.ring_entries) {
		int ret = zcrx_ctrl(T_ZCRX_CTRL_FLUSH_RQ);

		if (ret)
			fail("ZCRX_CTRL_FLUSH_RQ", ret);
		st.rq_full_flushes++;
	}
	rqe = &st.rq.rqes[st.rq.rq_tail & mask];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = pad;
	io_uring_smp_store_release(st.rq.ktail, ++st.rq.rq_tail);
}

/*
 * A refill entry the kernel must ignore. Only buffers the user owns no
 * reference to are named: entries are returned at the end of a CQE batch
 * (under DEFER_TASKRUN no CQE arrives meanwhile), and a duplicate goes right
 * after the good entry so that the kernel sees both in one pass.
 */
static void push_bogus(unsigned int kind, uint64_t good_off, unsigned int len)
{
	uint64_t niov_off = good_off & ~IORING_ZCRX_AREA_MASK;

	st.bogus++;
	switch (kind % 4) {
	case 0:		/* an area that does not exist */
		rq_push(niov_off | (7ull << IORING_ZCRX_AREA_SHIFT), len, 0);
		break;
	case 1:		/* past the end of the area */
		rq_push((cfg.area_size + niov_off) | st.area_token, len, 0);
		break;
	case 2:		/* reserved field set */
		rq_push(niov_off | st.area_token, len, 1);
		break;
	case 3:		/* the same buffer again: more than the user owns */
		rq_push(niov_off | st.area_token, len, 0);
		break;
	}
}

static void refill(uint64_t off, unsigned int len)
{
	bool bogus = cfg.bogus && ++st.refills % 8 == 0;

	/* keep a good entry and its duplicate in the same pass */
	if (bogus && st.rq.rq_tail + 2 - io_uring_smp_load_acquire(st.rq.khead) >
		     st.rq.ring_entries && zcrx_ctrl(T_ZCRX_CTRL_FLUSH_RQ) == 0)
		st.rq_full_flushes++;
	/* a CQE's offset already carries its area's token in the high bits */
	rq_push(off, len, 0);
	if (bogus)
		push_bogus(st.refills / 8, off, len);
}

/* -R: rewrite published entries behind the kernel's back. */
static void *rewriter(void *arg)
{
	unsigned int mask = st.rq.ring_entries - 1, i = 0;

	(void)arg;
	while (!st.stop_threads) {
		unsigned int tail = io_uring_smp_load_acquire(st.rq.ktail);
		struct io_uring_zcrx_rqe *rqe = &st.rq.rqes[(tail - 1 - (i++ % 4)) & mask];

		/* garbage, then a plausible entry past the area: never a buffer
		 * the user owns, which only the user may return
		 */
		__atomic_store_n(&rqe->off, zc_mix64(i), __ATOMIC_RELAXED);
		__atomic_store_n(&rqe->off, (cfg.area_size + ((uint64_t)(i % 64) << 12)) |
				 st.area_token, __ATOMIC_RELAXED);
		__atomic_fetch_add(&st.rewrites, 1, __ATOMIC_RELAXED);
		if (i % 64 == 0)
			usleep(100);
	}
	return NULL;
}

/*
 * -F: flush the refill queue from another thread, racing NAPI's refill.
 * The ring is single-issuer, so the thread gets its own ring and reaches
 * the instance through ZCRX_CTRL_EXPORT and ZCRX_REG_IMPORT.
 */
static void *flusher(void *arg)
{
	struct t_zcrx_ifq_reg reg = { .flags = T_ZCRX_REG_IMPORT };
	struct t_zcrx_ctrl ctrl = { .op = T_ZCRX_CTRL_FLUSH_RQ };
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(8, &ring, IORING_SETUP_DEFER_TASKRUN |
				  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32);
	if (ret)
		fail("flusher ring", ret);
	reg.if_idx = (uintptr_t)arg;		/* the exported instance's fd */
	ret = io_uring_register_ifq(&ring, (struct io_uring_zcrx_ifq_reg *)&reg);
	if (ret)
		fail("ZCRX_REG_IMPORT", ret);
	ctrl.zcrx_id = reg.zcrx_id;
	while (!st.stop_threads) {
		ret = io_uring_register_zcrx_ctrl(&ring, (struct zcrx_ctrl *)&ctrl);
		if (ret)
			fail("ZCRX_CTRL_FLUSH_RQ from the importing ring", ret);
		__atomic_add_fetch(&st.racer_flushes, 1, __ATOMIC_RELAXED);
		usleep(cfg.flush_ms * 1000);
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

static int zcrx_export(void)
{
	struct t_zcrx_ctrl ctrl = { .zcrx_id = st.zcrx_id, .op = T_ZCRX_CTRL_EXPORT };
	int ret = io_uring_register_zcrx_ctrl(&st.ring, (struct zcrx_ctrl *)&ctrl);

	if (ret < 0)
		fail("ZCRX_CTRL_EXPORT", ret);
	return ctrl.zc_export.zcrx_fd ? (int)ctrl.zc_export.zcrx_fd : ret;
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

/* Give every held buffer back through the refill queue. */
static void release_held(void)
{
	size_t i;

	for (i = 0; i < st.nr_held; i++)
		refill(st.held[i].off, st.held[i].len);
	st.nr_held = 0;
}

static void handle_recv(struct io_uring_cqe *cqe)
{
	int idx = cqe->user_data & 0xffffffff;
	struct conn *c = &st.conns[idx];
	const struct io_uring_zcrx_cqe *zcqe = (const void *)(cqe + 1);
	const uint8_t *data;
	uint64_t area;
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
	area = zcqe->off >> IORING_ZCRX_AREA_SHIFT;
	if (area >= (uint64_t)st.nr_areas ||
	    (zcqe->off & ~IORING_ZCRX_AREA_MASK) + cqe->res > cfg.area_size) {
		fprintf(stderr, "zcrx_rx: conn %d: CQE points outside the areas: 0x%llx+%d\n",
			idx, (unsigned long long)zcqe->off, cqe->res);
		exit(1);
	}
	st.area_used[area] = true;
	data = (const uint8_t *)st.areas[area] + (zcqe->off & ~IORING_ZCRX_AREA_MASK);
	bad = zc_pattern_check(c->seed, c->got, data, cqe->res);
	if (bad != (size_t)cqe->res && !c->bad) {
		fprintf(stderr, "zcrx_rx: conn %d: wrong byte at stream offset %llu\n",
			idx, c->got + bad);
		c->bad = true;
	}
	c->got += cqe->res;
	st.zc_bytes += cqe->res;
	st.cqes++;
	/* given back after the batch, or after the starvation */
	hold(zcqe->off, cqe->res);
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

	while ((c = getopt(argc, argv, "i:q:p:n:c:s:a:x:r:A:t:CdW:BRF:D2E:N")) != -1) {
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
		case 'B': cfg.bogus = true; break;
		case 'R': cfg.rewriter = true; break;
		case 'F': cfg.flush_ms = atoi(optarg); break;
		case 'D': cfg.dirty = true; break;
		case '2': cfg.second_area = true; break;
		case 'E': cfg.exit_after = strtoull(optarg, NULL, 0); break;
		case 'N': cfg.nodev = true; cfg.allow_copy = true; break;
		default: usage();
		}
	}
	if ((!cfg.nodev && (!cfg.ifname || cfg.queue < 0)) || cfg.conns < 1 ||
	    cfg.conns > MAX_CONNS)
		usage();
}

int main(int argc, char **argv)
{
	pthread_t rewriter_thread, flusher_thread;
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
	if (cfg.rewriter)
		pthread_create(&rewriter_thread, NULL, rewriter, NULL);
	if (cfg.flush_ms)
		pthread_create(&flusher_thread, NULL, flusher,
			       (void *)(uintptr_t)zcrx_export());

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
		if (cfg.exit_after && st.zc_bytes >= cfg.exit_after) {
			printf("# exiting with %zu buffers held and connections open after %llu bytes\n",
			       st.nr_held, st.zc_bytes);
			fflush(stdout);
			_exit(0);
		}
		if (!st.starving && !cfg.exit_after && st.nr_held)
			release_held();
		/* without a device nobody else consumes the refill queue */
		if (cfg.nodev && zcrx_ctrl(T_ZCRX_CTRL_FLUSH_RQ) == 0)
			st.rq_full_flushes++;
	}
	t0 = now() - t0;
	st.stop_threads = true;
	if (cfg.rewriter)
		pthread_join(rewriter_thread, NULL);
	if (cfg.flush_ms)
		pthread_join(flusher_thread, NULL);

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
	       "copy_events=%u alloc_fail_events=%u enospc=%llu max_held=%llu bogus=%llu "
	       "rq_full_flushes=%llu racer_flushes=%llu rewrites=%llu secs=%.3f MBps=%.2f\n",
	       st.zc_bytes,
	       st.zc_bytes - (unsigned long long)st.stats->copy_bytes, st.cqes,
	       (unsigned long long)st.stats->copy_count,
	       (unsigned long long)st.stats->copy_bytes, st.ev_copy, st.ev_alloc_fail,
	       st.enospc, st.max_held_seen, st.bogus, st.rq_full_flushes, st.racer_flushes,
	       st.rewrites, t0, st.zc_bytes / t0 / 1e6);
	if (cfg.second_area)
		printf("# data arrived in area 0: %s, area 1: %s\n",
		       st.area_used[0] ? "yes" : "no", st.area_used[1] ? "yes" : "no");
	if (!cfg.allow_copy && (st.stats->copy_count || st.ev_copy)) {
		fprintf(stderr, "zcrx_rx: the kernel copied %llu bytes: not zero-copy\n",
			(unsigned long long)st.stats->copy_bytes);
		ok = false;
	}
	io_uring_queue_exit(&st.ring);
	return ok ? 0 : 1;
}
