/* One event holding every kind of C type an export struct can carry. The first struct
 * here is the export type; alltypes-ring.bpf.c and alltypes-perf.bpf.c send it. */
#ifndef __ALLTYPES_H
#define __ALLTYPES_H

enum color { RED = 1, GREEN = 2, BLUE = 4 };
/* A value past 32 bits makes clang emit a 64-bit enum (BTF_KIND_ENUM64). */
enum wide { WIDE_SMALL = 1, WIDE_HUGE = 0x123456789aULL };

typedef unsigned int u32_alias;
typedef const volatile u32_alias cv_u32;

struct event {
	unsigned char u8v;
	signed char s8v;
	unsigned short u16v;
	short s16v;
	unsigned int u32v;
	int s32v;
	unsigned long long u64v;
	long long s64v;
	unsigned __int128 u128v;
	__int128 s128v;
	bool flag;
	char label[16];
	char tricky[16];
	char raw[4];
	struct {
		unsigned short a;
		unsigned int b;
	} nested;
	union {
		unsigned int as_u32;
		float as_f32;
	};
	int ints[4];
	unsigned char grid[2][3];
	enum color color;
	enum wide wide;
	float ratio;
	double scale;
	void *ptr;
	unsigned int bit_a : 1;
	unsigned int bit_b : 3;
	unsigned int bit_c : 12;
	int bit_s : 5;
	cv_u32 chained;
	unsigned long long magic;
	unsigned int seq;
};

#endif /* __ALLTYPES_H */
