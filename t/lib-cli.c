/*
 * lib-cli.c: unit tests for lib/cli.c (option tables and --help lines).
 * SPDX-License-Identifier: MIT
 *
 * Builds the getopt_long tables from a small table and runs getopt_long
 * over argument vectors with them; checks the --help lines and the
 * messages for options getopt_long refuses.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "cli.h"

enum { OPT_LONG = CLI_LONG_ONLY };

static const struct cli_option opts[] = {
	{ NULL, no_argument, '4', NULL, "IPv4" },
	{ NULL, required_argument, 'L', "spec", "local" },
	{ "status-socket", required_argument, OPT_LONG, "path",
	  "a long-only option" },
	{ "verbose", no_argument, 'v', NULL, "more" },
	{ NULL, required_argument, 'J', "[user@]host[:port][,...]",
	  "a long argument name" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Run getopt_long over argv (NULL-terminated) and collect what it returned
 * as a string: each option char (or 'S' for the long one) and its
 * argument in brackets; '?' and ':' for errors. */
static void
run(char **argv, char *out, size_t len, const struct option *lo,
    const char *so, char *bad, size_t badlen)
{
	int argc = 0, c;

	while (argv[argc] != NULL)
		argc++;
	out[0] = bad[0] = '\0';
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		char piece[64];

		if (c == '?') {
			cli_bad_option(argv[optind - 1], optopt, lo, bad, badlen);
			snprintf(piece, sizeof(piece), "?");
		} else if (c == ':') {
			snprintf(piece, sizeof(piece), ":");
		} else if (optarg != NULL) {
			snprintf(piece, sizeof(piece), "%c[%s]",
			    c == OPT_LONG ? 'S' : c, optarg);
		} else {
			snprintf(piece, sizeof(piece), "%c", c);
		}
		strncat(out, piece, len - strlen(out) - 1);
	}
}

int
main(void)
{
	struct option lo[NOPTS + 1];
	char so[2 * NOPTS + 2], got[256], bad[128], *buf = NULL;
	size_t blen = 0;
	FILE *f;

	plan(12);
	cli_tables(opts, NOPTS, lo, so);
	is_string(":4L:vJ:", so, "short options: ':' first, ':' after those "
	    "taking an argument, none for long-only");
	is_string("status-socket", lo[0].name, "long options in table order");
	is_string("verbose", lo[1].name, "... the second");
	ok(lo[2].name == NULL, "... and a terminating zero entry");

	{
		char *argv[] = { "x", "-4", "-Lspec", "--status-socket=/p",
			"-v", "--verbose", NULL };
		run(argv, got, sizeof(got), lo, so, bad, sizeof(bad));
		is_string("4L[spec]S[/p]vv", got, "getopt_long with the tables");
	}
	{
		char *argv[] = { "x", "--verbose=3", NULL };
		run(argv, got, sizeof(got), lo, so, bad, sizeof(bad));
		is_string("option --verbose takes no argument", bad,
		    "a known option given an argument");
	}
	{
		char *argv[] = { "x", "--bogus=1", NULL };
		run(argv, got, sizeof(got), lo, so, bad, sizeof(bad));
		is_string("unknown option --bogus", bad, "an unknown long option");
	}
	{
		char *argv[] = { "x", "-Z", NULL };
		run(argv, got, sizeof(got), lo, so, bad, sizeof(bad));
		is_string("unknown option -Z", bad, "an unknown short option");
	}
	{
		char *argv[] = { "x", "-L", NULL };
		run(argv, got, sizeof(got), lo, so, bad, sizeof(bad));
		is_string(":", got, "a missing argument is ':', not '?'");
	}

	f = open_memstream(&buf, &blen);
	cli_print_options(f, opts, NOPTS);
	fclose(f);
	ok(strstr(buf, "  -L spec          local\n") != NULL,
	    "a short option with its argument, help aligned");
	ok(strstr(buf, "      --status-socket path\n") != NULL &&
	    strstr(buf, "--status-socket path\n                   a long-only")
	    != NULL, "a long left side: the help goes on the next line");
	ok(strstr(buf, "  -v, --verbose    more\n") != NULL,
	    "short and long names together");
	free(buf);
	return 0;
}
