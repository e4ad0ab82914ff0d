// Byte equality with @tidal-music/event-producer: the vectors in
// tests/vectors/ were produced by that package in Chromium (see its README);
// the core must store and send exactly the same bytes for the same event,
// id, time and credentials.
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "event_queue.h"
#include "memory_file_store.h"
#include "producer_config.h"
#include "send_message_batch.h"
#include "submitter.h"
#include "xml_chars.h"

namespace {

nlohmann::ordered_json load_vectors() {
  std::string path = std::string(TEP_TEST_DATA_DIR) + "/vectors/tidal-vectors.json";
  std::FILE* file = std::fopen(path.c_str(), "rb");
  REQUIRE(file != nullptr);
  std::string text;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);
  return nlohmann::ordered_json::parse(text);
}

std::optional<std::string> text(const nlohmann::ordered_json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_string()) return std::nullopt;
  return object[key].get<std::string>();
}

tep::Submitter submitter_for(const nlohmann::ordered_json& config,
                             const nlohmann::ordered_json& vector) {
  tep::SubmitterConfig c;
  c.client.app_name = text(config["appInfo"], "appName");
  c.client.app_version = text(config["appInfo"], "appVersion");
  c.client.browser_name = text(config["platform"], "browserName");
  c.client.browser_version = text(config["platform"], "browserVersion");
  c.client.os_name = text(config["platform"], "osName");
  tep::Submitter submitter(c);
  tep::Credentials credentials;
  if (vector.contains("credentials")) {
    credentials.client_id = text(vector["credentials"], "clientId");
    credentials.token = text(vector["credentials"], "token");
  }
  submitter.set_credentials(credentials);
  return submitter;
}

bool known_category(const nlohmann::ordered_json& event) {
  auto category = event.value("consentCategory", std::string());
  return category == "NECESSARY" || category == "PERFORMANCE" || category == "TARGETING";
}

}  // namespace

TEST_CASE("Every event is stored and sent byte for byte as the reference client does") {
  auto vectors = load_vectors();
  const auto& config = vectors["config"];
  size_t compared = 0;
  for (const auto& vector : vectors["vectors"]) {
    INFO(vector["title"].get<std::string>());
    auto submitter = submitter_for(config, vector);
    auto submission =
        submitter.submit(vector["eventJson"].get<std::string>(), vector["id"].get<std::string>(),
                         vector["now"].get<int64_t>());
    if (vector.value("dropped", false)) {
      CHECK_FALSE(submission.event);
      continue;
    }
    if (!tep::json_has_only_xml_chars(vector["eventJson"].get<std::string>())) {
      // A deliberate difference: the reference client lets every character
      // through, the spec refuses those outside XML 1.0.
      CHECK_FALSE(submission.event);
      CHECK(submission.reason == tep::DropReason::kValidationFailed);
      continue;
    }
    if (!known_category(vector["event"])) {
      // The other: the reference client sends events of an unknown consent
      // category; this producer fails closed.
      CHECK_FALSE(submission.event);
      CHECK(submission.reason == tep::DropReason::kConsentFiltered);
      continue;
    }
    REQUIRE(submission.event);
    const auto& stored = vector["storedEvent"];
    CHECK(submission.event->id == stored["id"].get<std::string>());
    CHECK(submission.event->name == stored["name"].get<std::string>());
    CHECK(submission.event->headers == vector["headersJson"].get<std::string>());
    CHECK(submission.event->payload == stored["payload"].get<std::string>());
    if (vector.contains("formBody") && vector["formBody"].is_string()) {
      CHECK(tep::encode_send_message_batch({*submission.event}) ==
            vector["formBody"].get<std::string>());
    }
    ++compared;
  }
  CHECK(compared >= 10);
}

// Every event of the vectors that the core accepts, in the vectors' order.
std::vector<tep::Event> accepted_events(const nlohmann::ordered_json& vectors) {
  std::vector<tep::Event> events;
  for (const auto& vector : vectors["vectors"]) {
    if (vector.value("dropped", false)) continue;
    if (!tep::json_has_only_xml_chars(vector["eventJson"].get<std::string>())) continue;
    if (!known_category(vector["event"])) continue;
    auto submission = submitter_for(vectors["config"], vector)
                          .submit(vector["eventJson"].get<std::string>(),
                                  vector["id"].get<std::string>(), vector["now"].get<int64_t>());
    if (submission.event) events.push_back(*submission.event);
  }
  return events;
}

