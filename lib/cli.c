/*
 * cli.c: getopt_long tables and --help lines from one option table.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "cli.h"

void
cli_tables(const struct cli_option *opts, size_t n, struct option *longopts,
    char *shortopts)
{
	char *sp = shortopts;
	size_t nl = 0;

	*sp++ = ':';
	for (size_t i = 0; i < n; i++) {
		const struct cli_option *o = &opts[i];

		if (o->name != NULL) {
			longopts[nl].name = o->name;
			longopts[nl].has_arg = o->has_arg;
			longopts[nl].flag = NULL;
			longopts[nl].val = o->val;
			nl++;
		}
		if (o->val < CLI_LONG_ONLY) {
			*sp++ = (char)o->val;
			if (o->has_arg == required_argument)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	memset(&longopts[nl], 0, sizeof(longopts[nl]));
}

void
cli_print_options(FILE *out, const struct cli_option *opts, size_t n)
{
	char left[48];

	for (size_t i = 0; i < n; i++) {
		const struct cli_option *o = &opts[i];

		if (o->val < CLI_LONG_ONLY && o->name != NULL)
			snprintf(left, sizeof(left), "-%c, --%s", o->val,
			    o->name);
		else if (o->val < CLI_LONG_ONLY)
			snprintf(left, sizeof(left), "-%c%s%s", o->val,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		if (strlen(left) > 16)
			fprintf(out, "  %s\n  %-16s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-16s %s\n", left, o->help);
	}
}

const char *
cli_bad_option(const char *arg, int opt, const struct option *longopts,
    char *buf, size_t len)
{
	const struct option *o;
	const char *eq;
	size_t nlen;

	if (arg == NULL || strncmp(arg, "--", 2) != 0) {
		snprintf(buf, len, "unknown option -%c", opt > 0 &&
		    opt < CLI_LONG_ONLY ? opt : '?');
		return buf;
	}
	eq = strchr(arg, '=');
	nlen = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	for (o = longopts; o->name != NULL; o++)
		if (eq != NULL && strlen(o->name) == nlen &&
		    strncmp(o->name, arg + 2, nlen) == 0) {
			snprintf(buf, len, "option --%s takes no argument",
			    o->name);
			return buf;
		}
	snprintf(buf, len, "unknown option %.*s", (int)(nlen + 2), arg);
	return buf;
}
