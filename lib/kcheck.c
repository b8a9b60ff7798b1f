// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel requirement checks for 'bomgated --check' and 'bomgate doctor'.
 * Probe programs are loaded but never attached: nothing on the machine
 * changes behaviour because of a check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/libbpf.h>

#include "daemon_conf.h"
#include "engine_pin.h"
#include "json.h"
#include "kcheck.h"
#include "probe.skel.h"

#define BPF_FS_MAGIC 0xcafe4a11
#define SECURITYFS_MAGIC 0x73636673

/* Is securityfs mounted where the LSM files are? Without it, a missing
 * file says nothing about the kernel. */
static int securityfs_mounted(void)
{
	struct statfs sfs;

	return !statfs("/sys/kernel/security", &sfs) &&
	       sfs.f_type == SECURITYFS_MAGIC;
}

static struct kcheck_item *init_item(struct kcheck_item *it, const char *name)
{
	it->name = name;
	it->status = KCHECK_OK;
	it->detail[0] = it->fix[0] = '\0';
	return it;
}

static struct kcheck_item *item(struct kcheck_report *r, const char *name)
{
	return init_item(&r->item[r->n++], name);
}

static struct kcheck_item *seal_item(struct kcheck_report *r,
				     const char *name)
{
	return init_item(&r->seal[r->nr_seal++], name);
}

static __attribute__((format(printf, 3, 4)))
void set(struct kcheck_item *it, enum kcheck_status s, const char *fmt, ...)
{
	va_list ap;

	it->status = s;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

static __attribute__((format(printf, 2, 3)))
void fix(struct kcheck_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->fix, sizeof(it->fix), fmt, ap);
	va_end(ap);
}

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Value of CONFIG_@name ("y", "m", "n", or a string without its quotes)
 * from /boot/config-* or /proc/config.gz; "?" when neither is readable. */
static const char *kconfig(const char *release, const char *name)
{
	static char val[512];
	char path[256], line[512], key[80];
	gzFile gz;
	size_t klen;

	snprintf(key, sizeof(key), "CONFIG_%s=", name);
	klen = strlen(key);
	snprintf(path, sizeof(path), "/boot/config-%s", release);
	gz = gzopen(path, "rb");
	if (!gz)
		gz = gzopen("/proc/config.gz", "rb");
	if (!gz)
		return "?";
	strcpy(val, "n");
	while (gzgets(gz, line, sizeof(line))) {
		if (!strncmp(line, key, klen)) {
			char *v = line + klen;

			v[strcspn(v, "\n")] = '\0';
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = '\0';
			}
			snprintf(val, sizeof(val), "%s", v);
			break;
		}
	}
	gzclose(gz);
	return val;
}

/* The lsm= parameter's list, or NULL. */
static const char *cmdline_lsm(char *buf, size_t len)
{
	char *p, *e;

	if (read_small("/proc/cmdline", buf, len))
		return NULL;
	for (p = buf; (p = strstr(p, "lsm=")); p += 4) {
		if (p == buf || p[-1] == ' ') {
			e = p + 4 + strcspn(p + 4, " ");
			*e = '\0';
			return p + 4;
		}
	}
	return NULL;
}

/* Without /sys/kernel/security/lsm: what the kernel was built with
 * (CONFIG_BPF_LSM, the CONFIG_LSM default order) and booted with (lsm=)
 * tell whether bpf is probably active; only the file can confirm it. */
static void lsm_from_config(struct kcheck_report *r, struct kcheck_item *it,
			    int err)
{
	char cmdline[4096], order[512], bpf_lsm[8];
	const char *list = cmdline_lsm(cmdline, sizeof(cmdline));
	const char *from = "lsm=";

	/* kconfig() returns a static buffer */
	snprintf(bpf_lsm, sizeof(bpf_lsm), "%s", kconfig(r->release, "BPF_LSM"));
	if (!list) {
		snprintf(order, sizeof(order), "%s", kconfig(r->release, "LSM"));
		list = order;
		from = "CONFIG_LSM";
	}
	fix(it, "mount securityfs to confirm: mount -t securityfs securityfs "
	    "/sys/kernel/security");
	if (!strcmp(bpf_lsm, "?")) {
		set(it, KCHECK_MISSING, "cannot read /sys/kernel/security/lsm (%s%s) "
		    "and no kernel configuration to tell", strerror(-err),
		    securityfs_mounted() ? "" : ": securityfs is not mounted");
		return;
	}
	if (strcmp(bpf_lsm, "y")) {
		set(it, KCHECK_MISSING, "the kernel lacks CONFIG_BPF_LSM=y");
		fix(it, "use a kernel built with it (Debian's 6.1+ kernels are)");
		return;
	}
	if (!strstr(list, "bpf")) {
		set(it, KCHECK_MISSING, "CONFIG_BPF_LSM=y but bpf is not in %s (%s)",
		    from, list);
		fix(it, "boot with lsm=%s,bpf (GRUB_CMDLINE_LINUX in "
		    "/etc/default/grub, then update-grub and reboot)", list);
		return;
	}
	set(it, KCHECK_WARN, "cannot read /sys/kernel/security/lsm (%s%s); "
	    "CONFIG_BPF_LSM=y and bpf in %s (%s): probably active",
	    strerror(-err), securityfs_mounted() ? "" :
	    ": securityfs is not mounted", from, list);
}

