int limit = 5;
int foo(int x) { return x < limit; }
