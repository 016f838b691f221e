# Checks of benchmark options (sourced, not run).

# positive NAME VALUE [integer]: exits 2 naming the option unless VALUE is a positive
# number (a positive whole number with a third argument).
positive() {
  local re='^[0-9]*\.?[0-9]+$'
  [[ -n ${3:-} ]] && re='^[1-9][0-9]*$'
  [[ $2 =~ $re ]] || { echo "$(basename "$0"): $1 expects a positive ${3:+whole }number, got '$2'" >&2; exit 2; }
}
