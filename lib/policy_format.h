/* SPDX-License-Identifier: GPL-2.0 */
/*
 * On-disk layout of a compiled bomgate policy (.bgp), format version 1.
 * Every byte is described in docs/policy-format.md. All integers are
 * little-endian; every structure has explicit padding and a fixed size.
 *
 *   header   struct bgp_header           at offset 0
 *   entries  struct bgp_entry[nr]        at header_size, sorted by sha256,
 *                                        strictly ascending
 *   comps    struct bgp_component[nr]    right after the entries
 *   sources  struct bgp_source[nr]       right after the components
 *   scopes   struct bgp_scope[nr]        right after the sources
 *   trusts   struct bgp_trust[nr]        right after the scopes
 *   strings  NUL-terminated UTF-8        right after the trusts, up to EOF;
 *                                        byte 0 is NUL (the empty string)
 *
 * The checksum is SHA-256 over the whole file with the checksum field
 * itself taken as 32 zero bytes. It catches corruption, not tampering:
 * that is what the detached signature is for.
 */
#ifndef BOMGATE_POLICY_FORMAT_H
#define BOMGATE_POLICY_FORMAT_H

#include <stddef.h>
#include <linux/types.h>

#include "bomgate.h"

#define BGP_MAGIC		"BGPOLICY"
#define BGP_MAGIC_LEN		8
#define BGP_FORMAT_VERSION	1
#define BGP_MAX_FILE_SIZE	(1ULL << 31)	/* 2 GiB: refuse anything larger */

/* Classes, index into bgp_header.modes[] (= BG_CLASS_*, asserted below). */
#define BGP_CLASS_EXEC		0	/* execve of a binary or script */
#define BGP_CLASS_MMAP		1	/* PROT_EXEC mapping of a file */
#define BGP_CLASS_MODULE	2	/* kernel module (finit_module) */
#define BGP_CLASS_FIRMWARE	3	/* firmware read by the kernel */
#define BGP_CLASS_KEXEC		4	/* kexec kernel/initramfs image */
#define BGP_NR_CLASSES		5
#define BGP_MODES_LEN		8	/* modes[5..7] reserved, zero */

/* Mode values in bgp_header.modes[] (= BG_MODE_*). */
#define BGP_MODE_OFF		0	/* class not checked */
#define BGP_MODE_AUDIT		1	/* log what would be denied, allow */
#define BGP_MODE_ENFORCE	2	/* deny what is not allowed */
#define BGP_MODE_INHERIT	0xff	/* bgp_scope.modes[]: the global mode */

#define BGP_MAX_SCOPES		16	/* bgp_header.nr_scopes (BG_SCOPE_MAX) */
#define BGP_MAX_TRUSTS		8	/* bgp_header.nr_trusts */

/* bgp_header.flags */
#define BGP_F_ALLOW_UNMEASURED_MODULES	0x1	/* init_module() buffers
						 * (no file to hash) allowed */
#define BGP_F_TRUST_FUSE		0x2	/* code from FUSE (virtiofs,
						 * sshfs) is measured, not
						 * refused: the server is
						 * trusted to serve the
						 * bytes it was hashed with */
#define BGP_F_SEAL			0x4	/* sealed: only the daemon
						 * digests (BGP_E_DAEMON)
						 * may change enforcement,
						 * only with the signers */
#define BGP_F_ALL			0x7

/* bgp_entry.flags (ALLOW and BLOCK = BG_ENTRY_*) */
#define BGP_E_ALLOW		0x1	/* digest may run */
#define BGP_E_BLOCK		0x2	/* digest is denied (wins over allow) */
#define BGP_E_EXTRA		0x4	/* from an allow/block line of the
					 * policy source, not from an SBOM */
#define BGP_E_SHARED		0x8	/* several components list it */
#define BGP_E_DAEMON		0x10	/* a bomgated build that a sealed
					 * system trusts (with BGP_E_ALLOW) */
#define BGP_E_ALL		0x1f

#define BGP_NO_COMPONENT	0xffffffffU	/* bgp_entry.component */
#define BGP_SRC_POLICY		0xffffffffU	/* bgp_component.source: the
						 * policy source itself */

/* bgp_source.format: enum sbom_format values, fixed here for the file. */
#define BGP_FMT_UNKNOWN		0
#define BGP_FMT_CDX_JSON	1
#define BGP_FMT_CDX_XML		2
#define BGP_FMT_SPDX_JSON	3
#define BGP_FMT_SPDX_TV		4

struct bgp_header {
	__u8	magic[8];		/*   0 "BGPOLICY" */
	__le32	format_version;		/*   8 BGP_FORMAT_VERSION */
	__le32	header_size;		/*  12 sizeof(struct bgp_header) */
	__le64	file_size;		/*  16 total bytes */
	__le64	policy_version;		/*  24 monotonic, set by the author */
	__le64	created;		/*  32 seconds since 1970 UTC */
	__le32	flags;			/*  40 BGP_F_* */
	__u8	modes[BGP_MODES_LEN];	/*  44 BGP_MODE_* per BGP_CLASS_* */
	__le32	name;			/*  52 string offset: policy name */
	__le32	nr_entries;		/*  56 */
	__le32	entries_off;		/*  60 */
	__le32	nr_components;		/*  64 */
	__le32	components_off;		/*  68 */
	__le32	nr_sources;		/*  72 */
	__le32	sources_off;		/*  76 */
	__le32	strings_off;		/*  80 */
	__le32	strings_size;		/*  84 */
	__le32	nr_scopes;		/*  88 cgroup scopes, <= BGP_MAX_SCOPES */
	__le32	nr_trusts;		/*  92 trusted apt keys, <= BGP_MAX_TRUSTS */
	__u8	checksum[32];		/*  96 SHA-256, see above */
};					/* 128 */

