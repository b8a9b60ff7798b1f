// SPDX-License-Identifier: GPL-2.0
/*
 * bomgated: verify a signed policy, load it into the kernel and report
 * every decision. This file is the entry point; each phase is a helper.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "engine.h"
#include "engine_pin.h"
#include "exitcode.h"
#include "kcheck.h"
#include "log.h"
#include "policy.h"
#include "token.h"

volatile sig_atomic_t daemon_stop, daemon_reload;

#define EP_LISTEN	MAX_CLIENTS
#define EP_RINGBUF	(MAX_CLIENTS + 1)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bomgated --check [--json]\n"
		"       bomgated [--config FILE] --policy POLICY.bgp --trust CERT.pem [OPTIONS]\n"
		"       bomgated --guard-list [--guard PATH...]\n\n"
		"Every OPTION is also a 'key = value' line of the configuration file\n"
		"(default " DCONF_DEFAULT_PATH "); the command line wins.\n\n"
		"  --check               check that this kernel can run bomgate and exit\n"
		"  --json                with --check: machine-readable output\n"
		"  -c, --config FILE     configuration file\n"
		"  --policy FILE         compiled policy (.bgp)\n"
		"  --signature FILE      its detached signature (default POLICY.sig)\n"
		"  --trust CERT          trusted signer certificate, PEM (repeatable)\n"
		"  --min-signers N       distinct trusted signers required (default 1)\n"
		"  --mode M              audit|enforce|off for every class, or 'policy'\n"
		"                        (default: the modes compiled into the policy)\n"
		"  --insecure-unsigned   load a policy without checking any signature\n"
		"  --allow-rollback      accept a policy version older than the one in force\n"
		"  --guard PATH          must stay allowed before enforcing (repeatable)\n"
		"  --force               enforce even when the lock-out guard objects\n"
		"  --guard-list          print what the lock-out guard checks and exit\n"
		"  --pin-dir DIR         bpffs pins (default " DCONF_DEFAULT_PIN_DIR ")\n"
		"  --socket PATH         control socket (default " DCONF_DEFAULT_SOCKET ")\n"
		"  --socket-group G      group allowed on the control socket (default root only)\n"
		"  --events-file FILE    JSON lines, rotated by size\n"
		"  --events-max-size N   rotate above N bytes (k, M, G; default 10M)\n"
		"  --events-keep N       rotated files kept (default 5)\n"
		"  --events-stdout[=yes] JSON lines on stdout\n"
		"  --events-syslog=no    not to syslog (default yes)\n"
		"  --events-journal=no   not as native journal entries (default yes\n"
		"                        when journald runs; then not to syslog)\n"
		"  --events-audit=no     denials not as audit records (default yes)\n"
		"  --coalesce SECS       fold identical denials for SECS (default 10, 0: off)\n"
		"  --emit-allowed[=yes]  report allowed decisions too\n"
		"  --coverage=no         no per-digest counts in the kernel\n"
		"                        (bomgate coverage; default yes)\n"
		"  --coverage-max N      digest-hook pairs counted (default 16384)\n"
		"  --max-measure-size N  files above N are denied unhashed (default 512M)\n"
		"  --metrics FILE        Prometheus text file, rewritten every 10 s\n"
		"  --state-dir DIR       keep the last known good policy here; a start\n"
		"                        whose policy is refused enforces it instead\n"
		"  --apt-lists DIR       trust-apt: apt's lists (default /var/lib/apt/lists)\n"
		"  --dpkg-status FILE    trust-apt: dpkg's status (default /var/lib/dpkg/status)\n"
		"  --scope-cgroup PATH   TESTING AID: gate only this cgroup v2\n"
		"  --seccomp=no          no seccomp filter (debugging)\n"
		"  --test-seccomp[=yes]  TESTING AID: accept the 'test-seccomp' request\n"
		"  -v, --verbose         debug logging (includes libbpf's messages)\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n\n"
		"Exit: 0 stopped (enforcement stays pinned) or disabled, 1 kernel cannot\n"
		"run bomgate, 2 usage, 3 bad policy, 4 signature/rollback refused, 5 I/O,\n"
		"6 kernel refused, 7 internal, 8 sealed by a reload: start again (systemd\n"
		"does). See docs/daemon.md.\n");
}

static int run_check(int json)
{
	struct kcheck_report r;
	int missing = kcheck_run(&r, NULL);

	if (json)
		kcheck_print_json(&r, stdout);
	else
		kcheck_print(&r, stdout);
	return missing ? BG_EXIT_FAIL : BG_EXIT_OK;
}

struct args {
	int check, json, guard_list;
	const char *config;
};

static int parse_args(int argc, char **argv, struct daemon_conf *c,
		      struct args *a)
{
	static struct option opts[DCONF_MAX_KEYS + 8];
	const char *key;
	char err[256];
	int i, ch, idx, ret, is_bool, nr_keys;

	/* every setting of the file is an option: --key[=value] */
	for (i = 0; (key = daemon_conf__key(i, &is_bool)); i++)
		opts[i] = (struct option){ key, is_bool ? optional_argument :
						     required_argument,
					   NULL, 1000 + i };
	nr_keys = i;
	opts[i++] = (struct option){ "config", required_argument, NULL, 'c' };
	opts[i++] = (struct option){ "check", no_argument, NULL, 'C' };
	opts[i++] = (struct option){ "json", no_argument, NULL, 'j' };
	opts[i++] = (struct option){ "guard-list", no_argument, NULL, 'G' };
	opts[i++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	opts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	opts[i] = (struct option){ NULL, 0, NULL, 0 };

	/* pass 1: the configuration file, so the command line can win */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:vhV", opts, &idx)) != -1)
		if (ch == 'c')
			a->config = optarg;
	if (a->config || !access(DCONF_DEFAULT_PATH, F_OK)) {
		ret = daemon_conf__parse_file(c, a->config ? a->config :
					      DCONF_DEFAULT_PATH, err,
					      sizeof(err));
		if (ret) {
			fprintf(stderr, "bomgated: %s\n", err);
			return BG_EXIT_USAGE;
		}
	}
	opterr = 1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:vhV", opts, &idx)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 'C':
			a->check = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'G':
			a->guard_list = 1;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("bomgated %s\n", BOMGATE_VERSION);
			return -1;
		default:
			if (ch < 1000 || ch >= 1000 + nr_keys) {
				usage(stderr);
				return BG_EXIT_USAGE;
			}
			if (daemon_conf__set(c, opts[ch - 1000].name, optarg, 1,
					     err, sizeof(err))) {
				fprintf(stderr, "bomgated: --%s\n", err);
				return BG_EXIT_USAGE;
			}
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bomgated: unexpected argument '%s'\n", argv[optind]);
		return BG_EXIT_USAGE;
	}
	return 0;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		daemon_reload = 1;
	else
		daemon_stop = 1;
}

