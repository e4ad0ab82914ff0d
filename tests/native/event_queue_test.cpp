// The durable queue on a file store: append, peek, settle, restore, the
// disk cap and the TTL, and every kind of damage a crash or a full disk
// leaves (torn tails, flipped bytes at every offset, unknown versions).
// Longer than most (~530 lines): each kind of damage is a case of its own.
#include "event_queue.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "earlier_release_store.h"
#include "memory_file_store.h"
#include "producer_config.h"

using tep::AppendResult;
using tep::Event;
using tep::EventQueue;
using tep::MemoryFileStore;
using tep::TokenKeeper;

namespace {

constexpr int64_t kNow = 1763000000000;

// The limits the producer runs with unless the app's config sets them.
tep::QueueLimits default_limits() { return tep::default_producer_config().queue; }

Event make_event(int n, size_t payload_bytes = 100, int64_t created = kNow) {
  return Event{
      "id-" + std::to_string(n),
      "play",
      R"({"client-id":"c"})",
      R"({"n":)" + std::to_string(n) + R"(,"pad":")" + std::string(payload_bytes, 'x') + "\"}",
      created,
      0};
}

const std::string kToken = "eyJ0eXAiOiJKV1QifQ.secret-of-user-42.c2ln";

// Headers as the Submitter builds them for a logged-in user: the token after the defaults.
std::string logged_in_headers(const std::string& token) {
  return R"({"client-id":"c","consent-category":"NECESSARY","requested-sent-timestamp":1,)"
         R"("authorization":")" +
         token + R"("})";
}
// The same headers for a user logged out.
const std::string kLoggedOutHeaders =
    R"({"client-id":"c","consent-category":"NECESSARY","requested-sent-timestamp":1})";

Event logged_in_event(int n, const std::string& token = kToken, size_t payload_bytes = 100) {
  Event event = make_event(n, payload_bytes);
  event.headers = logged_in_headers(token);
  return event;
}

std::vector<std::string> ids_of(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.id);
  return ids;
}

std::vector<Event> all(EventQueue& q) { return q.peek(1000000, SIZE_MAX, nullptr); }

std::set<std::string> restored_ids(MemoryFileStore& store, tep::RestoreReport* report = nullptr) {
  TokenKeeper tokens;
  EventQueue q(store, default_limits(), tokens);
  auto r = q.restore(kNow);
  if (report) *report = r;
  auto events = all(q);
  std::set<std::string> ids;
  for (const auto& e : events) ids.insert(e.id);
  return ids;
}

// An empty store in memory and the tokens its queues keep.
struct StoreInMemory {
  TokenKeeper tokens;
  MemoryFileStore store;
};

// A queue with the producer's default limits on an empty store in memory.
struct QueueInMemory : StoreInMemory {
  EventQueue q{store, default_limits(), tokens};
};

}  // namespace

TEST_CASE_METHOD(QueueInMemory,
                 "Events come out in the order they went in, with every field intact") {
  q.restore(kNow);
  for (int i = 0; i < 5; ++i) REQUIRE(q.append(make_event(i)) == AppendResult::kStored);
  auto events = all(q);
  REQUIRE(ids_of(events) == std::vector<std::string>{"id-0", "id-1", "id-2", "id-3", "id-4"});
  CHECK(events[2].payload == make_event(2).payload);
  CHECK(events[2].headers == make_event(2).headers);
  CHECK(events[2].created_ms == kNow);
  CHECK(q.size() == 5);
  CHECK(q.oldest_created_ms() == kNow);
}

TEST_CASE_METHOD(QueueInMemory,
                 "Peek honours the count, the byte budget and the skip, but always returns one") {
  for (int i = 0; i < 10; ++i) q.append(make_event(i, 1000));
  CHECK(q.peek(3, SIZE_MAX, nullptr).size() == 3);
  CHECK(q.peek(10, 2500, nullptr).size() == 2);
  CHECK(q.peek(10, 10, nullptr).size() == 1);
  auto skipped = q.peek(2, SIZE_MAX, [](const std::string& id) { return id == "id-0"; });
  CHECK(ids_of(skipped) == std::vector<std::string>{"id-1", "id-2"});
}

TEST_CASE_METHOD(StoreInMemory, "Removed events are gone, also after a restore") {
  {
    EventQueue q(store, default_limits(), tokens);
    for (int i = 0; i < 6; ++i) q.append(make_event(i));
    CHECK(q.remove({"id-1", "id-4", "unknown"}) == 2);
    CHECK(q.size() == 4);
    CHECK_FALSE(q.contains("id-1"));
  }
  CHECK(restored_ids(store) == std::set<std::string>{"id-0", "id-2", "id-3", "id-5"});
}

