#include "credentials_group.h"

#include <algorithm>

namespace tep {

void keep_those_sharing_credentials_with_first(std::vector<Event>& events) {
  if (events.empty()) return;
  const bool withheld = events.front().token_withheld();
  events.erase(
      std::remove_if(events.begin(), events.end(),
                     [withheld](const Event& e) { return e.token_withheld() != withheld; }),
      events.end());
}

bool goes_without_authorization(const std::vector<Event>& events) {
  return !events.empty() && events.front().token_withheld();
}

}  // namespace tep