static void signals_setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int exit_code(int err)
{
	switch (err) {
	case -EKEYREJECTED:
	case -ESTALE:
		return BG_EXIT_VERIFY;
	case -EINVAL:
	case -EFBIG:
		return BG_EXIT_INPUT;
	case -ENOMEM:
		return BG_EXIT_INTERNAL;
	case -ENOENT:
	case -EACCES:
	case -EIO:
		return BG_EXIT_IO;
	}
	return BG_EXIT_KERNEL;
}

static int kernel_ok(const char *pin_dir)
{
	struct kcheck_report r;
	int missing = kcheck_run(&r, pin_dir);

	for (int i = 0; i < r.n; i++)
		if (r.item[i].status == KCHECK_MISSING)
			pr_err("kernel %s: %s missing: %s; fix: %s", r.release,
			       r.item[i].name, r.item[i].detail, r.item[i].fix);
	return !missing;
}

/* Load or resume the engine, then the policy. */
static int start_engine(struct daemon *d)
{
	struct daemon_conf *c = d->conf;
	struct engine_opts o = {};
	char err[1024];
	struct stat st;
	int ret;

	if (c->scope_cgroup) {
		if (stat(c->scope_cgroup, &st)) {
			pr_err("scope-cgroup %s: %s", c->scope_cgroup,
			       strerror(errno));
			return -ENOENT;
		}
		o.scope_cgroup = st.st_ino;
		pr_warn("TESTING AID: only cgroup %s (id %llu) is gated",
			c->scope_cgroup, (unsigned long long)o.scope_cgroup);
	}
	o.flags = (c->emit_allowed ? BG_CFG_EMIT_ALLOWED : 0) |
		  (c->coverage ? BG_CFG_COVERAGE : 0);
	o.cover_max = c->coverage_max;
	o.max_measure_mib = (c->max_measure_bytes + (1 << 20) - 1) >> 20;
	d->e = engine__open_pinned(&o, c->pin_dir, &d->resumed, err,
				   sizeof(err));
	if (!d->e) {
		ret = -errno;
		pr_err("%s", err);
		return ret ? ret : -EIO;
	}
	if (d->resumed) {
		struct bg_config kc;

		ret = engine__generation(d->e, &d->generation);
		if (!ret && !engine__get_config(d->e, &kc) &&
		    kc.scope_cgroup != o.scope_cgroup &&
		    seal_refuse(d, "changing the scope cgroup", err,
				sizeof(err))) {
			pr_err("%s", err);
			return -EPERM;
		}
		if (!ret)
			ret = engine__set_opts(d->e, &o);
		if (ret) {
			pr_err("cannot resume the pinned state in %s: %s",
			       c->pin_dir, strerror(-ret));
			return ret;
		}
		pr_info("resumed the enforcement pinned in %s (policy version %llu in force)",
			c->pin_dir,
			(unsigned long long)GEN_VERSION(d->generation));
	} else {
		ret = engine__attach(d->e, err, sizeof(err));
		if (!ret)
			ret = engine__pin_links(d->e, c->pin_dir, err,
						sizeof(err));
		if (ret) {
			pr_err("%s", err);
			goto unpin;
		}
		if (*engine__left_out(d->e))
			pr_warn("not gated on this kernel: %s",
				engine__left_out(d->e));
	}
	ret = daemon_policy_apply(d, 0, err, sizeof(err));
	if (!ret)
		return 0;
	pr_err("policy refused: %s", err);
	if (d->resumed) {
		pr_err("the policy pinned in %s stays in force", c->pin_dir);
		return ret;
	}
	/* a boot whose policy does not verify: the one that last did */
	if (!daemon_policy_fallback(d, err))
		return 0;
	if (c->state_dir)
		pr_err("no last known good policy in %s: nothing is enforced",
		       c->state_dir);
unpin:
	/* nothing was enforced yet: leave nothing behind */
	engine_pin_remove(c->pin_dir);
	return ret;
}

