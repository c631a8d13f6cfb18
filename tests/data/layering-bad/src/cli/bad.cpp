// A front end that reads the database itself: the layering test must fail on this tree.
#include "balint/storage/database.hpp"
