int limit = 6;
int foo(int x) { return x < limit; }
