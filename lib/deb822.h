/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deb822 control data (Debian Policy 5.1): apt's Release and Packages
 * indexes, a .deb's control file, dpkg's status. Paragraphs of
 * "Field: value" lines, continuation lines starting with a space or a
 * tab, paragraphs separated by blank lines.
 *
 * The input is hostile (anything a mirror serves): the parser reads a
 * buffer in place, allocates nothing, and refuses what deb822 does not
 * allow with "FILE:LINE: problem": a NUL byte, a line that is neither a
 * field nor a continuation, a continuation before any field, an empty or
 * malformed field name, a field repeated in a paragraph, more than
 * DEB822_MAX_FIELDS fields in one paragraph.
 */
#ifndef BOMGATE_DEB822_H
#define BOMGATE_DEB822_H

#include <stddef.h>

#define DEB822_MAX_FIELDS	128

struct deb822_field {
	const char *name;	/* into the buffer, not terminated */
	size_t nlen;
	/* The value: the rest of the field's line without leading and
	 * trailing blanks, then for a multi-line field its continuation
	 * lines as they are, each after a '\n'. Not terminated. */
	const char *val;
	size_t vlen;
	unsigned long line;	/* of the field name */
};

struct deb822_para {
	struct deb822_field f[DEB822_MAX_FIELDS];
	unsigned int n;
	unsigned long line;	/* first line of the paragraph */
};

/*
 * Called once per paragraph, in order. Returns 0 to go on, or -errno to
 * stop the parse (the callback fills @err, "FILE:LINE: ..." by
 * convention), which deb822_parse() then returns.
 */
typedef int (*deb822_cb)(void *ctx, const struct deb822_para *p,
			 char *err, size_t errlen);

/* Parse @len bytes of @buf named @file in messages. 0, -EINVAL (err
 * filled), or what @cb returned. */
int deb822_parse(const char *buf, size_t len, const char *file,
		 deb822_cb cb, void *ctx, char *err, size_t errlen);

/* The field called @name (field names compare without case), or NULL. */
const struct deb822_field *deb822_get(const struct deb822_para *p,
				      const char *name);

/*
 * A single-line field's value as a malloc()ed string into *@out.
 * 0; -ENOENT (absent: *@out NULL), -EINVAL (empty, several lines, or
 * bytes below 0x20), -ENOMEM.
 */
int deb822_strdup(const struct deb822_para *p, const char *name, char **out);

/*
 * The next line of a multi-line value: *@pos starts at 0. Returns 1 with
 * the line in *@s / *@n (leading and trailing blanks removed) and *@lineno
 * its offset from the field's line (0 the field's own line), or 0 at the
 * end.
 */
int deb822_next_line(const struct deb822_field *f, size_t *pos,
		     const char **s, size_t *n, unsigned long *lineno);

#endif