static void check_lsm_list(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "BPF LSM active");
	char buf[512], cmdline[4096];
	int ret;

	ret = read_small("/sys/kernel/security/lsm", buf, sizeof(buf));
	if (ret) {
		lsm_from_config(r, it, ret);
		return;
	}
	if (strstr(buf, "bpf")) {
		set(it, KCHECK_OK, "active LSMs: %s", buf);
		return;
	}
	set(it, KCHECK_MISSING, "'bpf' is not in the active LSM list (%s)", buf);
	if (!strcmp(kconfig(r->release, "BPF_LSM"), "n"))
		fix(it, "the kernel lacks CONFIG_BPF_LSM=y: use a kernel built "
		    "with it (Debian's 6.1+ kernels are)");
	else if (!read_small("/proc/cmdline", cmdline, sizeof(cmdline)) &&
		 strstr(cmdline, "lsm="))
		fix(it, "add bpf to the lsm= kernel parameter, e.g. lsm=%s,bpf "
		    "(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub "
		    "and reboot)", buf);
	else
		fix(it, "boot with lsm=%s,bpf (GRUB_CMDLINE_LINUX in "
		    "/etc/default/grub, then update-grub and reboot)", buf);
}

static void check_btf(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "kernel BTF");
	struct stat st;

	if (!stat("/sys/kernel/btf/vmlinux", &st)) {
		set(it, KCHECK_OK, "/sys/kernel/btf/vmlinux (%lld bytes)",
		    (long long)st.st_size);
		return;
	}
	set(it, KCHECK_MISSING, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
	fix(it, "use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

static void check_ima(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "IMA (file hashing)");
	const char *cfg = kconfig(r->release, "IMA");
	struct stat st;

	if (!stat("/sys/kernel/security/ima", &st) || !strcmp(cfg, "y")) {
		set(it, KCHECK_OK, "IMA built in%s",
		    stat("/sys/kernel/security/ima", &st) ? "" :
		    " (/sys/kernel/security/ima)");
		return;
	}
	set(it, KCHECK_MISSING, "IMA is not built in (CONFIG_IMA=%s): "
	    "bpf_ima_file_hash cannot measure files", cfg);
	fix(it, "use a kernel built with CONFIG_IMA=y");
}

static void check_priv(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "privileges");

	if (geteuid() == 0) {
		set(it, KCHECK_OK, "running as root");
		return;
	}
	set(it, KCHECK_MISSING, "not root (uid %u): loading BPF LSM programs "
	    "needs CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN", geteuid());
	fix(it, "run as root");
}

static void check_bpffs(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "bpffs");
	struct statfs sfs;

	if (!statfs("/sys/fs/bpf", &sfs) && sfs.f_type == BPF_FS_MAGIC) {
		set(it, KCHECK_OK, "mounted at /sys/fs/bpf");
		return;
	}
	set(it, KCHECK_WARN, "no bpffs at /sys/fs/bpf: enforcement cannot be "
	    "pinned to outlive the daemon");
	fix(it, "mount -t bpf bpf /sys/fs/bpf");
}

static void check_maps(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "BPF map types");

	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1 &&
	    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_INODE_STORAGE, NULL) == 1 &&
	    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL) == 1) {
		set(it, KCHECK_OK, "ring buffer, inode storage, array of maps");
		return;
	}
	if (geteuid() != 0) {
		set(it, KCHECK_WARN, "not checked: creating BPF maps needs root");
		fix(it, "run bomgate doctor as root");
		return;
	}
	set(it, KCHECK_MISSING, "ring buffer, inode storage or array-of-maps "
	    "maps are unavailable");
	fix(it, "use Linux 6.1 or later with CONFIG_BPF_SYSCALL=y");
}