// Checks each of the vectors' batches, made of `events`, against its body.
void check_batches(const nlohmann::ordered_json& vectors, const std::vector<tep::Event>& events) {
  std::map<std::string, tep::Event> by_id;
  for (const auto& event : events) by_id[event.id] = event;
  size_t compared = 0;
  for (const auto& batch : vectors["batches"]) {
    INFO(batch["title"].get<std::string>());
    std::vector<tep::Event> batch_events;
    for (const auto& id : batch["ids"]) {
      auto found = by_id.find(id.get<std::string>());
      REQUIRE(found != by_id.end());
      batch_events.push_back(found->second);
    }
    CHECK(tep::encode_send_message_batch(batch_events) == batch["formBody"].get<std::string>());
    ++compared;
  }
  CHECK(compared >= 1);
}

TEST_CASE("Batches of several events are encoded byte for byte as the reference client does") {
  auto vectors = load_vectors();
  check_batches(vectors, accepted_events(vectors));
}

TEST_CASE(
    "Events read back from the queue, stored without the credentials' tokens, make the reference "
    "client's batches byte for byte") {
  auto vectors = load_vectors();
  tep::MemoryFileStore store;
  tep::TokenKeeper tokens;
  tep::EventQueue queue(store, tep::default_producer_config().queue, tokens);
  queue.restore(0);
  for (const auto& event : accepted_events(vectors)) {
    REQUIRE(queue.append(event) == tep::AppendResult::kStored);
  }
  for (const auto& vector : vectors["vectors"]) {
    if (!vector.contains("credentials")) continue;
    auto token = text(vector["credentials"], "token");
    if (token && !token->empty()) CHECK_FALSE(store.any_file_holds(*token));
  }
  check_batches(vectors, queue.peek(SIZE_MAX, SIZE_MAX, nullptr));
}

TEST_CASE("Payload numbers and keys come out exactly as JSON.stringify writes them") {
  // The page's JSON.stringify of
  //   {name: 'numbers', consentCategory: 'NECESSARY', payload: {safe: 2**53,
  //    past: 2**53 + 2, u64: 2**63, beyondU64: 2**64, huge: 2**70, neg: -(2**63),
  //    negHuge: -(2**64), tenth: 0.1, e21: 1e21, below: 1e-7, negZero: -0,
  //    tiny: 5e-324, max: Number.MAX_VALUE, third: 1/3, 10: 'ten', 2: 'two',
  //    4294967295: 'not an index', 4294967294: 'last index', '01': 'not canonical'}}
  // and the reference client's body for it, both written by Node 20.
  const std::string sent =
      R"({"name":"numbers","consentCategory":"NECESSARY","payload":{"2":"two","10":"ten",)"
      R"("4294967294":"last index","safe":9007199254740992,"past":9007199254740994,)"
      R"("u64":9223372036854776000,"beyondU64":18446744073709552000,)"
      R"("huge":1.1805916207174113e+21,"neg":-9223372036854776000,)"
      R"("negHuge":-18446744073709552000,"tenth":0.1,"e21":1e+21,"below":1e-7,"negZero":0,)"
      R"("tiny":5e-324,"max":1.7976931348623157e+308,"third":0.3333333333333333,)"
      R"("4294967295":"not an index","01":"not canonical"}})";
  const std::string body =
      R"({"name":"numbers","payload":{"2":"two","10":"ten","4294967294":"last index",)"
      R"("safe":9007199254740992,"past":9007199254740994,"u64":9223372036854776000,)"
      R"("beyondU64":18446744073709552000,"huge":1.1805916207174113e+21,)"
      R"("neg":-9223372036854776000,"negHuge":-18446744073709552000,"tenth":0.1,)"
      R"("e21":1e+21,"below":1e-7,"negZero":0,"tiny":5e-324,"max":1.7976931348623157e+308,)"
      R"("third":0.3333333333333333,"4294967295":"not an index","01":"not canonical"},)"
      R"("ts":1763000000123,"uuid":"00000000-0000-4000-8000-000000000001"})";
  tep::Submitter submitter(tep::SubmitterConfig{});
  auto submission = submitter.submit(sent, "00000000-0000-4000-8000-000000000001", 1763000000123);
  REQUIRE(submission.event);
  CHECK(submission.event->payload == body);
}

TEST_CASE("A negative zero written by hand is stored as JSON.stringify writes it") {
  // JSON.stringify(-0) is "0"; only text not from JSON.stringify holds "-0".
  tep::Submitter submitter(tep::SubmitterConfig{});
  auto submission =
      submitter.submit(R"({"name":"n","consentCategory":"NECESSARY","payload":{"z":-0}})", "id", 1);
  REQUIRE(submission.event);
  CHECK(submission.event->payload == R"({"name":"n","payload":{"z":0},"ts":1,"uuid":"id"})");
}
