// The SendMessageBatch request as the collector receives it, and every kind
// of answer it can give, byte for byte. Longer than most (~430 lines) because
// each answer SQS documents (results, sender and receiver faults, errors,
// pages that are not an answer) is a case of its own with its literal body.
// The XML those answers are written in, malformed XML included, is tested in
// xml_reader_test.cpp.
#include "send_message_batch.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unrecognised_response.h"

// The expected form bodies below were computed with node 20's URLSearchParams
// (append the eight fields per event in order, then toString()), the
// serializer browsers use for the collector's reference client.

namespace {

using Kind = tep::BatchResponse::Kind;

tep::Event make_event(std::string id, std::string name, std::string headers, std::string payload) {
  tep::Event event;
  event.id = std::move(id);
  event.name = std::move(name);
  event.headers = std::move(headers);
  event.payload = std::move(payload);
  return event;
}

// A SendMessageBatch answer as AWS SQS writes it (the API reference's
// example), with its namespace, line breaks and ResponseMetadata.
const std::string kAwsBatchResponse = R"(<?xml version="1.0"?>
<SendMessageBatchResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
<SendMessageBatchResult>
    <SendMessageBatchResultEntry>
        <Id>test_msg_001</Id>
        <MessageId>0a5231c7-8bff-4955-be2e-8dc7c50a25fa</MessageId>
        <MD5OfMessageBody>0e024d309850c78cba5eabbeff7cae71</MD5OfMessageBody>
    </SendMessageBatchResultEntry>
    <SendMessageBatchResultEntry>
        <Id>test_msg_002</Id>
        <MessageId>15ee1ed3-87e7-40c1-bdaa-2e49968ea7e9</MessageId>
        <MD5OfMessageBody>7fb8146a82f95e0af155278f406862c2</MD5OfMessageBody>
        <MD5OfMessageAttributes>295c5fa15a51aae6884d1d7c1d99ca50</MD5OfMessageAttributes>
    </SendMessageBatchResultEntry>
</SendMessageBatchResult>
<ResponseMetadata>
    <RequestId>ca1ad5d0-8271-408b-8d0f-1351bf547e74</RequestId>
</ResponseMetadata>
</SendMessageBatchResponse>)";

const std::string kMixedBatchResponse =
    "<?xml version=\"1.0\"?><SendMessageBatchResponse "
    "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
    "<SendMessageBatchResult>"
    "<SendMessageBatchResultEntry><Id>ok-1</Id><MessageId>m1</MessageId></"
    "SendMessageBatchResultEntry>"
    "<BatchResultErrorEntry><Id>bad-1</Id><SenderFault>true</SenderFault>"
    "<Code>InvalidMessageContents</Code><Message>Invalid binary character "
    "'#x1'</Message></BatchResultErrorEntry>"
    "<SendMessageBatchResultEntry><Id>ok-2</Id><MessageId>m2</MessageId></"
    "SendMessageBatchResultEntry>"
    "<BatchResultErrorEntry><Id>busy-1</Id><SenderFault>false</SenderFault>"
    "<Code>InternalError</Code><Message>Try again</Message></BatchResultErrorEntry>"
    "</SendMessageBatchResult>"
    "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
    "</SendMessageBatchResponse>";

const std::string kDuplicateIdsError =
    "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
    "<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code>"
    "<Message>Id 3f2c repeated.</Message><Detail/></Error>"
    "<RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId></ErrorResponse>";

}  // namespace

// --- encode_send_message_batch ------------------------------------------------

TEST_CASE(
    "One event's fields are named and ordered as the collector's reference client sends them") {
  auto event = make_event("00000000-0000-4000-8000-000000000001", "playback_session",
                          R"({"client-id":"web","consent-category":"NECESSARY"})", R"({"a":1})");
  CHECK(tep::encode_send_message_batch({event}) ==
        "SendMessageBatchRequestEntry.1.Id=00000000-0000-4000-8000-000000000001"
        "&SendMessageBatchRequestEntry.1.MessageBody=%7B%22a%22%3A1%7D"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=playback_session"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue="
        "%7B%22client-id%22%3A%22web%22%2C%22consent-category%22%3A%22NECESSARY%22%7D");
}

