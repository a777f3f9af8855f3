/* No ftrace site and two bytes long (ret; int3): no room for a jump. */
__attribute__((no_instrument_function, function_return("keep")))
void tiny(void) { }
