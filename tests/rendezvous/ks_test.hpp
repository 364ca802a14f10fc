// A two-sample Kolmogorov-Smirnov test for the traffic-shape tests: the
// statistic D = sup_x |F_a(x) - F_b(x)| of two empirical distributions, and
// the asymptotic critical value above which "same distribution" is rejected
// at level alpha. Header-only, test code only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace tenebra::rendezvous::testing {

// Both samples must be non-empty. Ties (equal values in either sample) are
// stepped over together, so D is exact for discrete data too.
inline double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const auto n = static_cast<double>(a.size());
  const auto m = static_cast<double>(b.size());
  std::size_t i = 0;
  std::size_t j = 0;
  double d = 0.0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == x) ++i;
    while (j < b.size() && b[j] == x) ++j;
    d = std::max(d, std::fabs(static_cast<double>(i) / n - static_cast<double>(j) / m));
  }
  // Past the end of one sample its CDF is 1; the other's only rises towards
  // 1, so the gap there is largest at the last step already taken.
  return d;
}

// c(alpha) * sqrt((n + m) / (n * m)), c(alpha) = sqrt(-ln(alpha / 2) / 2):
// the large-sample critical value (Smirnov); at alpha = 0.001, c = 1.949.
inline double ks_critical_value(std::size_t n, std::size_t m, double alpha) {
  const double c = std::sqrt(-std::log(alpha / 2.0) / 2.0);
  const auto nd = static_cast<double>(n);
  const auto md = static_cast<double>(m);
  return c * std::sqrt((nd + md) / (nd * md));
}

}  // namespace tenebra::rendezvous::testing
