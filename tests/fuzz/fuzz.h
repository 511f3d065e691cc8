/* fuzz.h - what the libFuzzer drivers share: CHECK stops the run on a broken invariant. */
#ifndef OKPAY_FUZZ_H
#define OKPAY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

/* Stop the run with a message naming the driver's file: the fuzzer saves the input. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s: check failed: %s (line %d)\n", __FILE__, #cond,       \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
