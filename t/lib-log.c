/*
 * lib-log.c: unit tests for lib/log.c (levels, prefix, escaping).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "basic.h"
#include "log.h"

/* Log into a memory stream and return what came out. */
static const char *
capture(int verbosity, void (*fn)(void))
{
	static char buf[4096];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	log_set_stream(f);
	log_set_verbosity(verbosity);
	fn();
	fclose(f);
	log_set_stream(NULL);
	return buf;
}

static void
emit_all(void)
{
	log_error("an error");
	log_warn("a warning");
	log_info("some info");
	log_debug("a debug line");
	log_trace("a trace line");
}

static void
emit_hostile(void)
{
	log_error("server said: %s", "evil\033[2J\r\nsecond line\\\x9b\xc3\xa9");
}

static void
emit_func(void)
{
	log_debug_f("with function");
}

int
main(void)
{
	char out[64];

	plan(7);
	log_init("/usr/bin/jumpcat", 0, 0);
	is_string("jumpcat: an error\njumpcat: warning: a warning\n",
	    capture(0, emit_all), "verbosity 0: errors and warnings");
	is_string("jumpcat: an error\njumpcat: warning: a warning\n"
	    "jumpcat: some info\n", capture(1, emit_all), "-v adds info");
	is_string("jumpcat: an error\njumpcat: warning: a warning\n"
	    "jumpcat: some info\njumpcat: debug: a debug line\n"
	    "jumpcat: trace: a trace line\n", capture(3, emit_all),
	    "-vvv shows everything");
	is_string("jumpcat: server said: evil\\x1b[2J\\x0d\\x0asecond line\\\\"
	    "\\x9b\\xc3\\xa9\n",
	    capture(0, emit_hostile), "control bytes from peers are escaped");
	is_string("jumpcat: debug: emit_func: with function\n",
	    capture(2, emit_func), "_f forms name the function");
	log_sanitize(out, 8, "abcdefghijkl");
	is_string("abcdefg", out, "sanitize truncates to the buffer");
	log_sanitize(out, 6, "ab\001cd");
	is_string("ab", out, "an escape that does not fit is dropped whole");
	return 0;
}