TEST_CASE(
    "Plus, percent, ampersand and equals signs are percent-encoded and spaces become plus signs") {
  auto event = make_event("id+1", "x y", R"({"k":"v=1&w=2"})", "a+b%c&d=e f\ng\r\th");
  CHECK(tep::encode_send_message_batch({event}) ==
        "SendMessageBatchRequestEntry.1.Id=id%2B1"
        "&SendMessageBatchRequestEntry.1.MessageBody=a%2Bb%25c%26d%3De+f%0Ag%0D%09h"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=x+y"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue=%7B%22k%22%3A%22v%"
        "3D1%26w%3D2%22%7D");
}

TEST_CASE(
    "Of the ASCII characters only letters, digits and * - . _ pass unchanged, ~ ! ' ( ) included") {
  std::string every_ascii_character;
  for (int c = 0; c < 128; ++c) every_ascii_character += static_cast<char>(c);
  auto event = make_event("a", "n", "{}", every_ascii_character);
  CHECK(tep::encode_send_message_batch({event}) ==
        "SendMessageBatchRequestEntry.1.Id=a"
        "&SendMessageBatchRequestEntry.1.MessageBody="
        "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%"
        "1D%1E%1F"
        "+%21%22%23%24%25%26%27%28%29*%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D%7E%7F"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=n"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue=%7B%7D");
}

TEST_CASE("Non-ASCII text and emoji are percent-encoded byte by byte in upper-case hex") {
  // e + U+0301 (combining acute accent), U+2028 (line separator), U+10FFFF
  // (the last code point): encoded as given, never normalised.
  auto event = make_event("ü-1", "café", R"({"city":"Zürich"})",
                          "café 日本語 Ünïcödé e\u0301 \u2028 🎵👍🏽 \U0010FFFF");
  CHECK(tep::encode_send_message_batch({event}) ==
        "SendMessageBatchRequestEntry.1.Id=%C3%BC-1"
        "&SendMessageBatchRequestEntry.1.MessageBody=caf%C3%A9+%E6%97%A5%E6%9C%AC%E8%AA%9E"
        "+%C3%9Cn%C3%AFc%C3%B6d%C3%A9+e%CC%81+%E2%80%A8+%F0%9F%8E%B5%F0%9F%91%8D%F0%9F%8F%BD+%F4%"
        "8F%BF%BF"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=caf%C3%A9"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue=%7B%22city%22%3A%22Z%"
        "C3%BCrich%22%7D");
}

TEST_CASE(
    "JSON with quotes, backslashes and apostrophes is encoded exactly as URLSearchParams does") {
  auto event = make_event(
      "j", "search", R"({"authorization":"Bearer a.b-c_d","client-id":"web"})",
      R"({"query":"say \"hi\" & 'bye'","path":"C:\\dir\\file","list":[1,2.5,null,true],"ts":1763000000000})");
  CHECK(tep::encode_send_message_batch({event}) ==
        "SendMessageBatchRequestEntry.1.Id=j"
        "&SendMessageBatchRequestEntry.1.MessageBody=%7B%22query%22%3A%22say+%5C%22hi%5C%22+%26+%"
        "27bye%27%22"
        "%2C%22path%22%3A%22C%3A%5C%5Cdir%5C%5Cfile%22%2C%22list%22%3A%5B1%2C2.5%2Cnull%2Ctrue%5D"
        "%2C%22ts%22%3A1763000000000%7D"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=search"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue="
        "%7B%22authorization%22%3A%22Bearer+a.b-c_d%22%2C%22client-id%22%3A%22web%22%7D");
}

