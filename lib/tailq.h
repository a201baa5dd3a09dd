/*
 * tailq.h: <sys/queue.h>'s tail queues, plus the one macro glibc's copy
 * lacks.
 * SPDX-License-Identifier: MIT
 */
#ifndef HOPKIT_TAILQ_H
#define HOPKIT_TAILQ_H

#include <sys/queue.h>

#ifndef TAILQ_FOREACH_SAFE
/* TAILQ_FOREACH that lets the body remove (and free) var. */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#endif
