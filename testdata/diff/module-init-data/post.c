/* A module's __init data: its parameter defaults to off (vfb.c's
 * vfb_enable); turned on here.  Read by the module's init code. */
#define __init __attribute__((__section__(".init.text")))
#define __initdata __attribute__((__section__(".init.data")))

static int enable __initdata = 1;
static int size __initdata = 4096;
extern int register_thing(int);

int __init thing_init(void)
{
	if (!enable)
		return -6;
	return register_thing(size);
}
