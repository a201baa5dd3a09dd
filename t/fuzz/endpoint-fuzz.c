/*
 * endpoint-fuzz.c: libFuzzer harness for lib/endpoint.c's parsers.
 * SPDX-License-Identifier: MIT
 *
 * Feeds arbitrary bytes (as a C string) to every endpoint parser with every
 * flag combination and checks the invariants a caller relies on: success
 * leaves a NUL-terminated host within bounds, failure leaves a message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct endpoint ep;
	struct errmsg e;
	char host[ENDPOINT_HOST_MAX];
	char *s;
	uint16_t port;
	unsigned flags;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (flags = 0; flags < 8; flags++) {
		e.text[0] = '\0';
		if (endpoint_parse(s, flags, &ep, &e) == 0) {
			if (strlen(ep.host) == 0 || strlen(ep.host) >= sizeof(ep.host))
				abort();
			if ((flags & ENDPOINT_PORT_REQUIRED) && !ep.has_port)
				abort();
			if (!(flags & ENDPOINT_USER_OK) && ep.user[0] != '\0')
				abort();
		} else if (e.text[0] == '\0') {
			abort();
		}
		if (endpoint_parse_port(s, flags, &port, &e) == 0 && port == 0 &&
		    !(flags & ENDPOINT_PORT_ZERO_OK))
			abort();
	}
	if (endpoint_parse_host(s, host, sizeof(host), &e) == 0 && host[0] == '-')
		abort();
	(void)endpoint_is_numeric(s);
	free(s);
	return 0;
}