static int start_io(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = EP_RINGBUF };
	char err[512];
	int ret;

	ret = evout_open(&d->ev, d->conf);
	if (ret) {
		pr_err("%s: %s", d->conf->events_file, strerror(-ret));
		return ret;
	}
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return -errno;
	ret = engine__set_event_cb(d->e, daemon_on_event, d);
	if (ret || epoll_ctl(d->epfd, EPOLL_CTL_ADD, engine__events_fd(d->e),
			     &ev)) {
		pr_err("cannot consume the ring buffer: %s", strerror(errno));
		return ret ? ret : -errno;
	}
	/* a flood of events must not starve the control socket */
	engine__set_poll_budget(d->e, 64);
	ret = server_open(d, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		return ret;
	}
	d->ev.publish = server_publish;
	d->ev.publish_ctx = d;
	return 0;
}

static int confine(struct daemon *d)
{
	char err[256];
	int ret;

	libbpf_num_possible_cpus();	/* cached: reads sysfs once */
	ret = privs_drop(err, sizeof(err));
	if (!ret && d->conf->seccomp)
		ret = privs_seccomp(d->conf->test_seccomp, err, sizeof(err));
	if (ret)
		pr_err("cannot drop privileges: %s", err);
	return ret;
}

/*
 * systemd (Type=notify): READY=1 once the policy is in force, a STATUS
 * line saying what is enforced, RELOADING=1 around a reload, and
 * WATCHDOG=1 keep-alives at half WatchdogSec. Nothing without
 * $NOTIFY_SOCKET.
 */
