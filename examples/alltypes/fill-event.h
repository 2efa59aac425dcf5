/* Fills the event with known constants (and the values given as flags), shared by the
 * ring buffer and perf event array variants so both must decode to the same values. */
#ifndef __FILL_EVENT_H
#define __FILL_EVENT_H

#include "alltypes.bpf.h"

/* Set from the command line: --label, --scale, --magic, --target-pid. */
const volatile char label[16] = "default";
const volatile double scale = 0.5;
const volatile unsigned long long magic = 0;
const volatile int target_pid = 0;

static __always_inline void fill_event(struct event *e, unsigned int seq)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->u8v = 255;
	e->s8v = -128;
	e->u16v = 65535;
	e->s16v = -32768;
	e->u32v = 4294967295U;
	e->s32v = -2147483647 - 1;
	e->u64v = ~0ULL;
	e->s64v = -9223372036854775807LL - 1;
	e->u128v = ~(unsigned __int128)0;
	e->s128v = -(__int128)(((unsigned __int128)1) << 126) * 2; /* -2^127 */
	e->flag = true;
	for (int i = 0; i < 16; i++)
		e->label[i] = label[i];
	/* Quote, backslash, newline and a control byte: JSON output must escape them. */
	e->tricky[0] = 'q'; e->tricky[1] = '"'; e->tricky[2] = 'b'; e->tricky[3] = '\\';
	e->tricky[4] = 'c'; e->tricky[5] = '\n'; e->tricky[6] = 1; e->tricky[7] = 0;
	/* Not UTF-8: must not corrupt the output. */
	e->raw[0] = (char)0xff; e->raw[1] = 'a'; e->raw[2] = 0;
	e->nested.a = 7;
	e->nested.b = 70000;
	e->as_u32 = 0x3fc00000; /* also 1.5f seen as a float */
	e->ints[0] = 1; e->ints[1] = -2; e->ints[2] = 3; e->ints[3] = -4;
	for (int r = 0; r < 2; r++)
		for (int c = 0; c < 3; c++)
			e->grid[r][c] = r * 10 + c;
	e->color = BLUE;
	e->wide = WIDE_HUGE;
	e->ratio = 1.5f;
	e->scale = scale;
	e->ptr = (void *)0xdeadbeefUL;
	e->bit_a = 1;
	e->bit_b = 5;
	e->bit_c = 4095;
	e->bit_s = -3;
	*(unsigned int *)&e->chained = 123456; /* const in the type, written once here */
	e->magic = magic;
	e->seq = seq;
}

#endif /* __FILL_EVENT_H */