TEST_CASE("Empty fields are still sent, with nothing after the equals sign") {
  CHECK(tep::encode_send_message_batch({make_event("", "", "", "")}) ==
        "SendMessageBatchRequestEntry.1.Id="
        "&SendMessageBatchRequestEntry.1.MessageBody="
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue="
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue=");
}

TEST_CASE("An empty batch encodes to an empty body") {
  CHECK(tep::encode_send_message_batch({}).empty());
}

TEST_CASE("Entries are numbered from 1 in the order of the events") {
  std::vector<tep::Event> events;
  for (int i = 1; i <= 3; ++i) {
    std::string n = std::to_string(i);
    events.push_back(
        make_event("id-" + n, "event_" + n, R"({"n":)" + n + "}", R"({"i":)" + n + "}"));
  }
  CHECK(tep::encode_send_message_batch(events) ==
        "SendMessageBatchRequestEntry.1.Id=id-1"
        "&SendMessageBatchRequestEntry.1.MessageBody=%7B%22i%22%3A1%7D"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=event_1"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue=%7B%22n%22%3A1%7D"
        "&SendMessageBatchRequestEntry.2.Id=id-2"
        "&SendMessageBatchRequestEntry.2.MessageBody=%7B%22i%22%3A2%7D"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=event_2"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.StringValue=%7B%22n%22%3A2%7D"
        "&SendMessageBatchRequestEntry.3.Id=id-3"
        "&SendMessageBatchRequestEntry.3.MessageBody=%7B%22i%22%3A3%7D"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.1.Name=Name"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.1.Value.StringValue=event_3"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.1.Value.DataType=String"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.2.Name=Headers"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.2.Value.DataType=String"
        "&SendMessageBatchRequestEntry.3.MessageAttribute.2.Value.StringValue=%7B%22n%22%3A3%7D");
}

TEST_CASE("Entry numbers past 9 are written in full decimal") {
  std::vector<tep::Event> events;
  for (int i = 1; i <= 11; ++i)
    events.push_back(make_event("id-" + std::to_string(i), "e", "{}", std::to_string(i)));
  std::string body = tep::encode_send_message_batch(events);

  const std::string entry_10 =
      "&SendMessageBatchRequestEntry.10.Id=id-10"
      "&SendMessageBatchRequestEntry.10.MessageBody=10"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.1.Name=Name"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.1.Value.StringValue=e"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.2.Name=Headers"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.2.Value.DataType=String"
      "&SendMessageBatchRequestEntry.10.MessageAttribute.2.Value.StringValue=%7B%7D";
  const std::string entry_11 =
      "&SendMessageBatchRequestEntry.11.Id=id-11"
      "&SendMessageBatchRequestEntry.11.MessageBody=11"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.1.Name=Name"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.1.Value.StringValue=e"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.2.Name=Headers"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.2.Value.DataType=String"
      "&SendMessageBatchRequestEntry.11.MessageAttribute.2.Value.StringValue=%7B%7D";
  REQUIRE(body.size() > entry_10.size() + entry_11.size());
  CHECK(body.substr(body.size() - entry_10.size() - entry_11.size()) == entry_10 + entry_11);
  CHECK(std::count(body.begin(), body.end(), '&') == 11 * 8 - 1);  // eight fields per entry
}

TEST_CASE("A full batch of large events encodes every byte of every event") {
  // Made of a character that always percent-encodes: nothing may be cut or
  // left over, whatever room the encoder sets aside first.
  constexpr size_t kBatchSize = 10;        // the spec's BATCH_SIZE
  constexpr size_t kPayloadBytes = 20000;  // just under the spec's 20 KiB event limit
  constexpr size_t kFieldsPerEntry = 8;
  constexpr size_t kQuotesPerEvent = kPayloadBytes + 3;  // id, name and headers hold one each
  std::vector<tep::Event> events(kBatchSize,
                                 make_event("\"", "\"", "\"", std::string(kPayloadBytes, '"')));
  std::string body = tep::encode_send_message_batch(events);
  std::string first_entry_alone = tep::encode_send_message_batch({events.front()});
  // Entries 2 to 9 are as long as entry 1; each field name of entry 10 has
  // one digit more.
  CHECK(body.size() ==
        kBatchSize * first_entry_alone.size() + (kBatchSize - 1) /* '&' */ + kFieldsPerEntry);
  CHECK(static_cast<size_t>(std::count(body.begin(), body.end(), '%')) ==
        kBatchSize * kQuotesPerEvent);
  CHECK(body.compare(body.size() - 3, 3, "%22") == 0);
}

// --- decode_batch_response ----------------------------------------------------

TEST_CASE("A real SendMessageBatch response confirms the ids of its result entries") {
  auto response = tep::decode_batch_response(kAwsBatchResponse);
  CHECK(response.kind == Kind::kBatchResult);
  CHECK(response.accepted == std::vector<std::string>{"test_msg_001", "test_msg_002"});
  CHECK(response.rejected.empty());
  CHECK(response.error_code.empty());
}

TEST_CASE("Result and error entries are told apart, with SenderFault read as true or false") {
  auto response = tep::decode_batch_response(kMixedBatchResponse);
  REQUIRE(response.kind == Kind::kBatchResult);
  CHECK(response.accepted == std::vector<std::string>{"ok-1", "ok-2"});
  REQUIRE(response.rejected.size() == 2);
  CHECK(response.rejected[0].id == "bad-1");
  CHECK(response.rejected[0].sender_fault);
  CHECK(response.rejected[0].code == "InvalidMessageContents");
  CHECK(response.rejected[0].message == "Invalid binary character '#x1'");
  CHECK(response.rejected[1].id == "busy-1");
  CHECK_FALSE(response.rejected[1].sender_fault);
  CHECK(response.rejected[1].code == "InternalError");
  CHECK(response.rejected[1].message == "Try again");
}

TEST_CASE("An error entry without SenderFault, or with an unknown value, is read as transient") {
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse><SendMessageBatchResult>"
      "<BatchResultErrorEntry><Id>a</Id><Code>X</Code></BatchResultErrorEntry>"
      "<BatchResultErrorEntry><Id>b</Id><SenderFault>yes</SenderFault></BatchResultErrorEntry>"
      "<BatchResultErrorEntry><Id>c</Id><SenderFault> 1 </SenderFault></BatchResultErrorEntry>"
      "</SendMessageBatchResult></SendMessageBatchResponse>");
  REQUIRE(response.rejected.size() == 3);
  CHECK_FALSE(response.rejected[0].sender_fault);
  CHECK_FALSE(response.rejected[1].sender_fault);
  CHECK(response.rejected[2].sender_fault);  // xsd:boolean's other spelling of true
}

