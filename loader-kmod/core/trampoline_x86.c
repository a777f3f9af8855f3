// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 specifics: the jump, writable aliases of read-only text, and what
 * live bytes each kind of site may legitimately hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <asm/page.h>
#include <asm/unaligned.h>
#include <asm/pgtable.h>
#include "internal.h"

#define OP_CALL		0xe8
#define OP_JMP32	0xe9
#define OP_JMP8		0xeb
#define OP_RET		0xc3
#define OP_INT3		0xcc
#define OP_CS		0x2e

static const u8 nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const u8 nop2[2] = { 0x66, 0x90 };
/* A static call to __static_call_return0: "xor %eax,%eax", cs-padded. */
static const u8 xor5rax[5] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };

/* The kernel's x86_nops (P6 nops), index = length. */
static const u8 p6_nops[9][8] = {
	{ },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

/* Whether buf[0..len) is a sequence of P6 nops and int3 padding. */
static bool all_nops(const u8 *buf, unsigned int len)
{
	unsigned int i = 0, n;
	bool hit;

	while (i < len) {
		if (buf[i] == OP_INT3) {
			i++;
			continue;
		}
		hit = false;
		for (n = 8; n >= 1; n--) {
			if (i + n <= len && !memcmp(buf + i, p6_nops[n], n)) {
				i += n;
				hit = true;
				break;
			}
		}
		if (!hit)
			return false;
	}
	return true;
}

static bool all_int3(const u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (buf[i] != OP_INT3)
			return false;
	return true;
}

/**
 * ksplice_site_rewritable() - whether the kernel rewrites a site at run time
 * @site: the site
 *
 * Jump labels and static calls change whenever their key or target does;
 * the jump must not overlap them.  (ftrace only rewrites the site at
 * offset 0, which the jump never covers; the other kinds are rewritten at
 * boot or module load only.)
 *
 * CONTEXT: Any.
 * RETURNS: true for kinds rewritten after load.
 */
bool ksplice_site_rewritable(const struct ksplice_site *site)
{
	return site->kind == KSPLICE_SITE_JUMP_LABEL ||
	       site->kind == KSPLICE_SITE_STATIC_CALL ||
	       site->kind == KSPLICE_SITE_FTRACE;
}

static const char *const site_names[] = {
	[KSPLICE_SITE_FTRACE] = "ftrace",
	[KSPLICE_SITE_ALTERNATIVE] = "alternative",
	[KSPLICE_SITE_PARAVIRT] = "paravirt",
	[KSPLICE_SITE_RETPOLINE] = "retpoline",
	[KSPLICE_SITE_RETURN] = "return",
	[KSPLICE_SITE_JUMP_LABEL] = "jump label",
	[KSPLICE_SITE_STATIC_CALL] = "static call",
	[KSPLICE_SITE_SMP_LOCK] = "smp lock",
	[KSPLICE_SITE_BUG] = "bug",
	[KSPLICE_SITE_EXTABLE] = "exception table",
};

/**
 * ksplice_site_name() - the name of a kind of site, for messages
 * @kind: enum ksplice_site_kind
 *
 * CONTEXT: Any.
 * RETURNS: The name, or "unknown".
 */
const char *ksplice_site_name(u16 kind)
{
	if (kind >= ARRAY_SIZE(site_names) || !site_names[kind])
		return "unknown";
	return site_names[kind];
}

/**
 * ksplice_site_len() - the length of a site
 * @site: the site
 * @pre: the pre bytes at the site
 * @avail: pre bytes available from the site to the end of its section
 *
 * CONTEXT: Any.
 * RETURNS: The length, or 0 if the site is malformed (unknown length, or
 * past the end of the section).  Bug and exception-table sites are not
 * rewritten by the kernel: they return 0 and are compared byte for byte.
 */
unsigned int ksplice_site_len(const struct ksplice_site *site,
			      const u8 *pre, unsigned long avail)
{
	unsigned int len = site->len;

	if (!len) {
		switch (site->kind) {
		case KSPLICE_SITE_FTRACE:
		case KSPLICE_SITE_RETURN:
			len = 5;
			break;
		case KSPLICE_SITE_STATIC_CALL:
			/* a conditional tail call (jcc rel32) is 6 bytes */
			len = avail >= 1 && pre[0] == 0x0f ? 6 : 5;
			break;
		case KSPLICE_SITE_RETPOLINE:
			/* jcc rel32, or call/jmp with a cs prefix: 6 bytes */
			len = avail >= 1 && (pre[0] == 0x0f || pre[0] == OP_CS) ?
			      6 : 5;
			break;
		case KSPLICE_SITE_JUMP_LABEL:
			if (avail >= 1 && pre[0] == OP_JMP8)
				len = 2;
			else if (avail >= 2 && !memcmp(pre, nop2, 2))
				len = 2;
			else
				len = 5;
			break;
		case KSPLICE_SITE_SMP_LOCK:
			len = 1;
			break;
		default:
			return 0;
		}
	}
	if (site->kind == KSPLICE_SITE_BUG || site->kind == KSPLICE_SITE_EXTABLE)
		return 0;
	return len <= avail ? len : 0;
}

static bool rel_target_inside(const u8 *insn, unsigned int len,
			      unsigned long run_addr, unsigned long start,
			      unsigned long size)
{
	long disp = len == 2 ? (s8)insn[1] : (s32)get_unaligned_le32(insn + 1);
	unsigned long target = run_addr + len + disp;

	return target >= start && target < start + size;
}

/*
 * The forms patch_retpoline() and the ITS mitigation produce.  GCC puts a
 * cs prefix on calls and jumps to the thunks of %r8-%r15
 * (-mindirect-branch-cs-prefix), so that the 3-byte call/jmp *%rN plus
 * lfence fits; the kernel keeps it when it redirects to an ITS thunk.
 */
static bool retpoline_ok(const u8 *pre, const u8 *run, unsigned int len)
{
	unsigned int op = pre[0] == OP_CS ? 1 : 0;
	bool jcc = !op && pre[0] == 0x0f && (pre[1] & 0xf0) == 0x80;
	bool call = pre[op] == OP_CALL;
	unsigned int i = 0;
	u8 modrm;

	if (!jcc && pre[op] != OP_CALL && pre[op] != OP_JMP32)
		return false;
	/* Unpatched (thunk) or redirected to an ITS thunk: same opcode. */
	if (!memcmp(run, pre, op + (jcc ? 2 : 1)))
		return true;
	if (jcc) {
		if (run[0] != 0x70 + ((pre[1] & 0xf) ^ 1) || run[1] != len - 2)
			return false;
		i = 2;
	}
	if (i + 3 <= len && run[i] == 0x0f && run[i + 1] == 0xae &&
	    run[i + 2] == 0xe8)
		i += 3;			/* lfence */
	if (i < len && run[i] == 0x41)
		i++;			/* REX.B: r8..r15 */
	if (i + 2 > len || run[i] != 0xff)
		return false;
	modrm = run[i + 1];
	if ((modrm & 0xc0) != 0xc0 || ((modrm >> 3) & 7) != (call ? 2 : 4) ||
	    (modrm & 7) == 4)
		return false;
	i += 2;
	return all_nops(run + i, len - i);
}

/**
 * ksplice_check_site() - whether live bytes are a legitimate form of a site
 * @site: the site
 * @pre: pre bytes at the site
 * @run: live bytes at the site
 * @run_addr: live address of the site
 * @sect_addr: live address of the section
 * @sect_size: its size
 *
 * Accepted, per kind (anything else is a mismatch):
 *  ftrace       nop5 or call rel32 (pre must be one of those too);
 *  return       jmp rel32 leaving the function, or ret + int3 padding;
 *  retpoline    the pre opcode with its cs prefix if any (thunk or ITS
 *               thunk), or [jncc.d8] [lfence] call/jmp *%reg [int3] + nops;
 *  jump label   jmp rel8/rel32 into the same function, or nop2/nop5;
 *  static call  call/jmp rel32, nop5, ret + int3 padding, or (a call
 *               to __static_call_return0) cs cs cs xor %eax,%eax; a
 *               conditional tail call: the same jcc rel32;
 *  smp lock     lock or ds prefix;
 *  alternative, paravirt: any bytes of the site's length.
 *
 * CONTEXT: Any.
 * RETURNS: 0 if acceptable, -EINVAL otherwise.
 */
int ksplice_check_site(const struct ksplice_site *site, const u8 *pre,
		       const u8 *run, unsigned long run_addr,
		       unsigned long sect_addr, unsigned long sect_size)
{
	unsigned int len = ksplice_site_len(site, pre,
					    sect_addr + sect_size - run_addr);
	bool ok = false;

	switch (site->kind) {
	case KSPLICE_SITE_FTRACE:
		ok = len == 5 && (pre[0] == OP_CALL || !memcmp(pre, nop5, 5)) &&
		     (run[0] == OP_CALL || !memcmp(run, nop5, 5));
		break;
	case KSPLICE_SITE_RETURN:
		ok = (run[0] == OP_JMP32 && len == 5 &&
		      !rel_target_inside(run, 5, run_addr, sect_addr,
					 sect_size)) ||
		     (run[0] == OP_RET && all_int3(run + 1, len - 1));
		break;
	case KSPLICE_SITE_RETPOLINE:
		ok = len >= 5 && retpoline_ok(pre, run, len);
		break;
	case KSPLICE_SITE_JUMP_LABEL:
		if (len == 2)
			ok = (run[0] == OP_JMP8 &&
			      rel_target_inside(run, 2, run_addr, sect_addr,
						sect_size)) ||
			     !memcmp(run, nop2, 2);
		else if (len == 5)
			ok = (run[0] == OP_JMP32 &&
			      rel_target_inside(run, 5, run_addr, sect_addr,
						sect_size)) ||
			     !memcmp(run, nop5, 5);
		break;
	case KSPLICE_SITE_STATIC_CALL:
		if (len == 6)	/* jcc rel32: to the function or a return */
			ok = pre[0] == 0x0f && run[0] == 0x0f && run[1] == pre[1];
		else
			ok = len == 5 &&
			     (run[0] == OP_CALL || run[0] == OP_JMP32 ||
			      !memcmp(run, nop5, 5) ||
			      (pre[0] == OP_CALL && !memcmp(run, xor5rax, 5)) ||
			      (run[0] == OP_RET && all_int3(run + 1, 4)));
		break;
	case KSPLICE_SITE_SMP_LOCK:
		ok = run[0] == 0xf0 || run[0] == 0x3e;
		break;
	case KSPLICE_SITE_ALTERNATIVE:
	case KSPLICE_SITE_PARAVIRT:
		ok = len > 0;
		break;
	default:
		ok = false;
	}
	return ok ? 0 : -EINVAL;
}

/**
 * ksplice_make_jump() - encode jmp rel32 from @from to @to
 * @from: address of the jump
 * @to: its target
 * @insn: KSPLICE_JUMP_SIZE bytes out
 *
 * CONTEXT: Any.
 * RETURNS: 0, or -ERANGE if the target is out of reach.
 */
int ksplice_make_jump(unsigned long from, unsigned long to, u8 *insn)
{
	long rel = (long)(to - (from + KSPLICE_JUMP_SIZE));

	if (rel != (s32)rel)
		return -ERANGE;
	insn[0] = OP_JMP32;
	put_unaligned_le32((u32)(s32)rel, insn + 1);
	return 0;
}

static struct page *text_page(unsigned long addr)
{
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		return vmalloc_to_page((void *)addr);
	if (addr >= __START_KERNEL_map)
		return virt_to_page((void *)addr);
	return NULL;
}

/**
 * ksplice_map_writable() - a writable alias of read-only text
 * @addr: start of the bytes
 * @len: their length (they may straddle a page boundary)
 * @map: out: the vmap base, for vunmap()
 * @wp: out: the writable alias of @addr
 *
 * Kernel and module text are read-only; writes go through a vmap of the
 * same pages, prepared before stop_machine (vmap may sleep).
 *
 * CONTEXT: Might sleep.
 * RETURNS: 0, -EFAULT for an address that is not kernel or module text,
 * -ENOMEM.
 */
int ksplice_map_writable(unsigned long addr, size_t len, void **map, u8 **wp)
{
	struct page *pages[2];
	unsigned long first = addr & PAGE_MASK;
	unsigned int nr = ((addr + len - 1) >> PAGE_SHIFT) -
			  (addr >> PAGE_SHIFT) + 1;
	unsigned int i;
	void *base;

	if (!len || nr > ARRAY_SIZE(pages))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		pages[i] = text_page(first + i * PAGE_SIZE);
		if (!pages[i])
			return -EFAULT;
	}
	base = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	if (!base)
		return -ENOMEM;
	*map = base;
	*wp = (u8 *)base + (addr & ~PAGE_MASK);
	return 0;
}