void daemon_notify_status(struct daemon *d, const char *state)
{
	struct engine_modes m = {};
	char modes[128] = "";
	size_t l = 0;

	engine__get_modes(d->e, &m);
	for (int i = 0; i < BG_CLASS_MAX && l < sizeof(modes); i++)
		l += snprintf(modes + l, sizeof(modes) - l, "%s%s=%s", i ? " " : "",
			      bg_class_name(i), bg_mode_name(m.mode[i]));
	sd_notifyf(0, "%s\nSTATUS=policy '%s' version %llu: %s%s%s", state,
		   d->pol ? policy__name(d->pol) : "",
		   d->pol ? (unsigned long long)policy__version(d->pol) : 0ULL,
		   modes, d->seal.sealed ? ", sealed" : "",
		   d->fallback ? " (LAST KNOWN GOOD: the configured policy was refused)" : "");
}

static void loop(struct daemon *d)
{
	struct epoll_event evs[8];
	time_t last_tick = 0, last_metrics = 0, last_dog = 0;
	uint64_t dog_usec = 0;
	char err[1024];

	if (sd_watchdog_enabled(0, &dog_usec) <= 0)
		dog_usec = 0;
	daemon_notify_status(d, "READY=1");

	/* a reload that sealed ends the loop: the kernel marks the sealed
	 * daemon at exec, and the sandbox (seccomp) allows no exec */
	while (!daemon_stop && !d->seal_reexec) {
		int n = epoll_wait(d->epfd, evs, 8, 1000);
		time_t now;

		for (int i = 0; i < n; i++) {
			__u32 k = evs[i].data.u32;

			if (k == EP_RINGBUF)
				engine__poll(d->e, 0);
			else if (k == EP_LISTEN)
				server_accept(d);
			else if (k < MAX_CLIENTS && d->cl[k].fd >= 0)
				server_client(d, k);
		}
		if (daemon_reload) {
			daemon_reload = 0;
			sd_notify(0, "RELOADING=1");
			if (daemon_policy_apply(d, 1, err, sizeof(err))) {
				pr_err("reload (SIGHUP) refused; the policy in force is unchanged: %s",
				       err);
				daemon_note(d, "reload", 0, err);
			} else {
				daemon_note(d, "reload", 1, "SIGHUP");
			}
			daemon_notify_status(d, "READY=1");
		}
		now = time(NULL);
		if (now != last_tick) {
			last_tick = now;
			engine__poll(d->e, 0);
			daemon_event_tick(d);
			daemon_scopes_refresh(d);
			kstate_check(d);
		}
		if (dog_usec && (uint64_t)(now - last_dog) * 2000000 >= dog_usec) {
			last_dog = now;
			sd_notify(0, "WATCHDOG=1");
		}
		if (d->conf->metrics_file && now - last_metrics >= 10) {
			last_metrics = now;
			metrics_write(d);
		}
	}
}

static char **saved_argv;

/*
 * The kernel marks a sealed daemon when it is exec'd: a daemon started
 * before its policy sealed starts itself again (same pid, same options),
 * resumes the pinned enforcement and completes the seal. Once only.
 */
static void seal_reexec(struct daemon *d)
{
	if (getenv("BOMGATED_SEAL_REEXEC")) {
		pr_err("seal: NOT sealed: this bomgated is not one of the daemon digests the policy names (sha256sum /proc/%d/exe); enforcement goes on unsealed",
		       getpid());
		daemon_note(d, "seal", 0, "daemon digest not listed");
		d->seal_reexec = 0;
		return;
	}
	pr_info("seal: starting again to be marked as the sealed daemon");
	setenv("BOMGATED_SEAL_REEXEC", "1", 1);
	engine__destroy(d->e);	/* pinned: enforcement stays */
	d->e = NULL;
	execv("/proc/self/exe", saved_argv);
	pr_err("seal: cannot start again: %s", strerror(errno));
	exit(BG_EXIT_FAIL);
}