TEST_CASE("An ErrorResponse reports its type, code and message and confirms nothing") {
  auto response = tep::decode_batch_response(kDuplicateIdsError);
  CHECK(response.kind == Kind::kErrorResponse);
  CHECK(response.error_type == "Sender");
  CHECK(response.error_code == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
  CHECK(response.error_message == "Id 3f2c repeated.");
  CHECK(response.accepted.empty());
  CHECK(response.rejected.empty());
}

TEST_CASE("An entry without exactly one non-empty Id confirms nothing") {
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse><SendMessageBatchResult>"
      "<SendMessageBatchResultEntry><MessageId>m</MessageId></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry><Id></Id></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry><Id>  \n </Id></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry><Id/></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry/>"
      "<SendMessageBatchResultEntry><Id>one</Id><Id>two</Id></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry><Id>nested<b>bold</b></Id></SendMessageBatchResultEntry>"
      "<BatchResultErrorEntry><Id>x</Id><Id>y</Id><SenderFault>true</SenderFault></"
      "BatchResultErrorEntry>"
      "<BatchResultErrorEntry><SenderFault>true</SenderFault></BatchResultErrorEntry>"
      "<SendMessageBatchResultEntry><Id>kept</Id></SendMessageBatchResultEntry>"
      "</SendMessageBatchResult></SendMessageBatchResponse>");
  CHECK(response.kind == Kind::kBatchResult);
  CHECK(response.accepted == std::vector<std::string>{"kept"});
  CHECK(response.rejected.empty());
}

TEST_CASE("Entries and fields outside their place in the response are ignored") {
  auto batch = tep::decode_batch_response(
      "<SendMessageBatchResponse>"
      "<SendMessageBatchResultEntry><Id>under-root</Id></SendMessageBatchResultEntry>"
      "<ResponseMetadata><SendMessageBatchResultEntry><Id>in-metadata</Id></"
      "SendMessageBatchResultEntry></ResponseMetadata>"
      "<SendMessageBatchResult><Wrapper><SendMessageBatchResultEntry><Id>too-deep</Id></"
      "SendMessageBatchResultEntry></Wrapper>"
      "<Id>loose</Id></SendMessageBatchResult>"
      "<Error><Type>Sender</Type><Code>X</Code></Error>"
      "</SendMessageBatchResponse>");
  CHECK(batch.kind == Kind::kBatchResult);
  CHECK(batch.accepted.empty());
  CHECK(batch.error_type.empty());
  CHECK(batch.error_code.empty());

  auto error = tep::decode_batch_response(
      "<ErrorResponse><Code>NotInError</Code><Error><Detail><Code>TooDeep</Code></Detail></Error>"
      "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id></"
      "SendMessageBatchResultEntry>"
      "</SendMessageBatchResult></ErrorResponse>");
  CHECK(error.kind == Kind::kErrorResponse);
  CHECK(error.error_code.empty());
  CHECK(error.accepted.empty());
}