TEST_CASE_METHOD(StoreInMemory, "Attempt counts survive a restore") {
  {
    EventQueue q(store, default_limits(), tokens);
    q.append(make_event(0));
    q.append(make_event(1));
    CHECK(q.record_attempt({"id-1"}) == std::vector<uint32_t>{1});
    CHECK(q.record_attempt({"id-1", "id-0"}) == std::vector<uint32_t>{2, 1});
  }
  EventQueue q(store, default_limits(), tokens);
  q.restore(kNow);
  auto events = all(q);
  CHECK(events[0].attempts == 1);
  CHECK(events[1].attempts == 2);
}

// Small segments keep the tests that need several of them small.
tep::QueueLimits small_segments() {
  tep::QueueLimits limits = default_limits();
  limits.segment_bytes = 16 * 1024;
  return limits;
}

TEST_CASE_METHOD(StoreInMemory,
                 "Segments rotate, and a fully settled segment is deleted with its settle log") {
  EventQueue q(store, small_segments(), tokens);
  for (int i = 0; i < 100; ++i) q.append(make_event(i, 500));
  CHECK(store.files.size() > 2);  // several segments
  uint64_t full = q.disk_bytes();
  std::vector<std::string> first_half;
  for (int i = 0; i < 50; ++i) first_half.push_back("id-" + std::to_string(i));
  q.remove(first_half);
  CHECK(q.disk_bytes() < full * 3 / 4);
  std::vector<std::string> rest;
  for (int i = 50; i < 100; ++i) rest.push_back("id-" + std::to_string(i));
  q.remove(rest);
  CHECK(store.files.empty());
  CHECK(q.disk_bytes() == 0);
}

TEST_CASE_METHOD(StoreInMemory, "A restore reads every segment and starts appending in a new one") {
  {
    EventQueue q(store, default_limits(), tokens);
    for (int i = 0; i < 80; ++i) q.append(make_event(i, 400));
  }
  EventQueue q(store, default_limits(), tokens);
  auto report = q.restore(kNow);
  CHECK(report.restored == 80);
  CHECK(report.corrupt_records == 0);
  size_t files_before = store.files.size();
  q.append(make_event(1000));
  CHECK(store.files.size() == files_before + 1);
  CHECK(all(q).back().id == "id-1000");
}

TEST_CASE("A queue damaged at any byte never crashes and keeps every intact event") {
  TokenKeeper tokens;
  // A small queue: two segments with settle records.
  MemoryFileStore pristine;
  {
    EventQueue q(pristine, small_segments(), tokens);
    for (int i = 0; i < 26; ++i)
      q.append(i % 2 ? logged_in_event(i, kToken, 700) : make_event(i, 700));
    q.remove({"id-0", "id-2"});
    q.record_attempt({"id-3"});
  }
  REQUIRE(pristine.files.size() >= 3);
  const std::set<std::string> live = restored_ids(pristine);
  REQUIRE(live.size() == 24);

  for (const auto& [name, content] : pristine.files) {
    INFO("file " << name);
    bool is_log = name.find(".log") != std::string::npos;
    // Record boundaries: a file cut exactly there holds no torn record (the
    // later records simply never reached the disk), so nothing is counted.
    std::set<size_t> boundaries{8};
    for (size_t at = 8; at + 8 <= content.size();) {
      uint32_t length = 0;
      for (int i = 0; i < 4; ++i)
        length |= uint32_t(static_cast<unsigned char>(content[at + i])) << (8 * i);
      at += 8 + length;
      boundaries.insert(at);
    }
    // Problems found, by offset, so one failure doesn't drown in thousands.
    std::vector<std::string> problems;
    for (size_t at = 0; at < content.size(); ++at) {
      for (bool flip : {false, true}) {
        MemoryFileStore damaged = pristine;
        if (flip) {
          damaged.files[name][at] = static_cast<char>(damaged.files[name][at] ^ 0x5A);
        } else {
          damaged.files[name] = content.substr(0, at);  // torn at `at`
        }
        tep::RestoreReport report;
        auto ids = restored_ids(damaged, &report);
        size_t missing = 0;
        for (const auto& id : live) {
          if (ids.count(id)) continue;
          ++missing;
          // Only an event of a damaged log, whose record the damage reached
          // (or followed, after a torn length), may be missing.
          std::string payload = make_event(std::stoi(id.substr(3)), 700).payload;
          size_t end = content.find(payload);
          // After the payload: created_ms (8 bytes), token_at (4), token fingerprint (16).
          bool reached =
              is_log && end != std::string::npos && (flip || end + payload.size() + 28 > at);
          if (!reached)
            problems.push_back((flip ? "flip " : "cut ") + std::to_string(at) + " lost " + id);
        }
        // A damaged settle log may bring removed events back (a re-send), a
        // damaged log may not.
        if (is_log && !flip && (ids.count("id-0") || ids.count("id-2"))) {
          problems.push_back("cut " + std::to_string(at) + " resurrected a removed event");
        }
        bool clean_cut = !flip && (at < 8 || boundaries.count(at));
        if (missing > 0 && !clean_cut && report.corrupt_records == 0 &&
            report.unreadable_files == 0) {
          problems.push_back((flip ? "flip " : "cut ") + std::to_string(at) +
                             " lost events silently");
        }
      }
    }
    CHECK(problems.empty());
    if (!problems.empty()) FAIL_CHECK(problems.front());
  }
}

