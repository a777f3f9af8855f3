int added_counter;
int foo(int x) { added_counter++; return x + 1; }
