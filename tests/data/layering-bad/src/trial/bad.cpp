// A domain file that reaches the edge: the layering test must fail on this tree.
#include <Poco/Data/Session.h>