TEST_CASE_METHOD(StoreInMemory, "A file of another format version is left alone and counted") {
  {
    EventQueue q(store, default_limits(), tokens);
    for (int i = 0; i < 3; ++i) q.append(make_event(i));
  }
  std::string name = store.files.begin()->first;
  store.files[name][4] = 9;  // version 9
  std::string before = store.files[name];
  EventQueue q(store, default_limits(), tokens);
  auto report = q.restore(kNow);
  CHECK(report.unreadable_files == 1);
  CHECK(report.restored == 0);
  CHECK(store.files[name] == before);  // never deleted
  q.append(make_event(10));
  CHECK(store.files[name] == before);  // and never appended to
}

TEST_CASE_METHOD(StoreInMemory,
                 "A restore names the files it left alone: an unreadable log with its settle log") {
  {
    EventQueue q(store, default_limits(), tokens);
    for (int i = 0; i < 3; ++i) q.append(make_event(i));
    q.record_attempt({"id-0"});
  }
  REQUIRE(store.files.count("seg-0000000000000001.ack") == 1);
  store.files["seg-0000000000000001.log"][4] = 9;  // version 9
  store.files["notes.txt"] = "not the queue's";
  EventQueue q(store, default_limits(), tokens);
  auto report = q.restore(kNow);
  std::sort(report.left_alone.begin(), report.left_alone.end());
  CHECK(report.left_alone ==
        std::vector<std::string>{"seg-0000000000000001.ack", "seg-0000000000000001.log"});
  CHECK(EventQueue::owns_file("seg-0000000000000001.ack"));
  CHECK_FALSE(EventQueue::owns_file("notes.txt"));
}

TEST_CASE_METHOD(StoreInMemory, "The disk cap refuses new events until space is freed") {
  tep::QueueLimits limits = default_limits();
  limits.max_disk_bytes = 4096;
  EventQueue q(store, limits, tokens);
  int stored = 0;
  int refused = 0;
  for (int i = 0; i < 40; ++i)
    (q.append(make_event(i, 200)) == AppendResult::kStored ? stored : refused)++;
  CHECK(stored > 5);
  CHECK(refused > 0);
  CHECK(q.disk_bytes() <= 4096);
  std::vector<std::string> everything;
  for (int i = 0; i < stored; ++i) everything.push_back("id-" + std::to_string(i));
  q.remove(everything);
  CHECK(q.append(make_event(100, 200)) == AppendResult::kStored);
}

TEST_CASE_METHOD(QueueInMemory,
                 "Storage errors refuse the event, keep the queue consistent, and recovery works") {
  q.append(make_event(0));
  store.unavailable = true;
  CHECK(q.append(make_event(1)) == AppendResult::kStorageError);
  CHECK(q.size() == 1);
  store.unavailable = false;
  store.fail_next_writes = 1;
  CHECK(q.append(make_event(2)) == AppendResult::kStorageError);
  CHECK(q.append(make_event(3)) == AppendResult::kStored);
  CHECK(ids_of(all(q)) == std::vector<std::string>{"id-0", "id-3"});
  CHECK(restored_ids(store) == std::set<std::string>{"id-0", "id-3"});
}

