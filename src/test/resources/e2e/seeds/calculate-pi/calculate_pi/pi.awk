# Monte Carlo estimate of pi from NUMBER random points (fixed seed: the same answer every run).
BEGIN {
  srand(42)
  inside = 0
  for (i = 0; i < n; i++) {
    x = rand(); y = rand()
    if (x * x + y * y <= 1) inside++
  }
  printf "Final pi estimate from %d attempts = %.4f\n", n, 4 * inside / n
}
