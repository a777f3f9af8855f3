/* No ftrace site and two bytes long (ret; int3): no room for a jump. */
extern int tiny_calls;
__attribute__((no_instrument_function, function_return("keep")))
void tiny(void) { tiny_calls++; }