TEST_CASE_METHOD(QueueInMemory,
                 "A write torn part-way is never read back as an event, and later events are") {
  q.append(make_event(0));
  store.tear_next_append_after = 20;
  CHECK(q.append(make_event(1)) == AppendResult::kStorageError);
  CHECK(q.append(make_event(2)) == AppendResult::kStored);
  tep::RestoreReport report;
  CHECK(restored_ids(store, &report) == std::set<std::string>{"id-0", "id-2"});
  CHECK(report.corrupt_records == 1);
}

TEST_CASE_METHOD(StoreInMemory, "Events older than the TTL expire, on restore and at run time") {
  tep::QueueLimits limits = default_limits();
  limits.ttl_ms = 60000;
  {
    EventQueue q(store, limits, tokens);
    q.append(make_event(0, 10, kNow - 120000));
    q.append(make_event(1, 10, kNow - 1000));
  }
  EventQueue q(store, limits, tokens);
  auto report = q.restore(kNow);
  CHECK(report.expired_names == std::vector<std::string>{"play"});
  CHECK(report.restored == 1);
  auto expired = q.expire(kNow + 60000);
  CHECK(ids_of(expired) == std::vector<std::string>{"id-1"});
  CHECK(q.size() == 0);
  CHECK(restored_ids(store).empty());
}

TEST_CASE("Bytes written per event do not grow with the queue's depth") {
  // What an IndexedDB sync after each event would write (every touched file whole).
  auto bytes_per_event_at = [](int depth) {
    TokenKeeper tokens;
    MemoryFileStore store;
    EventQueue q(store, default_limits(), tokens);
    for (int i = 0; i < depth; ++i) q.append(make_event(i, 400));
    store.sync();
    uint64_t written = 0;
    for (int i = depth; i < depth + 100; ++i) {
      q.append(make_event(i, 400));
      written += store.sync();
    }
    return written / 100;
  };
  uint64_t shallow = bytes_per_event_at(1000);
  uint64_t deep = bytes_per_event_at(20000);
  INFO("bytes per event at 1k: " << shallow << ", at 20k: " << deep);
  CHECK(deep <= shallow * 2);
  CHECK(deep < tep::QueueLimits{}.segment_bytes);  // bounded by the segment size, not the queue
}

TEST_CASE_METHOD(QueueInMemory, "Removing duplicates keeps the first copy") {
  q.append(make_event(0));
  q.append(make_event(0));
  q.append(make_event(1));
  std::set<std::string> seen;
  auto removed = q.remove_if([&](const Event& e) { return !seen.insert(e.id).second; });
  CHECK(removed.size() == 1);
  CHECK(ids_of(all(q)) == std::vector<std::string>{"id-0", "id-1"});
}

TEST_CASE_METHOD(
    QueueInMemory,
    "Event bodies are read back from the store, so damage after restore drops the event and names "
    "it") {
  q.restore(kNow);
  for (int i = 0; i < 3; ++i) q.append(make_event(i));
  // Flip a byte inside the second event's payload, behind the queue's back.
  std::string& log = store.files.begin()->second;
  size_t at = log.find(R"({"n":1)");
  REQUIRE(at != std::string::npos);
  log[at + 2] = 'X';
  auto events = all(q);
  CHECK(ids_of(events) == std::vector<std::string>{"id-0", "id-2"});
  CHECK(q.size() == 2);  // dropped, not left to block the head
  CHECK(q.take_unreadable_names() == std::vector<std::string>{"play"});
  CHECK(q.take_unreadable_names().empty());
  // What is left still reads back whole.
  CHECK(all(q)[1].payload == make_event(2).payload);
}

TEST_CASE_METHOD(QueueInMemory, "The oldest unsent event's time skips the events being sent") {
  q.append(make_event(0, 10, kNow));
  q.append(make_event(1, 10, kNow + 5));
  CHECK(q.oldest_created_ms([](const std::string&) { return false; }) == kNow);
  CHECK(q.oldest_created_ms([](const std::string& id) { return id == "id-0"; }) == kNow + 5);
  CHECK(q.oldest_created_ms([](const std::string&) { return true; }) == -1);
}

TEST_CASE_METHOD(QueueInMemory,
                 "No stored file holds a token, and events come back with it while it is kept") {
  q.restore(kNow);
  q.append(logged_in_event(0));
  q.append(make_event(1));
  q.append(logged_in_event(2, "another-users-token"));
  q.record_attempt({"id-0"});
  q.remove({"id-1"});
  CHECK_FALSE(store.any_file_holds(kToken));
  CHECK_FALSE(store.any_file_holds("another-users-token"));
  auto events = all(q);
  REQUIRE(events.size() == 2);
  CHECK(events[0].headers == logged_in_headers(kToken));
  CHECK(events[1].headers == logged_in_headers("another-users-token"));
}

