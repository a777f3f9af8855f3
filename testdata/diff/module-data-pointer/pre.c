/* A driver structure of a module gains a callback, a new function (the
 * hid_driver .remove fixes of 6.1.187: hid-lg-g15.c, hid-magicmouse.c). */
struct ops {
	int (*probe)(int);
	void (*remove)(int);
	const char *name;
};

static int seen;

static int my_probe(int x)
{
	return x + 1;
}

static struct ops my_ops = {
	.probe = my_probe,
	.name = "mine",
};

struct ops *get_ops(void)
{
	return &my_ops;
}
