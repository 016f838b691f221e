# The redis-benchmark commands of bench/kv.sh and bench/kv_callgrind.sh (sourced, not run).

# command_of TEST: the command of each test: random keys over 100000 (so both loops of kv2
# own some), 3-byte values as redis-benchmark's own; LRANGE reads the first 100 of a
# 600-long list.
command_of() {
  case $1 in
    set) echo "SET key:__rand_int__ xxx" ;;
    get) echo "GET key:__rand_int__" ;;
    incr) echo "INCR counter:__rand_int__" ;;
    lpush) echo "LPUSH list:__rand_int__ xxx" ;;
    lrange_100) echo "LRANGE mylist 0 99" ;;
    mset) echo "MSET $(for i in $(seq 10); do printf 'key:__rand_int__ xxx '; done)" ;;
    ping) echo "PING" ;;
    *) echo "$(basename "$0"): unknown test $1" >&2; exit 2 ;;
  esac
}