/* Load the probe programs one at a time, so each failure is attributed. */
static void check_programs(struct kcheck_report *r, const char *pin_dir)
{
	struct kcheck_item *lsm = item(r, "BPF LSM programs load");
	struct kcheck_item *ima = item(r, "sleepable LSM + ima hash");
	struct probe_bpf *skel;
	int ret;

	skel = probe_bpf__open();
	if (!skel) {
		set(lsm, KCHECK_MISSING, "cannot open the probe object: %s",
		    strerror(errno));
		set(ima, KCHECK_MISSING, "not probed");
		return;
	}
	bpf_program__set_autoload(skel->progs.probe_ima_hash, false);
	ret = probe_bpf__load(skel);
	probe_bpf__destroy(skel);
	if (ret == -EPERM && geteuid() != 0) {
		/* our privileges, not the kernel's answer */
		set(lsm, KCHECK_WARN, "not checked: loading BPF programs needs "
		    "root (EPERM as uid %u)", geteuid());
		fix(lsm, "run bomgate doctor as root");
		set(ima, KCHECK_WARN, "not checked: needs root");
		fix(ima, "run bomgate doctor as root");
		return;
	}
	if (ret) {
		/* sealed, its pins cannot even be listed by other tasks */
		int pins = engine_pin_count(pin_dir);

		set(lsm, KCHECK_MISSING, "the kernel refused an lsm/ program: %s",
		    strerror(-ret));
		if (ret == -EPERM && (pins > 0 || pins == -EPERM ||
				      pins == -EACCES))
			/* a sealed bomgate refuses BPF loads of other tasks */
			fix(lsm, "bomgate is pinned in %s"
			    ": if it is sealed ('bomgate status' says so), "
			    "only the genuine bomgated may load BPF programs "
			    "and this refusal is the seal working (a tamper "
			    "event names this process); otherwise BPF "
			    "trampolines are unavailable on this kernel "
			    "(CONFIG_BPF_JIT=y, CONFIG_BPF_LSM=y)", pin_dir);
		else if (ret == -EPERM)
			fix(lsm, "BPF trampolines are unavailable on this kernel or "
			    "hypervisor (EPERM for root before verification): "
			    "needs CONFIG_BPF_JIT=y, CONFIG_BPF_LSM=y and an x86-64 "
			    "or arm64 host whose kernel supports BPF trampolines "
			    "(fentry); 'bpftool feature probe kernel' should list "
			    "program_type lsm as available");
		else
			fix(lsm, "see the checks above; run with --verbose for "
			    "the verifier log");
		set(ima, KCHECK_MISSING, "not probed: lsm/ programs do not load");
		return;
	}
	set(lsm, KCHECK_OK, "lsm/ programs load");

	skel = probe_bpf__open();
	if (!skel) {
		set(ima, KCHECK_MISSING, "cannot open the probe object: %s",
		    strerror(errno));
		return;
	}
	bpf_program__set_autoload(skel->progs.probe_lsm, false);
	ret = probe_bpf__load(skel);
	probe_bpf__destroy(skel);
	if (ret) {
		set(ima, KCHECK_MISSING, "a sleepable lsm.s/ program calling "
		    "bpf_ima_file_hash was refused: %s", strerror(-ret));
		fix(ima, "needs Linux 5.18+ with CONFIG_IMA=y");
		return;
	}
	set(ima, KCHECK_OK, "lsm.s/ programs and bpf_ima_file_hash load");
}

static void check_modules(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "loadable modules");
	struct stat st;

	if (!stat("/proc/modules", &st)) {
		set(it, KCHECK_OK, "module loads are gated");
		return;
	}
	set(it, KCHECK_WARN, "the kernel has no loadable modules "
	    "(CONFIG_MODULES off): the module hooks have nothing to gate");
}