struct bgp_entry {
	__u8	sha256[32];		/*  0 file digest */
	__le32	flags;			/* 32 BGP_E_* */
	__le32	component;		/* 36 index or BGP_NO_COMPONENT */
};					/* 40 */

struct bgp_component {
	__le32	name;			/*  0 string offsets ... */
	__le32	version;		/*  4 */
	__le32	purl;			/*  8 */
	__le32	supplier;		/* 12 */
	__le32	reason;			/* 16 why (allow/block lines) */
	__le32	source;			/* 20 index or BGP_SRC_POLICY */
	__le32	line;			/* 24 line in the SBOM / policy source */
	__le32	pad;			/* 28 zero */
};					/* 32 */

struct bgp_source {
	__u8	sha256[32];		/*  0 SHA-256 of the SBOM document */
	__le32	name;			/* 32 string offset: path as given */
	__le32	format;			/* 36 BGP_FMT_* */
	__le64	nr_digests;		/* 40 file digests read from it */
};					/* 48 */

/*
 * A cgroup scope: tasks in the cgroup v2 directory @path or below it are
 * decided with @modes (BGP_MODE_INHERIT: the header's mode of that class);
 * the most specific scope holding a task wins. The daemon resolves @path
 * to a cgroup id when it loads the policy.
 */
struct bgp_scope {
	__le32	path;			/*  0 string offset: absolute path */
	__le32	line;			/*  4 line in the policy source */
	__u8	modes[BGP_MODES_LEN];	/*  8 BGP_MODE_* or BGP_MODE_INHERIT */
};					/* 16 */

/*
 * A trusted apt repository key (trust-apt): a .deb whose SHA-256 is in a
 * Packages index that a Release signed by this key lists may run its
 * files, if the Release's Origin and Suite (or Codename) and the package's
 * name match the patterns (fnmatch; "" matches anything).
 */
struct bgp_trust {
	__le32	fpr;			/*  0 string: primary key fingerprint,
					 *    40 or 64 upper-case hex digits */
	__le32	key;			/*  4 string: the key, an OpenPGP
					 *    keyring holding it alone, in hex */
	__le32	origin;			/*  8 string: pattern */
	__le32	suite;			/* 12 string: pattern */
	__le32	package;		/* 16 string: pattern */
	__le32	line;			/* 20 line in the policy source */
	__u8	pad[8];			/* 24 zero */
};					/* 32 */

_Static_assert(sizeof(struct bgp_header) == 128, "bgp_header size");
_Static_assert(offsetof(struct bgp_header, checksum) == 96, "checksum");
_Static_assert(offsetof(struct bgp_header, modes) == 44, "modes");
_Static_assert(sizeof(struct bgp_entry) == 40, "bgp_entry size");
_Static_assert(sizeof(struct bgp_component) == 32, "bgp_component size");
_Static_assert(sizeof(struct bgp_source) == 48, "bgp_source size");
_Static_assert(sizeof(struct bgp_scope) == 16, "bgp_scope size");
_Static_assert(offsetof(struct bgp_header, nr_scopes) == 88, "nr_scopes");
_Static_assert(offsetof(struct bgp_header, nr_trusts) == 92, "nr_trusts");
_Static_assert(sizeof(struct bgp_trust) == 32, "bgp_trust size");

/*
 * The file's numbers are the kernel's (bpf/bomgate.h): a policy's modes,
 * entry flags and component index reach the maps unchanged.
 */
_Static_assert(BGP_CLASS_EXEC == BG_CLASS_EXEC, "class exec");
_Static_assert(BGP_CLASS_MMAP == BG_CLASS_MMAP, "class mmap");
_Static_assert(BGP_CLASS_MODULE == BG_CLASS_MODULE, "class module");
_Static_assert(BGP_CLASS_FIRMWARE == BG_CLASS_FIRMWARE, "class firmware");
_Static_assert(BGP_CLASS_KEXEC == BG_CLASS_KEXEC, "class kexec");
_Static_assert(BGP_NR_CLASSES == BG_CLASS_MAX, "number of classes");
_Static_assert(BGP_MODES_LEN == sizeof(((struct bg_config *)0)->mode),
	       "modes[] as long as bg_config.mode[]");
_Static_assert(BGP_MODE_OFF == BG_MODE_OFF, "mode off");
_Static_assert(BGP_MODE_AUDIT == BG_MODE_AUDIT, "mode audit");
_Static_assert(BGP_MODE_ENFORCE == BG_MODE_ENFORCE, "mode enforce");
_Static_assert(BGP_MODE_INHERIT == BG_MODE_INHERIT, "mode inherit");
_Static_assert(BGP_MAX_SCOPES == BG_SCOPE_MAX, "number of scopes");
_Static_assert(BGP_E_ALLOW == BG_ENTRY_ALLOW, "entry allow");
_Static_assert(BGP_E_BLOCK == BG_ENTRY_BLOCK, "entry block");
_Static_assert(sizeof(((struct bgp_entry *)0)->sha256) == BG_DIGEST_LEN,
	       "digest length");
_Static_assert(BGP_NO_COMPONENT == (__u32)~0U, "bg_event.comp: ~0 if none");

#endif