/* Step-down tokens are bound to /etc/machine-id (token.h). */
static void machine_id(struct daemon *d)
{
	__u8 id[TOKEN_ID_LEN];
	int ret = token_machine_id(NULL, id);

	if (ret) {
		pr_warn("no usable /etc/machine-id (%s): step-down tokens will be refused",
			strerror(-ret));
		return;
	}
	token_hex(id, d->machine_id);
}

static int run(struct daemon_conf *c)
{
	static struct daemon d;
	int ret;

	d.conf = c;
	d.lsock = d.epfd = -1;
	d.started = time(NULL);
	machine_id(&d);
	if (!kernel_ok(c->pin_dir)) {
		pr_err("this kernel cannot run bomgate (see above; 'bomgated --check' explains)");
		return BG_EXIT_FAIL;
	}
	signals_setup();
	ret = start_engine(&d);
	if (ret)
		goto out;
	if (d.seal_reexec)
		seal_reexec(&d);	/* returns only if it cannot */
	ret = start_io(&d);
	if (ret)
		goto out;
	if (c->metrics_file)
		metrics_write(&d);
	ret = confine(&d);
	if (ret)
		goto out;
	daemon_note(&d, d.resumed ? "resume" : "start", 1, d.policy_path);
	if (d.fallback)
		daemon_note(&d, "policy-fallback", 0, d.fallback_why);
	loop(&d);
	if (d.seal_reexec) {
		pr_warn("seal: the policy in force seals this system and names this bomgated build, which must start again to be marked (the kernel marks a sealed daemon at exec): exiting %d for systemd to restart it; enforcement stays pinned meanwhile (without systemd, start bomgated again)",
			BG_EXIT_RESTART);
		daemon_note(&d, "seal", 0, "restarting to be marked as the sealed daemon");
		ret = 0;
	}
	if (!d.disabled) {
		engine__poll(d.e, 0);
		kstate_check(&d);
		int pins = engine_pin_count(c->pin_dir);

		if (pins > 0 && (!d.kstate_known || pins >= d.kpins))
			pr_info("stopping; enforcement stays in force (pinned in %s; 'bomgate disable' ends it)",
				c->pin_dir);
		else
			pr_err("stopping, and pins in %s were removed (%d of %d link pins left): enforcement of those hooks ENDS now (restart bomgated to enforce again)",
			       c->pin_dir, pins, d.kpins);
	}
out:
	server_close(&d);
	evout_close(&d.ev);
	if (d.epfd >= 0)
		close(d.epfd);
	engine__destroy(d.e);	/* closes fds; pinned links stay attached */
	if (d.prev_pol != d.pol)
		policy__free(d.prev_pol);
	policy__free(d.pol);
	apt_stage_free(&d.stage);
	if (!ret && d.seal_reexec)
		return BG_EXIT_RESTART;
	return ret ? exit_code(ret) : BG_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct daemon_conf c;
	struct args a = {};
	char err[512];
	int ret;

	saved_argv = argv;
	log_init("bomgated", 1);
	log_setup_libbpf();
	daemon_conf__init(&c);
	ret = parse_args(argc, argv, &c, &a);
	if (ret)
		goto out;
	if (a.check) {
		ret = run_check(a.json);
		goto out;
	}
	if (a.guard_list) {
		ret = guard_list(&c, stdout) ? BG_EXIT_IO : BG_EXIT_OK;
		goto out;
	}
	if (daemon_conf__check(&c, err, sizeof(err))) {
		fprintf(stderr, "bomgated: %s\n", err);
		ret = BG_EXIT_USAGE;
		goto out;
	}
	if (!c.pin_dir)
		c.pin_dir = strdup(DCONF_DEFAULT_PIN_DIR);
	if (!c.socket)
		c.socket = strdup(DCONF_DEFAULT_SOCKET);
	if (!c.pin_dir || !c.socket) {
		ret = BG_EXIT_INTERNAL;
		goto out;
	}
	ret = run(&c);
out:
	daemon_conf__free(&c);
	return ret < 0 ? BG_EXIT_OK : ret;
}
