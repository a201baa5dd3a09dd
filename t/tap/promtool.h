/*
 * promtool.h: check Prometheus text exposition with the real promtool, as
 * one TAP test (for the tests of lib/report.c and lib/check.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_TAP_PROMTOOL_H
#define HOPKIT_TAP_PROMTOOL_H

/* One test: `promtool check metrics` accepts text.  Without promtool it
 * is skipped, except under CI=true, where it fails. */
void promtool_check(const char *text, const char *what);

#endif
