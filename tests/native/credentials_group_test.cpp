#include "credentials_group.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

tep::Event event(const std::string& id, bool token_withheld) {
  tep::Event e{id, "play", "{}", "{}", 0, 0};
  if (token_withheld) e.withheld_token_at = 1;
  return e;
}

std::vector<std::string> ids(const std::vector<tep::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

}  // namespace

TEST_CASE("A batch keeps the events that share the first one's credentials, in order") {
  std::vector<tep::Event> head = {event("a", false), event("b", true), event("c", false),
                                  event("d", true)};
  tep::keep_those_sharing_credentials_with_first(head);
  CHECK(ids(head) == std::vector<std::string>{"a", "c"});
  CHECK_FALSE(tep::goes_without_authorization(head));
}

TEST_CASE("Events whose token is withheld go together, without Authorization") {
  std::vector<tep::Event> head = {event("b", true), event("a", false), event("d", true)};
  tep::keep_those_sharing_credentials_with_first(head);
  CHECK(ids(head) == std::vector<std::string>{"b", "d"});
  CHECK(tep::goes_without_authorization(head));
}

TEST_CASE("No events make no batch") {
  std::vector<tep::Event> head;
  tep::keep_those_sharing_credentials_with_first(head);
  CHECK(head.empty());
  CHECK_FALSE(tep::goes_without_authorization(head));
}