TEST_CASE("Well-formed XML with another root is unrecognised") {
  for (const char* document : {
           "<Response><Errors><Error><Code>InvalidAction</Code></Error></Errors></Response>",
           "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id></"
           "SendMessageBatchResultEntry>"
           "</SendMessageBatchResult>",
           "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Sign in</p></body></html>",
           "<sendmessagebatchresponse/>",
       }) {
    INFO(document);
    require_unrecognised(tep::decode_batch_response(document));
  }
}

TEST_CASE("An HTML captive-portal page is unrecognised") {
  require_unrecognised(tep::decode_batch_response(R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Hotel Wi-Fi &ndash; Sign in</title>
  <script>if (a < b && c) location.href = '/login';</script>
</head>
<body>
  <form action="/login" method=post><input type=checkbox checked> Accept the terms<br>
  <SendMessageBatchResultEntry><Id>injected</Id></SendMessageBatchResultEntry>
  </form>
</body>
</html>
)"));
}

TEST_CASE("An empty or blank body is unrecognised") {
  require_unrecognised(tep::decode_batch_response(""));
  require_unrecognised(tep::decode_batch_response(" \r\n\t"));
  require_unrecognised(tep::decode_batch_response("\xEF\xBB\xBF"));
  require_unrecognised(tep::decode_batch_response("<?xml version=\"1.0\"?>"));
  require_unrecognised(tep::decode_batch_response("<!-- nothing -->"));
}

TEST_CASE("A response cut at any byte is unrecognised and never confirms more than the whole") {
  for (const std::string* whole : {&kAwsBatchResponse, &kMixedBatchResponse, &kDuplicateIdsError}) {
    auto complete = tep::decode_batch_response(*whole);
    REQUIRE(complete.kind != Kind::kUnrecognised);
    for (size_t cut = 0; cut < whole->size(); ++cut) {
      auto truncated = tep::decode_batch_response(std::string_view(*whole).substr(0, cut));
      if (truncated.kind != Kind::kUnrecognised || !truncated.accepted.empty() ||
          !truncated.rejected.empty() || !truncated.error_code.empty()) {
        FAIL("a response cut after " << cut << " bytes was read: " << whole->substr(0, cut));
      }
    }
  }
  SUCCEED("every truncation of three responses was refused");
}

TEST_CASE("Cutting what follows the root leaves the response as it was, or unrecognised") {
  const std::string trailer = "\n<!-- served by the collector --><?done?>\n";
  const std::string whole = kMixedBatchResponse + trailer;
  auto complete = tep::decode_batch_response(whole);
  REQUIRE(complete.accepted.size() == 2);
  for (size_t cut = kMixedBatchResponse.size(); cut <= whole.size(); ++cut) {
    INFO("cut after " << cut << " bytes");
    auto truncated = tep::decode_batch_response(std::string_view(whole).substr(0, cut));
    if (truncated.kind == Kind::kUnrecognised) {
      CHECK(truncated.accepted.empty());
    } else {
      CHECK(truncated.accepted == complete.accepted);
      CHECK(truncated.rejected.size() == complete.rejected.size());
    }
  }
}

TEST_CASE("Ids confirmed by a response match the ids the request carried") {
  // The decoder is the encoder's other half: ids with characters that need
  // escaping on both sides survive the round trip through the collector.
  std::vector<tep::Event> events = {make_event("plain-1", "e", "{}", "{}"),
                                    make_event("a&b<c>\"d'e f+g%", "e", "{}", "{}")};
  CHECK(tep::encode_send_message_batch(events).find("Entry.2.Id=a%26b%3Cc%3E%22d%27e+f%2Bg%25&") !=
        std::string::npos);
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse><SendMessageBatchResult>"
      "<SendMessageBatchResultEntry><Id>plain-1</Id></SendMessageBatchResultEntry>"
      "<SendMessageBatchResultEntry><Id>a&amp;b&lt;c&gt;&quot;d&apos;e "
      "f+g%</Id></SendMessageBatchResultEntry>"
      "</SendMessageBatchResult></SendMessageBatchResponse>");
  CHECK(response.accepted == std::vector<std::string>{events[0].id, events[1].id});
}
