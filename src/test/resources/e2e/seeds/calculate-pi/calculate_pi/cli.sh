# calculate-pi [OPTIONS] NUMBER
case ${1:---help} in
  --help)
    cat <<'USAGE'
Usage: calculate-pi [OPTIONS] NUMBER

  Calculate pi using Monte Carlo estimation.

  NUMBER is the number of random points.

Options:
  --version  Show the version and exit.
  --help     Show this message and exit.
USAGE
    ;;
  --version) echo "calculate-pi, version 0.1.0" ;;
  *) exec awk -v n="$1" -f /usr/local/lib/calculate_pi/pi.awk ;;
esac
