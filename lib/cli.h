/*
 * cli.h: one option table per tool, for getopt_long and for --help.
 * SPDX-License-Identifier: MIT
 *
 * Each tool lists its options once (struct cli_option); the getopt_long
 * tables and the option lines of --help are made from that list, so the
 * two cannot drift apart (t/man.t then checks the man page against
 * --help).
 */
#ifndef HOPKIT_CLI_H
#define HOPKIT_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_LONG_ONLY 256	/* val at or above: no short option */

struct cli_option {
	const char *name;	/* long name, or NULL */
	int has_arg;		/* no_argument or required_argument */
	int val;		/* short option character, or >= CLI_LONG_ONLY */
	const char *arg;	/* argument name in --help, or NULL */
	const char *help;	/* may hold "\n" + indent for a second line */
};

/*
 * Fill longopts (n + 1 entries) and shortopts (2 * n + 2 bytes, starting
 * with ':' so a missing argument is told apart) from the table.
 */
void cli_tables(const struct cli_option *opts, size_t n,
    struct option *longopts, char *shortopts);

/* Print the option lines of --help. */
void cli_print_options(FILE *out, const struct cli_option *opts, size_t n);

/*
 * What was wrong with an option getopt_long refused (it returned '?'):
 * "--verbose=3" is a known option given an argument it does not take,
 * "--bogus" and "-Z" are unknown.  arg is argv[optind - 1].
 */
const char *cli_bad_option(const char *arg, int opt,
    const struct option *longopts, char *buf, size_t len);

#endif
