// A use case that renders: the layering test must fail on this tree.
#include "balint/report/json.hpp"
