// Transactions shared by both backends: nesting as savepoints around the backend's own
// outermost transaction (docs/architecture.md, "Write serialization").
#include "sql_repositories.hpp"

#include <string>

namespace balint::storage {

void sql_repositories::begin_transaction(bool write) {
  if (depth_ > 0) {
    check_still_open();
    statements().run_plain("SAVEPOINT nested_" + std::to_string(depth_),
                           "starting a nested transaction");
    ++depth_;
    return;
  }
  forget_reads();
  begin_outer(write);
  depth_ = 1;
}

void sql_repositories::commit() {
  if (depth_ > 1) {
    check_still_open();
    statements().run_plain("RELEASE SAVEPOINT nested_" + std::to_string(depth_ - 1),
                           "committing a nested transaction");
    --depth_;
    return;
  }
  forget_reads();
  commit_outer();
  depth_ = 0;
}

void sql_repositories::rollback() noexcept {
  forget_reads();
  if (depth_ > 1 && in_transaction()) {
    const std::string name = "nested_" + std::to_string(depth_ - 1);
    statements().run_quietly("ROLLBACK TO SAVEPOINT " + name);
    statements().run_quietly("RELEASE SAVEPOINT " + name);
    --depth_;
    return;
  }
  // The outermost transaction, or one the backend has already ended: nothing stays open.
  rollback_outer();
  depth_ = 0;
}

}  // namespace balint::storage