TEST_CASE(
    "After a restore an event whose token is kept again goes with it, and one whose token is not "
    "goes without its authorization") {
  MemoryFileStore store;
  {
    TokenKeeper tokens;
    EventQueue q(store, default_limits(), tokens);
    q.append(logged_in_event(0));
    q.append(logged_in_event(1, "token-of-the-last-session"));
    q.append(make_event(2));
  }
  TokenKeeper tokens;
  tokens.keep(kToken);  // what the credentials provider still returns
  EventQueue q(store, default_limits(), tokens);
  CHECK(q.restore(kNow).restored == 3);
  auto events = all(q);
  REQUIRE(events.size() == 3);
  CHECK(events[0].headers == logged_in_headers(kToken));
  CHECK(events[1].headers == kLoggedOutHeaders);
  CHECK(events[2].headers == make_event(2).headers);
}

TEST_CASE("A store of the earlier format is restored whole and rewritten without its tokens") {
  MemoryFileStore store;
  tep::EarlierReleaseSegment first;
  first.remove(first.add(logged_in_event(0, "token-of-a-sent-event")));
  uint32_t tried = first.add(logged_in_event(1));
  first.attempt(tried);
  first.attempt(tried);
  first.add(make_event(2));
  first.write_to(store.files, 1);
  tep::EarlierReleaseSegment second;
  second.add(logged_in_event(3, "token-of-the-second-segment"));
  second.write_to(store.files, 2);
  REQUIRE(store.any_file_holds(kToken));

  TokenKeeper tokens;
  EventQueue q(store, default_limits(), tokens);
  auto report = q.restore(kNow);
  CHECK(report.restored == 3);
  CHECK(report.unreadable_files == 0);
  CHECK(q.rewrite_earlier_formats() == 2);
  for (const std::string& token :
       {std::string("token-of-a-sent-event"), kToken, std::string("token-of-the-second-segment")}) {
    CHECK_FALSE(store.any_file_holds(token));
  }
  CHECK(store.files.count("seg-0000000000000001.log") == 0);
  CHECK(store.files.count("seg-0000000000000001.ack") == 0);
  CHECK(store.files.count("seg-0000000000000002.log") == 0);
  uint64_t stored_bytes = 0;
  for (const auto& file : store.files) stored_bytes += file.second.size();
  CHECK(q.disk_bytes() == stored_bytes);

  // Read from the old files, the tokens are kept: the events go as submitted.
  auto events = all(q);
  REQUIRE(ids_of(events) == std::vector<std::string>{"id-1", "id-2", "id-3"});
  CHECK(events[0].headers == logged_in_headers(kToken));
  CHECK(events[0].attempts == 2);
  CHECK(events[1].headers == make_event(2).headers);
  CHECK(events[2].headers == logged_in_headers("token-of-the-second-segment"));

  // The rewritten store reads back the same, attempts included, and needs no second rewrite.
  EventQueue reread(store, default_limits(), tokens);
  CHECK(reread.restore(kNow).restored == 3);
  CHECK(reread.rewrite_earlier_formats() == 0);
  auto again = all(reread);
  REQUIRE(ids_of(again) == ids_of(events));
  for (size_t i = 0; i < again.size(); ++i) {
    CHECK(again[i].headers == events[i].headers);
    CHECK(again[i].payload == events[i].payload);
    CHECK(again[i].attempts == events[i].attempts);
  }
}

TEST_CASE("A segment whose rewrite the store refuses keeps its files until the next restore") {
  MemoryFileStore store;
  tep::EarlierReleaseSegment old;
  old.add(logged_in_event(0));
  old.write_to(store.files, 1);
  const auto before = store.files;
  TokenKeeper tokens;
  {
    EventQueue q(store, default_limits(), tokens);
    q.restore(kNow);
    store.fail_next_writes = 1;
    CHECK(q.rewrite_earlier_formats() == 0);
    CHECK(store.files == before);
    auto events = all(q);
    REQUIRE(events.size() == 1);
    CHECK(events[0].headers == logged_in_headers(kToken));
  }
  EventQueue q(store, default_limits(), tokens);
  CHECK(q.restore(kNow).restored == 1);
  CHECK(q.rewrite_earlier_formats() == 1);
  CHECK_FALSE(store.any_file_holds(kToken));
  CHECK(ids_of(all(q)) == std::vector<std::string>{"id-0"});
}