static void check_lockdown(struct kcheck_report *r)
{
	struct kcheck_item *it = item(r, "lockdown");
	char buf[128];

	int ret;

	ret = read_small("/sys/kernel/security/lockdown", buf, sizeof(buf));
	if (ret == -ENOENT && securityfs_mounted()) {
		set(it, KCHECK_OK, "no lockdown LSM");
		return;
	}
	if (ret) {
		/* unreadable is not absent */
		set(it, KCHECK_WARN, "cannot tell: %s%s (CONFIG_SECURITY_LOCKDOWN_LSM=%s)",
		    ret == -ENOENT ? "securityfs is not mounted" :
		    "cannot read /sys/kernel/security/lockdown: ",
		    ret == -ENOENT ? "" : strerror(-ret),
		    kconfig(r->release, "SECURITY_LOCKDOWN_LSM"));
		fix(it, "mount -t securityfs securityfs /sys/kernel/security, "
		    "then check again");
		return;
	}
	if (strstr(buf, "[confidentiality]")) {
		set(it, KCHECK_MISSING, "lockdown=confidentiality forbids BPF "
		    "reading kernel memory (%s)", buf);
		fix(it, "boot with lockdown=integrity or none");
		return;
	}
	set(it, KCHECK_OK, "%s", buf);
}

/* --- what a seal relies on ------------------------------------------- */

#define EFI_SECURE_BOOT "/sys/firmware/efi/efivars/" \
	"SecureBoot-8be4df61-93ca-11d2-aa0d-e39b6d6c4f9c"

static void seal_secure_boot(struct kcheck_report *r)
{
	struct kcheck_item *it = seal_item(r, "secure boot");
	unsigned char v[5];
	FILE *f;
	size_t n = 0;

	if (access("/sys/firmware/efi", F_OK)) {
		set(it, KCHECK_WARN, "not booted through UEFI: nothing checks the kernel that boots");
		fix(it, "boot through UEFI with Secure Boot, or protect the boot chain otherwise (a bootloader password at least)");
		return;
	}
	f = fopen(EFI_SECURE_BOOT, "re");
	if (f) {
		n = fread(v, 1, sizeof(v), f);
		fclose(f);
	}
	if (n == sizeof(v) && v[4] == 1) {
		set(it, KCHECK_OK, "enabled");
		return;
	}
	set(it, KCHECK_WARN, "%s", n == sizeof(v) ? "disabled" :
	    "cannot tell (no SecureBoot variable in efivarfs)");
	fix(it, "enable Secure Boot in the firmware: without it root can boot another kernel, or this one without bomgate");
}

static void seal_lockdown(struct kcheck_report *r)
{
	struct kcheck_item *it = seal_item(r, "lockdown integrity");
	char buf[128];

	if (read_small("/sys/kernel/security/lockdown", buf, sizeof(buf))) {
		set(it, KCHECK_WARN, "no lockdown LSM: root can write kernel memory (/dev/mem, kprobes, debugfs)");
	} else if (strstr(buf, "[integrity]") ||
		   strstr(buf, "[confidentiality]")) {
		set(it, KCHECK_OK, "%s", strstr(buf, "[integrity]") ?
		    "integrity" : "confidentiality");
		return;
	} else {
		set(it, KCHECK_WARN, "lockdown is off: root can write kernel memory (/dev/mem, kprobes, debugfs)");
	}
	fix(it, "boot with lockdown=integrity (Secure Boot turns it on in Debian)");
}

/* A sysctl or module parameter holding a number or Y/N. */
static void seal_knob(struct kcheck_report *r, const char *name,
		      const char *path, const char *good, const char *ok,
		      const char *warn, const char *fixtext)
{
	struct kcheck_item *it = seal_item(r, name);
	char buf[32];

	if (read_small(path, buf, sizeof(buf))) {
		set(it, KCHECK_WARN, "cannot read %s: %s", path, warn);
	} else if (strchr(good, buf[0]) && buf[0] && !buf[1]) {
		set(it, KCHECK_OK, "%s", ok);
		return;
	} else {
		set(it, KCHECK_WARN, "%s is %s: %s", path, buf, warn);
	}
	fix(it, "%s", fixtext);
}

static void seal_bdev(struct kcheck_report *r)
{
	struct kcheck_item *it = seal_item(r, "writes to mounted disks");
	char buf[4096];

	if (!read_small("/proc/cmdline", buf, sizeof(buf)) &&
	    strstr(buf, "bdev_allow_write_mounted=0")) {
		set(it, KCHECK_OK, "refused by the kernel (bdev_allow_write_mounted=0)");
		return;
	}
	set(it, KCHECK_WARN, "the kernel allows them: a sealed bomgate refuses them itself (bdev-write), an unsealed one only distrusts cached digests");
	fix(it, "on 6.8+ boot with bdev_allow_write_mounted=0");
}

