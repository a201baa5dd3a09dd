/*
 * promtool.c: Prometheus text exposition checked by promtool; see
 * promtool.h.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic.h"
#include "promtool.h"

void
promtool_check(const char *text, const char *what)
{
	char path[] = "/tmp/hopkit-prom.XXXXXX", cmd[256];
	const char *ci = getenv("CI");
	int fd, status;
	FILE *f;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		if (ci != NULL && strcmp(ci, "true") == 0)
			ok(0, "%s: promtool check metrics (promtool is "
			    "missing, and CI=true)", what);
		else
			skip("%s: promtool is not installed", what);
		return;
	}
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		sysbail("mkstemp");
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s > %s.log "
	    "2>&1", path, path);
	status = system(cmd);
	if (!ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: promtool check metrics", what)) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s.log", path);
		if (system(cmd) != 0)
			diag("cannot show promtool's output");
	}
	unlink(path);
	snprintf(cmd, sizeof(cmd), "%s.log", path);
	unlink(cmd);
}