static void check_seal(struct kcheck_report *r)
{
	seal_secure_boot(r);
	seal_lockdown(r);
	seal_knob(r, "module signatures", "/sys/module/module/parameters/sig_enforce",
		  "Y", "required (module.sig_enforce)",
		  "unsigned modules load where bomgate's module class is not in enforce",
		  "boot with module.sig_enforce=1 and keep the module class in enforce");
	seal_knob(r, "unprivileged bpf", "/proc/sys/kernel/unprivileged_bpf_disabled",
		  "12", "off",
		  "every user can load BPF programs (socket filters): kernel attack surface",
		  "sysctl kernel.unprivileged_bpf_disabled=2 (or 1: until reboot)");
	seal_knob(r, "kexec_load", "/proc/sys/kernel/kexec_load_disabled", "1",
		  "disabled until reboot",
		  "kexec is refused only while bomgate's kexec class is in enforce",
		  "sysctl kernel.kexec_load_disabled=1 once booted (one-way)");
	seal_bdev(r);
}

int kcheck_run(struct kcheck_report *r, const char *pin_dir)
{
	struct utsname u;
	int missing = 0;

	memset(r, 0, sizeof(*r));
	if (!uname(&u))
		snprintf(r->release, sizeof(r->release), "%s", u.release);
	check_priv(r);
	check_lsm_list(r);
	check_btf(r);
	check_ima(r);
	check_lockdown(r);
	check_maps(r);
	check_programs(r, pin_dir ? pin_dir : DCONF_DEFAULT_PIN_DIR);
	check_bpffs(r);
	check_modules(r);
	check_seal(r);
	for (int i = 0; i < r->n; i++)
		missing += r->item[i].status == KCHECK_MISSING;
	return missing;
}

const char *kcheck_status_name(enum kcheck_status s)
{
	return s == KCHECK_OK ? "ok" : s == KCHECK_WARN ? "warn" : "missing";
}

void kcheck_print(const struct kcheck_report *r, FILE *f)
{
	int missing = 0;

	fprintf(f, "Kernel %s:\n", r->release);
	for (int i = 0; i < r->n; i++) {
		const struct kcheck_item *it = &r->item[i];

		missing += it->status == KCHECK_MISSING;
		fprintf(f, "  %-8s %-26s %s\n", kcheck_status_name(it->status),
			it->name, it->detail);
		if (it->status != KCHECK_OK && it->fix[0])
			fprintf(f, "  %-8s %-26s fix: %s\n", "", "", it->fix);
	}
	if (missing)
		fprintf(f, "bomgate cannot enforce on this kernel: %d "
			"requirement%s missing.\n", missing, missing > 1 ? "s" : "");
	else
		fprintf(f, "This kernel can run bomgate.\n");
	fprintf(f, "What a seal relies on (docs/sealing.md):\n");
	for (int i = 0; i < r->nr_seal; i++) {
		const struct kcheck_item *it = &r->seal[i];

		fprintf(f, "  %-8s %-26s %s\n", kcheck_status_name(it->status),
			it->name, it->detail);
		if (it->status != KCHECK_OK && it->fix[0])
			fprintf(f, "  %-8s %-26s fix: %s\n", "", "", it->fix);
	}
}

static void json_items(struct json_writer *w, const char *key,
		       const struct kcheck_item *items, int n)
{
	json_key(w, key);
	json_array(w);
	for (int i = 0; i < n; i++) {
		json_object(w);
		json_kv_string(w, "name", items[i].name);
		json_kv_string(w, "status", kcheck_status_name(items[i].status));
		json_kv_string(w, "detail", items[i].detail);
		json_kv_string(w, "fix", items[i].fix);
		json_end(w);
	}
	json_end(w);
}

void kcheck_print_json(const struct kcheck_report *r, FILE *f)
{
	struct json_writer w;
	int missing = 0;

	json_begin(&w, f);
	json_object(&w);
	json_kv_string(&w, "schema", "bomgate.doctor/1");
	json_kv_string(&w, "kernel", r->release);
	json_items(&w, "checks", r->item, r->n);
	json_items(&w, "seal", r->seal, r->nr_seal);
	for (int i = 0; i < r->n; i++)
		missing += r->item[i].status == KCHECK_MISSING;
	json_kv_bool(&w, "can_enforce", !missing);
	json_end(&w);
	fputc('\n', f);
}
